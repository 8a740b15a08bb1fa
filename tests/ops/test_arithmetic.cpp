// Arithmetic ops: values, broadcasting, promotion, views, in-place forms and errors.

#include <cmath>
#include <cstdint>
#include <limits>

#include "test_util.hpp"

namespace {
const double kNan = std::nan("");
const double kInf = std::numeric_limits<double>::infinity();
Tensor f32(std::initializer_list<float> v, const Shape& s) { return ex::tensor(std::vector<float>(v), s); }
Tensor i64(std::initializer_list<std::int64_t> v, const Shape& s) {
  return ex::tensor(std::vector<std::int64_t>(v), s);
}
}  // namespace

TEST_CASE("add, subtract, multiply, divide: values on every dtype class") {
  for (DType dt : {DType::Int8, DType::Int16, DType::Int32, DType::Int64, DType::UInt8, DType::UInt16, DType::UInt32,
                   DType::UInt64, DType::Float16, DType::BFloat16, DType::Float32, DType::Float64}) {
    CAPTURE(dt);
    const Tensor a = i64({6, 9, 12, 0}, {4}).to(dt);
    const Tensor b = i64({3, 2, 4, 5}, {4}).to(dt);
    check_values(ex::add(a, b), {4}, {9, 11, 16, 5});
    CHECK(ex::add(a, b).dtype() == dt);
    // 0 - 5 wraps in unsigned dtypes: 2^bits - 5
    const double wrapped = ex::is_signed(dt) ? -5.0 : std::ldexp(1.0, 8 * static_cast<int>(ex::itemsize(dt))) - 5;
    check_values(ex::subtract(a, b), {4}, {3, 7, 8, wrapped}, 1e-6, dt == DType::UInt64 ? 1e-15 : 1e-6);
    check_values(ex::multiply(a, b), {4}, {18, 18, 48, 0});
    const Tensor q = ex::divide(a, b);
    CHECK(q.dtype() == (ex::is_floating(dt) ? dt : DType::Float32));
    check_values(q, {4}, {2, 4.5, 3, 0});
  }
}

TEST_CASE("bool arithmetic follows PyTorch") {
  const Tensor t = ex::tensor<bool>({true, true, false, false});
  const Tensor u = ex::tensor<bool>({true, false, true, false});
  const Tensor s = ex::add(t, u);
  CHECK(s.dtype() == DType::Bool);
  check_values(s, {4}, {1, 1, 1, 0});
  check_values(ex::multiply(t, u), {4}, {1, 0, 0, 0});
  CHECK(ex::multiply(t, u).dtype() == DType::Bool);
  const Tensor d = ex::divide(t, u);
  CHECK(d.dtype() == DType::Float32);
  check_values(d, {4}, {1, kInf, 0, kNan});
  CHECK(ex::add(t, 2).dtype() == DType::Int64);
  check_values(ex::add(t, 2), {4}, {3, 3, 2, 2});
  CHECK_THROWS_WITH_AS(ex::subtract(t, u), doctest::Contains("subtract:"), ex::Error);
  CHECK_THROWS_WITH_AS(ex::subtract(i64({1}, {1}), t), doctest::Contains("subtract:"), ex::Error);
  CHECK_THROWS_WITH_AS(ex::subtract(f32({1}, {1}), true), doctest::Contains("subtract:"), ex::Error);
  CHECK_THROWS_WITH_AS(t - u, doctest::Contains("bool"), ex::Error);
  CHECK_THROWS_WITH_AS(-t, doctest::Contains("neg:"), ex::Error);
  CHECK_THROWS_WITH_AS(ex::floor_divide(t, u), doctest::Contains("floor_divide:"), ex::Error);
  CHECK_THROWS_WITH_AS(ex::modulo(t, u), doctest::Contains("modulo:"), ex::Error);
  CHECK_THROWS_WITH_AS(ex::power(t, u), doctest::Contains("power:"), ex::Error);
}

TEST_CASE("integer arithmetic wraps like PyTorch") {
  const Tensor a = ex::tensor<std::int32_t>({std::numeric_limits<std::int32_t>::max(), 65536});
  check_values(ex::add(a, 1), {2}, {-2147483648.0, 65537});
  check_values(ex::multiply(a, a), {2}, {1, 0});
  const Tensor u = ex::tensor<std::uint16_t>({65535});
  check_values(ex::multiply(u, u), {1}, {1});
  check_values(ex::add(ex::tensor<std::int8_t>({1}), 1000), {1}, {-23});  // the scalar wraps to int8
}

TEST_CASE("operators with scalars on either side") {
  const Tensor t = f32({1, 2, 3}, {3});
  check_values(t + t, {3}, {2, 4, 6});
  check_values(t - 1, {3}, {0, 1, 2});
  check_values(1 - t, {3}, {0, -1, -2});
  check_values(2.0 * t, {3}, {2, 4, 6});
  check_values(t * 2, {3}, {2, 4, 6});
  check_values(t / 2, {3}, {0.5, 1, 1.5});
  check_values(6 / t, {3}, {6, 3, 2});
  check_values(t / t, {3}, {1, 1, 1});
  check_values(t * t - t, {3}, {0, 2, 6});
  check_values(-t, {3}, {-1, -2, -3});
  check_values(3 + t, {3}, {4, 5, 6});
  CHECK((2.0 * t).dtype() == DType::Float32);
}

