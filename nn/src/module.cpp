// Module: registration, enumeration, modes, dtype conversion, state dicts, printing.

#include "extensor/nn/module.hpp"

#include <cxxabi.h>

#include <cstdlib>
#include <memory>
#include <mutex>
#include <ostream>
#include <sstream>
#include <string_view>
#include <typeinfo>
#include <unordered_set>

#include "common/check.hpp"
#include "extensor/autograd/grad_mode.hpp"
#include "extensor/autograd/node.hpp"
#include "extensor/autograd/ops/arithmetic.hpp"

namespace ex::nn {

namespace {

thread_local ForwardObserver* current_observer = nullptr;

std::string join(const std::string& prefix, const std::string& name) {
  return prefix.empty() ? name : prefix + "." + name;
}

// Rewrites t's TensorImpl to hold contents (a tensor of its own, not a view of t), so
// every handle to t sees the change, and drops t's gradient. The new storage's version
// continues past the old one's: a graph that saved t before then fails its version
// check, as after any in-place change, instead of reading data of another dtype.
void replace_contents(const Tensor& t, const Tensor& contents) {
  for (std::uint64_t v = 0; v <= t.version(); ++v) contents.storage()->bump_version();
  TensorImpl* impl = t.unsafe_impl();
  impl->storage = contents.storage();
  impl->shape = contents.shape();
  impl->strides = contents.strides();
  impl->offset = contents.storage_offset();
  impl->dtype = contents.dtype();
  if (const auto& meta = impl->autograd_meta) {
    std::lock_guard lock(meta->mutex);
    meta->grad = Tensor();
    meta->grad_accumulators.clear();  // the next graphs make them for the new dtype
  }
}

// Converts t to dtype in place (see replace_contents); integer tensors stay.
void convert_in_place(const Tensor& t, DType dtype) {
  if (t.dtype() == dtype || !is_floating(t.dtype())) return;
  replace_contents(t, t.detach().to(dtype));
}

// Every parameter and buffer by dotted name, without merging shared modules or tensors
// (PyTorch's state_dict order).
void collect_state(const Module& module, const std::string& prefix, StateDict& out) {
  for (const auto& [name, t] : module.named_parameters(false)) out.insert(join(prefix, name), t.detach());
  for (const auto& [name, t] : module.named_buffers(false)) out.insert(join(prefix, name), t.detach());
  for (const auto& [name, child] : module.named_children()) collect_state(*child, join(prefix, name), out);
}

std::string quoted_list(const std::vector<std::string>& names) {
  std::string out;
  for (const std::string& n : names) out += (out.empty() ? "'" : ", '") + n + "'";
  return out;
}

// Indents every line but the first by two spaces (PyTorch's _addindent).
std::string indent_tail(const std::string& text) {
  std::string out;
  for (char c : text) {
    out += c;
    if (c == '\n') out += "  ";
  }
  return out;
}

std::string repr(const Module& module) {
  std::vector<std::string> lines;
  std::istringstream extra(module.extra_repr());
  for (std::string line; std::getline(extra, line);) lines.push_back(line);
  const ModuleDict children = module.named_children();
  for (const auto& [name, child] : children) lines.push_back("(" + name + "): " + indent_tail(repr(*child)));
  std::string out = module.name() + "(";
  if (lines.size() == 1 && children.empty()) {
    out += lines.front();
  } else if (!lines.empty()) {
    out += "\n";
    for (const std::string& line : lines) out += "  " + line + "\n";
  }
  return out + ")";
}

}  // namespace

Module::Module(std::string name) : name_(std::move(name)) {}

std::string Module::name() const { return name_.empty() ? ex::detail::module_class_name(typeid(*this)) : name_; }

void Module::check_name(const std::string& name, const char* fn) const {
  if (name.empty()) detail::fail("{}: the name must not be empty (module {})", fn, Module::name());
  if (name.find('.') != std::string::npos)
    detail::fail("{}: name '{}' must not contain '.' (dots separate nested names)", fn, name);
  const auto taken = [&](const auto& entries) {
    for (const auto& entry : entries)
      if (entry.first == name) return true;
    return false;
  };
  if (taken(parameters_) || taken(buffers_) || taken(children_))
    detail::fail("{}: module {} already has an entry named '{}'", fn, Module::name(), name);
}

Tensor Module::register_parameter(const std::string& name, const Tensor& tensor, bool requires_grad) {
  check_name(name, "register_parameter");
  if (!tensor.defined()) detail::fail("register_parameter: the tensor for '{}' is undefined", name);
  if (!tensor.is_leaf())
    detail::fail("register_parameter: the tensor for '{}' is the result of '{}', not a leaf; register {}.detach()",
                 name, tensor.grad_fn_name(), name);
  if (requires_grad && !is_floating(tensor.dtype()))
    detail::fail("register_parameter: '{}' has dtype {}; only floating tensors can require grad", name, tensor.dtype());
  tensor.requires_grad_(requires_grad);
  parameters_.emplace_back(name, tensor);
  return tensor;
}

Tensor Module::register_buffer(const std::string& name, const Tensor& tensor) {
  check_name(name, "register_buffer");
  if (!tensor.defined()) detail::fail("register_buffer: the tensor for '{}' is undefined", name);
  buffers_.emplace_back(name, tensor);
  return tensor;
}

void Module::add_child(const std::string& name, ModulePtr module) {
  check_name(name, "register_module");
  if (!module) detail::fail("register_module: the module for '{}' is null", name);
  bool cyclic = false;
  module->walk([&](const std::string&, const Module& m, const ModulePtr&) { cyclic = cyclic || &m == this; }, true);
  if (cyclic) detail::fail("register_module: registering '{}' would make the module tree cyclic", name);
  children_.emplace_back(name, std::move(module));
}

template <class Visit>
void Module::walk(Visit&& visit, bool recurse) const {
  std::unordered_set<const Module*> seen;
  const auto go = [&](const auto& self, const Module& m, const ModulePtr& ptr, const std::string& prefix) -> void {
    if (!seen.insert(&m).second) return;
    visit(prefix, m, ptr);
    if (!recurse) return;
    for (const auto& [name, child] : m.children_) self(self, *child, child, join(prefix, name));
  };
  go(go, *this, std::const_pointer_cast<Module>(weak_from_this().lock()), "");
}

TensorDict Module::named_tensors(std::vector<NamedTensor> Module::*which, bool recurse, const char* kind) const {
  TensorDict out(kind);
  std::unordered_set<const TensorImpl*> seen;
  walk(
      [&](const std::string& prefix, const Module& m, const ModulePtr&) {
        for (const auto& [name, t] : m.*which)
          if (seen.insert(t.unsafe_impl()).second) out.insert(join(prefix, name), t);
      },
      recurse);
  return out;
}

TensorDict Module::named_parameters(bool recurse) const {
  return named_tensors(&Module::parameters_, recurse, "parameter");
}
TensorDict Module::named_buffers(bool recurse) const { return named_tensors(&Module::buffers_, recurse, "buffer"); }

std::vector<Tensor> Module::parameters(bool recurse) const {
  std::vector<Tensor> out;
  for (auto& entry : named_parameters(recurse)) out.push_back(std::move(entry.second));
  return out;
}
std::vector<Tensor> Module::buffers(bool recurse) const {
  std::vector<Tensor> out;
  for (auto& entry : named_buffers(recurse)) out.push_back(std::move(entry.second));
  return out;
}

ModuleDict Module::named_children() const {
  ModuleDict out("child");
  for (const auto& [name, child] : children_) out.insert(name, child);
  return out;
}
std::vector<ModulePtr> Module::children() const {
  std::vector<ModulePtr> out;
  for (const auto& entry : children_) out.push_back(entry.second);
  return out;
}

ModuleDict Module::named_modules() {
  if (weak_from_this().expired())
    detail::fail("modules: module {} is not held by a std::shared_ptr (create it with std::make_shared)", name());
  ModuleDict out("module");
  walk([&](const std::string& prefix, const Module&, const ModulePtr& ptr) { out.insert(prefix, ptr); }, true);
  return out;
}
std::vector<ModulePtr> Module::modules() {
  std::vector<ModulePtr> out;
  for (auto& entry : named_modules()) out.push_back(std::move(entry.second));
  return out;
}

void Module::apply(const std::function<void(Module&)>& fn) {
  // walk visits through const references; every module it reaches is this one or a
  // child held by a non-const shared_ptr, so modifying it is allowed.
  walk([&](const std::string&, const Module& m, const ModulePtr&) { fn(const_cast<Module&>(m)); }, true);
}

std::shared_ptr<Module> Module::clone() const {
  detail::fail(
      "clone: module '{}' cannot be cloned: derive its class from ex::nn::Cloneable<{}Impl> and create its "
      "parameters, buffers and children in reset()",
      name(), name());
}

void Module::clone_from(const Module& original) { (void)original.clone(); }

void Module::clear_registrations() noexcept {
  parameters_.clear();
  buffers_.clear();
  children_.clear();
}

void Module::copy_state_from(const Module& original) {
  const auto check_names = [&](const auto& mine, const auto& theirs, const char* kind) {
    std::vector<std::string> a, b;
    for (const auto& entry : mine) a.push_back(entry.first);
    for (const auto& entry : theirs) b.push_back(entry.first);
    if (a != b)
      detail::fail("clone: reset() of module '{}' registered the {} [{}] but the original has [{}]", name(), kind,
                   quoted_list(a), quoted_list(b));
  };
  check_names(parameters_, original.parameters_, "parameters");
  check_names(buffers_, original.buffers_, "buffers");
  check_names(children_, original.children_, "children");
  NoGradGuard no_grad;
  const auto copy_values = [&](const std::vector<NamedTensor>& mine, const std::vector<NamedTensor>& theirs) {
    for (std::size_t i = 0; i < mine.size(); ++i) {
      const Tensor& dst = mine[i].second;
      const Tensor& src = theirs[i].second;
      if (dst.is_same(src))
        detail::fail("clone: reset() of module '{}' registered the original's tensor '{}'; it must create new ones",
                     name(), mine[i].first);
      replace_contents(dst, src.detach().clone());
      dst.requires_grad_(src.requires_grad());
    }
  };
  copy_values(parameters_, original.parameters_);
  copy_values(buffers_, original.buffers_);
  for (std::size_t i = 0; i < children_.size(); ++i) {
    if (children_[i].second == original.children_[i].second)
      detail::fail("clone: reset() of module '{}' registered the original's child '{}'; it must create new ones",
                   name(), children_[i].first);
    children_[i].second->clone_from(*original.children_[i].second);
  }
  training_ = original.training_;
}

void Module::replace_children_with_clones() {
  for (auto& [name, child] : children_) {
    ModulePtr copy = child->clone();
    if (typeid(*copy) != typeid(*child))
      detail::fail("clone: the clone of child '{}' ({}) has another class; its class must implement clone()", name,
                   child->name());
    child = std::move(copy);
  }
}

void Module::train(bool on) {
  training_ = on;
  for (const auto& entry : children_) entry.second->train(on);
}

void Module::zero_grad(bool set_to_none) {
  NoGradGuard no_grad;
  for (const Tensor& p : parameters()) {
    if (set_to_none) {
      p.set_grad(Tensor());
    } else if (const Tensor g = p.grad(); g.defined()) {
      zero_(g);
    }
  }
}

Module& Module::to(DType dtype) {
  if (!is_floating(dtype))
    detail::fail("to: modules can only be converted to a floating dtype, got {} (module {})", dtype, name());
  NoGradGuard no_grad;
  for (const Tensor& p : parameters()) convert_in_place(p, dtype);
  for (const Tensor& b : buffers()) convert_in_place(b, dtype);
  return *this;
}

StateDict Module::state_dict() const {
  StateDict out;
  collect_state(*this, "", out);
  return out;
}

LoadStateDictResult Module::load_state_dict(const StateDict& state_dict, bool strict) {
  const StateDict own = this->state_dict();
  LoadStateDictResult result;
  std::vector<std::string> mismatches;
  for (const auto& [key, dst] : own) {
    if (!state_dict.contains(key)) {
      result.missing_keys.push_back(key);
      continue;
    }
    const Tensor& src = state_dict.at(key);
    if (src.shape() != dst.shape() || src.dtype() != dst.dtype())
      mismatches.push_back(fmt::format("'{}' is {} {} in the state dict but {} {} in the module", key,
                                       dtype_name(src.dtype()), src.shape().str(), dtype_name(dst.dtype()),
                                       dst.shape().str()));
  }
  for (const auto& [key, src] : state_dict)
    if (!own.contains(key)) result.unexpected_keys.push_back(key);

  std::vector<std::string> problems = mismatches;
  if (strict && !result.missing_keys.empty()) problems.push_back("missing keys " + quoted_list(result.missing_keys));
  if (strict && !result.unexpected_keys.empty())
    problems.push_back("unexpected keys " + quoted_list(result.unexpected_keys));
  if (!problems.empty()) {
    std::string message = "load_state_dict: cannot load into " + name() + ": ";
    for (std::size_t i = 0; i < problems.size(); ++i) message += (i ? "; " : "") + problems[i];
    throw Error(message);
  }

  NoGradGuard no_grad;
  for (const auto& [key, dst] : own)
    if (state_dict.contains(key)) copy_(dst, state_dict.at(key));
  return result;
}

std::ostream& operator<<(std::ostream& os, const Module& module) { return os << repr(module); }
std::string to_string(const Module& module) { return repr(module); }

ScopedForwardObserver::ScopedForwardObserver(ForwardObserver* observer) noexcept : previous_(current_observer) {
  current_observer = observer;
}
ScopedForwardObserver::~ScopedForwardObserver() { current_observer = previous_; }

}  // namespace ex::nn

namespace ex::detail {

std::string module_class_name(const std::type_info& type) {
  const char* mangled = type.name();
  int status = 0;
  const std::unique_ptr<char, void (*)(void*)> demangled(abi::__cxa_demangle(mangled, nullptr, nullptr, &status),
                                                         std::free);
  const std::string full = status == 0 && demangled ? demangled.get() : mangled;
  // Drop the namespaces (ex::nn::, (anonymous namespace)::), not those inside template
  // arguments, and the "Impl" of a holder's module class (NetImpl prints as Net).
  const std::size_t cut = full.rfind("::", full.find('<'));
  std::string name = cut == std::string::npos ? full : full.substr(cut + 2);
  constexpr std::string_view impl = "Impl";
  if (name.size() > impl.size() && name.ends_with(impl)) name.resize(name.size() - impl.size());
  return name;
}

nn::ForwardObserver* forward_observer() noexcept { return nn::current_observer; }

void throw_empty_holder(const std::type_info& impl) {
  const std::string name = module_class_name(impl);
  fail(
      "ModuleHolder: {} is empty (constructed from nullptr); assign it a module before using it, e.g. "
      "register_module(\"...\", {}(...))",
      name, name);
}

}  // namespace ex::detail
