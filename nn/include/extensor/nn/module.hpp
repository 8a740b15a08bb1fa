#pragma once
// ex::nn::Module: the base of every layer and model. A module owns named parameters
// (tensors that require grad), named buffers (state such as running statistics) and
// named child modules, and computes forward(input).

#include <functional>
#include <iosfwd>
#include <memory>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "extensor/core/tensor.hpp"
#include "extensor/nn/state_dict.hpp"

namespace ex::nn {

class Module;
using ModulePtr = std::shared_ptr<Module>;
using NamedTensor = std::pair<std::string, Tensor>;
using NamedModule = std::pair<std::string, ModulePtr>;

// What load_state_dict(dict, strict=false) skipped: the module's keys absent from dict
// and dict's keys the module does not have (both empty after a strict load).
struct LoadStateDictResult {
  std::vector<std::string> missing_keys;
  std::vector<std::string> unexpected_keys;
};

// The base class of layers and models, like torch::nn::Module. Modules are held by
// std::shared_ptr (children are registered as shared_ptrs; modules() needs it too).
// A subclass registers its parameters, buffers and children in its constructor and
// overrides forward; callers use operator(), which also notifies a ForwardObserver.
//
// Names given to register_* must be non-empty, contain no '.', and be unique among the
// module's own parameters, buffers and children; otherwise they throw ex::Error
// ("register_parameter: ...", "register_buffer: ...", "register_module: ..."). Names
// of nested entries are dotted paths: "fc1.weight", "0.bias", "block.0.weight".
// Enumerations follow registration order, the module's own entries first and then each
// child's, depth first (PyTorch's order); a tensor or module reachable twice (a shared
// layer) is listed once, under its first name.
class Module : public std::enable_shared_from_this<Module> {
 public:
  // name is the type name used when printing ("Linear", "Sequential"); left empty, the
  // module is named after its class, without namespaces ("Net" for a user's Net).
  explicit Module(std::string name = {});
  virtual ~Module() = default;
  Module(const Module&) = delete;
  Module& operator=(const Module&) = delete;

  // The type name given to the constructor, or else the class's name.
  std::string name() const;

  // The computation of the module. The default throws ex::Error "forward: module
  // 'Name' does not implement forward(const Tensor&)" (modules with other signatures,
  // such as losses, define their own).
  virtual Tensor forward(const Tensor& input);
  // Calls forward(input), telling the calling thread's ForwardObserver (if any) before
  // and after. Call children through operator() so nn::summary sees them.
  Tensor operator()(const Tensor& input);

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

  // Parameters (handles, not copies) of this module and, if recurse, its descendants.
  std::vector<Tensor> parameters(bool recurse = true) const;
  std::vector<NamedTensor> named_parameters(bool recurse = true) const;
  // Buffers of this module and, if recurse, its descendants.
  std::vector<Tensor> buffers(bool recurse = true) const;
  std::vector<NamedTensor> named_buffers(bool recurse = true) const;
  // Direct children in registration order.
  std::vector<ModulePtr> children() const;
  std::vector<NamedModule> named_children() const;
  // This module (named "") followed by every descendant, depth first. Throws ex::Error
  // "modules: ..." when this module is not held by a std::shared_ptr.
  std::vector<ModulePtr> modules();
  std::vector<NamedModule> named_modules();

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
  // The children with their names, in registration order (for containers).
  const std::vector<NamedModule>& child_entries() const noexcept { return children_; }

 private:
  void add_child(const std::string& name, ModulePtr module);
  void check_name(const std::string& name, const char* fn) const;
  // Calls visit(prefix, module) for this module and each distinct descendant, depth first.
  template <class Visit>
  void walk(Visit&& visit, bool recurse) const;
  std::vector<NamedTensor> named_tensors(std::vector<NamedTensor> Module::*which, bool recurse) const;

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

// Sees every Module::operator() call made on the thread it is installed on, outermost
// first; nn::summary records the layers of a forward pass through one.
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
