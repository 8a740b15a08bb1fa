#pragma once
// Private: the two conversion rules of the library (stated publicly in dtype.hpp).
// convert<To>(v) is how tensor elements change dtype (to(), copy_, promotion inside ops):
// it never fails. checked_scalar<To>(s) is how a number becomes a tensor element (full,
// fill_, constant_): it throws when the number does not fit, as PyTorch's checked
// conversion does.

#include <cmath>
#include <limits>
#include <type_traits>
#include <utility>

#include "common/check.hpp"
#include "extensor/core/dtype.hpp"
#include "extensor/core/scalar.hpp"

namespace ex::detail {

// A floating value as the integer type To: truncated toward zero, NaN gives 0, values
// beyond To's range (infinities included) give its nearest end. A plain static_cast of
// such values is undefined behaviour.
template <class To, class F>
inline To saturating_cast(F v) {
  // Both ends are exact as doubles: 0 or minus a power of two, and a power of two.
  constexpr double lo = static_cast<double>(std::numeric_limits<To>::lowest());
  constexpr double hi = static_cast<double>(std::numeric_limits<To>::max() / 2 + 1) * 2.0;
  const double d = static_cast<double>(v);
  if (!(d == d)) return To(0);
  if (d <= lo) return std::numeric_limits<To>::lowest();
  if (d >= hi) return std::numeric_limits<To>::max();
  return static_cast<To>(d);
}

// Converts a value between element types the way Tensor::to does: integers wrap modulo
// 2^bits, floating to integer saturates (saturating_cast), anything to bool is != 0,
// floating to a narrower floating type rounds to nearest (overflow gives infinity).
template <class To, class From>
inline To convert(From v) {
  using C = compute_t<From>;
  if constexpr (std::is_same_v<To, From>) {
    return v;
  } else if constexpr (std::is_same_v<To, bool>) {
    return static_cast<C>(v) != C(0);
  } else if constexpr (std::is_same_v<To, Half> || std::is_same_v<To, BFloat16>) {
    return To(static_cast<float>(static_cast<C>(v)));
  } else if constexpr (std::is_integral_v<To> && std::is_floating_point_v<C>) {
    return saturating_cast<To>(static_cast<C>(v));
  } else {
    return static_cast<To>(static_cast<C>(v));
  }
}

// Whether the double d is inside T's range (PyTorch's overflow test of its checked
// conversion): finite and within [lowest, max] for integers; within [lowest, max] or
// infinite or NaN for floating types; any value for bool.
template <class T>
inline bool fits(double d) {
  using C = compute_t<T>;  // float for the half types
  if constexpr (std::is_same_v<T, bool>) {
    return true;
  } else if constexpr (std::is_integral_v<T>) {
    constexpr double lo = static_cast<double>(std::numeric_limits<T>::lowest());
    constexpr double hi = static_cast<double>(std::numeric_limits<T>::max() / 2 + 1) * 2.0;  // max + 1, exact
    return d >= lo && d < hi &&
           (std::numeric_limits<T>::digits > 53 || d <= static_cast<double>(std::numeric_limits<T>::max()));
  } else {
    // The largest finite value of each floating type (the half types have no numeric_limits).
    constexpr double max = std::is_same_v<T, Half>       ? 65504.0
                           : std::is_same_v<T, BFloat16> ? 0x1.fep127
                                                         : static_cast<double>(std::numeric_limits<C>::max());
    return !std::isfinite(d) || (d >= -max && d <= max);
  }
}

// A number as an element of dtype (T its C++ type), or ex::Error "fn: value V cannot be
// converted to DTYPE without overflow" when it does not fit (see fits). Floating values
// truncate toward zero into integer types (2.5 gives 2).
template <class T>
inline T checked_scalar(const Scalar& s, DType dtype, const char* fn) {
  if constexpr (std::is_integral_v<T> && !std::is_same_v<T, bool>) {
    if (!s.is_floating()) {
      const std::int64_t v = s.to_int64();
      if (!std::in_range<T>(v)) fail("{}: value {} cannot be converted to {} without overflow", fn, v, dtype);
      return static_cast<T>(v);
    }
  }
  const double d = s.to_double();
  if (!fits<T>(d)) fail("{}: value {} cannot be converted to {} without overflow", fn, d, dtype);
  if constexpr (std::is_same_v<T, bool>)
    return s.is_floating() ? d != 0.0 : s.to_int64() != 0;
  else
    return convert<T>(d);
}

}  // namespace ex::detail
