#pragma once
// reduction kernels: pure compute, no tape. The public, documented ops are ex::sum
// etc. in extensor/autograd/ops/reduction.hpp; these are the forward kernels they call.

#include <cstdint>
#include <vector>

#include "extensor/core/tensor.hpp"

namespace ex::kernels {

Tensor sum(const Tensor& x);
Tensor sum(const Tensor& x, std::int64_t axis, bool keepdims = false);
Tensor sum(const Tensor& x, const std::vector<std::int64_t>& axes, bool keepdims = false);
Tensor mean(const Tensor& x);
Tensor mean(const Tensor& x, std::int64_t axis, bool keepdims = false);
Tensor mean(const Tensor& x, const std::vector<std::int64_t>& axes, bool keepdims = false);
Tensor max_reduce(const Tensor& x);
Tensor max_reduce(const Tensor& x, std::int64_t axis, bool keepdims = false);
Tensor max_reduce(const Tensor& x, const std::vector<std::int64_t>& axes, bool keepdims = false);
Tensor min_reduce(const Tensor& x);
Tensor min_reduce(const Tensor& x, std::int64_t axis, bool keepdims = false);
Tensor min_reduce(const Tensor& x, const std::vector<std::int64_t>& axes, bool keepdims = false);
Tensor argmax(const Tensor& x);
Tensor argmax(const Tensor& x, std::int64_t axis, bool keepdims = false);
Tensor argmin(const Tensor& x);
Tensor argmin(const Tensor& x, std::int64_t axis, bool keepdims = false);

}  // namespace ex::kernels

namespace ex {

// The gradient of a broadcast: sums grad over the dims that broadcasting added or
// stretched, so the result has `shape` (which must broadcast to grad.shape()). Leading
// extra dims of grad are summed away; dims where shape has 1 and grad more are summed
// with keepdims. Returns grad itself (no copy) when the shapes already match. Used by
// every backward kernel whose forward broadcasts. Integer grads accumulate like sum().
// Throws ex::Error "reduce_to_shape: ..." if shape does not broadcast to grad's shape.
Tensor reduce_to_shape(const Tensor& grad, const Shape& shape);

}  // namespace ex