TEST_CASE("broadcasting in both directions, rank 0 and zero-size") {
  const Tensor col = f32({1, 2, 3}, {3, 1});
  const Tensor row = f32({10, 20, 30, 40}, {1, 4});
  const std::vector<double> sum = {11, 21, 31, 41, 12, 22, 32, 42, 13, 23, 33, 43};
  check_values(col + row, {3, 4}, sum);
  check_values(row + col, {3, 4}, sum);
  check_values(ex::subtract(row, col), {3, 4}, {9, 19, 29, 39, 8, 18, 28, 38, 7, 17, 27, 37});

  const Tensor v = f32({1, 2, 3, 4}, {4});
  const Tensor big = ex::arange(0, 24).to(DType::Float32).reshape({2, 3, 4});
  std::vector<double> expect(24);
  for (int i = 0; i < 24; ++i) expect[i] = i * (i % 4 + 1);
  check_values(ex::multiply(v, big), {2, 3, 4}, expect);
  check_values(ex::multiply(big, v), {2, 3, 4}, expect);

  const Tensor s = ex::scalar_tensor(5.0);
  check_values(s + s, {}, {10});
  check_values(s * v, {4}, {5, 10, 15, 20});
  check_values(v - s, {4}, {-4, -3, -2, -1});
  check_values(ex::add(s, 1), {}, {6});

  const Tensor empty = ex::zeros({0, 4});
  check_values(empty + v, {0, 4}, {});
  check_values(ex::zeros({3, 0}) * col, {3, 0}, {});
  check_values(ex::divide(empty, 2), {0, 4}, {});
  check_values(ex::power(empty, 0.5), {0, 4}, {});
  check_values(ex::floor_divide(ex::zeros({0}, DType::Int32), ex::zeros({0}, DType::Int32)), {0}, {});
  check_values(-empty, {0, 4}, {});
  check_values(ex::add(ex::zeros({2, 0, 3}), ex::zeros({1, 3})), {2, 0, 3}, {});
}

TEST_CASE("non-contiguous inputs: transposed, sliced, expanded") {
  const Tensor a = ex::arange(0, 12).to(DType::Float32).reshape({3, 4});
  const Tensor b = ex::arange(100, 112).to(DType::Float32).reshape({3, 4});
  const std::vector<double> ref = ex::add(a, b).to_vector<double>();
  check_values(ex::add(noncontiguous(a), b), {3, 4}, ref);
  check_values(ex::add(a, noncontiguous(b)), {3, 4}, ref);
  check_values(ex::add(noncontiguous(a), noncontiguous(b)), {3, 4}, ref);

  // transpose of a [4, 3] buffer: strides (1, 3)
  const Tensor at = ex::arange(0, 12).to(DType::Float32).reshape({4, 3}).transpose(0, 1);
  check_values(ex::multiply(at, 2), {3, 4}, {0, 6, 12, 18, 2, 8, 14, 20, 4, 10, 16, 22});
  check_values(ex::subtract(at, a), {3, 4}, {0, 2, 4, 6, -3, -1, 1, 3, -6, -4, -2, 0});

  // slices with a step, and an offset
  const Tensor sl = a.slice(1, 1, 4, 2);  // columns 1 and 3
  check_values(sl + sl, {3, 2}, {2, 6, 10, 14, 18, 22});
  check_values(ex::add(sl, f32({100, 200}, {2})), {3, 2}, {101, 203, 105, 207, 109, 211});
  const Tensor rows = a.slice(0, 1, 3);
  check_values(rows * a.slice(0, 0, 2), {2, 4}, {0, 5, 12, 21, 32, 45, 60, 77});

  // expanded (stride 0) inputs
  const Tensor e = f32({1, 2, 3}, {3, 1}).expand({3, 4});
  check_values(ex::add(e, a), {3, 4}, {1, 2, 3, 4, 6, 7, 8, 9, 11, 12, 13, 14});
  const Tensor e2 = f32({1, 2, 3, 4}, {4}).expand({3, 4});
  check_values(ex::multiply(at, e2), {3, 4}, {0, 6, 18, 36, 1, 8, 21, 40, 2, 10, 24, 44});

  // non-contiguous integer and half inputs, 1-D strided
  const Tensor iv = noncontiguous(i64({-7, 7, 9}, {3}));
  check_values(ex::floor_divide(iv, 2), {3}, {-4, 3, 4});
  check_values(ex::add(noncontiguous(a.to(DType::Float16)), 1), {3, 4}, ex::add(a, 1).to_vector<double>());
}

TEST_CASE("inputs sharing a transposed or permuted layout: flat loop, output in their layout") {
  // Both operands laid out densely in the same non-row-major order take the flat loop in
  // memory order and the result keeps that layout (PyTorch's TensorIterator does the
  // same); values are checked against the row-major computation.
  ex::manual_seed(11);
  const Tensor base_a = ex::randn({3, 5, 7}), base_b = ex::randn({3, 5, 7});
  const std::vector<std::int64_t> perm = {2, 0, 1};  // shape [7, 3, 5], strides (1, 35, 7)
  for (DType dt : {DType::Float32, DType::Float64, DType::Float16, DType::BFloat16, DType::Int32, DType::UInt8}) {
    CAPTURE(dt);
    const Tensor a = ex::multiply(base_a, 10).to(dt).permute(perm);
    const Tensor b = ex::add(ex::multiply(base_b, 10), 30).to(dt).permute(perm);
    const Tensor ac = a.contiguous(), bc = b.contiguous();
    for (const Tensor& got : {ex::add(a, b), ex::multiply(a, b), ex::subtract(a, b)}) {
      CHECK(got.strides() == a.strides());
      CHECK_FALSE(got.is_contiguous());
    }
    const double tol = dt == DType::Float16 || dt == DType::BFloat16 ? 1e-2 : 1e-6;
    check_values(ex::add(a, b), {7, 3, 5}, ex::add(ac, bc).to_vector<double>(), tol, tol);
    check_values(ex::multiply(a, b), {7, 3, 5}, ex::multiply(ac, bc).to_vector<double>(), tol, tol);
    check_values(a - b, {7, 3, 5}, (ac - bc).to_vector<double>(), tol, tol);
    // A comparison: Bool output in the same layout.
    const Tensor less = ex::less(a, b);
    CHECK(less.dtype() == DType::Bool);
    CHECK(less.strides() == a.strides());
    check_values(less, {7, 3, 5}, ex::less(ac, bc).to_vector<double>());
    // A scalar, or a one-element tensor, on either side keeps the layout too.
    const Tensor scaled = ex::multiply(a, 3);
    CHECK(scaled.strides() == a.strides());
    check_values(scaled, {7, 3, 5}, ex::multiply(ac, 3).to_vector<double>(), tol, tol);
    const Tensor one = ex::full({1}, 2, dt);
    const Tensor shifted = ex::add(one, b);
    CHECK(shifted.strides() == b.strides());
    check_values(shifted, {7, 3, 5}, ex::add(one, bc).to_vector<double>(), tol, tol);
  }
}

