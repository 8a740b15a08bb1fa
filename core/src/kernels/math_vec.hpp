#pragma once
// Private: float32 exp, log and erf written as branch-free polynomials (Cephes-style
// range reduction for exp/log) so that a loop over them vectorizes; std::expf/std::logf/
// std::erff are calls the compiler cannot vectorize. Accurate to about 1-2 ulp over the
// whole float range (erf: at most 1.2 ulp against std::erf in float64, checked over
// every float), with IEEE specials: exp(-inf) = 0, exp(inf) = inf, exp overflows to inf
// and underflows through subnormals to 0; log(0) = -inf, log(x < 0) = NaN, log(inf) =
// inf; erf(+-inf) = +-1, erf(-0) = -0; NaN in gives NaN out. Translation units that loop
// over them should be compiled without math-errno and trapping math (see math.cpp) or
// GCC keeps the selects scalar. Call them from lambdas, never through function pointers
// (an indirect call per element is neither inlined nor vectorized).

#include <bit>
#include <cmath>
#include <cstdint>
#include <type_traits>

namespace ex::detail {

// a * b + c, fused where the target has FMA (one rounding, one instruction). The
// polynomials spell out every multiply-add with it: GCC contracts a plain a * b + c
// in some loops and not in others (a vectorized loop and a strided one differed in
// the last bit), and results must not depend on the layout of the data.
template <class F>
inline F mul_add(F a, F b, F c) noexcept {
#ifdef __FMA__
  return std::fma(a, b, c);
#else
  return a * b + c;
#endif
}

// e^x = 2^n p for a finite x in [-104, 89]: n = round(x / ln2), p = e^r with
// |r| <= ln2 / 2.
struct ExpParts {
  float n;
  float p;
};
inline ExpParts exp_parts(float x) noexcept {
  const float n = mul_add(x, 1.44269504088896341f, 12582912.0f) - 12582912.0f;  // round to nearest
  float r = mul_add(-n, 0.693359375f, x);
  r = mul_add(-n, -2.12194440e-4f, r);
  const float z = r * r;
  float p = 1.9875691500e-4f;
  p = mul_add(p, r, 1.3981999507e-3f);
  p = mul_add(p, r, 8.3334519073e-3f);
  p = mul_add(p, r, 4.1665795894e-2f);
  p = mul_add(p, r, 1.6666665459e-1f);
  p = mul_add(p, r, 5.0000001201e-1f);
  p = mul_add(p, z, r) + 1.0f;
  return {n, p};
}

// 2^n for n in [-126, 127].
inline float exp2_int(std::int32_t n) noexcept {
  return std::bit_cast<float>(static_cast<std::uint32_t>(n + 127) << 23);
}

inline float exp_f32(float x) noexcept {
  const bool nan = x != x;
  float xc = nan ? 0.0f : x;
  xc = xc > 89.0f ? 89.0f : xc;
  xc = xc < -104.0f ? -104.0f : xc;
  const ExpParts e = exp_parts(xc);
  // 2^n as two factors so that results in the subnormal range round only once and
  // overflow gives inf.
  const auto ni = static_cast<std::int32_t>(e.n);
  const std::int32_t n1 = ni / 2;
  const std::int32_t n2 = ni - n1;
  const float y = e.p * exp2_int(n1) * exp2_int(n2);
  return nan ? x : y;
}

// log1p(f) for the reduced mantissa f = m - 1 in [sqrt(1/2) - 1, sqrt(2) - 1] and the
// exponent e with x = 2^e (1 + f). x must be finite and > 0.
struct LogParts {
  float e;
  float l;  // log(1 + f)
};
inline LogParts log_parts(float x) noexcept {
  const bool sub = x < 1.17549435e-38f;  // subnormal: scale into the normal range
  x = sub ? x * 8388608.0f : x;
  const std::uint32_t u = std::bit_cast<std::uint32_t>(x);
  std::int32_t e = static_cast<std::int32_t>(u >> 23) - 126 - (sub ? 23 : 0);
  float m = std::bit_cast<float>((u & 0x007fffffu) | 0x3f000000u);  // [0.5, 1)
  const bool small = m < 0.707106781186547524f;
  e = small ? e - 1 : e;
  m = small ? m + m - 1.0f : m - 1.0f;
  const float z = m * m;
  float p = 7.0376836292e-2f;
  p = p * m - 1.1514610310e-1f;
  p = p * m + 1.1676998740e-1f;
  p = p * m - 1.2420140846e-1f;
  p = p * m + 1.4249322787e-1f;
  p = p * m - 1.6668057665e-1f;
  p = p * m + 2.0000714765e-1f;
  p = p * m - 2.4999993993e-1f;
  p = p * m + 3.3333331174e-1f;
  const float l = m + (p * m * z - 0.5f * z);
  return {static_cast<float>(e), l};
}

// Applies IEEE specials to a log computed by the polynomial: log(0) = -inf,
// log(x < 0) = NaN, log(inf) = inf, NaN stays NaN.
inline float log_finish(float x, float y) noexcept {
  const bool zero = x == 0.0f, neg = x < 0.0f, keep = x == __builtin_inff() || x != x;
  float r = zero ? -__builtin_inff() : y;
  r = neg ? __builtin_nanf("") : r;
  return keep ? x : r;
}

inline float log_f32(float x) noexcept {
  const LogParts p = log_parts(x);
  const float y = p.e * 0.693359375f + (p.l + p.e * -2.12194440e-4f);
  return log_finish(x, y);
}

inline float log2_f32(float x) noexcept {
  const LogParts p = log_parts(x);
  const float y = p.e + p.l * 1.44269504088896341f;
  return log_finish(x, y);
}

inline float log10_f32(float x) noexcept {
  const LogParts p = log_parts(x);
  // log10(2) split into a high part exact in a few bits and the rest.
  const float y = p.e * 0.30102539062f + (p.l * 0.434294481903251828f + p.e * 4.60503898e-6f);
  return log_finish(x, y);
}

// erf(x). |x| < 0.921875: x + x q(x^2), q a degree-6 minimax polynomial of
// erf(x) / x - 1. Above: 1 - e^P(|x|) with the sign of x, P a degree-6 fit of
// log(erfc(x)) on [0.921875, 4] weighted by erfc (an error in P costs erfc(x) P's
// error in erf); past 4 the result rounds to 1. Both branches run and a select picks
// one, so a loop over erf_f32 vectorizes. Coefficients fitted for this function
// (least squares refined to equal ripple, then rounded to float).
inline float erf_f32(float x) noexcept {
  constexpr float kSplit = 0.921875f;
  const std::uint32_t sign = std::bit_cast<std::uint32_t>(x) & 0x80000000u;
  const float a = std::bit_cast<float>(std::bit_cast<std::uint32_t>(x) ^ sign);
  const float z = x * x;
  float q = 0x1.5f1144p-14f;
  q = mul_add(q, z, -0x1.aae986p-11f);
  q = mul_add(q, z, 0x1.54dad8p-8f);
  q = mul_add(q, z, -0x1.b8107cp-6f);
  q = mul_add(q, z, 0x1.ce2e2p-4f);
  q = mul_add(q, z, -0x1.812744p-2f);
  q = mul_add(q, z, 0x1.06eba8p-3f);
  const float small = mul_add(x, q, x);
  // Clamped into the fitted range (NaN to the split point, so the exp stays finite).
  float t = a > kSplit ? a : kSplit;
  t = t < 4.0f ? t : 4.0f;
  float p = 0x1.9862dap-13f;
  p = mul_add(p, t, -0x1.8d5b62p-9f);
  p = mul_add(p, t, 0x1.6b6b68p-6f);
  p = mul_add(p, t, -0x1.a952ecp-4f);
  p = mul_add(p, t, -0x1.464a54p-1f);
  p = mul_add(p, t, -0x1.20ab68p+0f);
  p = mul_add(p, t, -0x1.b83d14p-13f);
  const ExpParts e = exp_parts(p);  // p in [-17.4, -1.6]: a normal result, one scale
  const float big = std::bit_cast<float>(
      std::bit_cast<std::uint32_t>(mul_add(-e.p, exp2_int(static_cast<std::int32_t>(e.n)), 1.0f)) | sign);
  const float r = a < kSplit ? small : big;
  return x != x ? x : r;
}

// One function from a float32 version (the vectorized polynomials) and a float64 one.
// Pass lambdas, not function names: a function pointer becomes an indirect call per
// element that the compiler can neither inline nor vectorize (measured several times
// slower).
template <class F32, class F64>
constexpr auto split_precision(F32 f32, F64 f64) {
  return [=](auto v) {
    if constexpr (std::is_same_v<decltype(v), float>)
      return f32(v);
    else
      return f64(v);
  };
}

}  // namespace ex::detail
