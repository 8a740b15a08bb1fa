#pragma once
// conv2d's raw backward kernel: pure compute, no tape.

#include <array>
#include <cstdint>

#include "extensor/core/tensor.hpp"

namespace ex {

// The gradients of conv2d(input, weight, bias): each in its tensor's shape and dtype,
// undefined where not asked for.
struct Conv2dGradients {
  Tensor input, weight, bias;
};

// Which of {input, weight, bias} conv2d_backward computes; a gradient whose flag is false
// is left undefined and costs nothing (a layer's input batch needs no gradient).
using Conv2dMask = std::array<bool, 3>;
inline constexpr Conv2dMask kAllConv2dGradients{true, true, true};

// Gradients of conv2d(input, weight, bias, stride, padding, dilation, groups) (see
// extensor/autograd/ops/conv.hpp for the shapes) for grad of the result's shape and dtype:
// grad_input is the transposed convolution of grad with weight, grad_weight the
// correlation of input with grad, grad_bias grad summed over all dims but the channel.
// has_bias says whether the forward had a bias (without one, the bias gradient stays
// undefined). float32 and bfloat16 run on oneDNN, float16 in float32 rounded once,
// float64 in a direct loop. Throws ex::Error "conv2d_backward: ..." for everything conv2d
// rejects and for an undefined grad or one whose shape or dtype differs from the result's.
Conv2dGradients conv2d_backward(const Tensor& grad, const Tensor& input, const Tensor& weight, bool has_bias,
                                std::array<std::int64_t, 2> stride = {1, 1},
                                std::array<std::int64_t, 2> padding = {0, 0},
                                std::array<std::int64_t, 2> dilation = {1, 1}, std::int64_t groups = 1,
                                Conv2dMask output_mask = kAllConv2dGradients);

}  // namespace ex
