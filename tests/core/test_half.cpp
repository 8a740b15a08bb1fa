// Half and BFloat16: conversions against known bit patterns.
#include <bit>
#include <cmath>
#include <limits>

#include "test_util.hpp"

using ex::BFloat16;
using ex::Half;

TEST_CASE("half: known bit patterns from float") {
  CHECK(Half(1.0f).bits == 0x3C00);
  CHECK(Half(-2.0f).bits == 0xC000);
  CHECK(Half(0.0f).bits == 0x0000);
  CHECK(Half(-0.0f).bits == 0x8000);
  CHECK(Half(65504.0f).bits == 0x7BFF);   // largest finite
  CHECK(Half(65519.99f).bits == 0x7BFF);  // still rounds down
  CHECK(Half(65520.0f).bits == 0x7C00);   // halfway to 2^16 rounds to inf
  CHECK(Half(std::numeric_limits<float>::infinity()).bits == 0x7C00);
  CHECK(Half(-std::numeric_limits<float>::infinity()).bits == 0xFC00);
  CHECK(Half(std::ldexp(1.0f, -14)).bits == 0x0400);         // smallest normal
  CHECK(Half(std::ldexp(1.0f, -24)).bits == 0x0001);         // smallest subnormal
  CHECK(Half(std::ldexp(1.0f, -25)).bits == 0x0000);         // tie between 0 and 2^-24: even (0)
  CHECK(Half(std::ldexp(3.0f, -25)).bits == 0x0002);         // 1.5 units: tie to even (2)
  CHECK(Half(std::ldexp(1023.0f, -24)).bits == 0x03FF);      // largest subnormal
  CHECK(Half(1.0f + std::ldexp(1.0f, -11)).bits == 0x3C00);  // tie: to even (1.0)
  CHECK(Half(1.0f + std::ldexp(3.0f, -11)).bits == 0x3C02);  // tie: to even (up)
  CHECK(Half(1.0f + std::ldexp(1.0f, -11) + std::ldexp(1.0f, -20)).bits == 0x3C01);  // above tie
  const Half nan(std::numeric_limits<float>::quiet_NaN());
  CHECK((nan.bits & 0x7C00) == 0x7C00);
  CHECK((nan.bits & 0x03FF) != 0);
}

TEST_CASE("half: every bit pattern converts to float and back exactly") {
  for (std::uint32_t b = 0; b <= 0xFFFF; ++b) {
    const Half h = Half::from_bits(static_cast<std::uint16_t>(b));
    const float f = h;
    const bool is_nan = (b & 0x7C00) == 0x7C00 && (b & 0x03FF) != 0;
    if (is_nan) {
      REQUIRE(std::isnan(f));
      REQUIRE(std::isnan(static_cast<float>(Half(f))));
    } else {
      REQUIRE(Half(f).bits == b);
    }
  }
  CHECK(static_cast<float>(Half::from_bits(0x0001)) == std::ldexp(1.0f, -24));
  CHECK(static_cast<float>(Half::from_bits(0x7BFF)) == 65504.0f);
  CHECK(std::isinf(static_cast<float>(Half::from_bits(0xFC00))));
}

TEST_CASE("bfloat16: known bit patterns and rounding") {
  CHECK(BFloat16(1.0f).bits == 0x3F80);
  CHECK(BFloat16(-2.0f).bits == 0xC000);
  CHECK(BFloat16(1.0f + std::ldexp(1.0f, -8)).bits == 0x3F80);  // tie: to even
  CHECK(BFloat16(1.0f + std::ldexp(3.0f, -8)).bits == 0x3F82);  // tie: to even (up)
  CHECK(BFloat16(1.0f + std::ldexp(1.0f, -8) + std::ldexp(1.0f, -20)).bits == 0x3F81);
  CHECK(BFloat16(std::numeric_limits<float>::infinity()).bits == 0x7F80);
  CHECK(BFloat16(std::numeric_limits<float>::max()).bits == 0x7F80);  // rounds up to inf
  CHECK(std::isnan(static_cast<float>(BFloat16(std::numeric_limits<float>::quiet_NaN()))));
  CHECK(static_cast<float>(BFloat16::from_bits(0x0001)) == std::ldexp(1.0f, -133));  // subnormal kept
  for (std::uint32_t b = 0; b <= 0xFFFF; ++b) {
    const BFloat16 h = BFloat16::from_bits(static_cast<std::uint16_t>(b));
    if (!std::isnan(static_cast<float>(h))) REQUIRE(BFloat16(static_cast<float>(h)).bits == b);
  }
}
