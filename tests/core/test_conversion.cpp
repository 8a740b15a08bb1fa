// The two conversion rules of dtype.hpp: numbers becoming elements are checked like
// PyTorch's checked conversion (tools/conversion_reference.py prints what PyTorch 1.13
// does with these cases); elements changing dtype never throw and are defined for NaN,
// infinities and out-of-range values.

#include <doctest/doctest.h>

#include "test_util.hpp"

#include <cmath>
#include <extensor/extensor.hpp>
#include <limits>
#include <string>

namespace {

using ex::test::error_of;

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();

}  // namespace

TEST_CASE("conversion: full, fill_ and constant_ throw for values that do not fit, like PyTorch") {
  CHECK(error_of([] { (void)ex::full({1}, 300, DType::UInt8); }) ==
        "full: value 300 cannot be converted to uint8 without overflow");
  CHECK(error_of([] { (void)ex::full({2}, kNaN, DType::Int32); }) ==
        "full: value nan cannot be converted to int32 without overflow");
  CHECK(error_of([] { (void)ex::full({2}, kInf, DType::Int64); }) ==
        "full: value inf cannot be converted to int64 without overflow");
  CHECK(error_of([] { (void)ex::full({1}, 1e300, DType::Float32); }).starts_with("full: value 1e+300"));
  CHECK(error_of([] { (void)ex::full({1}, 70000.0, DType::Float16); }).starts_with("full: value 70000"));
  CHECK(error_of([] { (void)ex::full({1}, 1e39, DType::BFloat16); }).starts_with("full: value 1e+39"));
  CHECK(error_of([] { (void)ex::full({1}, 9.3e18, DType::Int64); }).starts_with("full: value 9.3e+18"));
  CHECK(error_of([] { (void)ex::full({1}, -1, DType::UInt8); }).starts_with("full: value -1"));
  CHECK(error_of([] { (void)ex::scalar_tensor(128, DType::Int8); }).starts_with("scalar_tensor: value 128"));
  CHECK(error_of([] { (void)ex::full_like(ex::zeros({2}, DType::Int16), 1e5); }).starts_with("full_like: value"));
  // PyTorch compares a floating value before truncating it: 127.9 does not fit int8.
  CHECK(error_of([] { (void)ex::fill_(ex::zeros({1}, DType::Int8), 127.9); }) ==
        "fill_: value 127.9 cannot be converted to int8 without overflow");
  CHECK(error_of([] {
          (void)ex::nn::init::constant_(ex::zeros({1}, DType::UInt16), 65536);
        }).starts_with("constant_: value 65536"));
  // What fits converts: truncation toward zero, infinities and NaN into floating types,
  // anything into bool.
  CHECK(ex::full({1}, 2.5, DType::Int32).item<std::int32_t>() == 2);
  CHECK(ex::full({1}, -2.5, DType::Int32).item<std::int32_t>() == -2);
  CHECK(ex::full({1}, 127.0, DType::Int8).item<std::int8_t>() == 127);
  CHECK(ex::full({1}, -128.0, DType::Int8).item<std::int8_t>() == -128);
  CHECK(std::isinf(ex::full({1}, kInf, DType::Float16).item<float>()));
  CHECK(std::isnan(ex::full({1}, kNaN, DType::BFloat16).item<float>()));
  CHECK(ex::full({1}, 65504.0, DType::Float16).item<float>() == 65504.0f);
  CHECK(ex::full({1}, 5, DType::Bool).item<bool>());
  CHECK(ex::full({1}, kNaN, DType::Bool).item<bool>());
  CHECK(ex::full({1}, 9.2e18, DType::Int64).item<std::int64_t>() == 9200000000000000000);
  CHECK(ex::full({1}, 1.8e19, DType::UInt64).item<std::uint64_t>() == 18000000000000000000u);
}

