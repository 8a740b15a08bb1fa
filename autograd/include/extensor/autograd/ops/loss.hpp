#pragma once
// Public loss functions, with PyTorch 1.13's semantics (torch.nn.functional) and its
// positional argument order. Every loss takes `reduction`: Reduction::None returns the
// per-element (per-position) losses, Mean (the default) their average, Sum their sum;
// Mean and Sum return a rank-0 tensor. Inputs must be floating (float16, bfloat16,
// float32, float64); half types are stored 16-bit and computed in float32. Every loss
// throws ex::Error whose message starts with its name for an undefined tensor, a
// non-floating input, a target whose shape or dtype does not fit, a bad weight or an
// invalid reduction value. Mean over zero elements is NaN, Sum over them 0, like PyTorch.
// Autograd: the input is differentiated, and so is a floating target of mse_loss,
// l1_loss, smooth_l1_loss, binary_cross_entropy and binary_cross_entropy_with_logits
// (as in PyTorch 1.13); class-index targets are integers and never are. weight and
// pos_weight are constants, as in PyTorch: when grad mode is on and one of them
// requires grad, the loss throws ex::Error "<loss>: the derivative for weight (or
// pos_weight) is not implemented" instead of dropping its gradient. The raw backward
// kernels (ex::mse_loss_backward, ...) are in extensor/core/kernels/loss.hpp.

#include <cstdint>

#include "extensor/core/kernels/loss.hpp"

namespace ex {

// Mean squared error (input - target)^2 elementwise. input floating; target of the same
// shape (PyTorch would broadcast with a warning; we throw) and any dtype: both are
// promoted (float32 input with float64 target computes and returns float64, an integer
// or bool target is converted to the input's dtype). Result dtype: the promoted dtype.
Tensor mse_loss(const Tensor& input, const Tensor& target, Reduction reduction = Reduction::Mean);

// Mean absolute error |input - target| elementwise. Shapes, dtypes, errors as mse_loss.
Tensor l1_loss(const Tensor& input, const Tensor& target, Reduction reduction = Reduction::Mean);

// Huber-like loss: with d = input - target, 0.5 d^2 / beta where |d| < beta, else
// |d| - 0.5 beta. beta == 0 is exactly l1_loss; beta < 0 or NaN throws (as PyTorch).
// Shapes, dtypes, errors as mse_loss.
Tensor smooth_l1_loss(const Tensor& input, const Tensor& target, Reduction reduction = Reduction::Mean,
                      double beta = 1.0);

// Binary cross entropy of probabilities: -w (t log(x) + (1 - t) log(1 - x)), where each
// log is clamped to >= -100 as PyTorch does (documented torch behaviour, so x == 0 or 1
// gives a finite loss of at most 100 w, not inf). input: floating, every element in
// [0, 1] (else throws naming a bad value, NaN included, as PyTorch); target: same shape
// and the SAME dtype (PyTorch 1.13 rejects bool, integer and other float targets too);
// weight: undefined or floating (converted to input's dtype), broadcasting to input's
// shape. Result: input's dtype.
Tensor binary_cross_entropy(const Tensor& input, const Tensor& target, const Tensor& weight = {},
                            Reduction reduction = Reduction::Mean);

// Binary cross entropy on logits, fused with the sigmoid and stable for any |x|:
// w ((1 - t) x + (1 + (p - 1) t) softplus(-x)), softplus(-x) = max(-x, 0) +
// log1p(exp(-|x|)); without pos_weight p = 1 and this is max(x, 0) - x t +
// log1p(exp(-|x|)). input floating; target floating of the same shape (bool and integer
// targets throw, as in PyTorch); the result has the promoted dtype of the two. weight
// and pos_weight (the weight of positive examples, typically [C] for the last axis):
// undefined or floating, broadcasting to input's shape.
Tensor binary_cross_entropy_with_logits(const Tensor& input, const Tensor& target, const Tensor& weight = {},
                                        Reduction reduction = Reduction::Mean, const Tensor& pos_weight = {});

// Cross entropy of unnormalized logits with class indices, through log-sum-exp (finite
// for logits of +-1000). input: [N, C], [N, C, d1, ...] (class axis 1) or [C]; target:
// int64 class indices of shape [N], [N, d1, ...] or rank 0. Per position:
// (1 - eps) w[y] (lse - x[y]) + eps / C sum_c w[c] (lse - x[c]) with eps =
// label_smoothing (PyTorch's formula); positions whose target equals ignore_index give
// 0 and are left out of Mean, which divides by the sum of w[y] over the others (NaN when
// every target is ignored, like PyTorch). weight: undefined or [C] of the input's dtype.
// Result: input's dtype, target's shape for None. Throws for a target index outside
// [0, C) other than ignore_index (naming it), a non-int64 target (PyTorch 1.13 also
// takes uint8; class-probability targets are not supported), mismatched shapes, or
// label_smoothing outside [0, 1] (PyTorch 1.13 lets negative values through).
Tensor cross_entropy(const Tensor& input, const Tensor& target, const Tensor& weight = {},
                     std::int64_t ignore_index = -100, Reduction reduction = Reduction::Mean,
                     double label_smoothing = 0.0);

// Negative log likelihood of log-probabilities (e.g. log_softmax output) with class
// indices: -w[y] x[y] per position. Shapes, dtypes, ignore_index, weighting and errors
// as cross_entropy.
Tensor nll_loss(const Tensor& input, const Tensor& target, const Tensor& weight = {}, std::int64_t ignore_index = -100,
                Reduction reduction = Reduction::Mean);

}  // namespace ex
