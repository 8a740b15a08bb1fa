#pragma once
// Private: the pooling forward kernels behind the recording ops (documented in
// extensor/autograd/ops/pooling.hpp), and the gather that max_pool2d's backward is the
// adjoint of.

#include <array>
#include <cstdint>

#include "extensor/core/kernels/pooling.hpp"

namespace ex::kernels {

Tensor avg_pool2d(const Tensor& input, std::array<std::int64_t, 2> kernel_size, std::array<std::int64_t, 2> stride,
                  std::array<std::int64_t, 2> padding, bool ceil_mode, bool count_include_pad);
Tensor adaptive_avg_pool2d(const Tensor& input, std::array<std::int64_t, 2> output_size);

// out[plane, o] = source[plane, indices[plane, o]]: the adjoint of max_pool2d_backward's
// scatter. source: [N, C, H, W] or [C, H, W]; indices: int64 of max_pool2d's output
// shape; result: indices' shape, source's dtype.
Tensor max_pool2d_gather(const Tensor& source, const Tensor& indices, const char* fn);

}  // namespace ex::kernels