TEST_CASE("conversion: arange and linspace check their ends, arange rejects bool like PyTorch") {
  CHECK(ex::arange(0.0, 300.0, 100.0, DType::UInt8).to_vector<int>() == std::vector<int>{0, 100, 200});
  CHECK(error_of([] { (void)ex::arange(0.0, 300.0, 1.0, DType::UInt8); }).starts_with("arange: value 299"));
  CHECK(error_of([] { (void)ex::arange(0.0, 3.0, 1.0, DType::Bool); }) ==
        "arange: dtype bool is not supported, as in PyTorch");
  CHECK(error_of([] { (void)ex::linspace(0, 300, 4, DType::UInt8); }).starts_with("linspace: value 300"));
  CHECK(ex::linspace(-128, 127, 2, DType::Int8).to_vector<int>() == std::vector<int>{-128, 127});
}

TEST_CASE("conversion: to() is defined for every value: integers wrap, floats saturate, NaN gives 0") {
  const Tensor f = ex::tensor<double>({kNaN, kInf, -kInf, 1e300, -1e300, 3e9, -3e9, 300.7, -0.9, 2.5});
  CHECK(f.to(DType::Int32).to_vector<std::int32_t>() ==
        std::vector<std::int32_t>{0, INT32_MAX, INT32_MIN, INT32_MAX, INT32_MIN, INT32_MAX, INT32_MIN, 300, 0, 2});
  CHECK(f.to(DType::Int64).to_vector<std::int64_t>() ==
        std::vector<std::int64_t>{0, INT64_MAX, INT64_MIN, INT64_MAX, INT64_MIN, 3000000000, -3000000000, 300, 0, 2});
  CHECK(f.to(DType::UInt8).to_vector<int>() == std::vector<int>{0, 255, 0, 255, 0, 255, 0, 255, 0, 2});
  CHECK(f.to(DType::Int8).to_vector<int>() == std::vector<int>{0, 127, -128, 127, -128, 127, -128, 127, 0, 2});
  CHECK(f.to(DType::UInt64).to_vector<std::uint64_t>()[1] == UINT64_MAX);
  // The same through float32, float16 and bfloat16 sources (computed in float).
  for (DType from : {DType::Float32, DType::Float16, DType::BFloat16}) {
    INFO("from ", ex::dtype_name(from));
    const Tensor g = ex::tensor<float>({std::nanf(""), INFINITY, -INFINITY, 1e9f, -1e9f, 2.75f}).to(from);
    const std::vector<std::int16_t> got = g.to(DType::Int16).to_vector<std::int16_t>();
    CHECK(got == std::vector<std::int16_t>{0, INT16_MAX, INT16_MIN, INT16_MAX, INT16_MIN, 2});
  }
  // Integers wrap modulo 2^bits, as in PyTorch.
  CHECK(ex::tensor<std::int64_t>({-1, 256, 300}).to(DType::UInt8).to_vector<int>() == std::vector<int>{255, 0, 44});
  CHECK(ex::tensor<std::int64_t>({INT64_MAX}).to(DType::Int32).item<std::int32_t>() == -1);
  // Floating overflow gives infinity; bool is != 0 with NaN true.
  CHECK(std::isinf(ex::tensor<double>({1e300}).to(DType::Float32).item<float>()));
  CHECK(std::isinf(ex::tensor<double>({1e6}).to(DType::Float16).item<float>()));
  CHECK(ex::tensor<double>({kNaN, 0.0, -0.0, 0.1}).to(DType::Bool).to_vector<bool>() ==
        std::vector<bool>{true, false, false, true});
  // item<T>() and to_vector<T>() follow to().
  CHECK(ex::tensor<double>({kNaN}).item<std::int32_t>() == 0);
  CHECK(ex::tensor<float>({1e20f}).to_vector<std::int64_t>() == std::vector<std::int64_t>{INT64_MAX});
}

TEST_CASE("conversion: copy_ and type promotion inside ops use the element rule") {
  const Tensor dst = ex::zeros({3}, DType::Int32);
  ex::copy_(dst, ex::tensor<double>({kNaN, 1e10, -7.9}));
  CHECK(dst.to_vector<std::int32_t>() == std::vector<std::int32_t>{0, INT32_MAX, -7});
  const Tensor bytes = ex::zeros({2}, DType::UInt8);
  ex::copy_(bytes, ex::tensor<std::int64_t>({-1, 257}));
  CHECK(bytes.to_vector<int>() == std::vector<int>{255, 1});
}
