#pragma once
// Public 2-D pooling ops: max_pool2d, avg_pool2d, adaptive_avg_pool2d, with PyTorch 1.13's
// semantics (torch.nn.functional). Their raw backwards are in
// extensor/core/kernels/pooling.hpp.
//
// Inputs are NCHW [N, C, H, W] or unbatched [C, H, W] of a floating dtype (float16 and
// bfloat16 compute in float32), any strides; N may be 0 but C, H and W must not. The
// result has the input's dtype and shape with H and W replaced by the pooled sizes.
// Parameters are {height, width} pairs. For max_pool2d and avg_pool2d the output size
// along a dim of size in is floor((in + 2 padding - dilation (kernel - 1) - 1) / stride)
// + 1, with ceil instead of floor under ceil_mode, where a last window that would start
// past the input and its left padding is dropped (PyTorch's rule). A stride of {0, 0}
// (the default) means stride = kernel_size.
//
// Each op throws ex::Error whose message starts with its name ("max_pool2d: ...") for an
// undefined or non-floating input, a rank other than 3 or 4, an empty C, H or W,
// kernel_size <= 0, a stride < 0 or a stride with one zero, dilation <= 0, a negative
// padding or one above kernel_size / 2, parameters above 2^31, or an output size <= 0.

#include <array>
#include <cstdint>

#include "extensor/core/kernels/pooling.hpp"

namespace ex {

// Maximum over each window of kernel_size elements spaced dilation apart, windows
// stride apart, the input implicitly padded with -inf by padding on both sides. A NaN
// in a window is its maximum. Its gradient goes to the first maximum of each window in
// row-major order (max_pool2d_with_indices gives the positions).
Tensor max_pool2d(const Tensor& input, std::array<std::int64_t, 2> kernel_size, std::array<std::int64_t, 2> stride = {},
                  std::array<std::int64_t, 2> padding = {0, 0}, std::array<std::int64_t, 2> dilation = {1, 1},
                  bool ceil_mode = false);

// Mean over each window of kernel_size elements, windows stride apart, the input
// implicitly zero-padded by padding. The divisor is the window's size clipped to the
// padded input when count_include_pad is true (padding counts, positions beyond it that
// ceil_mode adds do not), else the number of input elements the window covers. A window
// covering no input element gives 0.
Tensor avg_pool2d(const Tensor& input, std::array<std::int64_t, 2> kernel_size, std::array<std::int64_t, 2> stride = {},
                  std::array<std::int64_t, 2> padding = {0, 0}, bool ceil_mode = false, bool count_include_pad = true);

// Mean over output_size windows per plane, window o along a dim of size in covering
// [floor(o in / out), ceil((o + 1) in / out)), so windows overlap when out does not
// divide in; output_size may exceed the input size. Throws for an output_size <= 0 or
// above 2^31, besides the input errors above ("adaptive_avg_pool2d: ...").
Tensor adaptive_avg_pool2d(const Tensor& input, std::array<std::int64_t, 2> output_size);

}  // namespace ex
