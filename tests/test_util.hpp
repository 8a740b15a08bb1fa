#pragma once
// Helpers shared by the doctest suites.

#include <doctest/doctest.h>

#include <cmath>
#include <extensor/extensor.hpp>
#include <string>
#include <vector>

namespace ex::test {

// Checks shape and every value of t (converted to float64) against expected within
// atol + rtol * |expected|. NaN matches NaN; infinities must match exactly.
inline void check_values(const Tensor& t, const Shape& shape, const std::vector<double>& expected, double atol = 1e-6,
                         double rtol = 1e-6) {
  REQUIRE(t.shape() == shape);
  const std::vector<double> got = t.to_vector<double>();
  REQUIRE(got.size() == expected.size());
  for (std::size_t i = 0; i < got.size(); ++i) {
    const double g = got[i], e = expected[i];
    INFO("element " << i << ": got " << g << ", expected " << e);
    if (std::isnan(e)) {
      CHECK(std::isnan(g));
    } else if (std::isinf(e)) {
      CHECK(g == e);
    } else {
      CHECK(std::fabs(g - e) <= atol + rtol * std::fabs(e));
    }
  }
}

// A non-contiguous view holding the same values as t. Rank >= 2: transposed storage
// viewed back through a transpose. Rank 1: every other element of a buffer twice as
// long (stride 2). Rank 0 has no non-contiguous form and is returned as is.
inline Tensor noncontiguous(const Tensor& t) {
  if (t.dim() == 0) return t;
  if (t.dim() == 1) {
    Tensor strided = zeros({t.numel(), 2}, t.dtype()).slice(1, 0, 1).squeeze(1);
    detail::copy_convert(t, strided);
    return strided;
  }
  return t.transpose(-1, -2).contiguous().transpose(-1, -2);
}

// The message of the ex::Error that f throws, or "" when f returns.
template <class F>
std::string error_of(F&& f) {
  try {
    f();
  } catch (const ex::Error& e) {
    return e.what();
  }
  return "";
}

// A tolerance per dtype, for results rounded to the dtype (the half types computed in
// float32): tol(dtype) picks the entry; other dtypes (integers, exact) get `other`.
struct DTypeTolerance {
  double float64, float32, float16, bfloat16, other = 0;
  double operator()(DType dtype) const {
    switch (dtype) {
      case DType::Float64:
        return float64;
      case DType::Float32:
        return float32;
      case DType::Float16:
        return float16;
      case DType::BFloat16:
        return bfloat16;
      default:
        return other;
    }
  }
};

}  // namespace ex::test

// The names nearly every suite uses, declared once for all of them.
using ex::DType;
using ex::Scalar;
using ex::Shape;
using ex::Tensor;
using ex::test::check_values;
using ex::test::noncontiguous;
