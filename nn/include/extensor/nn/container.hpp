#pragma once
// ex::nn::Sequential: a chain of modules.

#include <concepts>
#include <cstdint>
#include <memory>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "extensor/nn/cloneable.hpp"

namespace ex::nn {

// A module class whose forward can be called with one tensor and returns a tensor:
// `Tensor forward(const Tensor&)`, `Tensor forward(Tensor)`, or one with further
// defaulted parameters. What Sequential can chain.
template <class M>
concept TensorToTensorModule = std::is_base_of_v<Module, M> && requires(M& m, const Tensor& x) {
  { m.forward(x) } -> std::convertible_to<Tensor>;
};

// Whether T can be given to Sequential's constructor: a module holder or a
// std::shared_ptr to a module.
template <class T>
struct is_module_shared_ptr : std::false_type {};
template <class M>
struct is_module_shared_ptr<std::shared_ptr<M>> : std::bool_constant<std::is_base_of_v<Module, M>> {};
template <class T>
inline constexpr bool is_sequential_child_v =
    is_module_holder_v<T> || is_module_shared_ptr<std::remove_cvref_t<T>>::value;

// Applies its modules in order, each to the previous one's output, like
// torch::nn::Sequential; the children are named "0", "1", ... so parameters are
// "0.weight", "2.bias". An empty Sequential returns its input. Modules are given as
// holders or std::shared_ptrs, in any mix; a module whose forward cannot take one
// tensor is refused at compile time (see TensorToTensorModule).
//
//   nn::Sequential model(nn::Linear(784, 512), nn::ReLU());
//   model->push_back(nn::Linear(512, 10));
//   nn::LinearImpl& fc = model->at<nn::LinearImpl>(0);
class SequentialImpl : public Cloneable<SequentialImpl> {
 public:
  SequentialImpl() : Cloneable("Sequential") {}
  // push_back of each module in order; throws as push_back.
  template <class... Modules>
  requires(sizeof...(Modules) > 0 &&
           (is_sequential_child_v<Modules> && ...)) explicit SequentialImpl(Modules&&... modules)
      : SequentialImpl() {
    (push_back(std::forward<Modules>(modules)), ...);
  }

  // Appends module under the name str(size()) and returns it. Throws ex::Error
  // "register_module: ..." for a null module or one that contains this Sequential.
  template <class M>
  std::shared_ptr<M> push_back(std::shared_ptr<M> module) {
    static_assert(TensorToTensorModule<M>,
                  "Sequential::push_back: the module's forward must accept one Tensor and return a Tensor");
    register_module(std::to_string(size()), module);
    forwards_.push_back(&call_child<M>);
    return module;
  }
  // The same for a holder (nn::Linear(4, 2)); returns the holder. An empty holder
  // throws as a null module.
  template <class Holder>
  requires is_module_holder_v<Holder> std::remove_cvref_t<Holder> push_back(Holder&& holder) {
    using M = typename std::remove_cvref_t<Holder>::ContainedType;
    push_back(holder.is_empty() ? std::shared_ptr<M>() : holder.ptr());
    return holder;
  }

  std::size_t size() const noexcept { return child_entries().size(); }
  bool empty() const noexcept { return child_entries().empty(); }
  // Module `index` (negative counts from the end). Throws ex::Error
  // "Sequential::operator[]: index 3 is out of range for 3 modules".
  ModulePtr operator[](std::int64_t index) const;
  // Module `index` as an M (libtorch's at<T>). Throws ex::Error "Sequential::at: ..."
  // for an index out of range or a module that is not an M (naming its type).
  template <class M>
  M& at(std::int64_t index) const {
    return *typed<M>(index, "Sequential::at");
  }
  // Module `index` as a std::shared_ptr<M> (libtorch's ptr<T>); throws as at()
  // ("Sequential::ptr: ...").
  template <class M = Module>
  std::shared_ptr<M> ptr(std::int64_t index) const {
    return typed<M>(index, "Sequential::ptr");
  }

  // The modules' forwards in order, through call_forward (so nn::summary sees each).
  Tensor forward(const Tensor& input);

  // A Sequential of clones of the modules. Throws ex::Error "clone: ..." when a module
  // cannot be cloned.
  std::shared_ptr<Module> clone() const override;
  // Nothing to create: the modules are given from outside.
  void reset() override {}

 private:
  template <class M>
  std::shared_ptr<M> typed(std::int64_t index, const char* fn) const {
    static_assert(std::is_base_of_v<Module, M>, "Sequential: ask for the module class (LinearImpl), not its holder");
    ModulePtr module = get(index, fn);
    std::shared_ptr<M> cast = std::dynamic_pointer_cast<M>(module);
    if (!cast) throw_wrong_type(fn, index, *module);
    return cast;
  }
  template <class M>
  static Tensor call_child(Module& module, const Tensor& input) {
    return call_forward(static_cast<M&>(module), input);
  }

  ModulePtr get(std::int64_t index, const char* fn) const;
  [[noreturn]] static void throw_wrong_type(const char* fn, std::int64_t index, const Module& module);

  // forwards_[i] calls child i's forward; captured from the static type at push_back.
  std::vector<Tensor (*)(Module&, const Tensor&)> forwards_;
};
EX_MODULE(Sequential);

}  // namespace ex::nn
