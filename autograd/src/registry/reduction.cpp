// Registry entries of the reductions. sum and mean save only the input's shape and the
// reduced axes; max_reduce and min_reduce save the input and their output, which pick
// the elements the gradient goes to.

#include "extensor/autograd/ops/reduction.hpp"

#include "autograd/src/record.hpp"

namespace ex {

using autograd::OpInfo;
using autograd::register_op;
using autograd::SavedTensor;
using namespace autograd::detail;

namespace {
using Axes = std::vector<std::int64_t>;

const OpInfo& kSum = register_op("sum", "input shape, axes");
const OpInfo& kMean = register_op("mean", "input shape, axes");
const OpInfo& kMaxReduce = register_op("max_reduce", "x, output, axes");
const OpInfo& kMinReduce = register_op("min_reduce", "x, output, axes");

// Each reduction has three forms (all elements; axis, keepdims; axes, keepdims): these
// forward the form's extra arguments (`axes...`) to the kernel and to its backward.
template <class Forward, class Backward, class... AxisArgs>
Tensor record_by_shape(const OpInfo& op, Forward forward, Backward backward, const Tensor& x, const AxisArgs&... axes) {
  if (!should_record(x)) return forward(x, axes...);
  return record(op, {x}, no_grad([&] { return forward(x, axes...); }),
                [backward, s = x.shape(), axes...](const Tensor& g) { return backward(g, s, axes...); });
}
template <class Forward, class Backward, class... AxisArgs>
Tensor record_extremum(const OpInfo& op, Forward forward, Backward backward, const Tensor& x, const AxisArgs&... axes) {
  if (!should_record(x)) return forward(x, axes...);
  Tensor y = no_grad([&] { return forward(x, axes...); });
  return record(op, {x}, y, [backward, x = SavedTensor(x), y = SavedTensor::output(y), axes...](const Tensor& g) {
    return backward(g, x.get(), y.get(), axes...);
  });
}

}  // namespace

// A generic lambda naming every overload of fn (an overloaded name is not one object).
#define EX_OVERLOADS(fn) [](const auto&... args) { return fn(args...); }
// The three public forms of a reduction (all elements; axis, keepdims; axes, keepdims),
// each recording through `recorder` with the kernel and backward kernel of its name.
#define EX_REDUCTION_FORMS(name, info, recorder)                                                          \
  Tensor name(const Tensor& x) {                                                                          \
    return recorder(info, EX_OVERLOADS(kernels::name), EX_OVERLOADS(name##_backward), x);                 \
  }                                                                                                       \
  Tensor name(const Tensor& x, std::int64_t axis, bool keepdims) {                                        \
    return recorder(info, EX_OVERLOADS(kernels::name), EX_OVERLOADS(name##_backward), x, axis, keepdims); \
  }                                                                                                       \
  Tensor name(const Tensor& x, const Axes& axes, bool keepdims) {                                         \
    return recorder(info, EX_OVERLOADS(kernels::name), EX_OVERLOADS(name##_backward), x, axes, keepdims); \
  }
EX_REDUCTION_FORMS(sum, kSum, record_by_shape)
EX_REDUCTION_FORMS(mean, kMean, record_by_shape)
EX_REDUCTION_FORMS(max_reduce, kMaxReduce, record_extremum)
EX_REDUCTION_FORMS(min_reduce, kMinReduce, record_extremum)
#undef EX_REDUCTION_FORMS
#undef EX_OVERLOADS

}  // namespace ex
