// Public comparison and logical ops: forward to ex::kernels.

#include "extensor/autograd/ops/comparison.hpp"

#include "autograd/src/ops/forwarding.hpp"

namespace ex {

EX_FORWARD_BINARY(equal, kernels::equal)
EX_FORWARD_BINARY(not_equal, kernels::not_equal)
EX_FORWARD_BINARY(less, kernels::less)
EX_FORWARD_BINARY(less_equal, kernels::less_equal)
EX_FORWARD_BINARY(greater, kernels::greater)
EX_FORWARD_BINARY(greater_equal, kernels::greater_equal)
EX_FORWARD_BINARY(operator==, equal)
EX_FORWARD_BINARY(operator!=, not_equal)
EX_FORWARD_BINARY(operator<, less)
EX_FORWARD_BINARY(operator<=, less_equal)
EX_FORWARD_BINARY(operator>, greater)
EX_FORWARD_BINARY(operator>=, greater_equal)
#undef EX_FORWARD_BINARY

Tensor logical_and(const Tensor& a, const Tensor& b) { return kernels::logical_and(a, b); }
Tensor logical_or(const Tensor& a, const Tensor& b) { return kernels::logical_or(a, b); }
Tensor logical_xor(const Tensor& a, const Tensor& b) { return kernels::logical_xor(a, b); }
Tensor logical_not(const Tensor& a) { return kernels::logical_not(a); }

}  // namespace ex
