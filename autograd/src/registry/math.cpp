// Public elementwise math ops: forward kernels (autograd recording comes later).

#include "extensor/autograd/ops/math.hpp"

namespace ex {

Tensor exp(const Tensor& x) { return kernels::exp(x); }
Tensor log(const Tensor& x) { return kernels::log(x); }
Tensor log2(const Tensor& x) { return kernels::log2(x); }
Tensor log10(const Tensor& x) { return kernels::log10(x); }
Tensor sqrt(const Tensor& x) { return kernels::sqrt(x); }
Tensor sin(const Tensor& x) { return kernels::sin(x); }
Tensor cos(const Tensor& x) { return kernels::cos(x); }
Tensor abs(const Tensor& x) { return kernels::abs(x); }
Tensor sign(const Tensor& x) { return kernels::sign(x); }
Tensor ceil(const Tensor& x) { return kernels::ceil(x); }
Tensor floor(const Tensor& x) { return kernels::floor(x); }
Tensor round(const Tensor& x) { return kernels::round(x); }
Tensor trunc(const Tensor& x) { return kernels::trunc(x); }
Tensor clip(const Tensor& x, std::optional<Scalar> min, std::optional<Scalar> max) {
  return kernels::clip(x, min, max);
}

}  // namespace ex
