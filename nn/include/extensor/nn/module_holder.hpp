#pragma once
// ex::nn::ModuleHolder and EX_MODULE: libtorch's module holders (TORCH_MODULE). A
// holder `Linear` wraps a std::shared_ptr<LinearImpl>; copying it copies the pointer.
//
//   struct NetImpl : ex::nn::Module {
//     NetImpl() { fc = register_module("fc", ex::nn::Linear(4, 2)); }
//     ex::Tensor forward(const ex::Tensor& x) { return fc(x); }
//     ex::nn::Linear fc{nullptr};
//   };
//   EX_MODULE(Net);  // or TORCH_MODULE(Net)
//   Net net;  net(x);  net->parameters();

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <memory>
#include <ostream>
#include <string>
#include <type_traits>
#include <typeinfo>
#include <utility>

#include "extensor/nn/module.hpp"

namespace ex::detail {
// Throws ex::Error "ModuleHolder: Linear is empty (constructed from nullptr); ...".
[[noreturn]] void throw_empty_holder(const std::type_info& impl);
// original.clone() as an Impl. Throws what clone() throws, and ex::Error "clone: ..."
// when the clone is not an Impl (a subclass that does not implement clone()).
template <class Impl>
std::shared_ptr<Impl> clone_as(const Impl& original) {
  std::shared_ptr<Impl> copy = std::dynamic_pointer_cast<Impl>(original.clone());
  if (!copy) throw Error("clone: the clone of module '" + original.name() + "' has another class");
  return copy;
}
}  // namespace ex::detail

namespace ex::nn {

// Owns a std::shared_ptr<Impl> and gives pointer access to it, like
// torch::nn::ModuleHolder. Declare holders with EX_MODULE(Name) rather than using this
// class directly: the holder then has its own name and a clone() returning it.
template <class Impl>
class ModuleHolder {
 public:
  using ContainedType = Impl;

  // Default-constructs the module. Only for modules with a default constructor: a
  // holder of any other module must be given nullptr or constructor arguments.
  ModuleHolder() requires std::is_default_constructible_v<Impl> : impl_(std::make_shared<Impl>()) {}
  // An empty holder, to be assigned later (`nn::Linear fc{nullptr};`).
  ModuleHolder(std::nullptr_t) noexcept {}  // NOLINT(google-explicit-constructor): libtorch's spelling
  // Holds module (which may be null).
  ModuleHolder(std::shared_ptr<Impl> module) noexcept  // NOLINT(google-explicit-constructor)
      : impl_(std::move(module)) {}
  // Constructs the module from Impl's constructor arguments: nn::Linear(784, 512).
  template <class Head, class... Tail>
  requires(!(sizeof...(Tail) == 0 && std::is_base_of_v<ModuleHolder, std::remove_cvref_t<Head>>)) &&
      std::is_constructible_v<Impl, Head, Tail...> explicit ModuleHolder(Head&& head, Tail&&... tail)
      : impl_(std::make_shared<Impl>(std::forward<Head>(head), std::forward<Tail>(tail)...)) {}

  // Constructs the module from a braced list of sizes, for modules constructible from
  // one (nn::ZeroPad2d({1, 0, 2, 2}), nn::AdaptiveAvgPool2d({2, 3})): a braced list
  // cannot reach the variadic constructor above, whose arguments are deduced.
  explicit ModuleHolder(std::initializer_list<std::int64_t> sizes) requires
      std::is_constructible_v<Impl, std::initializer_list<std::int64_t>> : impl_(std::make_shared<Impl>(sizes)) {}

  // Whether the holder holds no module (constructed from nullptr).
  bool is_empty() const noexcept { return impl_ == nullptr; }
  explicit operator bool() const noexcept { return !is_empty(); }

  // The module. Every accessor throws ex::Error "ModuleHolder: Linear is empty ..." on
  // an empty holder.
  Impl* get() { return &**this; }
  const Impl* get() const { return &**this; }
  Impl* operator->() { return get(); }
  const Impl* operator->() const { return get(); }
  Impl& operator*() {
    if (is_empty()) detail::throw_empty_holder(typeid(Impl));
    return *impl_;
  }
  const Impl& operator*() const { return *const_cast<ModuleHolder&>(*this); }
  const std::shared_ptr<Impl>& ptr() const {
    if (is_empty()) detail::throw_empty_holder(typeid(Impl));
    return impl_;
  }

  // Calls the module's forward with args through call_forward (so a ForwardObserver
  // sees the call): any forward signature works, arguments it does not accept do not
  // compile.
  template <class... Args, class M = Impl>  // M: lookup of forward waits for the call
  auto operator()(Args&&... args) -> decltype(std::declval<M&>().forward(std::forward<Args>(args)...)) {
    return call_forward(**this, std::forward<Args>(args)...);
  }
  // The module's operator[] (Sequential's indexing).
  template <class Arg>
  decltype(auto) operator[](Arg&& arg) {
    return (**this)[std::forward<Arg>(arg)];
  }

 private:
  std::shared_ptr<Impl> impl_;
};

// Prints the held module as operator<<(std::ostream&, const Module&) does.
template <class Impl>
std::ostream& operator<<(std::ostream& os, const ModuleHolder<Impl>& module) {
  return os << *module;
}
template <class Impl>
std::string to_string(const ModuleHolder<Impl>& module) {
  return to_string(*module);
}

}  // namespace ex::nn

// Declares the holder `Name` of the user's module class `NameImpl`, as libtorch's
// TORCH_MODULE: Name(args...) constructs a NameImpl, Name{nullptr} is empty,
// Name(std::shared_ptr<NameImpl>) wraps one, and Name::clone() deep-copies
// (Module::clone) into a new holder.
#define EX_MODULE(Name) EX_MODULE_IMPL(Name, Name##Impl)
// The same with the module class named explicitly.
#define EX_MODULE_IMPL(Name, ImplType)                                                   \
  class Name : public ::ex::nn::ModuleHolder<ImplType> {                                 \
   public:                                                                               \
    using ::ex::nn::ModuleHolder<ImplType>::ModuleHolder;                                \
    using Impl = ImplType;                                                               \
    /* A deep copy of the module in a new holder; throws what Module::clone() throws. */ \
    Name clone() const { return Name(::ex::detail::clone_as<ImplType>(**this)); }        \
  }

// libtorch's spelling, so ported code compiles unchanged. Defined only when nothing
// (libtorch itself) has defined it already.
#ifndef TORCH_MODULE
#define TORCH_MODULE(Name) EX_MODULE(Name)
#endif
