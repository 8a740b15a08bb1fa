#pragma once
// ex::nn::Module: the base of every layer and model. A module owns named parameters
// (tensors that require grad), named buffers (state such as running statistics) and
// named child modules, and defines a forward. Its holders (ModuleHolder, EX_MODULE) are
// in module_holder.hpp, which this header includes.

#include <functional>
#include <iosfwd>
#include <memory>
#include <string>
#include <type_traits>
#include <typeinfo>
#include <utility>
#include <vector>

#include "extensor/core/ordered_dict.hpp"
#include "extensor/core/tensor.hpp"
#include "extensor/nn/state_dict.hpp"

namespace ex::nn {

class Module;
using ModulePtr = std::shared_ptr<Module>;
using NamedTensor = std::pair<std::string, Tensor>;
using NamedModule = std::pair<std::string, ModulePtr>;
// What named_parameters() / named_buffers() and named_children() / named_modules() return.
using TensorDict = OrderedDict<std::string, Tensor>;
using ModuleDict = OrderedDict<std::string, ModulePtr>;

template <class Impl>
class ModuleHolder;
// Whether T is a module holder: ModuleHolder<M> or a class derived from it (EX_MODULE).
template <class T>
concept ModuleHolderType = requires {
  typename T::ContainedType;
}
&&std::is_base_of_v<ModuleHolder<typename T::ContainedType>, T>;
template <class T>
inline constexpr bool is_module_holder_v = ModuleHolderType<std::remove_cvref_t<T>>;

// What load_state_dict(dict, strict=false) skipped: the module's keys absent from dict
// and dict's keys the module does not have (both empty after a strict load).
struct LoadStateDictResult {
  std::vector<std::string> missing_keys;
  std::vector<std::string> unexpected_keys;
};

// The base class of layers and models, like torch::nn::Module. Modules are held by
// std::shared_ptr, usually through a module holder (module_holder.hpp): users write
// `struct NetImpl : ex::nn::Module {...}; EX_MODULE(Net);` and pass `Net` around, as
// with libtorch's TORCH_MODULE. A subclass registers its parameters, buffers and
// children in its constructor and defines a forward of any signature; Module itself
// has no forward. Callers go through the holder's operator() (or ex::nn::call_forward),
// which calls the subclass's forward directly, so arguments it does not accept fail to
// compile, and notifies a ForwardObserver.
//
// Names given to register_* must be non-empty, contain no '.', and be unique among the
// module's own parameters, buffers and children; otherwise they throw ex::Error
// ("register_parameter: ...", "register_buffer: ...", "register_module: ..."). Names
// of nested entries are dotted paths: "fc1.weight", "0.bias", "block.0.weight".
// Enumerations follow registration order, the module's own entries first and then each
// child's, depth first (PyTorch's order); a tensor or module reachable twice (a shared
// layer) is listed once, under its first name.
//
// Copying a module object (the copy constructor of a subclass) shares its tensors and
// children; clone() makes a deep copy.
class Module : public std::enable_shared_from_this<Module> {
 public:
  // name is the type name used when printing ("Linear", "Sequential"); left empty, the
  // module is named after its class, without namespaces and without a trailing "Impl"
  // ("Net" for a user's NetImpl).
  explicit Module(std::string name = {});
  virtual ~Module() = default;

  // The type name given to the constructor, or else the class's name.
  std::string name() const;

  // Registers tensor as parameter `name` and returns it: the same handle, marked
  // requires_grad_(requires_grad). Throws ex::Error "register_parameter: ..." for a bad
  // or taken name, an undefined tensor, a tensor that is not a leaf (the output of a
  // recorded op: pass tensor.detach()), or a non-floating tensor with requires_grad.
  Tensor register_parameter(const std::string& name, const Tensor& tensor, bool requires_grad = true);
  // Registers tensor as buffer `name` (saved in state_dict, converted by to(), never
  // returned by parameters()) and returns it. Throws ex::Error "register_buffer: ..." for
  // a bad or taken name or an undefined tensor.
  Tensor register_buffer(const std::string& name, const Tensor& tensor);
  // Registers module as child `name` and returns it. Throws ex::Error
  // "register_module: ..." for a bad or taken name, a null module, or a module that
  // contains this one (the tree would be cyclic).
  template <class M>
  std::shared_ptr<M> register_module(const std::string& name, std::shared_ptr<M> module) {
    static_assert(std::is_base_of_v<Module, M>, "register_module: M must derive from ex::nn::Module");
    add_child(name, module);
    return module;
  }
  // The same for a module holder (`fc = register_module("fc", nn::Linear(4, 2))`);
  // returns the holder. An empty holder throws as a null module.
  template <class Holder>
  requires is_module_holder_v<Holder> Holder register_module(const std::string& name, Holder holder) {
    add_child(name, holder.is_empty() ? nullptr : holder.ptr());
    return holder;
  }

