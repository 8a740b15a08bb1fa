#pragma once
// Pooling kernels' public raw backwards: pure compute, never recording on a tape. The
// recording ops (ex::max_pool2d, ex::avg_pool2d, ex::adaptive_avg_pool2d) are declared in
// extensor/autograd/ops/pooling.hpp, which documents the shapes, output sizes and
// validation; every kernel here validates its arguments the same way and throws
// ex::Error naming itself ("max_pool2d_backward: ...").
//
// Inputs are NCHW [N, C, H, W] or unbatched [C, H, W], of a floating dtype (float16 and
// bfloat16 compute in float32). Pooling parameters are {height, width} pairs; a stride
// of {0, 0} means "equal to kernel_size", PyTorch's default.

#include <array>
#include <cstdint>
#include <utility>

#include "extensor/core/shape.hpp"
#include "extensor/core/tensor.hpp"

namespace ex {

// max_pool2d's output and the position of each output's maximum within its input plane
// (h * W + w, int64, the output's shape), as torch.nn.functional.max_pool2d(...,
// return_indices=True) returns them. A NaN in a window is its maximum (the last NaN when
// there are several); among equal maxima the first in row-major order wins. Throws what
// ex::max_pool2d throws, with its name ("max_pool2d: ...").
std::pair<Tensor, Tensor> max_pool2d_with_indices(const Tensor& input, std::array<std::int64_t, 2> kernel_size,
                                                  std::array<std::int64_t, 2> stride = {},
                                                  std::array<std::int64_t, 2> padding = {0, 0},
                                                  std::array<std::int64_t, 2> dilation = {1, 1},
                                                  bool ceil_mode = false);

// Gradient of max_pool2d: each grad element added to the input position its indices
// element names (positions shared by overlapping windows accumulate). grad and indices
// have max_pool2d's output shape for input and these parameters; grad has input's
// dtype, indices is int64 with values in [0, H * W). Result: input's shape and dtype.
// Throws ex::Error for anything max_pool2d rejects, a grad or indices of another shape,
// a grad of another dtype, non-int64 indices or an index out of range.
Tensor max_pool2d_backward(const Tensor& grad, const Tensor& input, const Tensor& indices,
                           std::array<std::int64_t, 2> kernel_size, std::array<std::int64_t, 2> stride = {},
                           std::array<std::int64_t, 2> padding = {0, 0}, std::array<std::int64_t, 2> dilation = {1, 1},
                           bool ceil_mode = false);

// Gradient of avg_pool2d for an input of input_shape: each grad element spread evenly
// (divided by its window's divisor) over its window's input positions. grad: avg_pool2d's
// output shape for input_shape and these parameters, any floating dtype, which the
// result (input_shape) keeps. Throws ex::Error for anything avg_pool2d rejects or a grad
// of another shape.
Tensor avg_pool2d_backward(const Tensor& grad, const Shape& input_shape, std::array<std::int64_t, 2> kernel_size,
                           std::array<std::int64_t, 2> stride = {}, std::array<std::int64_t, 2> padding = {0, 0},
                           bool ceil_mode = false, bool count_include_pad = true);

// Gradient of adaptive_avg_pool2d for an input of input_shape: each grad element spread
// evenly over its window. grad: [..., out_h, out_w] with input_shape's leading dims, any
// floating dtype, which the result (input_shape) keeps. Throws ex::Error for an
// input_shape adaptive_avg_pool2d rejects or a grad of another rank or leading dims.
Tensor adaptive_avg_pool2d_backward(const Tensor& grad, const Shape& input_shape);

}  // namespace ex