TEST_CASE("operands in different layouts or not dense: contiguous output, same values") {
  ex::manual_seed(12);
  const Tensor a = ex::randn({6, 4}), b = ex::randn({4, 6});
  const Tensor at = a.transpose(0, 1);  // [4, 6], strides (1, 4)
  const Tensor ref = ex::add(at.contiguous(), b);
  // transposed + row-major: no common layout, the output is contiguous
  const Tensor mixed = ex::add(at, b);
  CHECK(mixed.is_contiguous());
  check_values(mixed, {4, 6}, ref.to_vector<double>());
  // the same transpose of two buffers, but one is a strided slice (not dense)
  const Tensor wide = ex::randn({6, 8});
  const Tensor sliced = wide.slice(1, 0, 8, 2).transpose(0, 1);  // [4, 6], strides (2, 8)
  const Tensor s = ex::add(at, sliced);
  CHECK(s.is_contiguous());
  check_values(s, {4, 6}, ex::add(at.contiguous(), sliced.contiguous()).to_vector<double>());
  // different dtypes: the converted operand is contiguous, so the layouts differ
  const Tensor ai = ex::multiply(a, 10).to(DType::Int32).transpose(0, 1);
  check_values(ex::add(ai, at), {4, 6}, ex::add(ai.contiguous(), at.contiguous()).to_vector<double>());
  // size-1 dims may have any stride: [4, 1, 6] views of the transpose
  const Tensor u = at.unsqueeze(1), v = ex::randn({6, 4}).transpose(0, 1).unsqueeze(1);
  const Tensor uv = ex::multiply(u, v);
  CHECK_FALSE(uv.is_contiguous());
  check_values(uv, {4, 1, 6}, ex::multiply(u.contiguous(), v.contiguous()).to_vector<double>());
  // in place into a transposed view with a transposed input: every element once
  Tensor buf = ex::zeros({6, 4});
  Tensor view = buf.transpose(0, 1);
  ex::copy_(view, at);
  ex::add_(view, ex::ones({6, 4}).transpose(0, 1));
  check_values(buf, {6, 4}, ex::add(a, 1).to_vector<double>());
}

TEST_CASE("large transposed float add (streaming stores in memory order)") {
  // Both operands transposed alike, above the 32 MiB streaming threshold, with an odd
  // element count so the unrolled loop's tails run: exactly the row-major arithmetic.
  ex::manual_seed(13);
  const Tensor x = ex::randn({2901, 1003}), y = ex::randn({2901, 1003});
  const Tensor sum = ex::add(x.transpose(0, 1), y.transpose(0, 1));
  CHECK(sum.strides() == x.transpose(0, 1).strides());
  const std::vector<float> got = sum.transpose(0, 1).contiguous().to_vector<float>();
  const std::vector<float> a = x.to_vector<float>(), b = y.to_vector<float>();
  std::size_t bad = 0;
  for (std::size_t i = 0; i < got.size(); ++i) bad += got[i] != a[i] + b[i];
  CHECK(bad == 0);
}

TEST_CASE("seed defect: broadcast over non-contiguous inputs of different ranks") {
  // A [2, 3] transposed view against a [4, 1, 1]-broadcast and a sliced row: the old
  // iterator walked contiguous offsets for views.
  const Tensor base = ex::arange(0, 6).to(DType::Float64).reshape({3, 2}).transpose(0, 1);  // [[0,2,4],[1,3,5]]
  const Tensor c = ex::tensor<double>({0, 10, 20, 30}, {4, 1, 1});
  const Tensor out = ex::add(base, c);
  REQUIRE(out.shape() == Shape{4, 2, 3});
  for (int k = 0; k < 4; ++k)
    for (int i = 0; i < 2; ++i)
      for (int j = 0; j < 3; ++j) CHECK(out.to_vector<double>()[k * 6 + i * 3 + j] == 10.0 * k + 2 * j + i);
  const Tensor row = ex::arange(0, 8).to(DType::Float64).slice(0, 1, 8, 3);  // 1, 4, 7
  check_values(ex::multiply(base, row), {2, 3}, {0, 8, 28, 1, 12, 35});
}

