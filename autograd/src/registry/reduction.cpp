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

constexpr auto kSumForward = [](const auto&... args) { return kernels::sum(args...); };
constexpr auto kSumBackward = [](const auto&... args) { return sum_backward(args...); };
constexpr auto kMeanForward = [](const auto&... args) { return kernels::mean(args...); };
constexpr auto kMeanBackward = [](const auto&... args) { return mean_backward(args...); };
constexpr auto kMaxForward = [](const auto&... args) { return kernels::max_reduce(args...); };
constexpr auto kMaxBackward = [](const auto&... args) { return max_reduce_backward(args...); };
constexpr auto kMinForward = [](const auto&... args) { return kernels::min_reduce(args...); };
constexpr auto kMinBackward = [](const auto&... args) { return min_reduce_backward(args...); };
}  // namespace

Tensor sum(const Tensor& x) { return record_by_shape(kSum, kSumForward, kSumBackward, x); }
Tensor sum(const Tensor& x, std::int64_t axis, bool keepdims) {
  return record_by_shape(kSum, kSumForward, kSumBackward, x, axis, keepdims);
}
Tensor sum(const Tensor& x, const Axes& axes, bool keepdims) {
  return record_by_shape(kSum, kSumForward, kSumBackward, x, axes, keepdims);
}
Tensor mean(const Tensor& x) { return record_by_shape(kMean, kMeanForward, kMeanBackward, x); }
Tensor mean(const Tensor& x, std::int64_t axis, bool keepdims) {
  return record_by_shape(kMean, kMeanForward, kMeanBackward, x, axis, keepdims);
}
Tensor mean(const Tensor& x, const Axes& axes, bool keepdims) {
  return record_by_shape(kMean, kMeanForward, kMeanBackward, x, axes, keepdims);
}
Tensor max_reduce(const Tensor& x) { return record_extremum(kMaxReduce, kMaxForward, kMaxBackward, x); }
Tensor max_reduce(const Tensor& x, std::int64_t axis, bool keepdims) {
  return record_extremum(kMaxReduce, kMaxForward, kMaxBackward, x, axis, keepdims);
}
Tensor max_reduce(const Tensor& x, const Axes& axes, bool keepdims) {
  return record_extremum(kMaxReduce, kMaxForward, kMaxBackward, x, axes, keepdims);
}
Tensor min_reduce(const Tensor& x) { return record_extremum(kMinReduce, kMinForward, kMinBackward, x); }
Tensor min_reduce(const Tensor& x, std::int64_t axis, bool keepdims) {
  return record_extremum(kMinReduce, kMinForward, kMinBackward, x, axis, keepdims);
}
Tensor min_reduce(const Tensor& x, const Axes& axes, bool keepdims) {
  return record_extremum(kMinReduce, kMinForward, kMinBackward, x, axes, keepdims);
}

}  // namespace ex
