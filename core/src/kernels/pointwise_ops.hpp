#pragma once
// Private: the definitions of the unary pointwise ops, one struct each. A definition is
// everything about its op: the name, which dtypes it takes, the scalar forward, the
// scalar derivative, what its backward reads (the input, the output, or nothing), and
// how oneDNN can run it. One engine (core/src/kernels/pointwise.cpp) runs every
// definition forward and backward, and one recording function
// (autograd/src/registry/pointwise.hpp) puts every one on the tape, so an op written
// here needs no other kernel code. PointwiseOps lists them; the engine is
// instantiated for each.
//
// A definition holds:
//   name, backward_name      the public op and its raw backward kernel
//   inputs                   the dtypes forward takes (Inputs)
//   saves                    what backward reads besides grad (Saves)
//   forward<C>(x, param)     y for one value in the compute type C (float for the half
//                            types; an integer type where inputs admits integers)
//   derivative<C>(g, v, p)   grad * dy/dx at v, v being what saves names; with
//                            kLanewise it also takes simd vectors of C (the same
//                            expression lane by lane), so the streaming loop may use it
//   kPiecewiseConstant       dy/dx is constant where it exists (relu, abs): its
//                            second derivative is zero
//   onednn, kCheap,          the oneDNN eltwise algorithm forward may use above
//   kOneDnnBackward,         activation_onednn_min_elements() (16 times that for cheap
//   kOwnFloat32Forward       ops), whether backward may use it too, and whether
//                            float32 forward stays on our loop regardless
//   check_param(op, p)       optional: validates the op's scalar parameter

#include <cmath>
#include <cstdint>
#include <numbers>
#include <string_view>
#include <tuple>
#include <type_traits>

#include "common/check.hpp"
#include "core/src/kernels/math_vec.hpp"

