#pragma once
// ex::nn::Sequential: a chain of modules.

#include <cstdint>
#include <initializer_list>
#include <memory>
#include <string>
#include <utility>

#include "extensor/nn/module.hpp"

namespace ex::nn {

// Applies its modules in order, each to the previous one's output, like
// torch.nn.Sequential; the children are named "0", "1", ... so parameters are
// "0.weight", "2.bias". An empty Sequential returns its input.
//
//   auto model = std::make_shared<ex::nn::Sequential>(std::make_shared<ex::nn::Linear>(784, 512),
//                                                     std::make_shared<ex::nn::ReLU>());
//   model->push_back(std::make_shared<ex::nn::Linear>(512, 10));
//   auto fc = model->at<ex::nn::Linear>(0);
class Sequential : public Module {
 public:
  Sequential() : Module("Sequential") {}
  // push_back of each module in order; throws as push_back.
  Sequential(std::initializer_list<ModulePtr> modules);
  template <class M, class... Ms>
  explicit Sequential(std::shared_ptr<M> first, std::shared_ptr<Ms>... rest) : Sequential() {
    push_back(std::move(first));
    (push_back(std::move(rest)), ...);
  }

  // Appends module under the name str(size()) and returns it. Throws ex::Error
  // "register_module: ..." for a null module or one that contains this Sequential.
  template <class M>
  std::shared_ptr<M> push_back(std::shared_ptr<M> module) {
    return register_module(std::to_string(size()), std::move(module));
  }

  std::size_t size() const noexcept { return child_entries().size(); }
  bool empty() const noexcept { return child_entries().empty(); }
  // Module `index` (negative counts from the end). Throws ex::Error
  // "Sequential::operator[]: index 3 is out of range for 3 modules".
  ModulePtr operator[](std::int64_t index) const;
  // Module `index` as an M. Throws ex::Error "Sequential::at: ..." for an index out of
  // range or a module that is not an M (naming its type).
  template <class M = Module>
  std::shared_ptr<M> at(std::int64_t index) const {
    ModulePtr module = get(index, "Sequential::at");
    std::shared_ptr<M> typed = std::dynamic_pointer_cast<M>(module);
    if (!typed) throw_wrong_type(index, *module);
    return typed;
  }

  // The modules' forwards in order, through operator() (so nn::summary sees each).
  Tensor forward(const Tensor& input) override;

 private:
  ModulePtr get(std::int64_t index, const char* fn) const;
  [[noreturn]] static void throw_wrong_type(std::int64_t index, const Module& module);
};

}  // namespace ex::nn
