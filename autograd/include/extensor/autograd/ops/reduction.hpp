#pragma once
// Public reductions. sum, mean, max_reduce and min_reduce take ex::Axes: nothing or {}
// reduces every element (a rank-0 result), one axis or a list reduces those. Axes may
// be negative (counting from the end); a rank-0 tensor accepts axis 0 or -1. With keepdims the reduced axes stay
// as size 1. Inputs may have any strides. Errors (ex::Error, message starting with the
// op's name): an axis out of range ("sum: axis 2 is out of range for a tensor of rank
// 2"), an axis listed twice.
// Results are the same on every run whatever the thread count: the order of
// accumulation depends only on the shape and strides.

#include <cstdint>
#include "extensor/core/axes.hpp"
#include "extensor/core/kernels/reduction.hpp"

namespace ex {

// Sum of the elements. Float types keep their dtype (float16/bfloat16 accumulate in
// float32; float32 is summed pairwise, error O(log n) ulp); bool and integer inputs
// accumulate in int64 and return int64 like PyTorch (uint64 returns uint64; integer
// overflow wraps). The sum of nothing is 0.
Tensor sum(const Tensor& x, const Axes& axes = {}, bool keepdims = false);

// Arithmetic mean, with sum's accumulation. Floating dtypes only, result in the same
// dtype; bool and integer inputs throw ex::Error "mean: ..." as in PyTorch. The mean
// of nothing is NaN.
Tensor mean(const Tensor& x, const Axes& axes = {}, bool keepdims = false);

// Largest element (torch.amax), same dtype. NaN propagates: any NaN gives NaN. Throws
// ex::Error "max_reduce: ..." when a reduced extent is empty.
Tensor max_reduce(const Tensor& x, const Axes& axes = {}, bool keepdims = false);

// Smallest element (torch.amin); as max_reduce.
Tensor min_reduce(const Tensor& x, const Axes& axes = {}, bool keepdims = false);

// Variance over axes (all when empty), like torch.var: the mean of the squared
// deviations from the mean, divided by N - 1 when unbiased (Bessel's correction), else
// by N, N the number of elements reduced. N = 1 unbiased (and N = 0) give NaN, as in
// PyTorch. Floating dtypes only, result in the input's dtype; differentiable to every
// order (a composite of mean, subtract, multiply, sum, divide). Throws ex::Error
// "var: ..." for an undefined or non-floating input and the axis errors above.
Tensor var(const Tensor& x, const Axes& axes = {}, bool unbiased = true, bool keepdims = false);

// Standard deviation: sqrt(var(x, axes, unbiased, keepdims)), like torch.std (its
// gradient is infinite where the deviation is 0). Throws ex::Error "std: ...", as var.
Tensor std(const Tensor& x, const Axes& axes = {}, bool unbiased = true, bool keepdims = false);

// log(sum(exp(x))) over axes (all when empty), like torch.logsumexp, computed as
// m + log(sum(exp(x - m))) with m the maximum over the axes, so it neither overflows nor
// underflows: 1000 and 1000 give 1000 + log 2; all -inf gives -inf, any +inf gives
// +inf, NaN propagates, an empty reduction gives -inf. Its gradient is softmax(x) over
// the axes. Floating dtypes only (float16 / bfloat16 through their ops' float32
// compute); throws ex::Error "logsumexp: ..." for an undefined or non-floating input
// and the axis errors above.
Tensor logsumexp(const Tensor& x, const Axes& axes = {}, bool keepdims = false);

// The raw backward kernels of var, std and logsumexp: grad (the shape of the op's
// result) pulled back to x's shape and dtype, without recording. They throw what the
// op throws, and ex::Error "<op>_backward: ..." for a grad of another shape or dtype.
Tensor var_backward(const Tensor& grad, const Tensor& x, const Axes& axes = {}, bool unbiased = true,
                    bool keepdims = false);
Tensor std_backward(const Tensor& grad, const Tensor& x, const Axes& axes = {}, bool unbiased = true,
                    bool keepdims = false);
Tensor logsumexp_backward(const Tensor& grad, const Tensor& x, const Axes& axes = {}, bool keepdims = false);

// Index of the largest element as int64: over all elements the row-major flat index
// (rank-0 result), over one axis the position along it. Ties give the first index;
// NaN counts as larger than everything (the first NaN wins), like PyTorch. Any dtype,
// bool included. Throws ex::Error "argmax: ..." when the reduced extent is empty.
Tensor argmax(const Tensor& x);
Tensor argmax(const Tensor& x, std::int64_t axis, bool keepdims = false);

// Index of the smallest element; as argmax (NaN still wins).
Tensor argmin(const Tensor& x);
Tensor argmin(const Tensor& x, std::int64_t axis, bool keepdims = false);

}  // namespace ex
