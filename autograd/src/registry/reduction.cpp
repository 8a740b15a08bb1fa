// Registry entries of the reductions. sum and mean save only the input's shape and the
// reduced axes; max_reduce and min_reduce save the input and their output, which pick
// the elements the gradient goes to.

#include "extensor/autograd/ops/reduction.hpp"

#include "autograd/src/registry/entry.hpp"
#include "extensor/core/creation.hpp"

namespace ex {

namespace {
// sum and mean are linear: under create_graph the derivative of their backward is the
// op itself (recording).
template <class Forward, class Backward, class Recording>
Tensor record_linear(const OpInfo& op, Forward forward, Backward backward, Recording recording, const Tensor& x,
                     const Axes& axes, bool keepdims) {
  if (!should_record(x)) return forward(x, axes, keepdims);
  return record(op, {x}, no_grad([&] { return forward(x, axes, keepdims); }),
                [&op, backward, recording, s = x.shape(), axes, keepdims](const Tensor& g) {
                  return linear_backward(
                      op, g, [&] { return backward(g, s, axes, keepdims); },
                      [recording, axes, keepdims](const TensorList& up) { return recording(up[0], axes, keepdims); });
                });
}
}  // namespace

Tensor sum(const Tensor& x, const Axes& axes, bool keepdims) {
  return record_linear(entry<"sum">, kernels::sum, sum_backward, sum, x, axes, keepdims);
}
Tensor mean(const Tensor& x, const Axes& axes, bool keepdims) {
  return record_linear(entry<"mean">, kernels::mean, mean_backward, mean, x, axes, keepdims);
}

namespace {
// max and min hand grad to the extreme elements (shared among ties): linear in grad with
// a weight that is constant where it exists, so the derivative of their backward is
// the sum of the upstream gradient times that weight, over the same axes.
template <class Forward, class Backward>
Tensor record_extremum(const OpInfo& op, Forward forward, Backward backward, const Tensor& x, const Axes& axes,
                       bool keepdims) {
  if (!should_record(x)) return forward(x, axes, keepdims);
  Tensor y = no_grad([&] { return forward(x, axes, keepdims); });
  return record(op, {x}, y,
                [&op, backward, x = SavedTensor(x), y = SavedTensor::output(y), axes, keepdims](const Tensor& g) {
                  return linear_backward(
                      op, g, [&] { return backward(g, x.get(), y.get(), axes, keepdims); },
                      [weight = no_grad([&] { return backward(ones_like(g), x.get(), y.get(), axes, keepdims); }), axes,
                       keepdims](const TensorList& up) { return sum(multiply(up[0], weight), axes, keepdims); });
                });
}
}  // namespace

Tensor max_reduce(const Tensor& x, const Axes& axes, bool keepdims) {
  return record_extremum(entry<"max_reduce">, kernels::max_reduce, max_reduce_backward, x, axes, keepdims);
}
Tensor min_reduce(const Tensor& x, const Axes& axes, bool keepdims) {
  return record_extremum(entry<"min_reduce">, kernels::min_reduce, min_reduce_backward, x, axes, keepdims);
}

}  // namespace ex
