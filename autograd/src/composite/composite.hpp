#pragma once
// Private: the composite tier. A composite op is written from other public ops, so it
// records through them and needs no registry entry and no hand-written backward: its
// gradients, of every order, are those of its composition. Its public raw backward
// comes from the same composition, differentiated on a private graph.

#include <fmt/format.h>

#include "common/check.hpp"
#include "extensor/autograd/engine.hpp"
#include "extensor/autograd/grad_mode.hpp"
#include "extensor/autograd/registry.hpp"
#include "extensor/core/creation.hpp"

namespace ex::autograd::detail {

// Checks the one tensor input of a floating-only composite op (undefined, bool and
// integer tensors throw ex::Error "<op>: ...", as PyTorch rejects them).
inline const Tensor& floating_input(const char* op, const Tensor& x) {
  ex::detail::defined(op, x, "x");
  if (!is_floating(x.dtype())) ex::detail::fail("{}: dtype {} is not a floating type", op, x.dtype());
  return x;
}

// Runs a composite's composition; an error from one of its ops is rethrown with the
// composite's name in front ("mish: multiply: ..."), so messages name the op called.
template <class F>
Tensor composite(const char* op, F&& f) {
  try {
    return f();
  } catch (const Error& e) {
    throw Error(std::string(op) + ": " + e.what());
  }
}

// The raw backward of a composite op of one tensor: grad (of f(x)'s shape and dtype)
// pulled back through f on a graph of its own, so it neither needs nor leaves anything
// on the caller's tape. The result is x's gradient, detached, of x's shape and dtype.
template <class F>
Tensor composite_backward(const char* op, const Tensor& grad, const Tensor& x, F f) {
  floating_input(op, x);
  ex::detail::defined(op, grad, "grad");
  EnableGradGuard record;
  const Tensor leaf = x.detach().requires_grad_();
  const Tensor y = f(leaf);
  if (grad.shape() != y.shape() || grad.dtype() != y.dtype())
    ex::detail::fail("{}: grad is {} {}, but the op's result is {} {}", op, grad.dtype(), grad.shape(), y.dtype(),
                     y.shape());
  if (!y.requires_grad()) return zeros_like(x);  // f does not depend on x
  return autograd::grad({y}, {leaf}, {grad.detach()}, false, false, /*allow_unused=*/true)[0].detach();
}

}  // namespace ex::autograd::detail
