#pragma once
// Private: the pieces of conv2d shared by its validation (conv.cpp), its float64
// reference loops (conv_reference.cpp) and its oneDNN primitives (conv_onednn.cpp).
// Every tensor they receive is dense (NCHW input and output, OIHW weight), batched and of
// the one dtype they compute in.

#include <array>
#include <cstdint>

#include "extensor/core/kernels/conv.hpp"
#include "extensor/core/tensor.hpp"

namespace ex::kernels::conv {

using Pair = std::array<std::int64_t, 2>;

// A validated convolution: input [n, c, h, w], weight [o, c / groups, kh, kw], output
// [n, o, oh, ow].
struct Geometry {
  std::int64_t n, c, h, w, o, kh, kw, oh, ow, groups;
  Pair stride, padding, dilation;
  std::int64_t group_in() const { return c / groups; }
  std::int64_t group_out() const { return o / groups; }
};

// out = conv(x, w) + b (b may be undefined); out is preallocated.
void reference_forward(const Geometry& g, const Tensor& x, const Tensor& w, const Tensor& b, const Tensor& out);
// The requested gradients, allocated here (float64).
Conv2dGradients reference_backward(const Geometry& g, const Tensor& grad, const Tensor& x, const Tensor& w,
                                   Conv2dMask mask);

// The same for float32 or bfloat16 tensors through oneDNN's convolution primitives.
void onednn_forward(const Geometry& g, const Tensor& x, const Tensor& w, const Tensor& b, const Tensor& out);
Conv2dGradients onednn_backward(const Geometry& g, const Tensor& grad, const Tensor& x, const Tensor& w,
                                Conv2dMask mask);

}  // namespace ex::kernels::conv