TEST_CASE("result_type and promotion table") {
  auto t = [](DType d) { return ex::zeros({2}, d); };
  auto z = [](DType d) { return ex::zeros({}, d); };
  CHECK(ex::add(t(DType::Int32), t(DType::Float32)).dtype() == DType::Float32);
  CHECK(ex::add(t(DType::UInt8), t(DType::Int8)).dtype() == DType::Int16);
  CHECK(ex::add(t(DType::Float16), t(DType::BFloat16)).dtype() == DType::Float32);
  CHECK(ex::multiply(t(DType::Int32), 2.5).dtype() == DType::Float32);
  CHECK(ex::multiply(t(DType::Float16), 2.0).dtype() == DType::Float16);
  CHECK(ex::multiply(t(DType::Int8), 2).dtype() == DType::Int8);
  CHECK(ex::add(z(DType::Float64), t(DType::Float32)).dtype() == DType::Float32);
  CHECK(ex::add(t(DType::Float32), z(DType::Float64)).dtype() == DType::Float32);
  CHECK(ex::add(t(DType::Int32), z(DType::Float64)).dtype() == DType::Float64);
  CHECK(ex::add(t(DType::Int8), z(DType::Int64)).dtype() == DType::Int8);
  CHECK(ex::add(t(DType::Bool), z(DType::Int32)).dtype() == DType::Int32);
  CHECK(ex::add(z(DType::Int32), z(DType::Float64)).dtype() == DType::Float64);
  CHECK(ex::add(t(DType::Float32), t(DType::Float64)).dtype() == DType::Float64);
  CHECK(ex::result_type(z(DType::Float16), t(DType::Int64)) == DType::Float16);
  CHECK(ex::result_type(t(DType::UInt8), z(DType::Int8)) == DType::UInt8);
  CHECK(ex::divide(t(DType::Int64), t(DType::Int64)).dtype() == DType::Float32);
  CHECK(ex::divide(t(DType::Float16), 2).dtype() == DType::Float16);
  // mixed-dtype values: uint8 255 + int8 -1 computes in int16
  check_values(ex::add(ex::tensor<std::uint8_t>({255}), ex::tensor<std::int8_t>({-1})), {1}, {254});
  check_values(ex::add(ex::tensor<std::int32_t>({1, 2}), f32({0.5f, 0.25f}, {2})), {2}, {1.5, 2.25});
  // a half tensor times a double scalar keeps the scalar in float precision
  check_values(ex::multiply(ex::tensor<ex::Half>({ex::Half(3.0f)}), 0.1), {1}, {0.30004882812}, 1e-9);
}

TEST_CASE("half and bfloat16 compute in float") {
  for (DType dt : {DType::Float16, DType::BFloat16}) {
    const Tensor a = f32({1.5f, -2.0f, 256.0f}, {3}).to(dt);
    const Tensor b = f32({0.25f, 4.0f, 1.0f}, {3}).to(dt);
    check_values(ex::add(a, b), {3}, {1.75, 2, dt == DType::Float16 ? 257.0 : 256.0});
    check_values(ex::divide(a, b), {3}, {6, -0.5, 256});
    const Tensor c = f32({1.5f, -2.0f, 16.0f}, {3}).to(dt);
    check_values(ex::power(c, 2), {3}, {2.25, 4, 256});
    CHECK(ex::power(c, 2).dtype() == dt);
    check_values(ex::power(c, 0.5), {3}, {std::sqrt(1.5), NAN, 4}, 0, 1e-2);
  }
}

TEST_CASE("floor_divide and modulo match Python for negatives") {
  const std::vector<double> floor_ref = {-4, 3, -3, 2,  -3, 3,  -2, 2,  -1, 0,  -1, 0,  0, 0,
                                         0,  0, 0,  -1, 0,  -1, 3,  -3, 2,  -2, 3,  -4, 2, -3};
  const std::vector<double> mod_ref = {1, -1, 2, -1, 0, 0,  0, 0, 1, -1, 2, -1, 0, 0,
                                       0, 0,  1, -1, 1, -2, 0, 0, 0, 0,  1, -1, 1, -2};
  for (DType dt : {DType::Int8, DType::Int16, DType::Int32, DType::Int64, DType::Float32, DType::Float64}) {
    CAPTURE(dt);
    const Tensor a = i64({-7, -6, -1, 0, 1, 6, 7}, {7, 1}).to(dt);
    const Tensor b = i64({2, -2, 3, -3}, {4}).to(dt);
    check_values(ex::floor_divide(a, b), {7, 4}, floor_ref);
    check_values(ex::modulo(a, b), {7, 4}, mod_ref);
    check_values(ex::floor_divide(noncontiguous(a.expand({7, 4})), b), {7, 4}, floor_ref);
  }
  const Tensor af = ex::tensor<double>({-7.5, -0.5, 0.5, 7.5}, {4, 1});
  const Tensor bf = ex::tensor<double>({2.0, -2.0}, {2});
  check_values(ex::floor_divide(af, bf), {4, 2}, {-4, 3, -1, 0, 0, -1, 3, -4});
  check_values(ex::modulo(af, bf), {4, 2}, {0.5, -1.5, 1.5, -0.5, 0.5, -1.5, 1.5, -0.5});
  check_values(ex::modulo(af.to(DType::Float16), 2), {4, 1}, {0.5, 1.5, 0.5, 1.5});
  // scalar forms and unsigned
  check_values(ex::floor_divide(-7, i64({2, -2}, {2})), {2}, {-4, 3});
  check_values(ex::modulo(-7, i64({2, -2}, {2})), {2}, {1, -1});
  check_values(ex::modulo(i64({-7, 7}, {2}), 3), {2}, {2, 1});
  check_values(ex::floor_divide(ex::tensor<std::uint8_t>({250, 7}), 3), {2}, {83, 2});
  check_values(ex::modulo(ex::tensor<std::uint8_t>({250, 7}), 3), {2}, {1, 1});
  // floating division by zero follows IEEE
  check_values(ex::floor_divide(f32({1, -1, 0}, {3}), 0), {3}, {kInf, -kInf, kNan});
  check_values(ex::modulo(f32({1}, {1}), 0.0), {1}, {kNan});
}

