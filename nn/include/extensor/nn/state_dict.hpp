#pragma once
// ex::nn::StateDict: the named tensors of a module (parameters and buffers), in order.

#include <cstddef>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "extensor/core/tensor.hpp"

namespace ex::nn {

// An insertion-ordered map from dotted names ("fc1.weight") to tensors, what
// Module::state_dict() returns and Module::load_state_dict() reads (PyTorch's
// OrderedDict of a state dict). Iteration yields std::pair<std::string, Tensor> in
// insertion order. Copying a StateDict copies the tensor handles, not their data.
class StateDict {
 public:
  using Entry = std::pair<std::string, Tensor>;

  StateDict() = default;
  // Inserts each pair in order; throws like insert.
  StateDict(std::initializer_list<Entry> entries);

  // Appends name -> tensor. Throws ex::Error "StateDict::insert: ..." for an empty name,
  // an undefined tensor or a name already present.
  void insert(std::string name, Tensor tensor);
  bool contains(const std::string& name) const { return index_.count(name) != 0; }
  // The tensor stored under name. Throws ex::Error "StateDict::at: no entry named '...'"
  // when name is absent.
  const Tensor& at(const std::string& name) const;
  // Every name, in insertion order.
  std::vector<std::string> keys() const;

  std::size_t size() const noexcept { return entries_.size(); }
  bool empty() const noexcept { return entries_.empty(); }
  std::vector<Entry>::const_iterator begin() const noexcept { return entries_.begin(); }
  std::vector<Entry>::const_iterator end() const noexcept { return entries_.end(); }

 private:
  std::vector<Entry> entries_;
  std::unordered_map<std::string, std::size_t> index_;  // name -> position in entries_
};

}  // namespace ex::nn
