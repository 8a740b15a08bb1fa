#pragma once
// Public elementwise math ops. Every op takes a tensor of any shape (rank 0 and
// zero-size included) and any strides (views, expanded tensors) and returns a new
// contiguous tensor of the same shape.

#include <optional>

#include "extensor/core/kernels/math.hpp"

namespace ex {

// e^x elementwise. Floating inputs keep their dtype (float16/bfloat16 compute in
// float32); bool and integer inputs give float32 like PyTorch. Float32 uses a
// vectorized polynomial accurate to about 1 ulp. exp(-inf) = 0, exp(inf) = inf,
// NaN stays NaN. Throws ex::Error only for an undefined tensor.
Tensor exp(const Tensor& x);
// Natural logarithm elementwise; dtypes as for exp (integers and bool give float32).
// IEEE values, no epsilon: log(0) = -inf, log(x < 0) = NaN, log(inf) = inf.
Tensor log(const Tensor& x);
// Base-2 logarithm; dtypes and special values as for log.
Tensor log2(const Tensor& x);
// Base-10 logarithm; dtypes and special values as for log.
Tensor log10(const Tensor& x);
// log(1 + x), accurate for tiny |x| where log(1 + x) would round 1 + x; dtypes as for
// log. log1p(-1) = -inf, log1p(x < -1) = NaN.
Tensor log1p(const Tensor& x);
// Square root; dtypes as for exp. sqrt(x < 0) = NaN, sqrt(-0) = -0.
Tensor sqrt(const Tensor& x);
// Sine (radians); dtypes as for exp.
Tensor sin(const Tensor& x);
// Cosine (radians); dtypes as for exp.
Tensor cos(const Tensor& x);
// |x| with the input's dtype. Unsigned integers are copied unchanged; the most
// negative signed integer maps to itself (two's complement wrap, like PyTorch).
// Throws ex::Error "abs: ..." for bool tensors, as PyTorch does.
Tensor abs(const Tensor& x);
// -1, 0 or 1 with the input's dtype. Bool is copied unchanged, unsigned gives 0 or 1.
// Like PyTorch 1.13, sign(NaN) = 0 and sign(-0.0) = 0.
Tensor sign(const Tensor& x);
// Rounds up to an integer, keeping the dtype; integer and bool tensors are returned as
// unchanged copies (PyTorch rejects bool; we copy it). NaN and inf stay.
Tensor ceil(const Tensor& x);
// Rounds down to an integer; dtypes as for ceil.
Tensor floor(const Tensor& x);
// Rounds to the nearest integer, halves to even (0.5 -> 0, 1.5 -> 2, 2.5 -> 2,
// -0.5 -> -0) like torch.round; dtypes as for ceil.
Tensor round(const Tensor& x);
// Rounds toward zero; dtypes as for ceil.
Tensor trunc(const Tensor& x);
// min(max(x, min), max) elementwise; either bound may be std::nullopt, not both. The
// result dtype is PyTorch's tensor-scalar promotion of x with each given bound
// (int tensor with a float bound gives float32; int bounds keep an int dtype). If
// min > max every element becomes max. NaN inputs stay NaN; a NaN bound is ignored
// (PyTorch 1.13). Integer bounds outside an integer dtype's range are clamped to the
// range first (PyTorch wraps them instead). Throws ex::Error "clip: ..." when both
// bounds are missing.
Tensor clip(const Tensor& x, std::optional<Scalar> min, std::optional<Scalar> max);

}  // namespace ex