TEST_CASE("integer division by zero throws and INT_MIN / -1 does not trap") {
  for (DType dt : {DType::Int8, DType::Int32, DType::Int64, DType::UInt8, DType::UInt64}) {
    CAPTURE(dt);
    const Tensor a = i64({5, 6}, {2}).to(dt);
    const Tensor z = i64({1, 0}, {2}).to(dt);
    CHECK_THROWS_WITH_AS(ex::floor_divide(a, z), doctest::Contains("floor_divide: integer division by zero"),
                         ex::Error);
    CHECK_THROWS_WITH_AS(ex::modulo(a, z), doctest::Contains("modulo: integer division by zero"), ex::Error);
    CHECK_THROWS_WITH_AS(ex::floor_divide(a, 0), doctest::Contains("floor_divide:"), ex::Error);
    CHECK_THROWS_WITH_AS(ex::modulo(5, z), doctest::Contains("modulo:"), ex::Error);
  }
  // a large loop (parallel when threads are available) still reports the error
  CHECK_THROWS_WITH_AS(ex::floor_divide(ex::ones({100000}, DType::Int32), ex::zeros({100000}, DType::Int32)),
                       doctest::Contains("floor_divide:"), ex::Error);
  const std::int64_t min64 = std::numeric_limits<std::int64_t>::min();
  const Tensor m64 = ex::tensor<std::int64_t>({min64, 7});
  CHECK(ex::floor_divide(m64, -1).to_vector<std::int64_t>() == std::vector<std::int64_t>{min64, -7});
  CHECK(ex::modulo(m64, -1).to_vector<std::int64_t>() == std::vector<std::int64_t>{0, 0});
  const Tensor m32 = ex::tensor<std::int32_t>({std::numeric_limits<std::int32_t>::min()});
  CHECK(ex::floor_divide(m32, ex::tensor<std::int32_t>({-1})).item<std::int32_t>() ==
        std::numeric_limits<std::int32_t>::min());
  CHECK(ex::modulo(m32, ex::tensor<std::int32_t>({-1})).item<std::int32_t>() == 0);
  CHECK(ex::neg(m32).item<std::int32_t>() == std::numeric_limits<std::int32_t>::min());
  check_values(ex::divide(i64({1, -1, 0}, {3}), 0), {3}, {kInf, -kInf, kNan});
}

TEST_CASE("power: fractional, negative and large exponents") {
  check_values(ex::power(ex::tensor<double>({4, 2, 8, 0, 0, -2}), ex::tensor<double>({0.5, -2, 1.0 / 3, 0, -1, 3})),
               {6}, {2, 0.25, 2, 1, kInf, -8}, 1e-12, 1e-12);
  check_values(ex::power(f32({-8}, {1}), 1.0 / 3), {1}, {kNan});
  check_values(ex::power(ex::tensor<double>({1.0001}), 10000), {1}, {2.7181459268249255}, 0, 1e-12);
  // float32: 1.0001 rounds to 1.00010001659..., whose 10000th power is 2.718596966...
  check_values(ex::power(f32({1.0001f}, {1}), 10000), {1}, {2.718596966455898}, 0, 1e-5);
  check_values(ex::power(f32({3, -2, 0.5f}, {3}), -1.5), {3}, {0.19245008972987526, kNan, 2.8284271247461903}, 0, 1e-6);
  check_values(ex::power(f32({1, 2, 3}, {3}), 2), {3}, {1, 4, 9});
  check_values(ex::power(2.0, f32({-1, 0, 0.5f}, {3})), {3}, {0.5, 1, 1.4142135623730951});

  // integers: exact by repeated squaring, no limit on the exponent
  CHECK(ex::power(i64({3}, {1}), 39).item<std::int64_t>() == 4052555153018976267LL);
  CHECK(ex::power(i64({3}, {1}), 40).item<std::int64_t>() == -6289078614652622815LL);  // wraps like PyTorch
  CHECK(ex::power(i64({7}, {1}), 22).item<std::int64_t>() == 3909821048582988049LL);
  CHECK(ex::power(i64({3, 7}, {2}), i64({39, 22}, {2})).to_vector<std::int64_t>() ==
        std::vector<std::int64_t>{4052555153018976267LL, 3909821048582988049LL});
  check_values(ex::power(i64({2, -1, 1, 0, -1}, {5}), std::int64_t{1000000000000000001}), {5}, {0, -1, 1, 0, -1});
  check_values(ex::power(i64({0, 5, -3}, {3}), 0), {3}, {1, 1, 1});
  check_values(ex::power(ex::tensor<std::uint8_t>({3, 2}), 5), {2}, {243, 32});
  CHECK(ex::power(ex::tensor<std::uint8_t>({3}), 5).dtype() == DType::UInt8);
  check_values(ex::power(ex::tensor<std::int32_t>({2, 3}), ex::tensor<std::int32_t>({10, 3})), {2}, {1024, 27});

  // dtypes of mixed forms
  const Tensor it = ex::tensor<std::int32_t>({4, 9});
  CHECK(ex::power(it, 0.5).dtype() == DType::Float32);
  check_values(ex::power(it, 0.5), {2}, {2, 3});
  CHECK(ex::power(2, it).dtype() == DType::Int32);
  check_values(ex::power(2, it), {2}, {16, 512});
  CHECK(ex::power(2.5, it).dtype() == DType::Float32);
  check_values(ex::power(0.5, it), {2}, {0.0625, 0.001953125});
  CHECK(ex::power(ex::tensor<bool>({true, false}), 2).dtype() == DType::Int64);
  check_values(ex::power(f32({2, 3}, {2, 1}), f32({1, 2, 3}, {3})), {2, 3}, {2, 4, 8, 3, 9, 27});

  // negative integer powers of integers
  CHECK_THROWS_WITH_AS(ex::power(it, -2), doctest::Contains("power: integers to negative integer powers"), ex::Error);
  CHECK_THROWS_WITH_AS(ex::power(it, ex::tensor<std::int32_t>({1, -1})), doctest::Contains("power:"), ex::Error);
  CHECK_THROWS_WITH_AS(ex::power(2, ex::tensor<std::int64_t>({-3})), doctest::Contains("power:"), ex::Error);
  check_values(ex::power(it, -2.0), {2}, {0.0625, 1.0 / 81}, 1e-7);  // a float exponent is fine
}

