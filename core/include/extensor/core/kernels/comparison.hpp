#pragma once
// comparison kernels: pure compute, no tape. The public ops in namespace ex
// (extensor/autograd/ops/comparison.hpp) document shapes, dtypes and errors; these
// kernels have the same contracts and error messages (which name the public op).

#include "extensor/core/scalar.hpp"
#include "extensor/core/tensor.hpp"

namespace ex::kernels {

Tensor equal(const Tensor& a, const Tensor& b);
Tensor equal(const Tensor& a, const Scalar& b);
Tensor equal(const Scalar& a, const Tensor& b);
Tensor not_equal(const Tensor& a, const Tensor& b);
Tensor not_equal(const Tensor& a, const Scalar& b);
Tensor not_equal(const Scalar& a, const Tensor& b);
Tensor less(const Tensor& a, const Tensor& b);
Tensor less(const Tensor& a, const Scalar& b);
Tensor less(const Scalar& a, const Tensor& b);
Tensor less_equal(const Tensor& a, const Tensor& b);
Tensor less_equal(const Tensor& a, const Scalar& b);
Tensor less_equal(const Scalar& a, const Tensor& b);
Tensor greater(const Tensor& a, const Tensor& b);
Tensor greater(const Tensor& a, const Scalar& b);
Tensor greater(const Scalar& a, const Tensor& b);
Tensor greater_equal(const Tensor& a, const Tensor& b);
Tensor greater_equal(const Tensor& a, const Scalar& b);
Tensor greater_equal(const Scalar& a, const Tensor& b);
Tensor logical_and(const Tensor& a, const Tensor& b);
Tensor logical_or(const Tensor& a, const Tensor& b);
Tensor logical_xor(const Tensor& a, const Tensor& b);
Tensor logical_not(const Tensor& a);

}  // namespace ex::kernels
