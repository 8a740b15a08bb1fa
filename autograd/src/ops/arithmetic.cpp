// Public arithmetic ops: forward to ex::kernels (autograd recording comes later).

#include "extensor/autograd/ops/arithmetic.hpp"

#include "autograd/src/ops/forwarding.hpp"

namespace ex {

EX_FORWARD_BINARY(add, kernels::add)
EX_FORWARD_BINARY(subtract, kernels::subtract)
EX_FORWARD_BINARY(multiply, kernels::multiply)
EX_FORWARD_BINARY(divide, kernels::divide)
EX_FORWARD_BINARY(floor_divide, kernels::floor_divide)
EX_FORWARD_BINARY(modulo, kernels::modulo)
EX_FORWARD_BINARY(operator+, add)
EX_FORWARD_BINARY(operator-, subtract)
EX_FORWARD_BINARY(operator*, multiply)
EX_FORWARD_BINARY(operator/, divide)
#undef EX_FORWARD_BINARY

Tensor power(const Tensor& base, const Tensor& exponent) { return kernels::power(base, exponent); }
Tensor power(const Tensor& base, const Scalar& exponent) { return kernels::power(base, exponent); }
Tensor power(const Scalar& base, const Tensor& exponent) { return kernels::power(base, exponent); }
Tensor neg(const Tensor& a) { return kernels::neg(a); }
Tensor operator-(const Tensor& a) { return neg(a); }

Tensor add_(const Tensor& self, const Tensor& other) { return kernels::add_(self, other); }
Tensor add_(const Tensor& self, const Scalar& other) { return kernels::add_(self, other); }
Tensor sub_(const Tensor& self, const Tensor& other) { return kernels::sub_(self, other); }
Tensor sub_(const Tensor& self, const Scalar& other) { return kernels::sub_(self, other); }
Tensor mul_(const Tensor& self, const Tensor& other) { return kernels::mul_(self, other); }
Tensor mul_(const Tensor& self, const Scalar& other) { return kernels::mul_(self, other); }
Tensor div_(const Tensor& self, const Tensor& other) { return kernels::div_(self, other); }
Tensor div_(const Tensor& self, const Scalar& other) { return kernels::div_(self, other); }
Tensor zero_(const Tensor& self) { return kernels::zero_(self); }
Tensor fill_(const Tensor& self, const Scalar& value) { return kernels::fill_(self, value); }
Tensor copy_(const Tensor& dst, const Tensor& src) { return kernels::copy_(dst, src); }
Tensor clamp_(const Tensor& self, const std::optional<Scalar>& min, const std::optional<Scalar>& max) {
  return kernels::clamp_(self, min, max);
}

}  // namespace ex
