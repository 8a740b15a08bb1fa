// Composite reductions: var, std and logsumexp, written from public ops (see
// composite.hpp); their gradients and public raw backward kernels come from the
// compositions.

#include <algorithm>
#include <cstdint>
#include <limits>

#include "autograd/src/composite/composite.hpp"
#include "extensor/autograd/ops/arithmetic.hpp"
#include "extensor/autograd/ops/math.hpp"
#include "extensor/autograd/ops/reduction.hpp"

namespace ex {

using autograd::detail::composite;
using autograd::detail::composite_backward;
using autograd::detail::floating_input;

namespace {
[[maybe_unused]] const bool kRegistered = autograd::register_composite("var") && autograd::register_composite("std") &&
                                          autograd::register_composite("logsumexp");

// The largest finite value of a floating dtype.
double largest_finite(DType dtype) {
  switch (dtype) {
    case DType::Float16:
      return 65504.0;
    case DType::BFloat16:
      return 3.3895313892515355e38;
    case DType::Float32:
      return std::numeric_limits<float>::max();
    default:
      return std::numeric_limits<double>::max();
  }
}
}  // namespace

Tensor var(const Tensor& x, const Axes& axes, bool unbiased, bool keepdims) {
  floating_input("var", x);
  return composite("var", [&] {
    const Tensor centered = subtract(x, mean(x, axes, true));
    const Tensor squares = sum(multiply(centered, centered), axes, keepdims);
    const std::int64_t reduced = squares.numel() == 0 ? 0 : x.numel() / squares.numel();
    // PyTorch's divisor max(0, N - correction): N = 1 unbiased, or nothing reduced,
    // divides 0 by 0, NaN.
    return divide(squares, static_cast<double>(std::max<std::int64_t>(0, reduced - (unbiased ? 1 : 0))));
  });
}

Tensor std(const Tensor& x, const Axes& axes, bool unbiased, bool keepdims) {
  floating_input("std", x);
  return composite("std", [&] { return sqrt(var(x, axes, unbiased, keepdims)); });
}

Tensor logsumexp(const Tensor& x, const Axes& axes, bool keepdims) {
  floating_input("logsumexp", x);
  return composite("logsumexp", [&] {
    // Nothing to take the maximum of: the sum of no exponentials is 0, its log -inf.
    if (x.numel() == 0) return log(sum(exp(x), axes, keepdims));
    // The shift m is a constant of the graph (the result does not depend on it), and is
    // clamped to the finite range, so that all -inf gives -inf + log 0 = -inf and +inf
    // gives inf instead of inf - inf = NaN.
    Tensor shift;
    {
      NoGradGuard constant;
      const double big = largest_finite(x.dtype());
      shift = clip(max_reduce(x, axes, true), -big, big);
    }
    const Tensor summed = log(sum(exp(subtract(x, shift)), axes, true));
    const Tensor result = add(summed, shift);
    return keepdims ? result : sum(result, axes, false);
  });
}

Tensor var_backward(const Tensor& grad, const Tensor& x, const Axes& axes, bool unbiased, bool keepdims) {
  return composite_backward("var_backward", grad, x, [&](const Tensor& t) { return var(t, axes, unbiased, keepdims); });
}
Tensor std_backward(const Tensor& grad, const Tensor& x, const Axes& axes, bool unbiased, bool keepdims) {
  return composite_backward("std_backward", grad, x, [&](const Tensor& t) { return std(t, axes, unbiased, keepdims); });
}
Tensor logsumexp_backward(const Tensor& grad, const Tensor& x, const Axes& axes, bool keepdims) {
  return composite_backward("logsumexp_backward", grad, x,
                            [&](const Tensor& t) { return logsumexp(t, axes, keepdims); });
}

}  // namespace ex