  // Parameters (handles, not copies) of this module and, if recurse, its descendants.
  // The named forms are ordered maps keyed by dotted name (see ex::OrderedDict):
  // named_parameters().at("fc1.weight").
  std::vector<Tensor> parameters(bool recurse = true) const;
  TensorDict named_parameters(bool recurse = true) const;
  // Buffers of this module and, if recurse, its descendants.
  std::vector<Tensor> buffers(bool recurse = true) const;
  TensorDict named_buffers(bool recurse = true) const;
  // Direct children in registration order.
  std::vector<ModulePtr> children() const;
  ModuleDict named_children() const;
  // This module (named "") followed by every descendant, depth first. Throws ex::Error
  // "modules: ..." when this module is not held by a std::shared_ptr.
  std::vector<ModulePtr> modules();
  ModuleDict named_modules();

  // A deep copy: new parameters and buffers holding copies of the values (parameters
  // are leaves with this module's requires_grad and no gradient), children cloned
  // recursively, the training flag kept. Built-in modules implement it; a user module
  // gets it by deriving from ex::nn::Cloneable<NetImpl> (cloneable.hpp). The default
  // throws ex::Error "clone: module 'Net' cannot be cloned: ...".
  virtual std::shared_ptr<Module> clone() const;

  // Sets training mode on this module and every descendant (Dropout and BatchNorm
  // behave differently in training and evaluation). Modules start in training mode.
  virtual void train(bool on = true);
  // train(false).
  void eval() { train(false); }
  bool is_training() const noexcept { return training_; }

  // Calls fn on this module and then on every descendant, depth first in registration
  // order, each once (a shared child too), like libtorch's Module::apply: the way to
  // initialize every layer of a type (`if (auto* fc = dynamic_cast<Linear*>(&m)) ...`).
  // Works on a module not held by a std::shared_ptr. fn must not add or remove
  // children; what it throws propagates.
  void apply(const std::function<void(Module&)>& fn);

  // Clears the gradient of every parameter (set_to_none, the default, like PyTorch 2),
  // or zeroes the gradients that exist in place.
  void zero_grad(bool set_to_none = true);

  // Converts every floating parameter and buffer to the floating dtype in place: the
  // tensors keep their identity, so every handle to them (optimizers, user code) sees
  // the new dtype. Parameters keep requires_grad; their gradients are dropped (they had
  // the old dtype). Integer and bool buffers are left alone, as in PyTorch. A graph
  // recorded before the conversion that saved a converted tensor can no longer be
  // back-propagated: it throws as after an in-place change. Throws ex::Error "to: ..."
  // for a non-floating dtype.
  Module& to(DType dtype);

  // Every parameter and buffer by dotted name: each module's parameters, then its
  // buffers, then its children's entries (PyTorch's order; a shared tensor appears under
  // each of its names). The tensors are detached aliases: they share storage with the
  // module's tensors but do not require grad.
  StateDict state_dict() const;
  // Copies the values of state_dict into this module's parameters and buffers in place
  // (without recording). Everything is checked before anything is copied: ex::Error
  // "load_state_dict: ..." names every key whose shape or dtype differs from the
  // module's and, when strict, every missing and unexpected key. Non-strict loads skip
  // missing and unexpected keys and report them in the result.
  LoadStateDictResult load_state_dict(const StateDict& state_dict, bool strict = true);

  // The text printed inside the parentheses after the name, e.g. "in_features=4,
  // out_features=2, bias=True". Empty by default.
  virtual std::string extra_repr() const { return {}; }

 protected:
  // Subclasses copy with their options; the copy shares tensors and children until
  // Cloneable replaces them.
  Module(const Module&) = default;
  Module& operator=(const Module&) = default;

  // The children with their names, in registration order (for containers).
  const std::vector<NamedModule>& child_entries() const noexcept { return children_; }

