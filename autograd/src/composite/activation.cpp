// Composite activations: softplus, silu and mish, written from public ops (see
// composite.hpp). Their gradients and their public raw backward kernels come from the
// compositions.

#include <cmath>

#include "autograd/src/composite/composite.hpp"
#include "extensor/autograd/ops/activation.hpp"
#include "extensor/autograd/ops/arithmetic.hpp"
#include "extensor/autograd/ops/comparison.hpp"
#include "extensor/autograd/ops/math.hpp"
#include "extensor/autograd/ops/shape.hpp"

namespace ex {

using autograd::detail::composite;
using autograd::detail::composite_backward;
using autograd::detail::floating_input;

namespace {
[[maybe_unused]] const bool kRegistered = autograd::register_composite("softplus") &&
                                          autograd::register_composite("silu") && autograd::register_composite("mish");

// 1 where the condition holds, else 0, in dtype: a constant factor (its derivative is 0).
Tensor indicator(const Tensor& condition, DType dtype) { return condition.to(dtype); }
}  // namespace

Tensor softplus(const Tensor& x, double beta, double threshold) {
  floating_input("softplus", x);
  if (!(beta != 0) || !std::isfinite(beta)) ex::detail::fail("softplus: beta must be finite and nonzero, got {}", beta);
  return composite("softplus", [&] {
    const Tensor z = multiply(x, beta);
    // log(1 + exp(z)) as z + log(1 + exp(-z)) where z > 0, so exp never overflows; the
    // split uses constant masks, so the derivative is sigmoid(z) everywhere (0.5 at 0).
    const Tensor positive = indicator(greater(z, 0.0), x.dtype());
    const Tensor z_pos = multiply(z, positive);
    const Tensor soft = divide(add(z_pos, log1p(exp(subtract(z, multiply(z_pos, 2.0))))), beta);
    // Above the threshold PyTorch returns x itself.
    const Tensor linear = indicator(greater(z, threshold), x.dtype());
    return add(multiply(linear, x), multiply(subtract(1.0, linear), soft));
  });
}

Tensor silu(const Tensor& x) {
  floating_input("silu", x);
  return composite("silu", [&] { return multiply(x, sigmoid(x)); });
}

Tensor mish(const Tensor& x) {
  floating_input("mish", x);
  return composite("mish", [&] { return multiply(x, tanh(softplus(x))); });
}

Tensor softplus_backward(const Tensor& grad, const Tensor& x, double beta, double threshold) {
  return composite_backward("softplus_backward", grad, x,
                            [&](const Tensor& t) { return softplus(t, beta, threshold); });
}
Tensor silu_backward(const Tensor& grad, const Tensor& x) {
  return composite_backward("silu_backward", grad, x, [](const Tensor& t) { return silu(t); });
}
Tensor mish_backward(const Tensor& grad, const Tensor& x) {
  return composite_backward("mish_backward", grad, x, [](const Tensor& t) { return mish(t); });
}

}  // namespace ex
