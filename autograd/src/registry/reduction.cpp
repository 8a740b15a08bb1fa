// Public reductions: forward kernels (autograd recording comes later).

#include "extensor/autograd/ops/reduction.hpp"

namespace ex {

using Axes = std::vector<std::int64_t>;

Tensor sum(const Tensor& x) { return kernels::sum(x); }
Tensor sum(const Tensor& x, std::int64_t axis, bool keepdims) { return kernels::sum(x, axis, keepdims); }
Tensor sum(const Tensor& x, const Axes& axes, bool keepdims) { return kernels::sum(x, axes, keepdims); }
Tensor mean(const Tensor& x) { return kernels::mean(x); }
Tensor mean(const Tensor& x, std::int64_t axis, bool keepdims) { return kernels::mean(x, axis, keepdims); }
Tensor mean(const Tensor& x, const Axes& axes, bool keepdims) { return kernels::mean(x, axes, keepdims); }
Tensor max_reduce(const Tensor& x) { return kernels::max_reduce(x); }
Tensor max_reduce(const Tensor& x, std::int64_t axis, bool keepdims) { return kernels::max_reduce(x, axis, keepdims); }
Tensor max_reduce(const Tensor& x, const Axes& axes, bool keepdims) { return kernels::max_reduce(x, axes, keepdims); }
Tensor min_reduce(const Tensor& x) { return kernels::min_reduce(x); }
Tensor min_reduce(const Tensor& x, std::int64_t axis, bool keepdims) { return kernels::min_reduce(x, axis, keepdims); }
Tensor min_reduce(const Tensor& x, const Axes& axes, bool keepdims) { return kernels::min_reduce(x, axes, keepdims); }
Tensor argmax(const Tensor& x) { return kernels::argmax(x); }
Tensor argmax(const Tensor& x, std::int64_t axis, bool keepdims) { return kernels::argmax(x, axis, keepdims); }
Tensor argmin(const Tensor& x) { return kernels::argmin(x); }
Tensor argmin(const Tensor& x, std::int64_t axis, bool keepdims) { return kernels::argmin(x, axis, keepdims); }

}  // namespace ex