TEST_CASE("seed defect: power exponents of 100 and above") {
  CHECK(ex::power(i64({1, -1, 2}, {3}), 100).to_vector<std::int64_t>() == std::vector<std::int64_t>{1, 1, 0});
  CHECK(ex::power(i64({-1}, {1}), 12345).item<std::int64_t>() == -1);
  check_values(ex::power(ex::tensor<double>({1.01}), 250.5), {1}, {std::pow(1.01, 250.5)}, 0, 1e-12);
  check_values(ex::power(ex::tensor<double>({2}), -100), {1}, {std::ldexp(1.0, -100)}, 0, 1e-12);
  CHECK(ex::power(ex::tensor<std::uint64_t>({3}), 150).item<std::uint64_t>() == [] {
    std::uint64_t r = 1;
    for (int i = 0; i < 150; ++i) r *= 3;
    return r;
  }());
}

TEST_CASE("neg on every dtype class") {
  check_values(ex::neg(f32({1, -2, 0}, {3})), {3}, {-1, 2, 0});
  check_values(ex::neg(ex::tensor<std::int8_t>({-128, 5})), {2}, {-128, -5});
  check_values(ex::neg(ex::tensor<std::uint8_t>({1, 0})), {2}, {255, 0});
  check_values(ex::neg(f32({1.5f, -3}, {2}).to(DType::BFloat16)), {2}, {-1.5, 3});
  check_values(-noncontiguous(ex::arange(0, 6).reshape({2, 3})), {2, 3}, {0, -1, -2, -3, -4, -5});
  check_values(-ex::scalar_tensor(2.0, DType::Float64), {}, {-2});
  CHECK(ex::neg(ex::tensor<std::uint8_t>({1})).dtype() == DType::UInt8);
}

TEST_CASE("broadcast errors name both shapes") {
  const Tensor a = ex::zeros({3, 2});
  const Tensor b = ex::zeros({4});
  CHECK_THROWS_WITH_AS(ex::add(a, b), doctest::Contains("add: shapes [3, 2] and [4] cannot be broadcast"), ex::Error);
  CHECK_THROWS_WITH_AS(a - b, doctest::Contains("subtract: shapes [3, 2] and [4]"), ex::Error);
  CHECK_THROWS_WITH_AS(a * b, doctest::Contains("multiply:"), ex::Error);
  CHECK_THROWS_WITH_AS(a / b, doctest::Contains("divide:"), ex::Error);
  CHECK_THROWS_WITH_AS(ex::floor_divide(a, b), doctest::Contains("floor_divide:"), ex::Error);
  CHECK_THROWS_WITH_AS(ex::modulo(a, b), doctest::Contains("modulo:"), ex::Error);
  CHECK_THROWS_WITH_AS(ex::power(a, b), doctest::Contains("power:"), ex::Error);
  CHECK_THROWS_WITH_AS(ex::add(Tensor(), a), doctest::Contains("undefined"), ex::Error);
}

TEST_CASE("in-place ops write through views and bump the version") {
  Tensor base = ex::zeros({4, 3});
  const Tensor view = base.transpose(0, 1);  // [3, 4], strides (1, 3)
  const auto v0 = base.storage()->version();
  Tensor r = ex::add_(view, f32({1, 2, 3, 4}, {4}));
  CHECK(r.is_same(view));
  CHECK(base.storage()->version() == v0 + 1);
  check_values(base, {4, 3}, {1, 1, 1, 2, 2, 2, 3, 3, 3, 4, 4, 4});
  ex::mul_(view, f32({1, 10, 100}, {3, 1}));
  check_values(view, {3, 4}, {1, 2, 3, 4, 10, 20, 30, 40, 100, 200, 300, 400});
  ex::sub_(view, 1);
  ex::div_(view, 2);
  check_values(view, {3, 4}, {0, 0.5, 1, 1.5, 4.5, 9.5, 14.5, 19.5, 49.5, 99.5, 149.5, 199.5});
  CHECK(base.storage()->version() == v0 + 4);

  // a strided slice is written in place, the rest untouched
  Tensor line = ex::zeros({6}, DType::Int32);
  ex::add_(line.slice(0, 0, 6, 2), ex::tensor<std::int32_t>({5, 6, 7}));
  check_values(line, {6}, {5, 0, 6, 0, 7, 0});
  ex::mul_(line, 3);
  check_values(line, {6}, {15, 0, 18, 0, 21, 0});

  // other overlapping self through another view reads the old values
  Tensor sq = ex::arange(0, 4).to(DType::Float32).reshape({2, 2});
  ex::add_(sq, sq.transpose(0, 1));
  check_values(sq, {2, 2}, {0, 3, 3, 6});
  ex::add_(sq, sq);
  check_values(sq, {2, 2}, {0, 6, 6, 12});

  // lower-precision self with a wider other: computed wide, stored narrow
  Tensor h = f32({1, 2}, {2}).to(DType::Float16);
  ex::add_(h, ex::tensor<double>({0.5, 0.25}));
  CHECK(h.dtype() == DType::Float16);
  check_values(h, {2}, {1.5, 2.25});
  Tensor i8 = ex::tensor<std::int8_t>({100, -100});
  ex::add_(i8, ex::tensor<std::int32_t>({27, -28}));
  check_values(i8, {2}, {127, -128});
  Tensor fb = f32({1, 2}, {2});
  ex::mul_(fb, ex::tensor<bool>({true, false}));
  check_values(fb, {2}, {1, 0});
  Tensor bb = ex::tensor<bool>({true, false});
  ex::add_(bb, ex::tensor<bool>({false, false}));
  check_values(bb, {2}, {1, 0});
  // rank 0 and zero-size
  Tensor s = ex::scalar_tensor(2.0);
  ex::mul_(s, 4);
  check_values(s, {}, {8});
  Tensor e = ex::zeros({0, 3});
  ex::add_(e, f32({1, 2, 3}, {3}));
  check_values(e, {0, 3}, {});
}