  // For Cloneable: forgets every parameter, buffer and child (the tensors and modules
  // themselves are untouched).
  void clear_registrations() noexcept;
  // For Cloneable, on a copy whose reset() registered fresh entries: gives each own
  // parameter and buffer a copy of the original's value (dtype and shape included) in
  // place, and makes each child a clone of the original's child in place. Throws
  // ex::Error "clone: ..." when the entries' names differ from the original's or reset()
  // registered one of the original's tensors.
  void copy_state_from(const Module& original);
  // For Sequential's clone: replaces every child with its clone. Throws ex::Error
  // "clone: ..." when a child's clone has another class than the child.
  void replace_children_with_clones();
  // Makes this module, whose class is the original's, a deep copy of original in
  // place (the children of a clone keep their addresses, so the parent's members stay
  // valid). Cloneable implements it; the default throws as clone() does.
  virtual void clone_from(const Module& original);

 private:
  void add_child(const std::string& name, ModulePtr module);
  void check_name(const std::string& name, const char* fn) const;
  // Calls visit(prefix, module) for this module and each distinct descendant, depth first.
  template <class Visit>
  void walk(Visit&& visit, bool recurse) const;
  TensorDict named_tensors(std::vector<NamedTensor> Module::*which, bool recurse, const char* kind) const;

  std::string name_;
  bool training_ = true;
  std::vector<NamedTensor> parameters_;
  std::vector<NamedTensor> buffers_;
  std::vector<NamedModule> children_;
};

// Prints the module tree like PyTorch:
//   Sequential(
//     (0): Linear(in_features=784, out_features=10, bias=True)
//     (1): ReLU()
//   )
std::ostream& operator<<(std::ostream& os, const Module& module);
// The same text as operator<<.
std::string to_string(const Module& module);

// Sees every module call made through call_forward (a holder's operator(), Sequential's
// children) on the thread it is installed on, outermost first; nn::summary records the
// layers of a forward pass through one. after_forward gets an undefined tensor when the
// forward returns something other than a Tensor.
class ForwardObserver {
 public:
  virtual ~ForwardObserver() = default;
  virtual void before_forward(const Module& module) = 0;
  virtual void after_forward(const Module& module, const Tensor& output) = 0;
};

// Installs observer (may be null) on the calling thread for its scope and restores the
// previous one on exit, also when forward throws.
class ScopedForwardObserver {
 public:
  explicit ScopedForwardObserver(ForwardObserver* observer) noexcept;
  ~ScopedForwardObserver();
  ScopedForwardObserver(const ScopedForwardObserver&) = delete;
  ScopedForwardObserver& operator=(const ScopedForwardObserver&) = delete;

 private:
  ForwardObserver* previous_;
};

}  // namespace ex::nn

namespace ex::detail {
// The calling thread's ForwardObserver, or null.
nn::ForwardObserver* forward_observer() noexcept;
// The demangled name of a class without namespaces and without a trailing "Impl".
std::string module_class_name(const std::type_info& type);
}  // namespace ex::detail

namespace ex::nn {

// Calls module.forward(args...), telling the calling thread's ForwardObserver (if any)
// before and after: how holders and containers call their modules, so nn::summary sees
// every layer. Works for any forward signature; arguments forward does not accept fail
// to compile.
template <class M, class... Args>
requires std::is_base_of_v<Module, M> && requires(M& m, Args&&... args) { m.forward(std::forward<Args>(args)...); }
decltype(auto) call_forward(M& module, Args&&... args) {
  using Result = decltype(module.forward(std::forward<Args>(args)...));
  ForwardObserver* observer = detail::forward_observer();
  if (observer == nullptr) return module.forward(std::forward<Args>(args)...);
  observer->before_forward(module);
  if constexpr (std::is_void_v<Result>) {
    module.forward(std::forward<Args>(args)...);
    observer->after_forward(module, Tensor());
    return;
  } else {
    Result output = module.forward(std::forward<Args>(args)...);
    if constexpr (std::is_convertible_v<const std::remove_reference_t<Result>&, const Tensor&>) {
      observer->after_forward(module, output);
    } else {
      observer->after_forward(module, Tensor());
    }
    return output;
  }
}

}  // namespace ex::nn

#include "extensor/nn/module_holder.hpp"  // NOLINT: the holders are part of the Module API
