// Comparison and logical ops: values, broadcasting, mixed dtypes, views and errors.

#include <cmath>
#include <cstdint>
#include <limits>

#include "test_util.hpp"

namespace {
Tensor f32(std::initializer_list<float> v, const Shape& s) { return ex::tensor(std::vector<float>(v), s); }
}  // namespace

TEST_CASE("comparisons on every dtype class") {
  for (DType dt : {DType::Int8, DType::Int32, DType::Int64, DType::UInt8, DType::UInt64, DType::Float16,
                   DType::BFloat16, DType::Float32, DType::Float64}) {
    CAPTURE(dt);
    const Tensor a = f32({1, 2, 3}, {3}).to(dt);
    const Tensor b = f32({2, 2, 2}, {3}).to(dt);
    const Tensor eq = ex::equal(a, b);
    CHECK(eq.dtype() == DType::Bool);
    check_values(eq, {3}, {0, 1, 0});
    check_values(ex::not_equal(a, b), {3}, {1, 0, 1});
    check_values(ex::less(a, b), {3}, {1, 0, 0});
    check_values(ex::less_equal(a, b), {3}, {1, 1, 0});
    check_values(ex::greater(a, b), {3}, {0, 0, 1});
    check_values(ex::greater_equal(a, b), {3}, {0, 1, 1});
  }
  const Tensor t = ex::tensor<bool>({false, true});
  const Tensor u = ex::tensor<bool>({true, true});
  check_values(ex::less(t, u), {2}, {1, 0});
  check_values(ex::equal(t, u), {2}, {0, 1});
  check_values(ex::greater_equal(t, false), {2}, {1, 1});
}

TEST_CASE("comparison operators and scalars on either side") {
  const Tensor t = f32({1, 2, 3}, {3});
  check_values(t == 2, {3}, {0, 1, 0});
  check_values(t != 2, {3}, {1, 0, 1});
  check_values(t < 2, {3}, {1, 0, 0});
  check_values(t <= 2, {3}, {1, 1, 0});
  check_values(t > 2, {3}, {0, 0, 1});
  check_values(t >= 2, {3}, {0, 1, 1});
  check_values(2 < t, {3}, {0, 0, 1});
  check_values(2.5 >= t, {3}, {1, 1, 0});
  check_values(2 == t, {3}, {0, 1, 0});
  check_values(1 != t, {3}, {0, 1, 1});
  check_values(2 > t, {3}, {1, 0, 0});
  check_values(2 <= t, {3}, {0, 1, 1});
  check_values(t == t, {3}, {1, 1, 1});
  check_values(t < t * 2, {3}, {1, 1, 1});
  CHECK((t > 1).dtype() == DType::Bool);
  check_values(ex::less(1, t), {3}, {0, 1, 1});
  check_values(ex::equal(t, 2.0), {3}, {0, 1, 0});
}

TEST_CASE("mixed dtypes compare in the promoted dtype") {
  // uint8 255 vs int8 -1 (int16): 255 > -1, not the wrapped -1 == -1
  check_values(ex::greater(ex::tensor<std::uint8_t>({255, 0}), ex::tensor<std::int8_t>({-1, 0})), {2}, {1, 0});
  check_values(ex::equal(ex::tensor<std::uint8_t>({255}), ex::tensor<std::int8_t>({-1})), {1}, {0});
  // int vs 2.5 compares as float
  const Tensor it = ex::tensor<std::int32_t>({2, 3});
  check_values(ex::less(it, 2.5), {2}, {1, 0});
  check_values(it == 2.5, {2}, {0, 0});
  check_values(it > 2, {2}, {0, 1});
  check_values(ex::equal(it, f32({2, 3.5f}, {2})), {2}, {1, 0});
  check_values(ex::equal(f32({0.1f}, {1}), ex::tensor<double>({0.1})), {1}, {0});  // float32(0.1) != 0.1
  check_values(ex::less(ex::tensor<std::int64_t>({std::numeric_limits<std::int64_t>::max()}),
                        ex::tensor<std::int64_t>({std::numeric_limits<std::int64_t>::max() - 1})),
               {1}, {0});
  check_values(ex::equal(f32({1.5f}, {1}).to(DType::Float16), f32({1.5f}, {1}).to(DType::BFloat16)), {1}, {1});
  // a rank-0 float64 tensor against float32 compares in float32
  check_values(ex::equal(f32({0.1f}, {1}), ex::scalar_tensor(0.1, DType::Float64)), {1}, {1});
}

TEST_CASE("nan compares unequal to everything") {
  const Tensor t = f32({NAN, 1}, {2});
  check_values(t == t, {2}, {0, 1});
  check_values(t != t, {2}, {1, 0});
  check_values(t < 2, {2}, {0, 1});
  check_values(t >= 1, {2}, {0, 1});
}

