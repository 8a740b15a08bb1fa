#include "extensor/core/scalar.hpp"

#include <cmath>
#include <limits>

namespace ex {

std::int64_t Scalar::to_int64() const noexcept {
  if (kind_ != Kind::Floating) return i_;
  if (std::isnan(d_)) return 0;
  constexpr double kMax = 9223372036854775807.0;
  if (d_ >= kMax) return std::numeric_limits<std::int64_t>::max();
  if (d_ <= -kMax) return std::numeric_limits<std::int64_t>::min();
  return static_cast<std::int64_t>(d_);
}

DType result_type(DType tensor_dtype, const Scalar& scalar) noexcept {
  const int tensor_rank = tensor_dtype == DType::Bool ? 0 : is_floating(tensor_dtype) ? 2 : 1;
  const int scalar_rank = scalar.is_bool() ? 0 : scalar.is_floating() ? 2 : 1;
  if (scalar_rank <= tensor_rank) return tensor_dtype;
  return scalar_rank == 2 ? kDefaultFloat : DType::Int64;
}

}  // namespace ex
