// Elementwise math kernels. The library is compiled without math-errno and trapping
// math (CMakeLists.txt), so GCC vectorizes std::sqrt/floor/ceil/nearbyint and the
// selects in the exp/log polynomials.

#include "extensor/core/kernels/math.hpp"

#include <cmath>
#include <limits>
#include <numbers>
#include <type_traits>
#include <utility>

#include "common/check.hpp"
#include "core/src/kernels/elementwise.hpp"
#include "core/src/kernels/math_vec.hpp"
#include "core/src/strided_loop.hpp"
#include "extensor/core/creation.hpp"

namespace ex::kernels {
namespace {

template <class T>
inline constexpr bool is_float_v = std::is_floating_point_v<compute_t<T>>;

// Applies fn (called with float or double) elementwise. Floating inputs keep their
// dtype; bool and integers are read as float32 and give float32.
template <class F>
Tensor floating_unary(const char* name, const Tensor& x, F fn) {
  const DType out_dtype = is_floating(detail::defined(name, x).dtype()) ? x.dtype() : kDefaultFloat;
  Tensor out = detail::allocate(x.shape(), out_dtype, name);
  dispatch(x.dtype(), [&]<class T>() {
    if constexpr (is_float_v<T>) {
      detail::map_unary<T, T>(x, out, [&](T v) { return T(fn(static_cast<compute_t<T>>(v))); });
    } else {
      detail::map_unary<float, T>(x, out, [&](T v) { return fn(static_cast<float>(v)); });
    }
  });
  return out;
}

// Applies fn (called with compute_t<T>) to floating inputs keeping the dtype; integer
// and bool inputs are copied unchanged (rounding an integer is the identity).
template <class F>
Tensor rounding_unary(const char* name, const Tensor& x, F fn) {
  detail::defined(name, x);
  Tensor out = detail::allocate(x.shape(), x.dtype(), name);
  dispatch(x.dtype(), [&]<class T>() {
    if constexpr (is_float_v<T>) {
      detail::map_unary<T, T>(x, out, [&](T v) { return T(fn(static_cast<compute_t<T>>(v))); });
    } else {
      detail::map_unary<T, T>(x, out, [](T v) { return v; });
    }
  });
  return out;
}

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

Tensor exp(const Tensor& x) {
  return floating_unary(
      "exp", x,
      detail::split_precision([](float v) { return detail::exp_f32(v); }, [](double v) { return std::exp(v); }));
}

Tensor log(const Tensor& x) {
  return floating_unary(
      "log", x,
      detail::split_precision([](float v) { return detail::log_f32(v); }, [](double v) { return std::log(v); }));
}

Tensor log2(const Tensor& x) {
  return floating_unary(
      "log2", x,
      detail::split_precision([](float v) { return detail::log2_f32(v); }, [](double v) { return std::log2(v); }));
}

Tensor log10(const Tensor& x) {
  return floating_unary(
      "log10", x,
      detail::split_precision([](float v) { return detail::log10_f32(v); }, [](double v) { return std::log10(v); }));
}

Tensor log1p(const Tensor& x) {
  return floating_unary("log1p", x, [](auto v) { return std::log1p(v); });
}

Tensor sqrt(const Tensor& x) {
  return floating_unary("sqrt", x, [](auto v) { return std::sqrt(v); });
}
Tensor sin(const Tensor& x) {
  return floating_unary("sin", x, [](auto v) { return std::sin(v); });
}
Tensor cos(const Tensor& x) {
  return floating_unary("cos", x, [](auto v) { return std::cos(v); });
}

Tensor abs(const Tensor& x) {
  if (detail::defined("abs", x).dtype() == DType::Bool)
    detail::fail("abs: not supported for bool tensors (shape {})", x.shape());
  Tensor out = detail::allocate(x.shape(), x.dtype(), "abs");
  dispatch(x.dtype(), [&]<class T>() {
    if constexpr (is_float_v<T>) {
      detail::map_unary<T, T>(x, out, [](T v) { return T(std::fabs(static_cast<compute_t<T>>(v))); });
    } else if constexpr (std::is_signed_v<T>) {
      // Negate through the unsigned type: abs(INT_MIN) wraps to INT_MIN without UB.
      using U = std::make_unsigned_t<T>;
      detail::map_unary<T, T>(x, out, [](T v) { return v < 0 ? static_cast<T>(U(0) - static_cast<U>(v)) : v; });
    } else {
      detail::map_unary<T, T>(x, out, [](T v) { return v; });
    }
  });
  return out;
}

Tensor sign(const Tensor& x) {
  detail::defined("sign", x);
  Tensor out = detail::allocate(x.shape(), x.dtype(), "sign");
  dispatch(x.dtype(), [&]<class T>() {
    using C = compute_t<T>;
    if constexpr (std::is_same_v<T, bool>) {
      detail::map_unary<T, T>(x, out, [](T v) { return v; });
    } else if constexpr (std::is_unsigned_v<T>) {
      detail::map_unary<T, T>(x, out, [](T v) { return static_cast<T>(v != 0); });
    } else {
      detail::map_unary<T, T>(x, out, [](T v) {
        const C c = static_cast<C>(v);
        return T(static_cast<C>((C(0) < c) - (c < C(0))));
      });
    }
  });
  return out;
}

Tensor ceil(const Tensor& x) {
  return rounding_unary("ceil", x, [](auto v) { return std::ceil(v); });
}
Tensor floor(const Tensor& x) {
  return rounding_unary("floor", x, [](auto v) { return std::floor(v); });
}
Tensor round(const Tensor& x) {
  // nearbyint rounds halves to even in the default rounding mode.
  return rounding_unary("round", x, [](auto v) { return std::nearbyint(v); });
}
Tensor trunc(const Tensor& x) {
  return rounding_unary("trunc", x, [](auto v) { return std::trunc(v); });
}

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
namespace {

// Validates an elementwise backward call: grad and v (x, or the forward output y)
// defined, of one shape and one floating dtype.
void check_backward(const char* op, const Tensor& grad, const Tensor& v, const char* what) {
  if (!grad.defined()) detail::fail("{}: grad is undefined (a default-constructed Tensor)", op);
  if (!v.defined()) detail::fail("{}: {} is undefined (a default-constructed Tensor)", op, what);
  if (!is_floating(v.dtype()))
    detail::fail("{}: {} has dtype {}; gradients exist only for floating dtypes", op, what, v.dtype());
  if (grad.dtype() != v.dtype())
    detail::fail("{}: grad has dtype {} but {} has dtype {}; they must match", op, grad.dtype(), what, v.dtype());
  if (!(grad.shape() == v.shape()))
    detail::fail("{}: grad has shape {} but {} has shape {}; they must match", op, grad.shape(), what, v.shape());
}

// fn(g, v) elementwise, called with the compute type (float for float16/bfloat16),
// through the shared binary engine (vectorized rows, threads above the grain).
template <class F>
Tensor backward_map(const char* op, const Tensor& grad, const Tensor& v, const char* what, F fn) {
  check_backward(op, grad, v, what);
  return detail::binary_op(op, grad, v, v.dtype(), v.dtype(), [fn](auto g, auto a) {
    using C = decltype(g);
    if constexpr (std::is_floating_point_v<C>)
      return static_cast<C>(fn(g, a));
    else
      return g;  // never reached: check_backward admits floating dtypes only
  });
}

// The zero gradient of a piecewise-constant op.
Tensor zero_backward(const char* op, const Tensor& grad, const Tensor& x) {
  check_backward(op, grad, x, "x");
  return zeros(x.shape(), x.dtype());
}

}  // namespace

Tensor exp_backward(const Tensor& grad, const Tensor& y) {
  return backward_map("exp_backward", grad, y, "y", [](auto g, auto v) { return g * v; });
}
Tensor log_backward(const Tensor& grad, const Tensor& x) {
  return backward_map("log_backward", grad, x, "x", [](auto g, auto v) { return g / v; });
}
// PyTorch: grad / (x * ln 2), the constant rounded to the compute type.
Tensor log2_backward(const Tensor& grad, const Tensor& x) {
  return backward_map("log2_backward", grad, x, "x", [](auto g, auto v) {
    using C = decltype(g);
    return g / (v * static_cast<C>(std::numbers::ln2));
  });
}
Tensor log10_backward(const Tensor& grad, const Tensor& x) {
  return backward_map("log10_backward", grad, x, "x", [](auto g, auto v) {
    using C = decltype(g);
    return g / (v * static_cast<C>(std::numbers::ln10));
  });
}
Tensor log1p_backward(const Tensor& grad, const Tensor& x) {
  return backward_map("log1p_backward", grad, x, "x", [](auto g, auto v) { return g / (v + decltype(v)(1)); });
}
Tensor sqrt_backward(const Tensor& grad, const Tensor& y) {
  return backward_map("sqrt_backward", grad, y, "y", [](auto g, auto v) { return g / (v + v); });
}
Tensor sin_backward(const Tensor& grad, const Tensor& x) {
  return backward_map("sin_backward", grad, x, "x", [](auto g, auto v) { return g * std::cos(v); });
}
Tensor cos_backward(const Tensor& grad, const Tensor& x) {
  return backward_map("cos_backward", grad, x, "x", [](auto g, auto v) { return g * -std::sin(v); });
}
Tensor abs_backward(const Tensor& grad, const Tensor& x) {
  return backward_map("abs_backward", grad, x, "x", [](auto g, auto v) {
    using C = decltype(g);
    return g * static_cast<C>((C(0) < v) - (v < C(0)));  // sign(x): 0 at 0 and NaN
  });
}

Tensor clip_backward(const Tensor& grad, const Tensor& x, const std::optional<Scalar>& min,
                     const std::optional<Scalar>& max) {
  const char* op = "clip_backward";
  check_backward(op, grad, x, "x");
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
      return backward_map(op, grad, x, "x", [=](auto g, auto v) { return (v >= lo) & (v <= hi) ? g : decltype(g)(0); });
    } else {
      return Tensor();  // never reached: check_backward admits floating dtypes only
    }
  });
}

Tensor sign_backward(const Tensor& grad, const Tensor& x) { return zero_backward("sign_backward", grad, x); }
Tensor ceil_backward(const Tensor& grad, const Tensor& x) { return zero_backward("ceil_backward", grad, x); }
Tensor floor_backward(const Tensor& grad, const Tensor& x) { return zero_backward("floor_backward", grad, x); }
Tensor round_backward(const Tensor& grad, const Tensor& x) { return zero_backward("round_backward", grad, x); }
Tensor trunc_backward(const Tensor& grad, const Tensor& x) { return zero_backward("trunc_backward", grad, x); }

}  // namespace ex