TEST_CASE("seed defect: comparisons broadcast") {
  const Tensor col = f32({1, 2, 3}, {3, 1});
  const Tensor row = f32({0, 2, 4}, {1, 3});
  check_values(ex::less(col, row), {3, 3}, {0, 1, 1, 0, 0, 1, 0, 0, 1});
  check_values(ex::less(row, col), {3, 3}, {1, 0, 0, 1, 0, 0, 1, 1, 0});
  check_values(ex::equal(col, row), {3, 3}, {0, 0, 0, 0, 1, 0, 0, 0, 0});
  check_values(ex::greater_equal(ex::arange(0, 8).reshape({2, 2, 2}), ex::tensor<std::int64_t>({3, 1})), {2, 2, 2},
               {0, 1, 0, 1, 1, 1, 1, 1});
  check_values(ex::not_equal(ex::scalar_tensor(2.0), row), {1, 3}, {1, 0, 1});
  check_values(ex::less_equal(ex::zeros({0, 3}), row), {0, 3}, {});
  check_values(ex::greater(ex::scalar_tensor(1.0), ex::scalar_tensor(0.0)), {}, {1});
  CHECK_THROWS_WITH_AS(ex::equal(ex::zeros({3, 2}), ex::zeros({4})),
                       doctest::Contains("equal: shapes [3, 2] and [4] cannot be broadcast"), ex::Error);
  CHECK_THROWS_WITH_AS(ex::less(ex::zeros({2}), ex::zeros({3})), doctest::Contains("less: shapes [2] and [3]"),
                       ex::Error);
  CHECK_THROWS_WITH_AS(ex::zeros({2}) >= ex::zeros({3}), doctest::Contains("greater_equal:"), ex::Error);
  CHECK_THROWS_WITH_AS(ex::not_equal(ex::zeros({2}), ex::zeros({3})), doctest::Contains("not_equal:"), ex::Error);
  CHECK_THROWS_WITH_AS(ex::less_equal(ex::zeros({2}), ex::zeros({3})), doctest::Contains("less_equal:"), ex::Error);
  CHECK_THROWS_WITH_AS(ex::greater(ex::zeros({2}), ex::zeros({3})), doctest::Contains("greater:"), ex::Error);
}

TEST_CASE("comparisons on non-contiguous inputs") {
  const Tensor a = ex::arange(0, 12).reshape({3, 4});
  const Tensor at = ex::arange(0, 12).reshape({4, 3}).transpose(0, 1);  // [[0,3,6,9],[1,4,7,10],[2,5,8,11]]
  check_values(ex::less(at, a), {3, 4}, {0, 0, 0, 0, 1, 1, 0, 0, 1, 1, 1, 0});
  check_values(ex::greater(at, a), {3, 4}, {0, 1, 1, 1, 0, 0, 1, 1, 0, 0, 0, 0});
  check_values(ex::equal(noncontiguous(a), a), {3, 4}, std::vector<double>(12, 1));
  check_values(ex::less(a.slice(1, 0, 4, 2), 5), {3, 2}, {1, 1, 1, 0, 0, 0});
  check_values(ex::equal(ex::tensor<std::int64_t>({1, 2}, {2, 1}).expand({2, 3}),
                         noncontiguous(a.slice(0, 0, 2).slice(1, 0, 3))),
               {2, 3}, {0, 1, 0, 0, 0, 0});
}

TEST_CASE("logical ops: any dtypes, nonzero is true, broadcasting") {
  const Tensor f = f32({0, 1.5f, NAN, -2}, {4});
  const Tensor i = ex::tensor<std::int32_t>({0, 0, 3, 7});
  const Tensor r = ex::logical_and(f, i);
  CHECK(r.dtype() == DType::Bool);
  check_values(r, {4}, {0, 0, 1, 1});
  check_values(ex::logical_or(f, i), {4}, {0, 1, 1, 1});
  check_values(ex::logical_xor(f, i), {4}, {0, 1, 0, 0});
  check_values(ex::logical_not(f), {4}, {1, 0, 0, 0});
  check_values(ex::logical_not(i), {4}, {1, 1, 0, 0});
  check_values(ex::logical_not(ex::tensor<bool>({true, false})), {2}, {0, 1});
  check_values(ex::logical_not(f.to(DType::BFloat16)), {4}, {1, 0, 0, 0});
  check_values(ex::logical_not(ex::scalar_tensor(0.0)), {}, {1});
  check_values(ex::logical_not(noncontiguous(ex::arange(0, 4).reshape({2, 2}))), {2, 2}, {1, 0, 0, 0});
  check_values(ex::logical_and(ex::tensor<std::uint8_t>({0, 255}), ex::tensor<std::int8_t>({-1, -1})), {2}, {0, 1});
  check_values(ex::logical_or(f.to(DType::Float16), ex::tensor<bool>({false, false, false, false})), {4}, {0, 1, 1, 1});
  check_values(ex::logical_xor(ex::zeros({0}), ex::zeros({0}, DType::Int64)), {0}, {});
}

TEST_CASE("seed defect: logical ops broadcast") {
  const Tensor col = ex::tensor<bool>({true, false}, {2, 1});
  const Tensor row = ex::tensor<std::int64_t>({0, 5, -1}, {3});
  check_values(ex::logical_and(col, row), {2, 3}, {0, 1, 1, 0, 0, 0});
  check_values(ex::logical_or(row, col), {2, 3}, {1, 1, 1, 0, 1, 1});
  check_values(ex::logical_xor(col, row), {2, 3}, {1, 0, 0, 0, 1, 1});
  check_values(ex::logical_and(ex::scalar_tensor(1.0), row), {3}, {0, 1, 1});
  check_values(ex::logical_or(row.transpose(0, 0), ex::zeros({2, 1, 3})), {2, 1, 3}, {0, 1, 1, 0, 1, 1});
  CHECK_THROWS_WITH_AS(ex::logical_and(ex::zeros({2}), ex::zeros({3})), doctest::Contains("logical_and: shapes [2]"),
                       ex::Error);
  CHECK_THROWS_WITH_AS(ex::logical_or(ex::zeros({2}), ex::zeros({3})), doctest::Contains("logical_or:"), ex::Error);
  CHECK_THROWS_WITH_AS(ex::logical_xor(ex::zeros({2}), ex::zeros({3})), doctest::Contains("logical_xor:"), ex::Error);
}
