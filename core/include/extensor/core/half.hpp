#pragma once
// 16-bit floating-point storage types. Both convert to and from float with
// round-to-nearest-even, keep inf and NaN, and (Half) handle subnormals exactly.
// Arithmetic goes through float: `float(h) * 2.0f`.

#include <bit>
#include <cstdint>
#include <iosfwd>

namespace ex {

// IEEE 754 binary16 bits <-> float. Exact for every half value; float -> half rounds
// to nearest, ties to even, overflows to inf and keeps NaN quiet.
inline float half_bits_to_float(std::uint16_t bits) noexcept {
  const std::uint32_t sign = static_cast<std::uint32_t>(bits & 0x8000u) << 16;
  const std::uint32_t exponent = (bits >> 10) & 0x1fu;
  const std::uint32_t mantissa = bits & 0x3ffu;
  if (exponent == 0) {  // zero or subnormal: mantissa * 2^-24, exact in float
    const float magnitude = static_cast<float>(mantissa) * 5.9604644775390625e-8f;
    return sign ? -magnitude : magnitude;
  }
  if (exponent == 31) return std::bit_cast<float>(sign | 0x7f800000u | (mantissa << 13));
  return std::bit_cast<float>(sign | ((exponent + 112u) << 23) | (mantissa << 13));
}
inline std::uint16_t float_to_half_bits(float value) noexcept {
  std::uint32_t u = std::bit_cast<std::uint32_t>(value);
  const auto sign = static_cast<std::uint16_t>((u >> 16) & 0x8000u);
  u &= 0x7fffffffu;
  if (u > 0x7f800000u) return sign | 0x7e00u;   // NaN stays a (quiet) NaN
  if (u >= 0x477ff000u) return sign | 0x7c00u;  // >= 65520 rounds to inf
  if (u < 0x38800000u) {
    // Below the smallest normal half (2^-14): adding 0.5f puts the value's units of
    // 2^-24 into float's low mantissa bits, and the FPU rounds to nearest even.
    const float shifted = std::bit_cast<float>(u) + 0.5f;
    return sign | static_cast<std::uint16_t>(std::bit_cast<std::uint32_t>(shifted) - 0x3f000000u);
  }
  const std::uint32_t odd = (u >> 13) & 1u;  // ties go to the even mantissa
  u += 0xc8000fffu + odd;                    // rebias exponent (-112 << 23) and round
  return sign | static_cast<std::uint16_t>(u >> 13);
}

// bfloat16 is the top 16 bits of a float32; float -> bfloat16 rounds to nearest even.
inline float bfloat16_bits_to_float(std::uint16_t bits) noexcept {
  return std::bit_cast<float>(static_cast<std::uint32_t>(bits) << 16);
}
inline std::uint16_t float_to_bfloat16_bits(float value) noexcept {
  std::uint32_t u = std::bit_cast<std::uint32_t>(value);
  if ((u & 0x7fffffffu) > 0x7f800000u) return static_cast<std::uint16_t>((u >> 16) | 0x40u);  // quiet NaN
  u += 0x7fffu + ((u >> 16) & 1u);
  return static_cast<std::uint16_t>(u >> 16);
}

// IEEE half precision (torch.float16).
struct Half {
  std::uint16_t bits = 0;
  Half() = default;
  Half(float value) noexcept : bits(float_to_half_bits(value)) {}  // NOLINT: implicit like c10::Half
  operator float() const noexcept { return half_bits_to_float(bits); }
  static Half from_bits(std::uint16_t b) noexcept {
    Half h;
    h.bits = b;
    return h;
  }
};

// Brain float (torch.bfloat16): float32's exponent range with 8 bits of mantissa.
struct BFloat16 {
  std::uint16_t bits = 0;
  BFloat16() = default;
  BFloat16(float value) noexcept : bits(float_to_bfloat16_bits(value)) {}  // NOLINT
  operator float() const noexcept { return bfloat16_bits_to_float(bits); }
  static BFloat16 from_bits(std::uint16_t b) noexcept {
    BFloat16 h;
    h.bits = b;
    return h;
  }
};

std::ostream& operator<<(std::ostream& os, Half h);
std::ostream& operator<<(std::ostream& os, BFloat16 h);

}  // namespace ex
