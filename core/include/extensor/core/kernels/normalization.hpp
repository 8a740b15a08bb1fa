#pragma once
// normalization kernels: pure compute, no tape. The public, documented forward op is
// ex::batch_norm in extensor/autograd/ops/normalization.hpp; its raw backward
// ex::batch_norm_backward is public from here directly.

#include "extensor/core/output_mask.hpp"
#include "extensor/core/tensor.hpp"

namespace ex {

// What batch_norm's forward kernel returns: the normalized output and the per-channel
// statistics it normalized with ([C], float32 for half inputs, else input's dtype):
// the batch mean and 1 / sqrt(biased variance + eps) in training mode, the running
// mean and 1 / sqrt(running_var + eps) in eval mode.
struct BatchNormForward {
  Tensor output, mean, invstd;
};

// The gradients of batch_norm's differentiable inputs, each undefined where not asked
// for (or, for weight and bias, where the forward had none).
struct BatchNormGradients {
  Tensor input, weight, bias;
};

// Which of batch_norm's gradients to compute.
struct BatchNormMask {
  bool input = true, weight = true, bias = true;
};

// Gradient of batch_norm. grad and input: [N, C], [N, C, L] or [N, C, H, W], same
// shape, floating, same dtype; weight: [C] or undefined (all ones); mean, invstd: the
// statistics the forward returned ([C]). With M = numel / C elements per channel and
// xhat = (input - mean) * invstd. training says whether mean and invstd are the batch's
// own statistics (so they depend on input): true in training mode and whenever the
// forward had no running statistics.
//   training: grad_input = invstd * w / M * (M * g - sum(g) - xhat * sum(g * xhat));
//   eval:     grad_input = g * invstd * w (the running statistics are constants);
//   grad_weight = sum(g * xhat), grad_bias = sum(g), sums over all dims but 1.
// Results have input's shape and dtype (weight's dtype for grad_weight and grad_bias).
// Throws ex::Error starting with "batch_norm_backward:" for undefined or mismatched
// tensors, a rank other than 2 to 4, or statistics / weight not of length C.
BatchNormGradients batch_norm_backward(const Tensor& grad, const Tensor& input, const Tensor& weight,
                                       const Tensor& mean, const Tensor& invstd, bool training,
                                       BatchNormMask mask = {});

}  // namespace ex
