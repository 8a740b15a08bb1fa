// Registry entries of the activation family. relu, leaky_relu, sigmoid, tanh and gelu are
// pointwise definitions (core/src/kernels/pointwise_ops.hpp); softmax and log_softmax
// differentiate from their output, prelu from its input and alpha.

#include "extensor/autograd/ops/activation.hpp"

#include <cmath>
#include <numbers>
#include <string>

#include "autograd/src/registry/pointwise.hpp"
#include "extensor/autograd/ops/comparison.hpp"
#include "extensor/autograd/ops/math.hpp"
#include "extensor/autograd/ops/reduction.hpp"
#include "extensor/autograd/ops/shape.hpp"

namespace ex {

using pointwise::GeluErf;
using pointwise::GeluTanh;
using pointwise::LeakyRelu;
using pointwise::Relu;
using pointwise::Sigmoid;
using pointwise::Tanh;

Tensor relu(const Tensor& x) { return record_pointwise<Relu>(x); }
Tensor leaky_relu(const Tensor& x, double negative_slope) {
  return record_pointwise_with<LeakyRelu>(x, negative_slope);
}
Tensor sigmoid(const Tensor& x) {
  return record_pointwise<Sigmoid>(
      x, [](const Tensor& g, const Tensor& y) { return multiply(g, multiply(y, subtract(1.0, y))); });
}
Tensor tanh(const Tensor& x) {
  return record_pointwise<Tanh>(
      x, [](const Tensor& g, const Tensor& y) { return multiply(g, subtract(1.0, multiply(y, y))); });
}

namespace {
// gelu''(x) in recording ops. "none": phi(x) (2 - x^2), phi the normal density. "tanh":
// with T = tanh(u), u = k (x + c x^3): (1 - T^2) (u' + x (u'' - 2 T u'^2) / 2).
Tensor gelu_second_derivative(const Tensor& x, const std::string& approximate) {
  const Tensor x2 = multiply(x, x);
  if (approximate == "none") {
    const Tensor phi = multiply(exp(multiply(x2, -0.5)), 1.0 / std::sqrt(2.0 * std::numbers::pi));
    return multiply(phi, subtract(2.0, x2));
  }
  const double k = std::sqrt(2.0 / std::numbers::pi), c = 0.044715;
  const Tensor t = tanh(multiply(add(x, multiply(multiply(x2, x), c)), k));
  const Tensor du = multiply(add(multiply(x2, 3 * c), 1.0), k);
  const Tensor ddu = multiply(x, 6 * c * k);
  const Tensor inner = add(du, multiply(multiply(x, subtract(ddu, multiply(multiply(t, multiply(du, du)), 2.0))), 0.5));
  return multiply(subtract(1.0, multiply(t, t)), inner);
}

// gelu's backward under create_graph: the fused raw kernel, recorded as the node
// "gelu_backward" whose derivatives are gelu_backward again (in grad) and
// grad * gelu''(x) (in x).
Tensor gelu_derivative(const Tensor& g, const Tensor& x, const std::string& approximate) {
  Tensor out = no_grad([&] { return gelu_backward(g, x, approximate); });
  if (!should_record(g, x)) return out;
  return record(backward_op_of(pointwise_entry<GeluErf>()), {g, x}, std::move(out),
                [g = SavedTensor(g), x = SavedTensor(x), approximate](const Tensor& u, const NeedsGrad& needs) {
                  Tensor dg = needs[0] ? gelu_derivative(u, x.get(), approximate) : Tensor();
                  Tensor dx = needs[1] ? multiply(multiply(u, g.get()), gelu_second_derivative(x.get(), approximate))
                                       : Tensor();
                  return std::pair{std::move(dg), std::move(dx)};
                });
}
}  // namespace

Tensor gelu(const Tensor& x, std::string_view approximate) {
  const bool tanh_form = pointwise::gelu_is_tanh("gelu", approximate);
  const auto formula = [tanh_form](const Tensor& g, const Tensor& t) {
    return gelu_derivative(g, t, tanh_form ? "tanh" : "none");
  };
  return tanh_form ? record_pointwise<GeluTanh>(x, formula) : record_pointwise<GeluErf>(x, formula);
}
namespace {
// softmax and log_softmax along axis: forward and backward are the raw kernels, formula
// the same derivative in recording ops. Both differentiate from their output; a rank-0
// input has one element, whose softmax (1) and log_softmax (0) are constants.
template <class Forward, class Backward, class Formula>
Tensor record_softmax(const OpInfo& op, const Tensor& x, std::int64_t axis, Forward forward, Backward backward,
                      Formula formula) {
  return record_unary<Save::Output>(
      op, x, [&](const Tensor& t) { return forward(t, axis); },
      [axis, backward](const Tensor& g, const Tensor& y) { return backward(g, y, axis); },
      [axis, formula](const Tensor& g, const Tensor& y) {
        return y.dim() == 0 ? multiply(g, 0.0) : formula(g, y, axis);
      });
}
}  // namespace

Tensor softmax(const Tensor& x, std::int64_t axis) {
  return record_softmax(entry<"softmax">, x, axis, kernels::softmax, softmax_backward,
                        [](const Tensor& g, const Tensor& y, std::int64_t ax) {
                          return multiply(y, subtract(g, sum(multiply(g, y), ax, /*keepdims=*/true)));
                        });
}
Tensor log_softmax(const Tensor& x, std::int64_t axis) {
  return record_softmax(entry<"log_softmax">, x, axis, kernels::log_softmax, log_softmax_backward,
                        [](const Tensor& g, const Tensor& y, std::int64_t ax) {
                          return subtract(g, multiply(exp(y), sum(g, ax, /*keepdims=*/true)));
                        });
}

namespace {
// prelu's gradients in recording ops (create_graph): with the constant masks x > 0 and
// x <= 0, grad_x = g (pos + neg alpha) and grad_alpha sums g x neg over all but the
// channel axis (1).
std::pair<Tensor, Tensor> prelu_derivative(const Tensor& g, const Tensor& x, const Tensor& alpha, OutputMask mask) {
  const Tensor pos = greater(x, 0.0).to(x.dtype());
  const Tensor neg_side = subtract(1.0, pos);
  const bool shared = alpha.numel() == 1;
  Shape channel_shape(static_cast<std::size_t>(x.dim()), 1);
  if (!shared) channel_shape[1] = alpha.numel();
  const Tensor slope = reshape(alpha, shared ? Shape{} : channel_shape);
  Tensor gx, galpha;
  if (mask[0]) gx = multiply(g, add(pos, multiply(neg_side, slope)));
  if (mask[1]) {
    const Tensor terms = multiply(multiply(g, x), neg_side);
    if (shared || x.dim() < 2) {
      galpha = reshape(sum(terms), alpha.shape());
    } else {
      std::vector<std::int64_t> axes;
      for (std::int64_t d = 0; d < x.dim(); ++d)
        if (d != 1) axes.push_back(d);
      galpha = reshape(sum(terms, axes), alpha.shape());
    }
  }
  return {std::move(gx), std::move(galpha)};
}
}  // namespace

Tensor prelu(const Tensor& x, const Tensor& alpha) {
  if (!should_record(x, alpha)) return kernels::prelu(x, alpha);
  return record(entry<"prelu">, {x, alpha}, no_grad([&] { return kernels::prelu(x, alpha); }),
                [x = SavedTensor(x), alpha = SavedTensor(alpha)](const Tensor& g, const NeedsGrad& needs) {
                  if (GradMode::is_enabled()) return prelu_derivative(g, x.get(), alpha.get(), needs.mask());
                  return prelu_backward(g, x.get(), alpha.get(), needs.mask());
                });
}

}  // namespace ex
