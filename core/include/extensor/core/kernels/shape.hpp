#pragma once
// shape kernels: pure compute, no tape. The public ops in extensor/autograd/ops/shape.hpp
// document each one; these are the same functions without autograd.

#include <cstdint>
#include <vector>

#include "extensor/core/tensor.hpp"

namespace ex {

// Raw backward kernels of the shape ops (no tape). Most gradients are views of grad
// (they share its storage: copy before writing into one); slice_backward and
// split_backward make new tensors. Each throws ex::Error "<name>_backward: ..." for an
// undefined grad, a grad whose shape does not fit the forward, or a bad axis.

// Gradient of reshape / view / flatten: grad (any shape with input_shape's numel) in
// input_shape; a view when grad's strides allow it, else a contiguous copy.
Tensor reshape_backward(const Tensor& grad, const Shape& input_shape);
Tensor flatten_backward(const Tensor& grad, const Shape& input_shape);

// Gradient of squeeze (either form): grad, whose shape is input_shape without some of its
// size-1 dims, viewed in input_shape.
Tensor squeeze_backward(const Tensor& grad, const Shape& input_shape);

// Gradient of unsqueeze(x, axis): grad without the size-1 dim axis (axis as given to the
// forward; negatives count from the end of grad's shape).
Tensor unsqueeze_backward(const Tensor& grad, std::int64_t axis);

// Gradient of transpose(x, axis0, axis1): grad with the two axes swapped back (rank 0
// accepts 0 and -1). The overload without axes undoes the full reversal.
Tensor transpose_backward(const Tensor& grad, std::int64_t axis0, std::int64_t axis1);
Tensor transpose_backward(const Tensor& grad);

// Gradient of permute(x, dims): grad permuted by the inverse permutation, so that input
// axis dims[i] gets grad's axis i.
Tensor permute_backward(const Tensor& grad, const std::vector<std::int64_t>& dims);

// Gradient of concatenate(inputs, axis), given every input's shape: one gradient per
// input, each a view of its slice of grad (1-D inputs of shape [0], which the forward
// skips, get an empty [0] tensor). The forward promotes dtypes, so grad must have the
// promoted dtype of input_dtypes; each gradient comes back in its input's dtype (a
// converted copy where it differs from grad's). An empty input_dtypes means every input
// had grad's dtype.
std::vector<Tensor> concatenate_backward(const Tensor& grad, const std::vector<Shape>& input_shapes, std::int64_t axis,
                                         const std::vector<DType>& input_dtypes = {});

// Gradient of stack(inputs, axis) for `count` inputs: grad's count slices along axis as
// views of grad with that axis removed. Dtypes as in concatenate_backward.
std::vector<Tensor> stack_backward(const Tensor& grad, std::int64_t count, std::int64_t axis,
                                   const std::vector<DType>& input_dtypes = {});

// Gradient of split(x, ..., axis): the pieces' gradients joined along axis into a new
// contiguous tensor of input_shape; an undefined gradient counts as zeros. sizes are the
// pieces' sizes along axis; when empty they are read from the defined gradients and at
// most one gradient may be undefined (it takes what is left of the axis). Defined
// gradients must share one dtype, the result's; at least one must be defined.
Tensor split_backward(const std::vector<Tensor>& grads, const Shape& input_shape, std::int64_t axis,
                      const std::vector<std::int64_t>& sizes = {});

// Gradient of slice(x, axis, start, stop, step): a new tensor of input_shape and grad's
// dtype, zero except for grad at the sliced positions. grad must have the slice's shape.
Tensor slice_backward(const Tensor& grad, const Shape& input_shape, std::int64_t axis, std::int64_t start,
                      std::int64_t stop, std::int64_t step = 1);

// Gradient of broadcast_to(x, shape) for grad of that shape: grad summed back to
// input_shape (reduce_to_shape; grad itself when the shapes are equal). input_shape must
// broadcast to grad's shape.
Tensor broadcast_to_backward(const Tensor& grad, const Shape& input_shape);

}  // namespace ex
