#pragma once
// Public convolutions: conv2d.

#include <array>
#include <cstdint>

#include "extensor/core/kernels/conv.hpp"

namespace ex {

// 2-D cross-correlation over NCHW data, like torch.nn.functional.conv2d: input
// [N, C, H, W] (or unbatched [C, H, W]), weight [O, C / groups, kH, kW] and an optional
// bias [O] (undefined for none) give [N, O, oH, oW] (or [O, oH, oW]) with
// oH = (H + 2 padding[0] - dilation[0] (kH - 1) - 1) / stride[0] + 1 (and oW alike):
// out[n, o, y, x] = bias[o] + sum over c, i, j of
// input[n, g C / groups + c, y stride[0] - padding[0] + i dilation[0], ...] weight[o, c, i, j],
// g = o / (O / groups), reading zeros in the padding. All tensors share one floating
// dtype, which is the result's: float32 and bfloat16 run on oneDNN, float16 in float32
// rounded once, float64 in direct loops. Any strides are accepted. Differentiable in
// input, weight and bias, to every order. Throws ex::Error ("conv2d: ...", naming the
// shapes) for an undefined or non-floating input or weight, ranks other than 3/4 and 4,
// different dtypes, groups <= 0 or not dividing O, C != weight channels * groups, a
// bias not of shape [O], stride or dilation < 1, negative padding, and a dilated kernel
// larger than the padded input.
Tensor conv2d(const Tensor& input, const Tensor& weight, const Tensor& bias = {},
              std::array<std::int64_t, 2> stride = {1, 1}, std::array<std::int64_t, 2> padding = {0, 0},
              std::array<std::int64_t, 2> dilation = {1, 1}, std::int64_t groups = 1);

}  // namespace ex
