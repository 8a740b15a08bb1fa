// Registry entries of the losses. Inputs and (where PyTorch 1.13 differentiates them)
// targets get gradients; weight and pos_weight are constants, as in PyTorch, so
// recording with one that requires grad throws rather than silently dropping its
// gradient. Class-index targets are int64, which can never require grad.

#include "extensor/autograd/ops/loss.hpp"
#include "common/check.hpp"

#include <fmt/format.h>
#include <cmath>
#include <optional>

#include "autograd/src/registry/entry.hpp"
#include "extensor/autograd/ops/activation.hpp"
#include "extensor/autograd/ops/arithmetic.hpp"
#include "extensor/autograd/ops/comparison.hpp"
#include "extensor/autograd/ops/math.hpp"
#include "extensor/autograd/ops/reduction.hpp"
#include "extensor/core/kernels/arithmetic.hpp"

namespace ex {

namespace {

void check_not_differentiated(const OpInfo& op, const Tensor& t, const char* what) {
  if (requires_grad(t)) ex::detail::fail("{}: the derivative for {} is not implemented", op.name, what);
}

// An optional saved tensor (weight, pos_weight): undefined when the caller gave none.
Tensor saved_or_undefined(const SavedTensor& saved) { return saved.defined() ? saved.get() : Tensor(); }

// grad * derivative * weight (when given), / numel for Mean: the loss gradients that
// are elementwise in the input, in recording ops (create_graph).
Tensor scaled_loss_gradient(const Tensor& g, const Tensor& derivative, const Tensor& weight, Reduction reduction) {
  const double scale = reduction == Reduction::Mean ? 1.0 / static_cast<double>(derivative.numel()) : 1.0;
  return multiply(g, multiply(weight.defined() ? multiply(derivative, weight) : derivative, scale));
}

// nll_loss is linear in its input, with weights that depend on the targets only: its
// backward does not depend on the input's values, and under create_graph it is recorded
// as a linear backward whose derivative is nll_loss itself.
Tensor nll_derivative(const Tensor& g, const Tensor& log_probs, const Tensor& target, const Tensor& weight,
                      std::int64_t ignore_index, Reduction reduction) {
  return linear_backward(
      entry<"nll_loss">, g, [&] { return nll_loss_backward(g, log_probs, target, weight, ignore_index, reduction); },
      [target, weight, ignore_index, reduction](const TensorList& up) {
        return nll_loss(up[0], target, weight, ignore_index, reduction);
      })[0];
}

// The derivative in log_softmax(x) of cross_entropy's label-smoothing term, in recording
// ops (linear in g): -(eps / C) g w_c at every position whose target is not
// ignore_index, divided for Mean by the sum of the kept targets' weights, as the kernel
// does. That sum is nll_loss of an input of -1s, a constant.
Tensor smoothing_derivative(const Tensor& g, const Tensor& x, const Tensor& target, const Tensor& weight,
                            std::int64_t ignore_index, Reduction reduction, double eps) {
  const std::int64_t class_axis = x.dim() == 1 ? 0 : 1;
  const std::int64_t classes = x.shape()[static_cast<std::size_t>(class_axis)];
  Tensor per_position = multiply(g, not_equal(target, ignore_index).to(x.dtype()));
  if (x.dim() > 1) per_position = unsqueeze(per_position, class_axis);
  Shape class_shape(static_cast<std::size_t>(x.dim()), 1);
  class_shape[static_cast<std::size_t>(class_axis)] = classes;
  const Tensor class_weight = weight.defined() ? reshape(weight, class_shape) : ones(class_shape, x.dtype());
  double scale = -eps / static_cast<double>(classes);
  if (reduction == Reduction::Mean)
    scale /= no_grad([&] {
               return kernels::nll_loss(full(x.shape(), -1.0, x.dtype()), target, weight, ignore_index, Reduction::Sum);
             })
                 .to(DType::Float64)
                 .item<double>();
  return multiply(multiply(per_position, class_weight), scale);
}

// mse, l1 and smooth_l1 are functions of d = input - target, so the target's gradient is
// the input's negated. Both come from one backward call in the loss's dtype (the
// promoted one), so a wider target does not get the input's rounding.
// Under create_graph the gradient is recorded as g * slope(d) (/ numel for Mean), slope
// being the loss's derivative in d written in recording ops.
template <class Forward, class Backward, class Slope>
Tensor record_regression(const OpInfo& op, const Tensor& input, const Tensor& target, Reduction reduction,
                         Forward forward, Backward backward, Slope slope) {
  if (!should_record(input, target)) return forward();
  Tensor loss = no_grad(forward);
  return record(op, {input, target}, loss,
                [input = SavedTensor(input), target = SavedTensor(target), reduction, backward, slope,
                 dtype = loss.dtype(), target_needs_grad = requires_grad(target)](const Tensor& g) {
                  const Tensor &x = input.get(), &t = target.get();
                  if (GradMode::is_enabled() && should_record_optional(g, x, t)) {
                    const Tensor gi = scaled_loss_gradient(g, slope(subtract(x.to(dtype), t)), Tensor(), reduction);
                    return std::pair{gi, target_needs_grad ? neg(gi) : Tensor()};
                  }
                  Tensor gi = backward(g, x.to(dtype), t, reduction);
                  return std::pair{gi, target_needs_grad ? kernels::neg(gi) : Tensor()};
                });
}
}  // namespace

Tensor mse_loss(const Tensor& input, const Tensor& target, Reduction reduction) {
  return record_regression(
      entry<"mse_loss">, input, target, reduction, [&] { return kernels::mse_loss(input, target, reduction); },
      [](const Tensor& g, const Tensor& x, const Tensor& t, Reduction r) { return mse_loss_backward(g, x, t, r); },
      [](const Tensor& d) { return multiply(d, 2.0); });
}
Tensor l1_loss(const Tensor& input, const Tensor& target, Reduction reduction) {
  return record_regression(
      entry<"l1_loss">, input, target, reduction, [&] { return kernels::l1_loss(input, target, reduction); },
      [](const Tensor& g, const Tensor& x, const Tensor& t, Reduction r) { return l1_loss_backward(g, x, t, r); },
      [](const Tensor& d) { return sign(d); });
}
Tensor smooth_l1_loss(const Tensor& input, const Tensor& target, Reduction reduction, double beta) {
  return record_regression(
      entry<"smooth_l1_loss">, input, target, reduction,
      [&] { return kernels::smooth_l1_loss(input, target, reduction, beta); },
      [beta](const Tensor& g, const Tensor& x, const Tensor& t, Reduction r) {
        return smooth_l1_loss_backward(g, x, t, r, beta);
      },
      // d / beta inside the band, sign(d) outside: clip(d, -beta, beta) / beta.
      [beta](const Tensor& d) { return beta == 0 ? sign(d) : divide(clip(d, -beta, beta), beta); });
}

Tensor binary_cross_entropy(const Tensor& input, const Tensor& target, const Tensor& weight, Reduction reduction) {
  if (!should_record_optional(input, target, weight))
    return kernels::binary_cross_entropy(input, target, weight, reduction);
  check_not_differentiated(entry<"binary_cross_entropy">, weight, "weight");
  return record(
      entry<"binary_cross_entropy">, {input, target},
      no_grad([&] { return kernels::binary_cross_entropy(input, target, weight, reduction); }),
      [input = SavedTensor(input), target = SavedTensor(target), weight = SavedTensor(weight), reduction,
       target_needs_grad = requires_grad(target)](const Tensor& g) {
        const Tensor &x = input.get(), &t = target.get(), w = saved_or_undefined(weight);
        if (GradMode::is_enabled() && should_record_optional(g, x, t)) {
          // The kernels' formulas in recording ops, with the same clamps: a log clamped
          // at -100 contributes nothing to the input's gradient.
          const double tiny = std::exp(-100.0);
          const Tensor one_minus_x = subtract(1.0, x);
          const Tensor active_x = greater(x, tiny).to(x.dtype()), active_1mx = greater(one_minus_x, tiny).to(x.dtype());
          const Tensor dx =
              subtract(divide(multiply(subtract(1.0, t), active_1mx), clip(one_minus_x, tiny, std::nullopt)),
                       divide(multiply(t, active_x), clip(x, tiny, std::nullopt)));
          const Tensor dt = subtract(clip(log(one_minus_x), -100.0, std::nullopt), clip(log(x), -100.0, std::nullopt));
          return std::pair{scaled_loss_gradient(g, dx, w, reduction),
                           target_needs_grad ? scaled_loss_gradient(g, dt, w, reduction) : Tensor()};
        }
        return std::pair{binary_cross_entropy_backward(g, x, t, w, reduction),
                         target_needs_grad ? binary_cross_entropy_target_backward(g, x, t, w, reduction) : Tensor()};
      });
}

Tensor binary_cross_entropy_with_logits(const Tensor& input, const Tensor& target, const Tensor& weight,
                                        Reduction reduction, const Tensor& pos_weight) {
  if (!should_record_optional(input, target, weight, pos_weight))
    return kernels::binary_cross_entropy_with_logits(input, target, weight, reduction, pos_weight);
  check_not_differentiated(entry<"binary_cross_entropy_with_logits">, weight, "weight");
  check_not_differentiated(entry<"binary_cross_entropy_with_logits">, pos_weight, "pos_weight");
  return record(
      entry<"binary_cross_entropy_with_logits">, {input, target},
      no_grad([&] { return kernels::binary_cross_entropy_with_logits(input, target, weight, reduction, pos_weight); }),
      [input = SavedTensor(input), target = SavedTensor(target), weight = SavedTensor(weight),
       pos_weight = SavedTensor(pos_weight), reduction, target_needs_grad = requires_grad(target)](const Tensor& g) {
        const Tensor &x = input.get(), &t = target.get(), w = saved_or_undefined(weight),
                     p = saved_or_undefined(pos_weight);
        if (GradMode::is_enabled() && should_record_optional(g, x, t)) {
          // (1 + (p - 1) t) sigmoid(x) - p t and p softplus(-x) - softplus(x), p = 1 when
          // absent, in recording ops.
          const Tensor s = sigmoid(x);
          const Tensor dx = p.defined() ? subtract(multiply(add(multiply(subtract(p, 1.0), t), 1.0), s), multiply(p, t))
                                        : subtract(s, t);
          const Tensor soft_neg = softplus(neg(x));
          const Tensor dt = subtract(p.defined() ? multiply(p, soft_neg) : soft_neg, softplus(x));
          return std::pair{scaled_loss_gradient(g, dx, w, reduction),
                           target_needs_grad ? scaled_loss_gradient(g, dt, w, reduction) : Tensor()};
        }
        return std::pair{
            binary_cross_entropy_with_logits_backward(g, x, t, w, reduction, p),
            target_needs_grad ? binary_cross_entropy_with_logits_target_backward(g, x, t, w, reduction, p) : Tensor()};
      });
}

Tensor cross_entropy(const Tensor& input, const Tensor& target, const Tensor& weight, std::int64_t ignore_index,
                     Reduction reduction, double label_smoothing) {
  if (!should_record_optional(input, weight))
    return kernels::cross_entropy(input, target, weight, ignore_index, reduction, label_smoothing);
  check_not_differentiated(entry<"cross_entropy">, weight, "weight");
  return record(entry<"cross_entropy">, {input}, no_grad([&] {
                  return kernels::cross_entropy(input, target, weight, ignore_index, reduction, label_smoothing);
                }),
                [input = SavedTensor(input), target = SavedTensor(target), weight = SavedTensor(weight), ignore_index,
                 reduction, label_smoothing](const Tensor& g) {
                  const Tensor &x = input.get(), &t = target.get(), w = saved_or_undefined(weight);
                  if (!GradMode::is_enabled() || !should_record_optional(g, x))
                    return cross_entropy_backward(g, x, t, w, ignore_index, reduction, label_smoothing);
                  // Under create_graph: cross_entropy is (1 - eps) nll_loss(log_softmax(x))
                  // plus the smoothing term, differentiated through recording ops.
                  const std::int64_t class_axis = x.dim() == 1 ? 0 : 1;
                  const Tensor log_probs = log_softmax(x, class_axis);
                  Tensor c = nll_derivative(g, log_probs, t, w, ignore_index, reduction);
                  if (label_smoothing != 0)
                    c = add(multiply(c, 1.0 - label_smoothing),
                            smoothing_derivative(g, x, t, w, ignore_index, reduction, label_smoothing));
                  return subtract(c, multiply(exp(log_probs), sum(c, class_axis, /*keepdims=*/true)));
                });
}

Tensor nll_loss(const Tensor& input, const Tensor& target, const Tensor& weight, std::int64_t ignore_index,
                Reduction reduction) {
  if (!should_record_optional(input, weight)) return kernels::nll_loss(input, target, weight, ignore_index, reduction);
  check_not_differentiated(entry<"nll_loss">, weight, "weight");
  return record(entry<"nll_loss">, {input},
                no_grad([&] { return kernels::nll_loss(input, target, weight, ignore_index, reduction); }),
                [input = SavedTensor(input), target = SavedTensor(target), weight = SavedTensor(weight), ignore_index,
                 reduction](const Tensor& g) {
                  return nll_derivative(g, input.get(), target.get(), saved_or_undefined(weight), ignore_index,
                                        reduction);
                });
}

}  // namespace ex
