#pragma once
// activation kernels: pure compute, no tape. The public ops in ex:: (autograd layer)
// call these; each validates its arguments and throws ex::Error naming the public op.
//
// Backends: float32 and bfloat16 tensors of at least activation_onednn_min_elements()
// elements go to oneDNN (eltwise relu/logistic/tanh/gelu_erf/gelu_tanh, softmax_v2
// accurate/log) on a dense copy of the input; everything else (float64, float16,
// integer inputs, small tensors) runs our own loops, half types computing in float32.
//
// Each forward kernel is followed by its public raw backward kernel ex::<op>_backward:
// pure functions that never record on a tape, taking the upstream gradient first, then
// what the forward needs (its input, or its output where that is cheaper), then the
// attributes. A gradient has the shape and dtype of the input it belongs to;
// grad must have the forward output's shape and dtype (any strides). They throw
// ex::Error naming the backward kernel ("relu_backward: ..."). The same threshold picks
// oneDNN's backward primitives for float32/bfloat16 where they measured faster than
// our loops: gelu, log_softmax over the last axis, and bfloat16 softmax over the last
// axis (from 16 times the threshold). relu, leaky_relu, prelu, sigmoid and tanh
// backwards are memory-bound and always run our own loops.

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>

#include "extensor/core/output_mask.hpp"
#include "extensor/core/tensor.hpp"

namespace ex::kernels {

// Default size (in elements) from which float32/bfloat16 sigmoid, tanh, gelu and
// softmax use oneDNN (relu and leaky_relu: 16 times that, since our plain loop is as
// fast as oneDNN's there; float32 gelu with the exact erf form never: our vectorized
// erf loop beat oneDNN's on [4096, 1024]); below it oneDNN's fixed per-call overhead
// costs as much as our whole loop (sigmoid ties at 512 floats, oneDNN wins clearly at
// 4096; the figures are in BENCHMARKS.md, "Measurements behind the code").
inline constexpr std::int64_t kActivationOneDnnMinElements = 1024;
// The threshold in force (process-wide), and a setter that returns the previous value:
// tests and benchmarks use it to force either backend (0: always oneDNN where it has
// the dtype; a huge value: never). Negative values count as 0.
std::int64_t activation_onednn_min_elements();
std::int64_t set_activation_onednn_min_elements(std::int64_t elements);

}  // namespace ex::kernels

namespace ex {

// Gradient of relu: grad where x > 0, else 0, so relu'(0) = 0 like PyTorch; a NaN x
// passes grad through (PyTorch tests x <= 0). grad and x: same shape and dtype (the
// dtypes relu accepts: floating and integer, not bool); result: x's shape and dtype.
// Throws for an undefined tensor, bool, or a grad whose shape or dtype differs from x's.
Tensor relu_backward(const Tensor& grad, const Tensor& x);

// Gradient of leaky_relu: grad where x > 0, else negative_slope * grad (so the slope at
// exactly 0, like PyTorch). grad and x: same shape and floating dtype; result: x's
// shape and dtype. Throws for non-floating x, a grad of another shape or dtype, or a
// non-finite negative_slope.
Tensor leaky_relu_backward(const Tensor& grad, const Tensor& x, double negative_slope);

// Gradients of prelu: {grad_x, grad_alpha}. grad_x = grad where x > 0, else
// alpha[c] * grad; grad_alpha[c] = sum of x * grad over every element with x <= 0 that
// alpha[c] was applied to (all of x for a 1-element alpha, channel c on axis 1
// otherwise), accumulated in float64. At x == 0 the slope side is taken like PyTorch
// (grad_x = alpha * grad, no contribution to grad_alpha). grad: x's shape and dtype;
// alpha: as prelu accepts it. grad_x has x's shape and dtype, grad_alpha alpha's. Throws
// everything prelu throws, plus for a grad of another shape or dtype. output_mask leaves
// the gradient whose flag is false undefined (one pass computes both).
std::pair<Tensor, Tensor> prelu_backward(const Tensor& grad, const Tensor& x, const Tensor& alpha,
                                         OutputMask output_mask = kBothGradients);

// Gradient of sigmoid from its OUTPUT y = sigmoid(x): grad * y * (1 - y), exactly 0 in
// saturation (y == 0 or 1), never NaN for finite y. grad and y: same shape and floating
// dtype (sigmoid of an integer x has a float32 y; that x gets no gradient); result: y's
// shape and dtype. Throws for non-floating y or a grad of another shape or dtype.
Tensor sigmoid_backward(const Tensor& grad, const Tensor& y);

// Gradient of tanh from its OUTPUT y = tanh(x): grad * (1 - y * y), exactly 0 in
// saturation. Shapes, dtypes and errors as sigmoid_backward ("tanh_backward: ...").
Tensor tanh_backward(const Tensor& grad, const Tensor& y);

// Gradient of softmax from its OUTPUT y along axis: y * (grad - sum(grad * y, axis)),
// O(n) per row (no Jacobian). grad and y: same shape and floating dtype, any rank (rank
// 0 takes axis 0 or -1 and gives 0), any strides; axis may be negative. Result: y's
// shape and dtype. Throws for non-floating y, a grad of another shape or dtype, or an
// axis outside [-rank, rank).
Tensor softmax_backward(const Tensor& grad, const Tensor& y, std::int64_t axis);

// Gradient of log_softmax from its OUTPUT y: grad - exp(y) * sum(grad, axis), O(n) per
// row. Shapes, dtypes and errors as softmax_backward ("log_softmax_backward: ...").
Tensor log_softmax_backward(const Tensor& grad, const Tensor& y, std::int64_t axis);

// Gradient of gelu from its input x: grad * (Phi(x) + x * phi(x)) for approximate
// "none" (phi the standard normal density), or the derivative of the tanh form for
// "tanh" (PyTorch's formula, except that a saturated tanh contributes exactly 0 where
// PyTorch's 0 * inf gives NaN for |x| > ~1e13 in float32). grad and x: same shape and
// floating dtype; result: x's shape and dtype. Throws for non-floating x, a grad of
// another shape or dtype, or an approximate other than "none" and "tanh".
Tensor gelu_backward(const Tensor& grad, const Tensor& x, std::string_view approximate);

}  // namespace ex

namespace ex::kernels {

// Diagnostics: the implementation the last activation kernel on this thread ran,
// "extensor" for our own loops or oneDNN's name ("jit:avx512_core", ...).
std::string last_activation_impl();

}  // namespace ex::kernels