namespace ex::pointwise {

// The dtypes an op's forward takes.
enum class Inputs {
  Floating,  // floating dtypes only; others throw
  ToFloat,   // floating dtypes keep theirs; bool and integers are read as float32
  Numeric,   // every dtype but bool, each computed in its own type
  Any,       // every dtype, each in its own type
};

// What an op's backward reads besides the gradient.
enum class Saves { Input, Output, Nothing };

// The oneDNN eltwise algorithm an op maps to.
enum class OneDnn { None, Relu, Logistic, Tanh, GeluErf, GeluTanh };

// Defaults every definition inherits and may override.
struct Defaults {
  static constexpr bool kLanewise = false;
  static constexpr bool kPiecewiseConstant = false;
  static constexpr OneDnn onednn = OneDnn::None;
  static constexpr bool kCheap = false;
  static constexpr bool kOneDnnBackward = false;
  static constexpr bool kOwnFloat32Forward = false;
  static constexpr bool kIntegerBackward = false;  // backward takes the integer dtypes forward takes
};

// A piecewise-constant op: backward reads nothing and returns zeros.
struct PiecewiseConstantDefaults : Defaults {
  static constexpr Saves saves = Saves::Nothing;
  template <class C, class V>
  static V derivative(V, V, C) {
    return V{};
  }
};

// erf and exp of a float or double: float takes the vectorizable polynomials.
inline constexpr auto erf_of =
    detail::split_precision([](float v) { return detail::erf_f32(v); }, [](double v) { return std::erf(v); });
inline constexpr auto exp_of =
    detail::split_precision([](float v) { return detail::exp_f32(v); }, [](double v) { return std::exp(v); });

// ---- activations ----

struct Relu : Defaults {
  static constexpr char name[] = "relu";
  static constexpr char backward_name[] = "relu_backward";
  static constexpr Inputs inputs = Inputs::Numeric;
  static constexpr Saves saves = Saves::Output;  // y > 0 exactly where x > 0
  static constexpr bool kLanewise = true, kPiecewiseConstant = true, kCheap = true, kIntegerBackward = true;
  static constexpr OneDnn onednn = OneDnn::Relu;
  template <class C>
  static C forward(C x, C) {
    if constexpr (std::is_unsigned_v<C>)
      return x;
    else
      return x < C(0) ? C(0) : x;  // NaN stays NaN like PyTorch
  }
  template <class C, class V>
  static V derivative(V g, V v, C) {
    return v <= C(0) ? V{} : g;  // relu'(0) = 0; a NaN x passes g, like PyTorch
  }
};

struct LeakyRelu : Defaults {
  static constexpr char name[] = "leaky_relu";
  static constexpr char backward_name[] = "leaky_relu_backward";
  static constexpr Inputs inputs = Inputs::Floating;
  static constexpr Saves saves = Saves::Input;
  static constexpr bool kLanewise = true, kPiecewiseConstant = true, kCheap = true;
  static constexpr OneDnn onednn = OneDnn::Relu;  // oneDNN's alpha is the negative slope
  static void check_param(const char* op, double slope) {
    if (!std::isfinite(slope)) detail::fail("{}: negative_slope must be finite, got {}", op, slope);
  }
  template <class C>
  static C forward(C x, C slope) {
    return x < C(0) ? x * slope : x;
  }
  template <class C, class V>
  static V derivative(V g, V v, C slope) {
    return v > C(0) ? g : g * slope;
  }
};

struct Sigmoid : Defaults {
  static constexpr char name[] = "sigmoid";
  static constexpr char backward_name[] = "sigmoid_backward";
  static constexpr Inputs inputs = Inputs::ToFloat;
  static constexpr Saves saves = Saves::Output;
  static constexpr bool kLanewise = true;
  static constexpr OneDnn onednn = OneDnn::Logistic;
  template <class C>
  static C forward(C x, C) {
    // One exp of a non-positive argument: never overflows, exact 0/1 limits.
    const C e = std::exp(-std::fabs(x));
    const C r = C(1) / (C(1) + e);
    return x >= C(0) ? r : e * r;
  }
  template <class C, class V>
  static V derivative(V g, V y, C) {
    return g * (C(1) - y) * y;
  }
};

struct Tanh : Defaults {
  static constexpr char name[] = "tanh";
  static constexpr char backward_name[] = "tanh_backward";
  static constexpr Inputs inputs = Inputs::ToFloat;
  static constexpr Saves saves = Saves::Output;
  static constexpr bool kLanewise = true;
  static constexpr OneDnn onednn = OneDnn::Tanh;
  template <class C>
  static C forward(C x, C) {
    return std::tanh(x);
  }
  template <class C, class V>
  static V derivative(V g, V y, C) {
    return g * (C(1) - y * y);
  }
};

// gelu with the exact normal CDF (approximate = "none").
struct GeluErf : Defaults {
  static constexpr char name[] = "gelu";
  static constexpr char backward_name[] = "gelu_backward";
  static constexpr Inputs inputs = Inputs::Floating;
  static constexpr Saves saves = Saves::Input;
  static constexpr OneDnn onednn = OneDnn::GeluErf;
  // oneDNN's backward is vectorized where our scalar loop is not; for float32 forward
  // our loop over the vectorized erf_f32 beats oneDNN's (BENCHMARKS.md).
  static constexpr bool kOneDnnBackward = true, kOwnFloat32Forward = true;
  template <class C>
  static C forward(C x, C) {
    return C(0.5) * x * (C(1) + erf_of(x * C(std::numbers::sqrt2 / 2)));
  }
  template <class C, class V>
  static V derivative(V g, V x, C) {
    const C cdf = C(0.5) * (C(1) + erf_of(x * C(std::numbers::sqrt2 / 2)));
    const C pdf = exp_of(C(-0.5) * x * x) * C(std::numbers::inv_sqrtpi / std::numbers::sqrt2);  // 1/sqrt(2 pi)
    return g * detail::mul_add(x, pdf, cdf);  // spelled out: see mul_add
  }
};

// gelu with the tanh approximation (approximate = "tanh").
struct GeluTanh : Defaults {
  static constexpr char name[] = "gelu";
  static constexpr char backward_name[] = "gelu_backward";
  static constexpr Inputs inputs = Inputs::Floating;
  static constexpr Saves saves = Saves::Input;
  static constexpr OneDnn onednn = OneDnn::GeluTanh;
  static constexpr bool kOneDnnBackward = true;
  static constexpr double kSqrt2OverPi = std::numbers::sqrt2 * std::numbers::inv_sqrtpi;
  template <class C>
  static C forward(C x, C) {
    return C(0.5) * x * (C(1) + std::tanh(C(kSqrt2OverPi) * (x + C(0.044715) * x * x * x)));
  }
  template <class C, class V>
  static V derivative(V g, V x, C) {
    const C k = C(kSqrt2OverPi), kappa = C(0.044715);
    // Every multiply-add through mul_add: GCC contracts them differently in the dense
    // and the strided loop otherwise (see math_vec.hpp).
    const C t = std::tanh(k * detail::mul_add(kappa * x * x, x, x));
    const C dt = detail::mul_add(-t, t, C(1));
    // A saturated tanh contributes exactly 0 (PyTorch's 0 * inf is NaN for huge |x|).
    const C chain = dt == C(0) ? C(0) : C(0.5) * x * dt * k * detail::mul_add(C(3) * kappa * x, x, C(1));
    return g * detail::mul_add(C(0.5), C(1) + t, chain);
  }
};

// ---- math ----

// A smooth math op: floats keep their dtype, integers and bool are read as float32.
struct SmoothDefaults : Defaults {
  static constexpr Inputs inputs = Inputs::ToFloat;
};

struct Exp : SmoothDefaults {
  static constexpr char name[] = "exp";
  static constexpr char backward_name[] = "exp_backward";
  static constexpr Saves saves = Saves::Output;
  template <class C>
  static C forward(C x, C) {
    return exp_of(x);
  }
  template <class C, class V>
  static V derivative(V g, V y, C) {
    return g * y;
  }
};

// Logarithms in base e, 2 and 10: float takes the vectorized polynomials. The
// derivative is grad / (x ln base), PyTorch's formula (ln base rounded to the compute
// type; plain grad / x for base e).
enum class LogBase { E, Two, Ten };
template <LogBase Base>
struct Logarithm : SmoothDefaults {
  static constexpr Saves saves = Saves::Input;
  template <class C>
  static C forward(C x, C) {
    if constexpr (std::is_same_v<C, float>)
      return Base == LogBase::E     ? detail::log_f32(x)
             : Base == LogBase::Two ? detail::log2_f32(x)
                                    : detail::log10_f32(x);
    else
      return Base == LogBase::E ? std::log(x) : Base == LogBase::Two ? std::log2(x) : std::log10(x);
  }
  template <class C, class V>
  static V derivative(V g, V x, C) {
    if constexpr (Base == LogBase::E)
      return g / x;
    else
      return g / (x * static_cast<C>(Base == LogBase::Two ? std::numbers::ln2 : std::numbers::ln10));
  }
};
struct Log : Logarithm<LogBase::E> {
  static constexpr char name[] = "log";
  static constexpr char backward_name[] = "log_backward";
};
struct Log2 : Logarithm<LogBase::Two> {
  static constexpr char name[] = "log2";
  static constexpr char backward_name[] = "log2_backward";
};
struct Log10 : Logarithm<LogBase::Ten> {
  static constexpr char name[] = "log10";
  static constexpr char backward_name[] = "log10_backward";
};

struct Log1p : SmoothDefaults {
  static constexpr char name[] = "log1p";
  static constexpr char backward_name[] = "log1p_backward";
  static constexpr Saves saves = Saves::Input;
  template <class C>
  static C forward(C x, C) {
    return std::log1p(x);
  }
  template <class C, class V>
  static V derivative(V g, V x, C) {
    return g / (x + C(1));
  }
};

struct Sqrt : SmoothDefaults {
  static constexpr char name[] = "sqrt";
  static constexpr char backward_name[] = "sqrt_backward";
  static constexpr Saves saves = Saves::Output;
  template <class C>
  static C forward(C x, C) {
    return std::sqrt(x);
  }
  template <class C, class V>
  static V derivative(V g, V y, C) {
    return g / (y + y);
  }
};

struct Sin : SmoothDefaults {
  static constexpr char name[] = "sin";
  static constexpr char backward_name[] = "sin_backward";
  static constexpr Saves saves = Saves::Input;
  template <class C>
  static C forward(C x, C) {
    return std::sin(x);
  }
  template <class C, class V>
  static V derivative(V g, V x, C) {
    return g * std::cos(x);
  }
};

struct Cos : SmoothDefaults {
  static constexpr char name[] = "cos";
  static constexpr char backward_name[] = "cos_backward";
  static constexpr Saves saves = Saves::Input;
  template <class C>
  static C forward(C x, C) {
    return std::cos(x);
  }
  template <class C, class V>
  static V derivative(V g, V x, C) {
    return g * -std::sin(x);
  }
};

// |x| keeping the dtype: unsigned integers unchanged, the most negative signed integer
// maps to itself (two's complement wrap, like PyTorch); bool is rejected like PyTorch.
struct Abs : Defaults {
  static constexpr char name[] = "abs";
  static constexpr char backward_name[] = "abs_backward";
  static constexpr Inputs inputs = Inputs::Numeric;
  static constexpr Saves saves = Saves::Input;
  static constexpr bool kPiecewiseConstant = true;
  template <class C>
  static C forward(C x, C) {
    if constexpr (std::is_floating_point_v<C>) {
      return std::fabs(x);
    } else if constexpr (std::is_signed_v<C>) {
      using U = std::make_unsigned_t<C>;  // negate without UB at the minimum
      return x < 0 ? static_cast<C>(U(0) - static_cast<U>(x)) : x;
    } else {
      return x;
    }
  }
  template <class C, class V>
  static V derivative(V g, V x, C) {
    return g * static_cast<C>((C(0) < x) - (x < C(0)));  // sign(x): 0 at 0 and NaN
  }
};

// -1, 0 or 1 keeping the dtype; bool unchanged, sign(NaN) = 0 like PyTorch 1.13.
struct Sign : PiecewiseConstantDefaults {
  static constexpr char name[] = "sign";
  static constexpr char backward_name[] = "sign_backward";
  static constexpr Inputs inputs = Inputs::Any;
  template <class C>
  static C forward(C x, C) {
    if constexpr (std::is_same_v<C, bool>)
      return x;
    else if constexpr (std::is_unsigned_v<C>)
      return static_cast<C>(x != 0);
    else
      return static_cast<C>((C(0) < x) - (x < C(0)));
  }
};

// Rounding: integers and bool are unchanged (rounding an integer is the identity).
template <class Round>
struct Rounding : PiecewiseConstantDefaults {
  static constexpr Inputs inputs = Inputs::Any;
  template <class C>
  static C forward(C x, C) {
    if constexpr (std::is_floating_point_v<C>)
      return Round{}(x);
    else
      return x;
  }
};
struct CeilOf {
  template <class C>
  C operator()(C x) const {
    return std::ceil(x);
  }
};
struct FloorOf {
  template <class C>
  C operator()(C x) const {
    return std::floor(x);
  }
};
struct NearbyintOf {  // halves to even in the default rounding mode
  template <class C>
  C operator()(C x) const {
    return std::nearbyint(x);
  }
};
struct TruncOf {
  template <class C>
  C operator()(C x) const {
    return std::trunc(x);
  }
};
struct Ceil : Rounding<CeilOf> {
  static constexpr char name[] = "ceil";
  static constexpr char backward_name[] = "ceil_backward";
};
struct Floor : Rounding<FloorOf> {
  static constexpr char name[] = "floor";
  static constexpr char backward_name[] = "floor_backward";
};
struct Round : Rounding<NearbyintOf> {
  static constexpr char name[] = "round";
  static constexpr char backward_name[] = "round_backward";
};
struct Trunc : Rounding<TruncOf> {
  static constexpr char name[] = "trunc";
  static constexpr char backward_name[] = "trunc_backward";
};

// Whether gelu's approximate names the tanh form ("tanh") rather than the exact one
// ("none"); throws "<op>: approximate must be ..." for anything else.
inline bool gelu_is_tanh(const char* op, std::string_view approximate) {
  if (approximate == "none") return false;
  if (approximate == "tanh") return true;
  detail::fail("{}: approximate must be \"none\" or \"tanh\", got \"{}\"", op, approximate);
}

// The family's op list: the engine is instantiated for each of these.
template <class... Ops>
struct OpList {};
using PointwiseOps = OpList<Relu, LeakyRelu, Sigmoid, Tanh, GeluErf, GeluTanh, Exp, Log, Log2, Log10, Log1p, Sqrt, Sin,
                            Cos, Abs, Sign, Ceil, Floor, Round, Trunc>;

}  // namespace ex::pointwise
