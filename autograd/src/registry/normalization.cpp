// Registry entry of batch_norm. The forward kernel normalizes and updates the running
// statistics (once, unrecorded); the node keeps the input, weight and the statistics it
// normalized with. Without create_graph its backward is the fused kernel; under
// create_graph the same derivative is written in recording ops, recomputing the batch
// statistics from the input in training mode, so that the gradient's own dependence on
// the input (through mean and variance) is recorded too.

#include "extensor/autograd/ops/normalization.hpp"

#include <vector>

#include "autograd/src/registry/entry.hpp"
#include "extensor/autograd/ops/math.hpp"

namespace ex {

namespace {

struct ChannelLayout {
  Axes reduced;     // every dim but 1
  Shape broadcast;  // [1, C, 1, ...]: a [C] tensor lined up with the input
};

ChannelLayout channel_layout(const Tensor& x) {
  std::vector<std::int64_t> axes{0};
  Shape shape(static_cast<std::size_t>(x.dim()), 1);
  shape[1] = x.shape()[1];
  for (std::int64_t d = 2; d < x.dim(); ++d) axes.push_back(d);
  return {Axes(axes), shape};
}

// The input, weight and bias gradients in recording ops: xhat = (x - mean) * invstd,
//   training: gx = w * invstd * (g - mean(g) - xhat * mean(g * xhat)), with mean and
//             invstd recomputed from x;
//   eval:     gx = w * invstd * g, mean and invstd being constants;
// gw = sum(g * xhat), gb = sum(g).
TensorList recorded_gradients(const Tensor& g, const Tensor& x, const Tensor& w, const Tensor& saved_mean,
                              const Tensor& saved_invstd, bool training, double eps, bool has_bias) {
  const ChannelLayout layout = channel_layout(x);
  Tensor centered, invstd;
  if (training) {
    centered = subtract(x, mean(x, layout.reduced, true));
    invstd = divide(1.0, sqrt(add(mean(multiply(centered, centered), layout.reduced, true), eps)));
  } else {
    centered = subtract(x, reshape(saved_mean, layout.broadcast));
    invstd = reshape(saved_invstd, layout.broadcast);
  }
  const Tensor xhat = multiply(centered, invstd);
  const Tensor scale = w.defined() ? multiply(invstd, reshape(w, layout.broadcast)) : invstd;
  Tensor gx = g;
  if (training)
    gx = subtract(subtract(g, mean(g, layout.reduced, true)),
                  multiply(xhat, mean(multiply(g, xhat), layout.reduced, true)));
  gx = multiply(gx, scale);
  Tensor gw = w.defined() ? sum(multiply(g, xhat), layout.reduced) : Tensor();
  Tensor gb = has_bias ? sum(g, layout.reduced) : Tensor();
  return {std::move(gx), std::move(gw), std::move(gb)};
}

}  // namespace

Tensor batch_norm(const Tensor& input, const Tensor& running_mean, const Tensor& running_var, const Tensor& weight,
                  const Tensor& bias, bool training, double momentum, double eps) {
  const auto forward = [&] {
    return kernels::batch_norm(input, running_mean, running_var, weight, bias, training, momentum, eps);
  };
  if (!should_record_optional(input, weight, bias)) return forward().output;
  BatchNormForward result = no_grad(forward);
  // Without running statistics the batch statistics are used in eval mode too.
  const bool batch_stats = training || !running_mean.defined();
  return record(entry<"batch_norm">, {input, weight, bias}, std::move(result.output),
                [x = SavedTensor(input), w = SavedTensor(weight), mean = result.mean, invstd = result.invstd,
                 batch_stats, eps, has_bias = bias.defined()](const Tensor& g, const NeedsGrad& needs) {
                  const Tensor xv = x.get(), wv = w.defined() ? w.get() : Tensor();
                  if (GradMode::is_enabled() && should_record_optional(g, xv, wv))
                    return recorded_gradients(g, xv, wv, mean, invstd, batch_stats, eps, has_bias);
                  BatchNormGradients grads = batch_norm_backward(
                      g, xv, wv, mean, invstd, batch_stats, {needs[0], needs[1] && wv.defined(), needs[2] && has_bias});
                  return TensorList{std::move(grads.input), std::move(grads.weight), std::move(grads.bias)};
                });
}

}  // namespace ex
