#pragma once
// Private: float32 exp and log written as branch-free polynomials (Cephes-style range
// reduction) so that a loop over them vectorizes; std::expf/std::logf are calls the
// compiler cannot vectorize. Accurate to about 1-2 ulp over the whole float range,
// with IEEE specials: exp(-inf) = 0, exp(inf) = inf, exp overflows to inf and
// underflows through subnormals to 0; log(0) = -inf, log(x < 0) = NaN, log(inf) = inf,
// NaN in gives NaN out. Translation units that loop over them should be compiled
// without math-errno and trapping math (see math.cpp) or GCC keeps the selects scalar.

#include <bit>
#include <cstdint>

namespace ex::detail {

inline float exp_f32(float x) noexcept {
  // x = n ln2 + r with |r| <= ln2 / 2; e^x = 2^n e^r.
  const bool nan = x != x;
  float xc = nan ? 0.0f : x;
  xc = xc > 89.0f ? 89.0f : xc;
  xc = xc < -104.0f ? -104.0f : xc;
  const float n = (xc * 1.44269504088896341f + 12582912.0f) - 12582912.0f;  // round to nearest
  float r = xc - n * 0.693359375f;
  r = r - n * -2.12194440e-4f;
  const float z = r * r;
  float p = 1.9875691500e-4f;
  p = p * r + 1.3981999507e-3f;
  p = p * r + 8.3334519073e-3f;
  p = p * r + 4.1665795894e-2f;
  p = p * r + 1.6666665459e-1f;
  p = p * r + 5.0000001201e-1f;
  p = p * z + r + 1.0f;
  // 2^n as two factors so that results in the subnormal range round only once and
  // overflow gives inf.
  const auto ni = static_cast<std::int32_t>(n);
  const std::int32_t n1 = ni / 2;
  const std::int32_t n2 = ni - n1;
  const float s1 = std::bit_cast<float>(static_cast<std::uint32_t>(n1 + 127) << 23);
  const float s2 = std::bit_cast<float>(static_cast<std::uint32_t>(n2 + 127) << 23);
  const float y = p * s1 * s2;
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

}  // namespace ex::detail
