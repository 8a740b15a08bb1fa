#pragma once
// ex::nn::Cloneable: what makes a module class deep-copyable by Module::clone(), as
// libtorch's torch::nn::Cloneable.

#include <array>
#include <cstdint>
#include <memory>
#include <typeinfo>

#include "extensor/autograd/grad_mode.hpp"
#include "extensor/core/random.hpp"
#include "extensor/nn/module.hpp"

namespace ex::nn {

// Derive a module from Cloneable<Derived> (Base is Module or a subclass of it) and
// create every parameter, buffer and child in a public reset(), which the constructor
// calls:
//
//   struct NetImpl : ex::nn::Cloneable<NetImpl> {
//     explicit NetImpl(int hidden) : hidden(hidden) { reset(); }
//     void reset() override { fc = register_module("fc", ex::nn::Linear(4, hidden)); }
//     ex::Tensor forward(const ex::Tensor& x) { return fc(x); }
//     int hidden;
//     ex::nn::Linear fc{nullptr};
//   };
//
// clone() copy-constructs a Derived (copying its options, such as `hidden`), clears the
// copy's registrations, calls reset() on it, then gives the new parameters and buffers
// copies of this module's values and makes each new child a clone of this module's.
// reset() must register the same names as the original has (throws ex::Error "clone:
// ..." otherwise) and must create new tensors, not re-register existing ones. Derived
// must be copy-constructible and copy-assignable. The random numbers reset() draws (a
// layer's initialization, overwritten by the copied values) do not advance the
// default generator: clone() restores its state.
// Restores the default generator's state on exit.
class GeneratorStateGuard {
 public:
  GeneratorStateGuard() noexcept : state_(default_generator().state()) {}
  ~GeneratorStateGuard() { default_generator().set_state(state_); }
  GeneratorStateGuard(const GeneratorStateGuard&) = delete;
  GeneratorStateGuard& operator=(const GeneratorStateGuard&) = delete;

 private:
  std::array<std::uint64_t, 2> state_;
};

template <class Derived, class Base = Module>
class Cloneable : public Base {
 public:
  using Base::Base;

  // Creates the module's parameters, buffers and children (from its options).
  virtual void reset() = 0;

  // A deep copy; see the class comment.
  std::shared_ptr<Module> clone() const override {
    NoGradGuard no_grad;
    auto copy = std::make_shared<Derived>(static_cast<const Derived&>(*this));
    copy->clear_registrations();
    {
      const GeneratorStateGuard keep_generator;
      copy->reset();
    }
    copy->copy_state_from(*this);
    return copy;
  }

 protected:
  // Makes this Derived a deep copy of original (a Derived too) in place.
  void clone_from(const Module& original) override {
    std::shared_ptr<Module> fresh = original.clone();
    auto* typed = dynamic_cast<Derived*>(fresh.get());
    if (typed == nullptr || typeid(*fresh) != typeid(*this))
      throw Error("clone: the clone of module '" + original.name() + "' has another class than '" + this->name() + "'");
    static_cast<Derived&>(*this) = *typed;
  }
};

}  // namespace ex::nn