TEST_CASE("in-place ops: dtype and shape violations") {
  Tensor it = ex::tensor<std::int32_t>({1, 2});
  CHECK_THROWS_WITH_AS(ex::div_(it, 2),
                       doctest::Contains("div_: result type float32 can't be cast to the desired output type int32"),
                       ex::Error);
  CHECK_THROWS_WITH_AS(ex::add_(it, 1.5), doctest::Contains("add_: result type float32"), ex::Error);
  CHECK_THROWS_WITH_AS(ex::mul_(it, f32({1, 2}, {2})), doctest::Contains("mul_:"), ex::Error);
  Tensor bt = ex::tensor<bool>({true});
  CHECK_THROWS_WITH_AS(ex::add_(bt, 1), doctest::Contains("add_: result type int64"), ex::Error);
  CHECK_THROWS_WITH_AS(ex::sub_(bt, bt), doctest::Contains("sub_:"), ex::Error);
  CHECK(it.to_vector<std::int32_t>() == std::vector<std::int32_t>{1, 2});  // untouched

  Tensor f = ex::zeros({2, 3});
  CHECK_THROWS_WITH_AS(ex::add_(f, ex::zeros({3, 3})), doctest::Contains("add_: other of shape [3, 3]"), ex::Error);
  CHECK_THROWS_WITH_AS(ex::add_(f, ex::zeros({2, 2, 3})), doctest::Contains("output shape [2, 3]"), ex::Error);
  CHECK_THROWS_WITH_AS(ex::sub_(ex::zeros({1, 3}), ex::zeros({2, 3})), doctest::Contains("sub_:"), ex::Error);
  CHECK_THROWS_WITH_AS(ex::add_(ex::zeros({1, 3}).expand({2, 3}), 1), doctest::Contains("add_:"), ex::Error);
  CHECK_THROWS_WITH_AS(ex::copy_(f, ex::zeros({4})), doctest::Contains("copy_: src of shape [4]"), ex::Error);
  CHECK_THROWS_WITH_AS(ex::clamp_(f, std::nullopt, std::nullopt), doctest::Contains("clamp_:"), ex::Error);
  CHECK_THROWS_WITH_AS(ex::clamp_(it, 0.5, 3), doctest::Contains("clamp_: result type float32"), ex::Error);
  CHECK_THROWS_WITH_AS(ex::fill_(ex::zeros({2}, DType::Int8), 300), doctest::Contains("fill_: value 300"), ex::Error);
  CHECK_THROWS_WITH_AS(ex::fill_(ex::zeros({2}, DType::UInt8), -1), doctest::Contains("fill_:"), ex::Error);
}

TEST_CASE("zero_, fill_, copy_, clamp_") {
  Tensor base = ex::ones({3, 4});
  ex::fill_(base.slice(1, 1, 3), 7);
  check_values(base, {3, 4}, {1, 7, 7, 1, 1, 7, 7, 1, 1, 7, 7, 1});
  ex::zero_(base.transpose(0, 1).slice(0, 0, 1));
  check_values(base, {3, 4}, {0, 7, 7, 1, 0, 7, 7, 1, 0, 7, 7, 1});
  Tensor ints = ex::zeros({3}, DType::Int32);
  ex::fill_(ints, -2.7);
  check_values(ints, {3}, {-2, -2, -2});
  Tensor bools = ex::zeros({2}, DType::Bool);
  ex::fill_(bools, 0.5);
  check_values(bools, {2}, {1, 1});
  Tensor half = ex::zeros({2}, DType::BFloat16);
  ex::fill_(half, 1.5);
  check_values(half, {2}, {1.5, 1.5});
  Tensor small = ex::zeros({1, 2});
  ex::fill_(small.expand({3, 2}), 4);  // an expanded view is fine for fill_
  check_values(small, {1, 2}, {4, 4});

  const auto v0 = base.storage()->version();
  ex::copy_(base, ex::tensor<std::int64_t>({1, 2, 3, 4}));
  CHECK(base.storage()->version() == v0 + 1);
  check_values(base, {3, 4}, {1, 2, 3, 4, 1, 2, 3, 4, 1, 2, 3, 4});
  ex::copy_(base.transpose(0, 1), f32({9, 8, 7}, {3}));
  check_values(base, {3, 4}, {9, 9, 9, 9, 8, 8, 8, 8, 7, 7, 7, 7});
  Tensor sq = ex::arange(0, 4).reshape({2, 2});
  ex::copy_(sq, sq.transpose(0, 1));
  check_values(sq, {2, 2}, {0, 2, 1, 3});
  Tensor i8 = ex::zeros({2}, DType::Int8);
  ex::copy_(i8, f32({3.9f, -3.9f}, {2}));
  check_values(i8, {2}, {3, -3});

  Tensor c = f32({-2, 0.5f, 3, NAN}, {4});
  ex::clamp_(c, -1, 1);
  check_values(c, {4}, {-1, 0.5, 1, kNan});
  Tensor c2 = f32({-2, 5}, {2});
  ex::clamp_(c2, std::nullopt, 0);
  check_values(c2, {2}, {-2, 0});
  ex::clamp_(c2, 3, 1);  // min > max: everything becomes max
  check_values(c2, {2}, {1, 1});
  Tensor ci = ex::tensor<std::int8_t>({-100, 0, 100});
  ex::clamp_(ci, -1000, 50);
  check_values(ci, {3}, {-100, 0, 50});
  Tensor ct = ex::arange(0, 6).to(DType::Float64).reshape({3, 2}).transpose(0, 1);
  ex::clamp_(ct, 1.5, 3.5);
  check_values(ct, {2, 3}, {1.5, 2, 3.5, 1.5, 3, 3.5});
  Tensor ch = f32({1, NAN}, {2}).to(DType::Float16);
  ex::clamp_(ch, NAN, std::nullopt);
  check_values(ch, {2}, {kNan, kNan});
}

