#pragma once
// loss kernels: pure compute, no tape. The public, documented forward ops are ex::mse_loss
// etc. in extensor/autograd/ops/loss.hpp; the forward kernels here are what they call.
// The raw backward kernels ex::<loss>_backward are public from here directly.
//
// Common conventions of the backward kernels: `grad` is the upstream gradient of the
// loss, rank 0 for Reduction::Mean and Reduction::Sum and of the per-element loss shape
// for Reduction::None (the input's shape for the elementwise losses, the target's shape
// for cross_entropy / nll_loss); it must be floating and is used in the working dtype.
// Each returns the gradient with respect to the input (logits, log-probabilities) only,
// with the input's shape and dtype (contiguous). Targets, weights and pos_weight are
// treated as constants (labels); for mse_loss, l1_loss and smooth_l1_loss the target's
// gradient is exactly the negated input gradient. The kernels validate exactly what
// their forward validates, plus the grad's shape and dtype, and throw ex::Error whose
// message starts with the kernel's name ("mse_loss_backward: ...").

#include <cstdint>

#include "extensor/core/tensor.hpp"

namespace ex {

// How a loss combines its per-element values: None keeps them (the result has the
// per-element shape), Mean averages them (weighted by the class weights for
// cross_entropy / nll_loss), Sum adds them; Mean and Sum give a rank-0 tensor.
enum class Reduction { None, Mean, Sum };

// Each forward kernel (namespace kernels, documented at its public op) is followed by
// its raw backward kernel.

// Gradient of mse_loss: 2 (input - target) * grad, divided by input.numel() for Mean.
// input: floating; target: same shape, any dtype (promoted with input's dtype, the
// working dtype). Result: input's shape and dtype. Differentiable everywhere.
Tensor mse_loss_backward(const Tensor& grad, const Tensor& input, const Tensor& target,
                         Reduction reduction = Reduction::Mean);

// Gradient of l1_loss: sign(input - target) * grad (/ numel for Mean). Shapes and dtypes
// as mse_loss_backward. At input == target the gradient is 0 (abs'(0) = 0, PyTorch's
// convention); a NaN difference gives NaN.
Tensor l1_loss_backward(const Tensor& grad, const Tensor& input, const Tensor& target,
                        Reduction reduction = Reduction::Mean);

// Gradient of smooth_l1_loss: with d = input - target, d / beta where |d| < beta and
// sign(d) elsewhere (the two agree at |d| == beta), times grad (/ numel for Mean). beta
// == 0 is l1_loss_backward (sign(0) = 0; PyTorch 1.13 returns -1 at d == 0 there, an
// artefact of its kernel). Throws for beta < 0 or NaN. Shapes and dtypes as
// mse_loss_backward.
Tensor smooth_l1_loss_backward(const Tensor& grad, const Tensor& input, const Tensor& target,
                               Reduction reduction = Reduction::Mean, double beta = 1.0);

// Gradient of binary_cross_entropy with respect to the probabilities `input` (in [0, 1],
// else it throws like the forward): the exact derivative of the clamped forward,
// w * ((1 - t) / (1 - x) - t / x), where a term whose log was clamped at -100 (x <=
// e^-100, 1 - x <= e^-100, in practice x == 0 or 1) contributes 0, like the derivative
// of a clamp outside its range. So x == 0 or 1 gives finite values, never inf or NaN.
// PyTorch 1.13 instead divides w (x - t) by max(x (1 - x), 1e-12), which differs only
// where x (1 - x) < 1e-12. target: input's shape and dtype; weight: undefined or
// floating, broadcasting to input's shape. Result: input's shape and dtype.
Tensor binary_cross_entropy_backward(const Tensor& grad, const Tensor& input, const Tensor& target,
                                     const Tensor& weight = {}, Reduction reduction = Reduction::Mean);
// Gradient of binary_cross_entropy with respect to the target: w * (log(1 - x) -
// log(x)) with each log clamped at -100 as in the forward, times grad (/ numel for
// Mean). PyTorch 1.13 returns -logit(x) unclamped, which differs only where x <= e^-100
// or 1 - x <= e^-100 (there it gives +-inf; we give at most 100 w in magnitude).
// Arguments, shapes, dtypes and errors as binary_cross_entropy_backward; result: the
// target's shape and dtype.
Tensor binary_cross_entropy_target_backward(const Tensor& grad, const Tensor& input, const Tensor& target,
                                            const Tensor& weight = {}, Reduction reduction = Reduction::Mean);

// Gradient of binary_cross_entropy_with_logits: w * ((1 + (p - 1) t) sigmoid(x) - p t)
// (p = pos_weight, 1 when undefined; without it w * (sigmoid(x) - t)), times grad (/ numel
// for Mean). Finite for any finite x (stable sigmoid). Shapes and dtypes as the forward
// (target promoted with input; weight, pos_weight broadcast to input's shape); result
// has input's shape and dtype.
Tensor binary_cross_entropy_with_logits_backward(const Tensor& grad, const Tensor& input, const Tensor& target,
                                                 const Tensor& weight = {}, Reduction reduction = Reduction::Mean,
                                                 const Tensor& pos_weight = {});
// Gradient of binary_cross_entropy_with_logits with respect to the target:
// w * ((p - 1) softplus(-x) - x) = w * (p softplus(-x) - softplus(x)) (p = pos_weight,
// 1 when undefined, giving -w x), times grad (/ numel for Mean); PyTorch 1.13's
// formula, computed stably (finite for any finite x). Arguments, shapes, dtypes and
// errors as binary_cross_entropy_with_logits_backward; result: the target's shape and
// dtype.
Tensor binary_cross_entropy_with_logits_target_backward(const Tensor& grad, const Tensor& input, const Tensor& target,
                                                        const Tensor& weight = {},
                                                        Reduction reduction = Reduction::Mean,
                                                        const Tensor& pos_weight = {});

// Gradient of cross_entropy with respect to the logits, in one pass per position:
// grad_p * (softmax(x) * A - a) along the class axis, where a_c = w_c ((1 - eps) [c == y]
// + eps / C) is the (weighted) smoothed one-hot target and A = sum_c a_c (without
// weights and smoothing: softmax - one_hot(y)). grad_p is grad (None) or the scalar grad,
// divided for Mean by the sum of w[y] over the non-ignored positions. Positions whose
// target is ignore_index get 0 (also when every position is ignored: zeros, while the
// forward's Mean is NaN). logits [N, C, d...] / [N, C] / [C] (floating), target int64
// [N, d...] / [N] / rank 0, weight undefined or [C] of logits' dtype. Result: logits'
// shape and dtype. Throws for an out-of-range class index (naming it), bad shapes or
// dtypes, label_smoothing outside [0, 1].
Tensor cross_entropy_backward(const Tensor& grad, const Tensor& logits, const Tensor& target, const Tensor& weight = {},
                              std::int64_t ignore_index = -100, Reduction reduction = Reduction::Mean,
                              double label_smoothing = 0.0);

// Gradient of nll_loss with respect to the log-probabilities: zero except
// -w[y] * grad_p at the target class of every non-ignored position (grad_p as in
// cross_entropy_backward). Shapes, dtypes and errors as cross_entropy_backward.
Tensor nll_loss_backward(const Tensor& grad, const Tensor& log_probs, const Tensor& target, const Tensor& weight = {},
                         std::int64_t ignore_index = -100, Reduction reduction = Reduction::Mean);

}  // namespace ex
