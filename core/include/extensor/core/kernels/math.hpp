#pragma once
// math kernels: pure compute, no tape. The public, documented ops are ex::exp etc. in
// extensor/autograd/ops/math.hpp; clip's forward kernel is here, and the raw backward
// kernels of all of them.

#include <optional>

#include "extensor/core/scalar.hpp"
#include "extensor/core/tensor.hpp"

namespace ex {

// Raw backward kernels of the elementwise math ops (never record on a tape). Each takes
// the upstream grad and one tensor from the forward pass (x, or the output y where that
// is cheaper) of the same shape and the same floating dtype, any strides, and returns
// a new contiguous gradient of that shape and dtype (float16/bfloat16 compute in
// float32). Exact formulas, no epsilons: IEEE inf/NaN where the derivative blows up.
// Throws ex::Error "<op>_backward: ..." for an undefined tensor, a shape or dtype
// mismatch, or a non-floating dtype (integer inputs are not differentiable).

// grad * y, from the output y = exp(x).
Tensor exp_backward(const Tensor& grad, const Tensor& y);
// grad / x: +-inf at x = 0 (by the sign of grad and of the zero), NaN for 0 * 0 grads.
Tensor log_backward(const Tensor& grad, const Tensor& x);
// grad / (x * ln 2), as PyTorch (ln 2 rounded to the compute type); inf at 0 as log.
Tensor log2_backward(const Tensor& grad, const Tensor& x);
// grad / (x * ln 10); inf at 0 as log.
Tensor log10_backward(const Tensor& grad, const Tensor& x);
// grad / (1 + x); inf at x = -1.
Tensor log1p_backward(const Tensor& grad, const Tensor& x);
// grad / (2 y), from the output y = sqrt(x): inf at x = 0, NaN for x < 0 (y is NaN).
Tensor sqrt_backward(const Tensor& grad, const Tensor& y);
// grad * cos(x).
Tensor sin_backward(const Tensor& grad, const Tensor& x);
// -grad * sin(x).
Tensor cos_backward(const Tensor& grad, const Tensor& x);
// grad * sign(x): 0 at x = 0 (and at NaN), like PyTorch.
Tensor abs_backward(const Tensor& grad, const Tensor& x);
// grad where min <= x <= max (bounds included, like torch.clamp), 0 elsewhere and at a
// NaN x; a missing or NaN bound does not limit (clip ignores a NaN bound). If
// min > max no element passes (clip's output is the constant max). min and max as
// given to clip; throws also when both are missing.
Tensor clip_backward(const Tensor& grad, const Tensor& x, const std::optional<Scalar>& min,
                     const std::optional<Scalar>& max);
// Zeros of x's shape and dtype: these ops are piecewise constant (PyTorch's convention
// at the jumps too). grad is validated like the others.
Tensor sign_backward(const Tensor& grad, const Tensor& x);
Tensor ceil_backward(const Tensor& grad, const Tensor& x);
Tensor floor_backward(const Tensor& grad, const Tensor& x);
Tensor round_backward(const Tensor& grad, const Tensor& x);
Tensor trunc_backward(const Tensor& grad, const Tensor& x);

}  // namespace ex
