#pragma once
// The raw backward kernels of the reductions, and reduce_to_shape. The public,
// documented ops are ex::sum etc. in extensor/autograd/ops/reduction.hpp.

#include <cstdint>
#include "extensor/core/axes.hpp"
#include "extensor/core/tensor.hpp"

namespace ex {

// The gradient of a broadcast: sums grad over the dims that broadcasting added or
// stretched, so the result has `shape` (which must broadcast to grad.shape()). Leading
// extra dims of grad are summed away; dims where shape has 1 and grad more are summed
// with keepdims. Returns grad itself (no copy) when the shapes already match. Used by
// every backward kernel whose forward broadcasts. Integer grads accumulate like sum().
// Throws ex::Error "reduce_to_shape: ..." if shape does not broadcast to grad's shape.
Tensor reduce_to_shape(const Tensor& grad, const Shape& shape);

// Raw backward kernels of the reductions (never record on a tape). Each takes the axes
// and keepdims of its forward (ex::Axes: nothing or {} for all axes), which define the forward output's shape:
// grad (and y) must have exactly that shape, axes must be valid for the input's rank
// and unique, else ex::Error "<op>_backward: ...". Results are new contiguous tensors of
// the input's shape, never views of grad.

// The gradient of sum: grad broadcast back over the reduced axes, in grad's dtype (any
// dtype). The result is materialized rather than returned as an expanded (stride-0)
// view: a gradient is typically accumulated or updated in place afterwards, which an
// expanded view cannot take, and the next consumer reads every element anyway.
Tensor sum_backward(const Tensor& grad, const Shape& input_shape, const Axes& axes = {}, bool keepdims = false);

// The gradient of mean: grad broadcast back and divided by the number of elements
// reduced into each output, in the compute type (float for float16/bfloat16), like
// PyTorch's grad.expand(shape) / count. grad must be floating. An empty reduction has
// an empty input, so its gradient is an empty tensor (no division by 0 happens).
Tensor mean_backward(const Tensor& grad, const Shape& input_shape, const Axes& axes = {}, bool keepdims = false);

// The gradient of max_reduce, given x and the forward output y = max_reduce(x, ...):
// each output's grad goes to the elements of x equal to y; ties share it equally
// (grad / count each, like torch.amax), the other elements get exactly 0. When y is
// NaN the NaN elements of x are the ties (PyTorch gives NaN everywhere there). grad, x
// and y share one floating dtype; x may have any strides (a non-contiguous x is copied
// first). Costs one sweep over x; parts of the result holding ties are revisited only
// when an output has more than one. Throws ex::Error "max_reduce_backward: ..." also
// when some y matches no element of x (y is not the forward output) or a reduced extent
// is empty (the forward throws there too).
Tensor max_reduce_backward(const Tensor& grad, const Tensor& x, const Tensor& y, const Axes& axes = {},
                           bool keepdims = false);

// The gradient of min_reduce given y = min_reduce(x, ...); as max_reduce_backward.
Tensor min_reduce_backward(const Tensor& grad, const Tensor& x, const Tensor& y, const Axes& axes = {},
                           bool keepdims = false);

}  // namespace ex
