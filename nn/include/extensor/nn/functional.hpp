#pragma once
// ex::nn::functional: the stateless forms of the nn layers and losses, like
// torch.nn.functional (`namespace F = ex::nn::functional;`). Most are the public ops of
// namespace ex, re-exported here; linear and dropout are defined by nn.

#include "extensor/autograd/ops/activation.hpp"
#include "extensor/autograd/ops/loss.hpp"
#include "extensor/autograd/ops/shape.hpp"
#include "extensor/core/random.hpp"

namespace ex::nn::functional {

using ex::Reduction;

using ex::celu;
using ex::elu;
using ex::gelu;
using ex::leaky_relu;
using ex::log_softmax;
using ex::mish;
using ex::prelu;
using ex::relu;
using ex::selu;
using ex::sigmoid;
using ex::silu;
using ex::softmax;
using ex::softplus;
using ex::tanh;

using ex::binary_cross_entropy;
using ex::binary_cross_entropy_with_logits;
using ex::cross_entropy;
using ex::l1_loss;
using ex::mse_loss;
using ex::nll_loss;
using ex::smooth_l1_loss;

using ex::flatten;

// input @ weight^T + bias, like torch.nn.functional.linear: input [*, in] (rank >= 1),
// weight [out, in], bias undefined or [out]; result [*, out] (a 1-D input gives [out]).
// Records on the tape through matmul, transpose and add, so gradients reach all three.
// All three must share one floating dtype. Throws ex::Error "linear: ..." for an
// undefined input or weight, a weight that is not 2-D, an input whose last axis is not
// `in` (naming both shapes), a bias of another shape, or mismatched dtypes.
Tensor linear(const Tensor& input, const Tensor& weight, const Tensor& bias = {});

// Dropout (Srivastava et al.): when training and p > 0, each element is zeroed with
// probability p and the survivors are scaled by 1 / (1 - p), so the expected value is
// unchanged; p == 1 zeroes everything. The random mask is drawn from gen (the default
// generator, which ex::manual_seed seeds, when omitted) and applied with the recording
// multiply, so gradients are the mask times the upstream gradient. When not training or
// p == 0 the input itself is returned. Any shape; floating dtypes only. Throws
// ex::Error "dropout: ..." for p outside [0, 1] (NaN included), an undefined or
// non-floating input.
Tensor dropout(const Tensor& input, double p = 0.5, bool training = true);
Tensor dropout(const Tensor& input, double p, bool training, Generator& gen);

// Channel dropout, like torch.nn.functional.dropout2d: when training and p > 0, each
// channel of input [N, C, H, W] (or unbatched [C, H, W]) is zeroed as a whole with
// probability p and the others scaled by 1 / (1 - p); one mask value per (n, c), drawn
// from gen (the default generator when omitted) as dropout draws its mask, applied with
// the recording multiply (broadcast over H and W), so gradients flow through the kept
// channels. When not training or p == 0 the input itself is returned. A 3-D input is
// unbatched [C, H, W] (PyTorch 1.13 takes it as [N, C, L]). Throws ex::Error
// "dropout2d: ..." for p outside [0, 1] (NaN included), an undefined or non-floating
// input, or a rank other than 3 or 4.
Tensor dropout2d(const Tensor& input, double p = 0.5, bool training = true);
Tensor dropout2d(const Tensor& input, double p, bool training, Generator& gen);

}  // namespace ex::nn::functional
