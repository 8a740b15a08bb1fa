// Composite activations: softplus, silu, mish, elu, selu and celu, written from public ops (see
// composite.hpp). Their gradients and their public raw backward kernels come from the
// compositions.

#include <cmath>
#include <optional>

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
                                          autograd::register_composite("silu") &&
                                          autograd::register_composite("mish") && autograd::register_composite("elu") &&
                                          autograd::register_composite("selu") && autograd::register_composite("celu");

// PyTorch's SELU constants.
constexpr double kSeluAlpha = 1.6732632423543772848170429916717;
constexpr double kSeluScale = 1.0507009873554804934193349852946;

// 1 where the condition holds, else 0, in dtype: a constant factor (its derivative is 0).
Tensor indicator(const Tensor& condition, DType dtype) { return condition.to(dtype); }

// scale * (x where x > 0, else alpha * (exp(x * input_scale) - 1)): elu, selu and celu.
// Each branch reads x clipped to its side, so neither side's infinity reaches the other
// (0 * inf); the constant mask picks the negative side at 0, where PyTorch's derivative
// is alpha * input_scale.
Tensor exponential_unit(const Tensor& x, double alpha, double scale, double input_scale) {
  const Tensor positive = indicator(greater(x, 0.0), x.dtype());
  const Tensor left = multiply(subtract(exp(multiply(clip(x, std::nullopt, 0.0), input_scale)), 1.0), alpha);
  const Tensor unit = add(multiply(positive, clip(x, 0.0, std::nullopt)), multiply(subtract(1.0, positive), left));
  return scale == 1.0 ? unit : multiply(unit, scale);
}
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

Tensor elu(const Tensor& x, double alpha) {
  floating_input("elu", x);
  if (!std::isfinite(alpha)) ex::detail::fail("elu: alpha must be finite, got {}", alpha);
  return composite("elu", [&] { return exponential_unit(x, alpha, 1.0, 1.0); });
}

Tensor selu(const Tensor& x) {
  floating_input("selu", x);
  return composite("selu", [&] { return exponential_unit(x, kSeluAlpha, kSeluScale, 1.0); });
}

Tensor celu(const Tensor& x, double alpha) {
  floating_input("celu", x);
  if (!(alpha != 0) || !std::isfinite(alpha)) ex::detail::fail("celu: alpha must be finite and nonzero, got {}", alpha);
  return composite("celu", [&] { return exponential_unit(x, alpha, 1.0, 1.0 / alpha); });
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

Tensor elu_backward(const Tensor& grad, const Tensor& x, double alpha) {
  return composite_backward("elu_backward", grad, x, [&](const Tensor& t) { return elu(t, alpha); });
}
Tensor selu_backward(const Tensor& grad, const Tensor& x) {
  return composite_backward("selu_backward", grad, x, [](const Tensor& t) { return selu(t); });
}
Tensor celu_backward(const Tensor& grad, const Tensor& x, double alpha) {
  return composite_backward("celu_backward", grad, x, [&](const Tensor& t) { return celu(t, alpha); });
}

}  // namespace ex
