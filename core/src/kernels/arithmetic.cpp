// Arithmetic kernels: add, subtract, multiply, divide, floor_divide, modulo, power,
// neg, the in-place forms and result_type. All binary ops run on the broadcasting
// engine in core/src/kernels/elementwise.hpp. Each op is one struct: operator() is its
// scalar forward, derivative(g, x, y) (where it has one) grad times its two partial
// derivatives, which the gradient pass runs.

#include "extensor/core/kernels/arithmetic.hpp"

#include <cmath>
#include <limits>
#include <optional>
#include <type_traits>
#include <utility>

#include "common/check.hpp"
#include "core/src/kernels/elementwise.hpp"
#include "core/src/kernels/forward.hpp"
#include "core/src/strided_loop.hpp"
#include "extensor/core/creation.hpp"
#include "extensor/core/kernels/reduction.hpp"

namespace ex {

namespace {

// result_type from the operands' dtypes and whether each has rank 0.
DType result_type_of(DType a, bool zero_a, DType b, bool zero_b) {
  if (zero_a == zero_b) return promote_types(a, b);
  const DType dim = zero_a ? b : a;
  const DType zero = zero_a ? a : b;
  // PyTorch's combine_categories(dim, zero).
  if (is_floating(dim)) return dim;
  if (dim == DType::Bool || is_floating(zero)) return promote_types(dim, zero);
  return dim;
}

}  // namespace

DType result_type(const Tensor& a, const Tensor& b) {
  return result_type_of(a.dtype(), a.dim() == 0, b.dtype(), b.dim() == 0);
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
  static constexpr bool kLanewise = true;  // see elementwise.hpp
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
  static constexpr bool kLanewise = true;  // see elementwise.hpp
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
  static constexpr bool kLanewise = true;  // see elementwise.hpp
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
  // grad times the partial derivatives in x and in y.
  template <class C>
  static std::pair<C, C> derivative(C g, C x, C y) {
    return {g * y, g * x};
  }
};

template <class C>
C wrapping_neg(C x) {
  using W = wide_unsigned_t<C>;
  return static_cast<C>(static_cast<W>(W{0} - static_cast<W>(x)));
}

struct Div {                               // true division; callers compute in a floating dtype
  static constexpr bool kLanewise = true;  // see elementwise.hpp
  template <class C>
  C operator()(C x, C y) const {
    if constexpr (std::is_integral_v<C>) {  // C may also be a vector of floats (kLanewise)
      detail::fail("divide: internal error, integer compute dtype");
    } else {
      return x / y;
    }
  }
  template <class C>
  static std::pair<C, C> derivative(C g, C x, C y) {
    return {g / y, -g * ((x / y) / y)};
  }
};

// Python's integer division and remainder: the quotient rounded toward -inf, the
// remainder with the sign of y. Throws for y == 0; INT_MIN / -1 wraps instead of
// trapping.
template <class C>
std::pair<C, C> python_divmod(const char* op, C x, C y) {
  if (y == 0) detail::fail("{}: integer division by zero", op);
  if constexpr (std::is_signed_v<C>) {
    if (y == -1) return {wrapping_neg(x), C(0)};
    C q = static_cast<C>(x / y), r = static_cast<C>(x % y);
    if (r != 0 && ((r < 0) != (y < 0))) {  // C++ truncates toward zero: step to floor
      --q;
      r = static_cast<C>(r + y);
    }
    return {q, r};
  } else {
    return {static_cast<C>(x / y), static_cast<C>(x % y)};
  }
}

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
      return python_divmod("floor_divide", x, y).first;
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
      return python_divmod("modulo", x, y).second;
    }
  }
  template <class C>
  static std::pair<C, C> derivative(C g, C x, C y) {
    return {g, -g * FloorDiv{}(x, y)};
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
  template <class C>
  static std::pair<C, C> derivative(C g, C x, C e) {
    const C dbase = e == C(0) ? C(0) : g * (e * std::pow(x, e - C(1)));
    const C dexp = g * (x == C(0) && e >= C(0) ? C(0) : std::pow(x, e) * std::log(x));
    return {dbase, dexp};
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

}  // namespace

#define EX_BINARY_FORMS(name, body)                                                                   \
  Tensor name(const Tensor& a, const Tensor& b) { return detail::check_operands(#name, a, b), body; } \
  Tensor name(const Tensor& a, const Scalar& b) { return detail::check_operands(#name, a, b), body; } \
  Tensor name(const Scalar& a, const Tensor& b) { return detail::check_operands(#name, a, b), body; }

EX_BINARY_FORMS(add, promoted("add", a, b, Add{}))
EX_BINARY_FORMS(subtract, subtract_impl(a, b))
EX_BINARY_FORMS(multiply, promoted("multiply", a, b, Mul{}))
EX_BINARY_FORMS(divide, divide_impl(a, b))
EX_BINARY_FORMS(floor_divide, no_bool_impl<FloorDiv>("floor_divide", a, b))
EX_BINARY_FORMS(modulo, no_bool_impl<Mod>("modulo", a, b))
#undef EX_BINARY_FORMS

Tensor power(const Tensor& base, const Tensor& exponent) {
  detail::check_operands("power", base, exponent);
  return no_bool_impl<Pow>("power", base, exponent);
}
Tensor power(const Scalar& base, const Tensor& exponent) {
  detail::check_operands("power", base, exponent);
  return no_bool_impl<Pow>("power", base, exponent);
}

Tensor power(const Tensor& base, const Scalar& exponent) {
  detail::check_operands("power", base, exponent);
  const DType r = no_bool_type("power", base, exponent);
  if (is_floating(r)) {
    if (exponent.to_double() == 2.0) {  // the common square: one multiply, no pow call
      const Tensor b = detail::to_dtype(base, r, "power");
      return detail::binary_op("power", b, b, r, r, Mul{});
    }
    return detail::binary_op("power", base, exponent, r, r, Pow{});
  }
  // Integer result: the exponent is an integer scalar (a floating one makes r float).
  const std::int64_t e = exponent.to_int64();
  if (e < 0) fail_negative_power(e);
  const Tensor b = detail::to_dtype(base, r, "power");
  Tensor out = detail::allocate(b.shape(), r, "power");
  dispatch(r, [&]<class T>() {
    if constexpr (kWrapInt<T>)
      detail::map_unary<T, T>(b, out, [e](T x) { return ipow(x, static_cast<std::uint64_t>(e)); });
  });
  return out;
}

Tensor neg(const Tensor& a) {
  if (detail::defined("neg", a).dtype() == DType::Bool)
    detail::fail("neg: negation of a bool tensor (shape {}) is not supported; use logical_not instead", a.shape());
  Tensor out = detail::allocate(a.shape(), a.dtype(), "neg");
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

#define EX_INPLACE_FORMS(name, result, fn)                                                      \
  Tensor name(const Tensor& self, const Tensor& other) {                                        \
    return detail::check_operands(#name, self, other), inplace(#name, self, other, result, fn); \
  }                                                                                             \
  Tensor name(const Tensor& self, const Scalar& other) {                                        \
    return detail::check_operands(#name, self, other), inplace(#name, self, other, result, fn); \
  }

EX_INPLACE_FORMS(add_, rtype(self, other), Add{})
EX_INPLACE_FORMS(sub_, subtract_type("sub_", self, other), Sub{})
EX_INPLACE_FORMS(mul_, rtype(self, other), Mul{})
EX_INPLACE_FORMS(div_, divide_type(self, other), Div{})
#undef EX_INPLACE_FORMS

Tensor zero_(const Tensor& self) {
  detail::defined("zero_", self, "self");
  return fill_(self, Scalar(0));
}

Tensor fill_(const Tensor& self, const Scalar& value) {
  detail::defined("fill_", self, "self");
  // Every element gets the same value, so an expanded (stride-0) dim is written once.
  Shape shape = self.shape();
  for (std::size_t i = 0; i < shape.size(); ++i)
    if (self.strides()[i] == 0) shape[i] = std::min<std::int64_t>(shape[i], 1);
  const Tensor dst = shape == self.shape() ? self : make_view(self, shape, self.strides(), self.storage_offset());
  dispatch(self.dtype(), [&]<class T>() {
    const T v = detail::checked_scalar<T>(value, self.dtype(), "fill_");
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
  detail::defined("copy_", dst, "self");
  detail::defined("copy_", src, "src");
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
  detail::defined("clamp_", self, "self");
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

// ---------------------------------------------------------------------------------
// Backward kernels.

namespace {

using kernels::divide_type;
using kernels::rtype;

void require_defined(const char* op, const char* what, const Tensor& t) {
  if (!t.defined()) detail::fail("{}: {} is undefined", op, what);
}
void require_defined(const char*, const char*, const Scalar&) {}

// The checks every binary backward kernel makes: grad is defined, the inputs' shapes
// broadcast to grad's shape, and (when known) grad's dtype is the forward result's
// dtype, which must be floating.
void check_grad(const char* op, const Tensor& grad, const Shape& a, const Shape& b, std::optional<DType> result) {
  require_defined(op, "grad", grad);
  const Shape shape = broadcast_shapes(a, b, op);
  if (grad.shape() != shape)
    detail::fail("{}: grad has shape {} but the forward output of inputs {} and {} has shape {}", op, grad.shape(), a,
                 b, shape);
  if (result && !is_floating(*result))
    detail::fail("{}: the forward result dtype {} is not floating, so there is no gradient", op, *result);
  if (!is_floating(grad.dtype())) detail::fail("{}: grad must be floating, got dtype {}", op, grad.dtype());
  if (result && grad.dtype() != *result)
    detail::fail("{}: grad has dtype {} but the forward result has dtype {}", op, grad.dtype(), *result);
}

DType dtype_of_operand(const Tensor& t) { return t.dtype(); }
DType dtype_of_operand(const Scalar& s) { return s.dtype(); }
const Shape& shape_of_operand(const Tensor& t) { return t.shape(); }
const Shape& shape_of_operand(const Scalar&) {
  static const Shape rank0{};
  return rank0;
}

// check_grad for tensor or Scalar operands; result(a, b) is the forward's dtype.
template <class A, class B, class R>
void check_inputs(const char* op, const Tensor& grad, const A& a, const B& b, R result) {
  require_defined(op, "a", a);
  require_defined(op, "b", b);
  check_grad(op, grad, shape_of_operand(a), shape_of_operand(b), result(a, b));
}
const auto kResult = [](const auto& a, const auto& b) { return rtype(a, b); };
const auto kDivideResult = [](const auto& a, const auto& b) { return divide_type(a, b); };

// The gradient of an input of `shape` and `dtype` from a gradient g over the forward's
// shape: reduced, then converted; undefined for a non-floating input. g itself when
// nothing changes.
Tensor finish(const Tensor& g, const Shape& shape, DType dtype) {
  if (!is_floating(dtype)) return {};
  return reduce_to_shape(g, shape).to(dtype);
}

// One operand of a gradient pass: a tensor converted to the compute dtype with strides
// broadcast to the pass's shape, or a scalar.
struct TensorOperand {
  Tensor t;
  Strides strides;
};
TensorOperand operand(const Tensor& x, DType compute, const Shape& shape) {
  Tensor c = x.to(compute);
  Strides st = c.shape() == shape ? c.strides() : detail::broadcast_strides(c, shape);
  return {std::move(c), std::move(st)};
}
const Scalar& operand(const Scalar& s, DType, const Shape&) { return s; }

// n elements of the gradient pass: (ga, gb) = f(g, x, y), storing the sides WA / WB.
// Operands 0..4 are g, x, y, ga, gb with byte strides s; G is grad's element type, A
// and B those of x and y (G, or C for a scalar on the stack), C = compute_t<G>.
template <class C, class G, class A, class B, bool WA, bool WB, class F>
void grad_row(const detail::Ptrs<5>& p, const detail::ByteStrides<5>& s, std::int64_t n, F& f) {
  const G* g = reinterpret_cast<const G*>(p[0]);
  const A* x = reinterpret_cast<const A*>(p[1]);
  const B* y = reinterpret_cast<const B*>(p[2]);
  G* oa = reinterpret_cast<G*>(p[3]);
  G* ob = reinterpret_cast<G*>(p[4]);
  constexpr std::int64_t kg = sizeof(G), ka = sizeof(A), kb = sizeof(B);
  const auto store = [oa, ob](std::int64_t i, const std::pair<C, C>& r) {
    if constexpr (WA) oa[i] = detail::convert<G>(r.first);
    if constexpr (WB) ob[i] = detail::convert<G>(r.second);
  };
  if (s[0] == kg && (!WA || s[3] == kg) && (!WB || s[4] == kg)) {
    if (s[1] == ka && s[2] == kb) {
      for (std::int64_t i = 0; i < n; ++i)
        store(i, f(static_cast<C>(g[i]), static_cast<C>(x[i]), static_cast<C>(y[i])));
      return;
    }
    if (s[1] == ka && s[2] == 0) {
      const C v = static_cast<C>(*y);
      for (std::int64_t i = 0; i < n; ++i) store(i, f(static_cast<C>(g[i]), static_cast<C>(x[i]), v));
      return;
    }
    if (s[1] == 0 && s[2] == kb) {
      const C u = static_cast<C>(*x);
      for (std::int64_t i = 0; i < n; ++i) store(i, f(static_cast<C>(g[i]), u, static_cast<C>(y[i])));
      return;
    }
  }
  for (std::int64_t i = 0; i < n; ++i) {
    const C gi = static_cast<C>(*reinterpret_cast<const G*>(p[0] + i * s[0]));
    const C u = static_cast<C>(*reinterpret_cast<const A*>(p[1] + i * s[1]));
    const C v = static_cast<C>(*reinterpret_cast<const B*>(p[2] + i * s[2]));
    const std::pair<C, C> r = f(gi, u, v);
    if constexpr (WA) *reinterpret_cast<G*>(p[3] + i * s[3]) = detail::convert<G>(r.first);
    if constexpr (WB) *reinterpret_cast<G*>(p[4] + i * s[4]) = detail::convert<G>(r.second);
  }
}

// The elementwise gradients of a binary op over grad's shape, before any reduction:
// f(g, x, y) returns {d/dx, d/dy} already multiplied by g, as a pair of compute_t
// values. One pass computes the sides asked for (need_a, need_b) into new contiguous
// tensors of grad's dtype; a side not asked for is undefined. a and b are Tensors
// (converted to grad's dtype when they differ: one extra pass) or Scalars.
template <class A, class B, class F>
std::pair<Tensor, Tensor> grad_pass(const char* op, const Tensor& grad, const A& a, const B& b, bool need_a,
                                    bool need_b, F f) {
  const Shape& shape = grad.shape();
  const DType cd = grad.dtype();
  std::pair<Tensor, Tensor> out;
  if (need_a) out.first = detail::allocate(shape, cd, op);
  if (need_b) out.second = detail::allocate(shape, cd, op);
  if ((!need_a && !need_b) || shape.numel() == 0) return out;
  const auto oa = operand(a, cd, shape);
  const auto ob = operand(b, cd, shape);
  dispatch(cd, [&]<class G>() {
    using C = compute_t<G>;
    if constexpr (std::is_floating_point_v<C>) {
      constexpr bool scalar_a = std::is_same_v<A, Scalar>, scalar_b = std::is_same_v<B, Scalar>;
      using EA = std::conditional_t<scalar_a, C, G>;
      using EB = std::conditional_t<scalar_b, C, G>;
      const Strides zero(shape.size(), 0);
      C va{}, vb{};
      const void* pa = &va;
      const void* pb = &vb;
      const Strides* sa = &zero;
      const Strides* sb = &zero;
      if constexpr (scalar_a) {
        va = detail::scalar_to<C>(oa);
      } else {
        pa = oa.t.raw_data();
        sa = &oa.strides;
      }
      if constexpr (scalar_b) {
        vb = detail::scalar_to<C>(ob);
      } else {
        pb = ob.t.raw_data();
        sb = &ob.strides;
      }
      // A side not asked for is written nowhere: stride 0 over a dummy address.
      G dummy{};
      const Strides dense = contiguous_strides(shape);
      char* po_a = reinterpret_cast<char*>(need_a ? out.first.raw_data() : &dummy);
      char* po_b = reinterpret_cast<char*>(need_b ? out.second.raw_data() : &dummy);
      detail::StridedLoop<5> loop(shape, {&grad.strides(), sa, sb, need_a ? &dense : &zero, need_b ? &dense : &zero},
                                  {sizeof(G), sizeof(EA), sizeof(EB), sizeof(G), sizeof(G)});
      const detail::Ptrs<5> base{static_cast<char*>(grad.raw_data()), const_cast<char*>(static_cast<const char*>(pa)),
                                 const_cast<char*>(static_cast<const char*>(pb)), po_a, po_b};
      const auto go = [&]<bool WA, bool WB>() {
        loop.run(base, [&](const detail::Ptrs<5>& p, const detail::ByteStrides<5>& st, std::int64_t n) {
          grad_row<C, G, EA, EB, WA, WB>(p, st, n, f);
        });
      };
      if (need_a && need_b)
        go.template operator()<true, true>();
      else if (need_a)
        go.template operator()<true, false>();
      else
        go.template operator()<false, true>();
    }
  });
  return out;
}

// Checks, runs the pass for the floating tensor inputs and reduces/converts each side.
// Scalar operands never get a gradient.
template <class A, class B, class R, class F>
std::pair<Tensor, Tensor> binary_backward(const char* op, const Tensor& grad, const A& a, const B& b, R result, F f,
                                          OutputMask output_mask = kBothGradients) {
  check_inputs(op, grad, a, b, result);
  constexpr bool scalar_a = std::is_same_v<A, Scalar>, scalar_b = std::is_same_v<B, Scalar>;
  const bool need_a = !scalar_a && output_mask[0] && is_floating(dtype_of_operand(a));
  const bool need_b = !scalar_b && output_mask[1] && is_floating(dtype_of_operand(b));
  auto [ga, gb] = grad_pass(op, grad, a, b, need_a, need_b, f);
  if (need_a) ga = finish(ga, shape_of_operand(a), dtype_of_operand(a));
  if (need_b) gb = finish(gb, shape_of_operand(b), dtype_of_operand(b));
  return {std::move(ga), std::move(gb)};
}

// The functor grad_pass runs: an op's derivative (its definition's static member).
template <class Op>
struct DerivativeOf {
  template <class C>
  std::pair<C, C> operator()(C g, C x, C y) const {
    return Op::derivative(g, x, y);
  }
};

// add_backward / subtract_backward: the expected dtype of grad when both input dtypes
// are given.
std::optional<DType> add_result(const Shape& a, const Shape& b, std::optional<DType> ad, std::optional<DType> bd) {
  if (!ad || !bd) return std::nullopt;
  return result_type_of(*ad, a.empty(), *bd, b.empty());
}

}  // namespace

namespace {
// add_backward and subtract_backward before subtract's negation: grad reduced to each
// input's shape and converted to its dtype, for the sides the mask asks for.
std::pair<Tensor, Tensor> reduced_to_inputs(const char* op, const Tensor& grad, const Shape& a_shape,
                                            const Shape& b_shape, std::optional<DType> a_dtype,
                                            std::optional<DType> b_dtype, OutputMask output_mask) {
  check_grad(op, grad, a_shape, b_shape, add_result(a_shape, b_shape, a_dtype, b_dtype));
  Tensor ga = output_mask[0] ? finish(grad, a_shape, a_dtype.value_or(grad.dtype())) : Tensor();
  Tensor gb = output_mask[1] ? finish(grad, b_shape, b_dtype.value_or(grad.dtype())) : Tensor();
  return {std::move(ga), std::move(gb)};
}
}  // namespace

std::pair<Tensor, Tensor> add_backward(const Tensor& grad, const Shape& a_shape, const Shape& b_shape,
                                       std::optional<DType> a_dtype, std::optional<DType> b_dtype,
                                       OutputMask output_mask) {
  return reduced_to_inputs("add_backward", grad, a_shape, b_shape, a_dtype, b_dtype, output_mask);
}

std::pair<Tensor, Tensor> subtract_backward(const Tensor& grad, const Shape& a_shape, const Shape& b_shape,
                                            std::optional<DType> a_dtype, std::optional<DType> b_dtype,
                                            OutputMask output_mask) {
  auto [ga, gb] = reduced_to_inputs("subtract_backward", grad, a_shape, b_shape, a_dtype, b_dtype, output_mask);
  return {std::move(ga), gb.defined() ? kernels::neg(gb) : gb};
}

// The Tensor-Tensor form and the two Scalar forms of a backward kernel (the Scalar side
// has no gradient).
#define EX_BACKWARD_FORMS(name, result, fn)                                                                      \
  std::pair<Tensor, Tensor> name(const Tensor& grad, const Tensor& a, const Tensor& b, OutputMask output_mask) { \
    return binary_backward(#name, grad, a, b, result, fn{}, output_mask);                                        \
  }                                                                                                              \
  Tensor name(const Tensor& grad, const Tensor& a, const Scalar& b) {                                            \
    return binary_backward(#name, grad, a, b, result, fn{}).first;                                               \
  }                                                                                                              \
  Tensor name(const Tensor& grad, const Scalar& a, const Tensor& b) {                                            \
    return binary_backward(#name, grad, a, b, result, fn{}).second;                                              \
  }

EX_BACKWARD_FORMS(multiply_backward, kResult, DerivativeOf<kernels::Mul>)
EX_BACKWARD_FORMS(divide_backward, kDivideResult, DerivativeOf<kernels::Div>)
EX_BACKWARD_FORMS(power_backward, kResult, DerivativeOf<kernels::Pow>)
#undef EX_BACKWARD_FORMS

std::pair<Tensor, Tensor> floor_divide_backward(const Tensor& grad, const Tensor& a, const Tensor& b,
                                                OutputMask output_mask) {
  check_inputs("floor_divide_backward", grad, a, b, kResult);
  const auto zero = [](const Tensor& x, bool needed) {
    return needed && is_floating(x.dtype()) ? zeros(x.shape(), x.dtype()) : Tensor();
  };
  return {zero(a, output_mask[0]), zero(b, output_mask[1])};
}

std::pair<Tensor, Tensor> modulo_backward(const Tensor& grad, const Tensor& a, const Tensor& b,
                                          OutputMask output_mask) {
  check_inputs("modulo_backward", grad, a, b, kResult);
  // ga is grad itself (reduced): only gb needs a pass.
  const bool need_b = output_mask[1] && is_floating(b.dtype());
  Tensor gb = grad_pass("modulo_backward", grad, a, b, false, need_b, DerivativeOf<kernels::Mod>{}).second;
  return {output_mask[0] ? finish(grad, a.shape(), a.dtype()) : Tensor(),
          need_b ? finish(gb, b.shape(), b.dtype()) : gb};
}
Tensor modulo_backward(const Tensor& grad, const Scalar& a, const Tensor& b) {
  return binary_backward("modulo_backward", grad, a, b, kResult, DerivativeOf<kernels::Mod>{}).second;
}

Tensor neg_backward(const Tensor& grad) {
  require_defined("neg_backward", "grad", grad);
  if (!is_floating(grad.dtype())) detail::fail("neg_backward: grad must be floating, got dtype {}", grad.dtype());
  return kernels::neg(grad);
}

}  // namespace ex