TEST_CASE("large contiguous and strided loops agree with a float64 reference") {
  const std::int64_t n = 100003;  // above the parallel grain
  const Tensor a = ex::rand({n});
  const Tensor b = ex::rand({n});
  const std::vector<double> va = a.to_vector<double>(), vb = b.to_vector<double>();
  std::vector<double> ref(n);
  for (std::int64_t i = 0; i < n; ++i) ref[i] = va[i] + vb[i];
  check_values(ex::add(a, b), {n}, ref);
  for (std::int64_t i = 0; i < n; ++i) ref[i] = va[i] * 3;
  check_values(ex::multiply(a, 3), {n}, ref);
  const Tensor m = ex::rand({317, 331});
  const std::vector<double> vm = m.to_vector<double>();
  const Tensor mt = ex::add(m.transpose(0, 1), 1);
  const std::vector<double> got = mt.to_vector<double>();
  for (int i = 0; i < 331; ++i)
    for (int j = 0; j < 317; j += 37) CHECK(got[i * 317 + j] == doctest::Approx(vm[j * 331 + i] + 1));
}

namespace {
// Checks op(a, b) (one of + - * / on float or double) elementwise against the same
// arithmetic done here, exactly: the streaming loop must compute what the plain one does.
template <class T, class Op>
void check_streamed(const Tensor& got, const std::vector<T>& a, const std::vector<T>& b, bool a_scalar, bool b_scalar,
                    Op op) {
  const std::vector<T> g = got.to_vector<T>();
  std::size_t bad = 0;
  for (std::size_t i = 0; i < g.size(); ++i) {
    const T want = op(a[a_scalar ? 0 : i], b[b_scalar ? 0 : i]);
    bad += !(g[i] == want || (std::isnan(g[i]) && std::isnan(want)));
  }
  CHECK(bad == 0);
}
}  // namespace

TEST_CASE("large dense float add/subtract/multiply/divide (non-temporal stores) match the plain arithmetic") {
  // From 32 MiB moved, the four ops write dense float and double outputs with
  // streaming stores: tensor-tensor, tensor-scalar, scalar-tensor and a one-element
  // broadcast, at 1 and 2 threads (the second thread's chunk starts off a 64-byte line).
  const int before = ex::get_num_threads();
  const auto run = [](auto zero, std::int64_t n) {
    using T = decltype(zero);
    const DType dt = ex::dtype_of<T>;
    ex::manual_seed(static_cast<std::uint64_t>(n));
    const Tensor x = ex::randn({n}, dt), y = ex::rand({n}, dt), one = ex::full({1}, 0.375, dt);
    const std::vector<T> a = x.to_vector<T>(), b = y.to_vector<T>(), s = {T(2.5)}, o = {T(0.375)};
    check_streamed<T>(ex::add(x, y), a, b, false, false, [](T u, T v) { return u + v; });
    check_streamed<T>(ex::subtract(x, y), a, b, false, false, [](T u, T v) { return u - v; });
    check_streamed<T>(ex::multiply(x, 2.5), a, s, false, true, [](T u, T v) { return u * v; });
    check_streamed<T>(ex::divide(2.5, y), s, b, true, false, [](T u, T v) { return u / v; });
    check_streamed<T>(ex::divide(x, y), a, b, false, false, [](T u, T v) { return u / v; });
    check_streamed<T>(ex::add(one, y), o, b, true, false, [](T u, T v) { return u + v; });
    // In place through a view that starts one element into its storage.
    Tensor buf = ex::zeros({n + 1}, dt);
    Tensor view = buf.slice(0, 1, n + 1);
    ex::copy_(view, x);
    ex::mul_(view, y);
    check_streamed<T>(view, a, b, false, false, [](T u, T v) { return u * v; });
  };
  ex::set_num_threads(1);
  run(0.0f, 2900003);  // 12 bytes an element: 35 MB
  ex::set_num_threads(2);
  run(0.0f, 2900003);
  run(0.0, 1500001);  // 24 bytes an element: 36 MB
  ex::set_num_threads(before);
}
