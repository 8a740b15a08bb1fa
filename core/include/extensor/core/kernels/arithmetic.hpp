#pragma once
// arithmetic kernels: pure compute, no tape. The public ops in namespace ex
// (extensor/autograd/ops/arithmetic.hpp) document shapes, dtypes and errors; these
// kernels have the same contracts and error messages (which name the public op).

#include <optional>

#include "extensor/core/scalar.hpp"
#include "extensor/core/tensor.hpp"

namespace ex {

// The dtype of an elementwise op on tensors a and b, following PyTorch 1.13: when both
// have rank > 0, or both have rank 0, promote_types(a, b). A rank-0 tensor combined
// with a higher-rank one only counts by category (bool < integer < floating): it
// decides the result only when its category is higher, and then it contributes its
// own dtype (int32 tensor + rank-0 float64 -> float64, float32 tensor + rank-0 float64
// -> float32, int8 tensor + rank-0 int64 -> int8, bool tensor + rank-0 int32 -> int32).
// Never throws.
DType result_type(const Tensor& a, const Tensor& b);
// The same as result_type(tensor.dtype(), scalar).
DType result_type(const Tensor& tensor, const Scalar& scalar);
// PyTorch's can_cast for in-place results: false from floating to integer or bool,
// and from any non-bool dtype to bool; true otherwise.
bool can_cast(DType from, DType to) noexcept;

namespace kernels {

Tensor add(const Tensor& a, const Tensor& b);
Tensor add(const Tensor& a, const Scalar& b);
Tensor add(const Scalar& a, const Tensor& b);
Tensor subtract(const Tensor& a, const Tensor& b);
Tensor subtract(const Tensor& a, const Scalar& b);
Tensor subtract(const Scalar& a, const Tensor& b);
Tensor multiply(const Tensor& a, const Tensor& b);
Tensor multiply(const Tensor& a, const Scalar& b);
Tensor multiply(const Scalar& a, const Tensor& b);
Tensor divide(const Tensor& a, const Tensor& b);
Tensor divide(const Tensor& a, const Scalar& b);
Tensor divide(const Scalar& a, const Tensor& b);
Tensor floor_divide(const Tensor& a, const Tensor& b);
Tensor floor_divide(const Tensor& a, const Scalar& b);
Tensor floor_divide(const Scalar& a, const Tensor& b);
Tensor modulo(const Tensor& a, const Tensor& b);
Tensor modulo(const Tensor& a, const Scalar& b);
Tensor modulo(const Scalar& a, const Tensor& b);
Tensor power(const Tensor& base, const Tensor& exponent);
Tensor power(const Tensor& base, const Scalar& exponent);
Tensor power(const Scalar& base, const Tensor& exponent);
Tensor neg(const Tensor& a);

Tensor add_(const Tensor& self, const Tensor& other);
Tensor add_(const Tensor& self, const Scalar& other);
Tensor sub_(const Tensor& self, const Tensor& other);
Tensor sub_(const Tensor& self, const Scalar& other);
Tensor mul_(const Tensor& self, const Tensor& other);
Tensor mul_(const Tensor& self, const Scalar& other);
Tensor div_(const Tensor& self, const Tensor& other);
Tensor div_(const Tensor& self, const Scalar& other);
Tensor zero_(const Tensor& self);
Tensor fill_(const Tensor& self, const Scalar& value);
Tensor copy_(const Tensor& dst, const Tensor& src);
Tensor clamp_(const Tensor& self, const std::optional<Scalar>& min, const std::optional<Scalar>& max);

}  // namespace kernels
}  // namespace ex
