#include "extensor/autograd/ops/matmul.hpp"

namespace ex {

Tensor matmul(const Tensor& a, const Tensor& b) { return kernels::matmul(a, b); }
Tensor dot(const Tensor& a, const Tensor& b) { return kernels::dot(a, b); }
Tensor outer(const Tensor& a, const Tensor& b) { return kernels::outer(a, b); }

}  // namespace ex
