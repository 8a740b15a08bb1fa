// Public argmax and argmin: integer results, never differentiable, so they never record.

#include "extensor/autograd/ops/reduction.hpp"

#include "core/src/kernels/forward.hpp"

namespace ex {

Tensor argmax(const Tensor& x) { return kernels::argmax(x); }
Tensor argmax(const Tensor& x, std::int64_t axis, bool keepdims) { return kernels::argmax(x, axis, keepdims); }
Tensor argmin(const Tensor& x) { return kernels::argmin(x); }
Tensor argmin(const Tensor& x, std::int64_t axis, bool keepdims) { return kernels::argmin(x, axis, keepdims); }

}  // namespace ex
