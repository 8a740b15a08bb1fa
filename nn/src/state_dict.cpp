// StateDict: an insertion-ordered name -> tensor map.

#include "extensor/nn/state_dict.hpp"

#include "common/check.hpp"

namespace ex::nn {

StateDict::StateDict(std::initializer_list<Entry> entries) {
  for (const Entry& entry : entries) insert(entry.first, entry.second);
}

void StateDict::insert(std::string name, Tensor tensor) {
  if (name.empty()) detail::fail("StateDict::insert: the name must not be empty");
  if (!tensor.defined()) detail::fail("StateDict::insert: the tensor for '{}' is undefined", name);
  if (contains(name)) detail::fail("StateDict::insert: an entry named '{}' already exists", name);
  index_.emplace(name, entries_.size());
  entries_.emplace_back(std::move(name), std::move(tensor));
}

const Tensor& StateDict::at(const std::string& name) const {
  const auto it = index_.find(name);
  if (it == index_.end()) detail::fail("StateDict::at: no entry named '{}'", name);
  return entries_[it->second].second;
}

std::vector<std::string> StateDict::keys() const {
  std::vector<std::string> out;
  out.reserve(entries_.size());
  for (const Entry& entry : entries_) out.push_back(entry.first);
  return out;
}

}  // namespace ex::nn
