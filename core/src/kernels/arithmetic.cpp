// Arithmetic kernels: add, subtract, multiply, divide, floor_divide, modulo, power,
// neg, the in-place forms and result_type. All binary ops run on the broadcasting
// engine in core/src/kernels/elementwise.hpp.

#include "extensor/core/kernels/arithmetic.hpp"

#include <cmath>
#include <limits>
#include <type_traits>
#include <utility>

#include "core/src/check.hpp"
#include "core/src/kernels/elementwise.hpp"
#include "core/src/strided_loop.hpp"

namespace ex {

DType result_type(const Tensor& a, const Tensor& b) {
  const bool zero_a = a.dim() == 0, zero_b = b.dim() == 0;
  if (zero_a == zero_b) return promote_types(a.dtype(), b.dtype());
  const DType dim = zero_a ? b.dtype() : a.dtype();
  const DType zero = zero_a ? a.dtype() : b.dtype();
  // PyTorch's combine_categories(dim, zero).
  if (is_floating(dim)) return dim;
  if (dim == DType::Bool || is_floating(zero)) return promote_types(dim, zero);
  return dim;
}

DType result_type(const Tensor& tensor, const Scalar& scalar) { return result_type(tensor.dtype(), scalar); }

bool can_cast(DType from, DType to) noexcept {
  if (is_floating(from) && !is_floating(to)) return false;
  return !(from != DType::Bool && to == DType::Bool);
}

namespace kernels {
namespace {

// Integer arithmetic is done in an unsigned type of at least int's width so that
// overflow wraps modulo 2^bits (like PyTorch) instead of being undefined behaviour.
template <class C>
using wide_unsigned_t = std::conditional_t<(sizeof(C) < sizeof(unsigned)), unsigned, std::make_unsigned_t<C>>;
template <class C>
inline constexpr bool kWrapInt = std::is_integral_v<C> && !std::is_same_v<C, bool>;

struct Add {
  template <class C>
  C operator()(C x, C y) const {
    if constexpr (std::is_same_v<C, bool>) {
      return x || y;
    } else if constexpr (kWrapInt<C>) {
      using W = wide_unsigned_t<C>;
      return static_cast<C>(static_cast<W>(static_cast<W>(x) + static_cast<W>(y)));
    } else {
      return x + y;
    }
  }
};

struct Sub {
  template <class C>
  C operator()(C x, C y) const {
    if constexpr (std::is_same_v<C, bool>) {
      return x != y;  // never reached: subtract rejects bool
    } else if constexpr (kWrapInt<C>) {
      using W = wide_unsigned_t<C>;
      return static_cast<C>(static_cast<W>(static_cast<W>(x) - static_cast<W>(y)));
    } else {
      return x - y;
    }
  }
};

struct Mul {
  template <class C>
  C operator()(C x, C y) const {
    if constexpr (std::is_same_v<C, bool>) {
      return x && y;
    } else if constexpr (kWrapInt<C>) {
      using W = wide_unsigned_t<C>;
      return static_cast<C>(static_cast<W>(static_cast<W>(x) * static_cast<W>(y)));
    } else {
      return x * y;
    }
  }
};

template <class C>
C wrapping_neg(C x) {
  using W = wide_unsigned_t<C>;
  return static_cast<C>(static_cast<W>(W{0} - static_cast<W>(x)));
}

struct Div {  // true division; callers compute in a floating dtype
  template <class C>
  C operator()(C x, C y) const {
    if constexpr (std::is_floating_point_v<C>) {
      return x / y;
    } else {
      detail::fail("divide: internal error, integer compute dtype");
    }
  }
};

// Python's floor division: the quotient rounded toward -inf.
struct FloorDiv {
  template <class C>
  C operator()(C x, C y) const {
    if constexpr (std::is_floating_point_v<C>) {
      if (y == 0) return x / y;  // inf or nan, like PyTorch
      const C mod = std::fmod(x, y);
      C div = (x - mod) / y;
      if (mod != 0 && (y < 0) != (mod < 0)) div -= 1;
      if (div == 0) return std::copysign(C(0), x / y);
      C floor_div = std::floor(div);
      if (div - floor_div > C(0.5)) floor_div += 1;
      return floor_div;
    } else if constexpr (std::is_same_v<C, bool>) {
      detail::fail("floor_divide: internal error, bool compute dtype");
    } else {
      if (y == 0) detail::fail("floor_divide: integer division by zero");
      if constexpr (std::is_signed_v<C>) {
        if (y == -1) return wrapping_neg(x);  // INT_MIN / -1 would trap
        C q = static_cast<C>(x / y);
        if (x % y != 0 && ((x < 0) != (y < 0))) --q;
        return q;
      } else {
        return static_cast<C>(x / y);
      }
    }
  }
};

// Python's modulo: the remainder has the sign of the divisor.
struct Mod {
  template <class C>
  C operator()(C x, C y) const {
    if constexpr (std::is_floating_point_v<C>) {
      C mod = std::fmod(x, y);  // nan for y == 0, like PyTorch
      if (mod != 0 && (y < 0) != (mod < 0)) mod += y;
      return mod;
    } else if constexpr (std::is_same_v<C, bool>) {
      detail::fail("modulo: internal error, bool compute dtype");
    } else {
      if (y == 0) detail::fail("modulo: integer division by zero");
      if constexpr (std::is_signed_v<C>) {
        if (y == -1) return C(0);  // INT_MIN % -1 would trap
        C r = static_cast<C>(x % y);
        if (r != 0 && ((r < 0) != (y < 0))) r = static_cast<C>(r + y);
        return r;
      } else {
        return static_cast<C>(x % y);
      }
    }
  }
};

// base^e by repeated squaring, exact modulo 2^bits for any e.
template <class C>
C ipow(C base, std::uint64_t e) {
  using W = wide_unsigned_t<C>;
  W result = 1, b = static_cast<W>(base);
  while (e != 0) {
    if (e & 1) result = static_cast<W>(result * b);
    b = static_cast<W>(b * b);
    e >>= 1;
  }
  return static_cast<C>(result);
}

[[noreturn]] void fail_negative_power(std::int64_t exponent) {
  detail::fail("power: integers to negative integer powers are not allowed (exponent {})", exponent);
}

struct Pow {
  template <class C>
  C operator()(C x, C y) const {
    if constexpr (std::is_floating_point_v<C>) {
      return std::pow(x, y);
    } else if constexpr (std::is_same_v<C, bool>) {
      detail::fail("power: internal error, bool compute dtype");
    } else {
      if constexpr (std::is_signed_v<C>)
        if (y < 0) fail_negative_power(y);
      return ipow(x, static_cast<std::uint64_t>(y));
    }
  }
};

DType rtype(const Tensor& a, const Tensor& b) { return result_type(a, b); }
DType rtype(const Tensor& a, const Scalar& b) { return result_type(a, b); }
DType rtype(const Scalar& a, const Tensor& b) { return result_type(b, a); }
bool is_bool(const Tensor& t) { return t.dtype() == DType::Bool; }
bool is_bool(const Scalar& s) { return s.is_bool(); }

// Computes and returns in the promoted dtype.
template <class A, class B, class F>
Tensor promoted(const char* op, const A& a, const B& b, F fn) {
  const DType r = rtype(a, b);
  return detail::binary_op(op, a, b, r, r, fn);
}

// Result dtype of subtract: the promoted dtype; bool operands throw like PyTorch.
template <class A, class B>
DType subtract_type(const char* op, const A& a, const B& b) {
  if (is_bool(a) || is_bool(b))
    detail::fail(
        "{}: subtraction with a bool operand is not supported (result dtype would be {}); "
        "use logical_xor or logical_not instead",
        op, rtype(a, b));
  return rtype(a, b);
}

// Result dtype of true division: the promoted dtype, float32 for integer and bool.
template <class A, class B>
DType divide_type(const A& a, const B& b) {
  const DType r = rtype(a, b);
  return is_floating(r) ? r : kDefaultFloat;
}

// Result dtype of floor_divide, modulo and power, which have no bool form.
template <class A, class B>
DType no_bool_type(const char* op, const A& a, const B& b) {
  const DType r = rtype(a, b);
  if (r == DType::Bool) detail::fail("{}: not supported for bool operands (result dtype bool)", op);
  return r;
}

template <class A, class B>
Tensor subtract_impl(const A& a, const B& b) {
  const DType r = subtract_type("subtract", a, b);
  return detail::binary_op("subtract", a, b, r, r, Sub{});
}
template <class A, class B>
Tensor divide_impl(const A& a, const B& b) {
  const DType r = divide_type(a, b);
  return detail::binary_op("divide", a, b, r, r, Div{});
}
template <class F, class A, class B>
Tensor no_bool_impl(const char* op, const A& a, const B& b) {
  const DType r = no_bool_type(op, a, b);
  return detail::binary_op(op, a, b, r, r, F{});
}

// Writes op(self, other) into self after checking the result dtype can be cast back.
template <class Other, class F>
Tensor inplace(const char* op, const Tensor& self, const Other& other, DType result, F fn) {
  if (!can_cast(result, self.dtype()))
    detail::fail("{}: result type {} can't be cast to the desired output type {}", op, result, self.dtype());
  detail::binary_op_into(op, self, self, other, result, fn);
  self.storage()->bump_version();
  return self;
}

// A bound of clamp_ as a value of C: integer bounds saturate to C's range.
template <class C>
C clamp_bound(const Scalar& s) {
  if constexpr (kWrapInt<C>) {
    // A floating bound never reaches here: it makes the result dtype floating, which
    // cannot be cast back to an integer tensor.
    const std::int64_t v = s.to_int64();
    if (std::in_range<C>(v)) return static_cast<C>(v);
    return v < 0 ? std::numeric_limits<C>::lowest() : std::numeric_limits<C>::max();
  } else {
    return detail::scalar_to<C>(s);
  }
}

// fill_'s value as T. Integer dtypes need a value that fits (floating values truncate
// toward zero first), as PyTorch's checked conversion does; others convert freely.
template <class T>
T fill_value(const Scalar& s, DType dtype) {
  if constexpr (kWrapInt<T>) {
    if (s.is_floating()) {
      const double d = s.to_double();
      if (!(d > static_cast<double>(std::numeric_limits<T>::lowest()) - 1.0 &&
            d < static_cast<double>(std::numeric_limits<T>::max()) + 1.0))
        detail::fail("fill_: value {} cannot be converted to {} without overflow", d, dtype);
      return static_cast<T>(d);
    }
    const std::int64_t v = s.to_int64();
    if (!std::in_range<T>(v)) detail::fail("fill_: value {} cannot be converted to {} without overflow", v, dtype);
    return static_cast<T>(v);
  } else {
    return detail::scalar_to<T>(s);
  }
}

}  // namespace

#define EX_BINARY_FORMS(name, body)                              \
  Tensor name(const Tensor& a, const Tensor& b) { return body; } \
  Tensor name(const Tensor& a, const Scalar& b) { return body; } \
  Tensor name(const Scalar& a, const Tensor& b) { return body; }

EX_BINARY_FORMS(add, promoted("add", a, b, Add{}))
EX_BINARY_FORMS(subtract, subtract_impl(a, b))
EX_BINARY_FORMS(multiply, promoted("multiply", a, b, Mul{}))
EX_BINARY_FORMS(divide, divide_impl(a, b))
EX_BINARY_FORMS(floor_divide, no_bool_impl<FloorDiv>("floor_divide", a, b))
EX_BINARY_FORMS(modulo, no_bool_impl<Mod>("modulo", a, b))
#undef EX_BINARY_FORMS

Tensor power(const Tensor& base, const Tensor& exponent) { return no_bool_impl<Pow>("power", base, exponent); }
Tensor power(const Scalar& base, const Tensor& exponent) { return no_bool_impl<Pow>("power", base, exponent); }

Tensor power(const Tensor& base, const Scalar& exponent) {
  const DType r = no_bool_type("power", base, exponent);
  if (is_floating(r)) {
    if (exponent.to_double() == 2.0) {  // the common square: one multiply, no pow call
      const Tensor b = base.to(r);
      return detail::binary_op("power", b, b, r, r, Mul{});
    }
    return detail::binary_op("power", base, exponent, r, r, Pow{});
  }
  // Integer result: the exponent is an integer scalar (a floating one makes r float).
  const std::int64_t e = exponent.to_int64();
  if (e < 0) fail_negative_power(e);
  const Tensor b = base.to(r);
  Tensor out = detail::empty_unchecked(b.shape(), r);
  dispatch(r, [&]<class T>() {
    if constexpr (kWrapInt<T>)
      detail::map_unary<T, T>(b, out, [e](T x) { return ipow(x, static_cast<std::uint64_t>(e)); });
  });
  return out;
}

Tensor neg(const Tensor& a) {
  if (a.dtype() == DType::Bool)
    detail::fail("neg: negation of a bool tensor (shape {}) is not supported; use logical_not instead", a.shape());
  Tensor out = detail::empty_unchecked(a.shape(), a.dtype());
  dispatch(a.dtype(), [&]<class T>() {
    using C = compute_t<T>;
    detail::map_unary<T, T>(a, out, [](T x) {
      if constexpr (kWrapInt<C>)
        return wrapping_neg(x);
      else
        return detail::convert<T>(-static_cast<C>(x));
    });
  });
  return out;
}

Tensor add_(const Tensor& self, const Tensor& other) { return inplace("add_", self, other, rtype(self, other), Add{}); }
Tensor add_(const Tensor& self, const Scalar& other) { return inplace("add_", self, other, rtype(self, other), Add{}); }
Tensor sub_(const Tensor& self, const Tensor& other) {
  return inplace("sub_", self, other, subtract_type("sub_", self, other), Sub{});
}
Tensor sub_(const Tensor& self, const Scalar& other) {
  return inplace("sub_", self, other, subtract_type("sub_", self, other), Sub{});
}
Tensor mul_(const Tensor& self, const Tensor& other) { return inplace("mul_", self, other, rtype(self, other), Mul{}); }
Tensor mul_(const Tensor& self, const Scalar& other) { return inplace("mul_", self, other, rtype(self, other), Mul{}); }
Tensor div_(const Tensor& self, const Tensor& other) {
  return inplace("div_", self, other, divide_type(self, other), Div{});
}
Tensor div_(const Tensor& self, const Scalar& other) {
  return inplace("div_", self, other, divide_type(self, other), Div{});
}

Tensor zero_(const Tensor& self) { return fill_(self, Scalar(0)); }

Tensor fill_(const Tensor& self, const Scalar& value) {
  // Every element gets the same value, so an expanded (stride-0) dim is written once.
  Shape shape = self.shape();
  for (std::size_t i = 0; i < shape.size(); ++i)
    if (self.strides()[i] == 0) shape[i] = std::min<std::int64_t>(shape[i], 1);
  const Tensor dst = shape == self.shape() ? self : make_view(self, shape, self.strides(), self.storage_offset());
  dispatch(self.dtype(), [&]<class T>() {
    const T v = fill_value<T>(value, self.dtype());
    const Strides& st = dst.strides();
    detail::StridedLoop<1> loop(dst.shape(), {&st}, {sizeof(T)});
    loop.run({static_cast<char*>(dst.raw_data())},
             [&](const detail::Ptrs<1>& p, const detail::ByteStrides<1>& s, std::int64_t n) {
               if (s[0] == sizeof(T)) {
                 T* o = reinterpret_cast<T*>(p[0]);
                 for (std::int64_t i = 0; i < n; ++i) o[i] = v;
               } else {
                 for (std::int64_t i = 0; i < n; ++i) *reinterpret_cast<T*>(p[0] + i * s[0]) = v;
               }
             });
  });
  self.storage()->bump_version();
  return self;
}

Tensor copy_(const Tensor& dst, const Tensor& src) {
  detail::check_broadcasts_to("copy_", "src", src.shape(), dst.shape());
  detail::check_no_internal_overlap("copy_", dst);
  const bool same_view = src.raw_data() == dst.raw_data() && src.dtype() == dst.dtype() &&
                         detail::broadcast_strides(src, dst.shape()) == dst.strides();
  if (!same_view) {
    const Tensor s = src.storage() == dst.storage() ? src.clone() : src;
    detail::copy_convert(s.shape() == dst.shape() ? s : s.expand(dst.shape()), dst);
  }
  dst.storage()->bump_version();
  return dst;
}

Tensor clamp_(const Tensor& self, const std::optional<Scalar>& min, const std::optional<Scalar>& max) {
  if (!min && !max) detail::fail("clamp_: at least one of min and max must be given (tensor shape {})", self.shape());
  DType r = self.dtype();
  if (min) r = promote_types(r, result_type(self, *min));
  if (max) r = promote_types(r, result_type(self, *max));
  if (!can_cast(r, self.dtype()))
    detail::fail("clamp_: result type {} can't be cast to the desired output type {}", r, self.dtype());
  detail::check_no_internal_overlap("clamp_", self);
  dispatch(self.dtype(), [&]<class T>() {
    using C = compute_t<T>;
    const bool has_lo = min.has_value(), has_hi = max.has_value();
    const C lo = has_lo ? clamp_bound<C>(*min) : C{}, hi = has_hi ? clamp_bound<C>(*max) : C{};
    detail::map_unary<T, T>(self, self, [=](T x) {
      C v = static_cast<C>(x);
      if constexpr (std::is_floating_point_v<C>) {  // a nan bound gives nan, like PyTorch
        if ((has_lo && std::isnan(lo)) || (has_hi && std::isnan(hi))) return detail::convert<T>(lo + hi);
      }
      if (has_lo && v < lo) v = lo;
      if (has_hi && v > hi) v = hi;
      return detail::convert<T>(v);
    });
  });
  self.storage()->bump_version();
  return self;
}

}  // namespace kernels
}  // namespace ex
