// Registry entries of the reductions. sum and mean save only the input's shape and the
// reduced axes; max_reduce and min_reduce save the input and their output, which pick
// the elements the gradient goes to.

#include "extensor/autograd/ops/reduction.hpp"

#include "autograd/src/registry/entry.hpp"
#include "extensor/core/creation.hpp"

namespace ex {

namespace {
using Axes = std::vector<std::int64_t>;

// Each reduction has three forms (all elements; axis, keepdims; axes, keepdims): these
// forward the form's extra arguments (`axes...`) to the kernel and to its backward.
// sum and mean are linear: under create_graph their backward records with the op
// itself (`recording`) as derivative.
template <class Forward, class Backward, class Recording, class... AxisArgs>
Tensor record_by_shape(const OpInfo& op, Forward forward, Backward backward, Recording recording, const Tensor& x,
                       const AxisArgs&... axes) {
  if (!should_record(x)) return forward(x, axes...);
  return record(op, {x}, no_grad([&] { return forward(x, axes...); }),
                [&op, backward, recording, s = x.shape(), axes...](const Tensor& g) {
                  return linear_backward(
                      op, g, [&] { return backward(g, s, axes...); },
                      [recording, axes...](const TensorList& up) { return recording(up[0], axes...); });
                });
}
// max and min hand grad to the extreme elements (shared among ties): linear in grad with
// a weight that is constant where it exists, so the derivative of their backward is
// the sum of the upstream gradient times that weight, over the same axes.
template <class Forward, class Backward, class Recording, class... AxisArgs>
Tensor record_extremum(const OpInfo& op, Forward forward, Backward backward, Recording, const Tensor& x,
                       const AxisArgs&... axes) {
  if (!should_record(x)) return forward(x, axes...);
  Tensor y = no_grad([&] { return forward(x, axes...); });
  return record(op, {x}, y, [&op, backward, x = SavedTensor(x), y = SavedTensor::output(y), axes...](const Tensor& g) {
    return linear_backward(
        op, g, [&] { return backward(g, x.get(), y.get(), axes...); },
        [weight = no_grad([&] { return backward(ones_like(g), x.get(), y.get(), axes...); }),
         axes...](const TensorList& up) { return sum(multiply(up[0], weight), axes...); });
  });
}

}  // namespace

// A generic lambda naming every overload of fn (an overloaded name is not one object).
#define EX_OVERLOADS(fn) [](const auto&... args) { return fn(args...); }
// The three public forms of a reduction (all elements; axis, keepdims; axes, keepdims),
// each recording through `recorder` with the kernel and backward kernel of its name.
#define EX_REDUCTION_FORMS(name, info, recorder)                                                                   \
  Tensor name(const Tensor& x) {                                                                                   \
    return recorder(info, EX_OVERLOADS(kernels::name), EX_OVERLOADS(name##_backward), EX_OVERLOADS(name), x);      \
  }                                                                                                                \
  Tensor name(const Tensor& x, std::int64_t axis, bool keepdims) {                                                 \
    return recorder(info, EX_OVERLOADS(kernels::name), EX_OVERLOADS(name##_backward), EX_OVERLOADS(name), x, axis, \
                    keepdims);                                                                                     \
  }                                                                                                                \
  Tensor name(const Tensor& x, const Axes& axes, bool keepdims) {                                                  \
    return recorder(info, EX_OVERLOADS(kernels::name), EX_OVERLOADS(name##_backward), EX_OVERLOADS(name), x, axes, \
                    keepdims);                                                                                     \
  }
EX_REDUCTION_FORMS(sum, entry<"sum">, record_by_shape)
EX_REDUCTION_FORMS(mean, entry<"mean">, record_by_shape)
EX_REDUCTION_FORMS(max_reduce, entry<"max_reduce">, record_extremum)
EX_REDUCTION_FORMS(min_reduce, entry<"min_reduce">, record_extremum)
#undef EX_REDUCTION_FORMS
#undef EX_OVERLOADS

}  // namespace ex
