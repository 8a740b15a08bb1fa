// DType metadata, promotion, and conversions between all 13 dtypes.
#include <cmath>

#include "test_util.hpp"

namespace {
const DType kAll[] = {DType::Bool,     DType::Int8,    DType::Int16,  DType::Int32,  DType::Int64,
                      DType::UInt8,    DType::UInt16,  DType::UInt32, DType::UInt64, DType::Float16,
                      DType::BFloat16, DType::Float32, DType::Float64};
}

TEST_CASE("dtype: names, sizes and classes") {
  CHECK(std::string(ex::dtype_name(DType::Float32)) == "float32");
  CHECK(std::string(ex::dtype_name(DType::BFloat16)) == "bfloat16");
  CHECK(std::string(ex::dtype_name(DType::UInt64)) == "uint64");
  CHECK(std::string(ex::dtype_name(DType::Bool)) == "bool");
  CHECK(ex::itemsize(DType::Bool) == 1);
  CHECK(ex::itemsize(DType::Float16) == 2);
  CHECK(ex::itemsize(DType::UInt32) == 4);
  CHECK(ex::itemsize(DType::Float64) == 8);
  CHECK(ex::is_floating(DType::BFloat16));
  CHECK_FALSE(ex::is_floating(DType::Int64));
  CHECK(ex::is_integral(DType::UInt8));
  CHECK_FALSE(ex::is_integral(DType::Bool));
  CHECK(ex::is_signed(DType::Int8));
  CHECK_FALSE(ex::is_signed(DType::UInt16));
  for (DType d : kAll) CHECK(ex::dispatch(d, [&]<class T>() { return sizeof(T); }) == ex::itemsize(d));
}

TEST_CASE("dtype: promotion follows PyTorch") {
  using ex::promote_types;
  CHECK(promote_types(DType::Int32, DType::Float32) == DType::Float32);
  CHECK(promote_types(DType::Float32, DType::Float64) == DType::Float64);
  CHECK(promote_types(DType::Int64, DType::Float16) == DType::Float16);
  CHECK(promote_types(DType::Float16, DType::BFloat16) == DType::Float32);
  CHECK(promote_types(DType::UInt8, DType::Int8) == DType::Int16);
  CHECK(promote_types(DType::UInt8, DType::Int32) == DType::Int32);
  CHECK(promote_types(DType::UInt32, DType::Int32) == DType::Int64);
  CHECK(promote_types(DType::UInt64, DType::Int8) == DType::Int64);  // documented difference
  CHECK(promote_types(DType::UInt8, DType::UInt32) == DType::UInt32);
  CHECK(promote_types(DType::Bool, DType::UInt8) == DType::UInt8);
  CHECK(promote_types(DType::Bool, DType::Bool) == DType::Bool);
  CHECK(promote_types(DType::Int16, DType::Int64) == DType::Int64);
  for (DType a : kAll)
    for (DType b : kAll) CHECK(promote_types(a, b) == promote_types(b, a));
}

TEST_CASE("dtype: scalar promotion by category") {
  CHECK(ex::result_type(DType::Int32, 2.5) == DType::Float32);
  CHECK(ex::result_type(DType::Float16, 2.0) == DType::Float16);
  CHECK(ex::result_type(DType::Int8, 1000) == DType::Int8);
  CHECK(ex::result_type(DType::Bool, 3) == DType::Int64);
  CHECK(ex::result_type(DType::Bool, true) == DType::Bool);
  CHECK(ex::result_type(DType::Float64, 1) == DType::Float64);
  CHECK(ex::Scalar(2.9).to_int64() == 2);
  CHECK(ex::Scalar(-1e300).to_int64() == std::numeric_limits<std::int64_t>::min());
  CHECK(ex::Scalar(7).is_integral());
  CHECK(ex::Scalar(ex::Half(1.5f)).to_double() == 1.5);
}

TEST_CASE("dtype: every dtype round-trips through to()") {
  const std::vector<double> values = {0, 1, 2, 7, 100, 127};
  ex::Tensor base = ex::tensor(values, {2, 3}).to(DType::Float64);
  for (DType from : kAll) {
    if (from == DType::Bool) continue;
    ex::Tensor t = base.to(from);
    CHECK(t.dtype() == from);
    for (DType to : kAll) {
      if (to == DType::Bool) continue;
      INFO(ex::dtype_name(from) << " -> " << ex::dtype_name(to));
      ex::Tensor back = t.to(to).to(from).to(DType::Float64);
      CHECK(back.to_vector<double>() == values);
    }
  }
}

TEST_CASE("dtype: conversion rules") {
  ex::Tensor f = ex::tensor({-2.7, -0.5, 0.0, 0.4, 3.9}).to(DType::Float32);
  CHECK(f.to(DType::Int32).to_vector<std::int32_t>() == std::vector<std::int32_t>{-2, 0, 0, 0, 3});  // truncation
  CHECK(f.to(DType::Bool).to_vector<bool>() == std::vector<bool>{true, true, false, true, true});
  ex::Tensor b = ex::tensor(std::vector<bool>{true, false});
  CHECK(b.to(DType::Float64).to_vector<double>() == std::vector<double>{1, 0});
  ex::Tensor big = ex::tensor(std::vector<std::int64_t>{(std::int64_t{1} << 53) + 1});
  CHECK(big.item<std::int64_t>() == (std::int64_t{1} << 53) + 1);  // item of same dtype is exact
  CHECK(ex::tensor({70000.0f}).to(DType::Float16).item<float>() == std::numeric_limits<float>::infinity());
  CHECK(ex::tensor({1.0f / 3}).to(DType::BFloat16).item<float>() == doctest::Approx(0.333984375));
  CHECK(ex::tensor(std::vector<std::uint8_t>{255}).to(DType::Int8).item<int>() == -1);  // wraps like a C cast
}
