#pragma once
// math kernels: pure compute, no tape. The public, documented ops are ex::exp etc. in
// extensor/autograd/ops/math.hpp; these are the forward kernels they call.

#include <optional>

#include "extensor/core/scalar.hpp"
#include "extensor/core/tensor.hpp"

namespace ex::kernels {

Tensor exp(const Tensor& x);
Tensor log(const Tensor& x);
Tensor log2(const Tensor& x);
Tensor log10(const Tensor& x);
Tensor sqrt(const Tensor& x);
Tensor sin(const Tensor& x);
Tensor cos(const Tensor& x);
Tensor abs(const Tensor& x);
Tensor sign(const Tensor& x);
Tensor ceil(const Tensor& x);
Tensor floor(const Tensor& x);
Tensor round(const Tensor& x);
Tensor trunc(const Tensor& x);
Tensor clip(const Tensor& x, const std::optional<Scalar>& min, const std::optional<Scalar>& max);

}  // namespace ex::kernels
