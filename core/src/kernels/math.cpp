// clip: the elementwise math op with bounds (the others are pointwise definitions,
// pointwise_ops.hpp). The library is compiled without math-errno and trapping math
// (CMakeLists.txt), so GCC vectorizes these selects.

#include <cmath>
#include <limits>
#include <type_traits>
#include <utility>

#include "common/check.hpp"
#include "core/src/kernels/elementwise.hpp"
#include "core/src/kernels/forward.hpp"
#include "core/src/strided_loop.hpp"
#include "extensor/core/creation.hpp"
#include "extensor/core/kernels/math.hpp"

namespace ex::kernels {
namespace {

template <class T>
inline constexpr bool is_float_v = std::is_floating_point_v<compute_t<T>>;

// A clip bound as T's compute type. Integer bounds outside an integer T's range are
// clamped into it, so the comparison means what it says.
template <class T>
compute_t<T> clip_bound(const Scalar& s) {
  if constexpr (is_float_v<T>) {
    return static_cast<compute_t<T>>(s.to_double());
  } else if constexpr (std::is_same_v<T, bool>) {
    return s.to_int64() != 0;
  } else {
    const std::int64_t v = s.to_int64();
    if (std::cmp_less(v, std::numeric_limits<T>::min())) return std::numeric_limits<T>::min();
    if (std::cmp_greater(v, std::numeric_limits<T>::max())) return std::numeric_limits<T>::max();
    return static_cast<T>(v);
  }
}

}  // namespace

Tensor clip(const Tensor& x, const std::optional<Scalar>& min, const std::optional<Scalar>& max) {
  detail::defined("clip", x);
  if (!min && !max)
    detail::fail("clip: at least one of min and max must be given (tensor of shape {}, dtype {})", x.shape(),
                 x.dtype());
  DType out_dtype = x.dtype();
  if (min) out_dtype = promote_types(out_dtype, result_type(x.dtype(), *min));
  if (max) out_dtype = promote_types(out_dtype, result_type(x.dtype(), *max));
  const Tensor in = detail::to_dtype(x, out_dtype, "clip");
  Tensor out = detail::allocate(x.shape(), out_dtype, "clip");
  dispatch(out_dtype, [&]<class T>() {
    using C = compute_t<T>;
    const bool has_lo = min.has_value(), has_hi = max.has_value();
    const C lo = has_lo ? clip_bound<T>(*min) : C(0);
    const C hi = has_hi ? clip_bound<T>(*max) : C(0);
    // Comparisons are false for NaN: a NaN input stays, a NaN bound is ignored.
    detail::map_unary<T, T>(in, out, [=](T v) {
      C c = static_cast<C>(v);
      c = (has_lo && c < lo) ? lo : c;
      c = (has_hi && c > hi) ? hi : c;
      return T(c);
    });
  });
  return out;
}

}  // namespace ex::kernels

namespace ex {

Tensor clip_backward(const Tensor& grad, const Tensor& x, const std::optional<Scalar>& min,
                     const std::optional<Scalar>& max) {
  const char* op = "clip_backward";
  detail::matches(op, grad, x, "x");
  detail::floating(op, x, "x");
  if (!min && !max)
    detail::fail("{}: at least one of min and max must be given (tensor of shape {}, dtype {})", op, x.shape(),
                 x.dtype());
  return dispatch(x.dtype(), [&]<class T>() {
    if constexpr (kernels::is_float_v<T>) {
      using C = compute_t<T>;
      // The bounds as clip compares them. A missing or NaN bound (clip ignores a NaN
      // bound) becomes an infinite one, so the test is two compares; a NaN x fails it.
      constexpr C inf = std::numeric_limits<C>::infinity();
      C lo = min ? kernels::clip_bound<T>(*min) : -inf, hi = max ? kernels::clip_bound<T>(*max) : inf;
      lo = lo == lo ? lo : -inf;
      hi = hi == hi ? hi : inf;
      return detail::binary_op(op, grad, x, x.dtype(), x.dtype(), [=](auto g, auto v) {
        using V = decltype(g);
        if constexpr (std::is_floating_point_v<V>)
          return (v >= V(lo)) & (v <= V(hi)) ? g : V(0);
        else
          return g;  // never instantiated for a call: T is floating here
      });
    } else {
      return Tensor();  // never reached: x was checked to be floating
    }
  });
}

}  // namespace ex
