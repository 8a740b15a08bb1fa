#pragma once
// Public matrix products: matmul, dot, outer.

#include "extensor/core/kernels/matmul.hpp"

namespace ex {

// Matrix product with NumPy/PyTorch semantics. 1-D @ 1-D is the inner product (rank-0
// result); 2-D @ 2-D is [m, k] @ [k, n] -> [m, n]; a 1-D first operand [k] acts as
// [1, k] and a 1-D second operand [k] as [k, 1], the added dim being dropped from the
// result; operands of rank > 2 are stacks of matrices whose batch dims (all but the
// last two) broadcast NumPy-style: [2, 1, 3, 4] @ [5, 4, 6] -> [2, 5, 3, 6]. Both
// operands must have the same dtype, which is the result's dtype (integers accumulate
// modulo 2^64 and wrap into the result type like PyTorch's int64 accumulation; float16
// and bfloat16 accumulate in float32). k = 0 gives zeros. Any strides are accepted.
// Throws ex::Error ("matmul: ...") for a rank-0 or undefined operand, different dtypes,
// bool, inner dims that differ ("matmul: shapes [3, 4] and [5, 6] are not aligned
// (4 != 5)") and batch dims that do not broadcast.
Tensor matmul(const Tensor& a, const Tensor& b);

// Inner product of two 1-D tensors of the same length and dtype, as a rank-0 tensor of
// that dtype (0 for empty vectors). Throws ex::Error ("dot: ...") unless both are
// 1-D, have equal lengths and the same dtype, or for bool.
Tensor dot(const Tensor& a, const Tensor& b);

// Outer product of two 1-D tensors: [m] x [n] -> [m, n], out[i, j] = a[i] * b[j], in
// the promoted dtype of a and b (like torch.outer; bool x bool is logical and, integer
// products wrap). Throws ex::Error ("outer: ...") unless both are defined and 1-D.
Tensor outer(const Tensor& a, const Tensor& b);

}  // namespace ex
