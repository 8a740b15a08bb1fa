#pragma once
// Public normalization op, with PyTorch 1.13's semantics (torch.nn.functional.batch_norm).
// The raw backward kernel ex::batch_norm_backward is in extensor/core/kernels/normalization.hpp.

#include "extensor/core/kernels/normalization.hpp"

namespace ex {

// Batch normalization over dim 1 of input ([N, C], [N, C, L] or [N, C, H, W]; float32,
// float64, bfloat16 or float16, the half types computed in float32):
//   y = (input - mean) / sqrt(var + eps) * weight + bias, per channel c.
// training (or running stats undefined, PyTorch's track_running_stats=false): mean and
// the biased var of the batch (over all dims but 1; each channel needs more than one
// value); then, when running_mean / running_var are given, they are updated in place,
// unrecorded, once per call: running = (1 - momentum) * running + momentum * batch
// statistic, with the unbiased variance for running_var. Otherwise (eval) the running
// statistics are used and left unchanged. running_mean, running_var, weight and bias
// are [C] floating tensors or undefined (weight ones, bias zeros); the result has
// input's shape and dtype. Differentiable in input, weight and bias, to every order
// (the running statistics are constants). Throws ex::Error starting with
// "batch_norm:" for an undefined or non-floating input, a rank other than 2 to 4, a
// per-channel tensor that is not floating [C], only one of the running statistics, one
// value per channel in training, or a negative (or NaN) momentum or eps.
Tensor batch_norm(const Tensor& input, const Tensor& running_mean, const Tensor& running_var, const Tensor& weight,
                  const Tensor& bias, bool training, double momentum = 0.1, double eps = 1e-5);

}  // namespace ex
