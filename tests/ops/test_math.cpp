// Elementwise math: values against float64 std:: references, dtype rules, IEEE
// specials, rounding, clip, views, rank 0 and empty tensors, errors.

#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>
#include <vector>

#include "../../core/src/kernels/math_vec.hpp"  // erf_f32 has no public op of its own
#include "test_util.hpp"

namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// Distance in float32 ulps between got and the float64 reference (0 when both are the
// same special value).
double ulp_error(float got, double ref) {
  if (std::isnan(ref)) return std::isnan(got) ? 0 : 1e30;
  const auto rf = static_cast<float>(ref);
  if (std::isinf(rf)) return got == rf ? 0 : 1e30;
  const double spacing = std::max<double>(std::nextafter(std::fabs(rf), INFINITY) - std::fabs(rf),
                                          std::numeric_limits<float>::denorm_min());
  return std::fabs(static_cast<double>(got) - ref) / spacing;
}

// Floats spread over the whole range (every 9973rd bit pattern), specials included.
std::vector<float> float_sweep() {
  std::vector<float> v;
  for (std::uint64_t b = 0; b < (1ull << 32); b += 9973)
    v.push_back(std::bit_cast<float>(static_cast<std::uint32_t>(b)));
  for (float s : {0.0f, -0.0f, 1.0f, -1.0f, INFINITY, -INFINITY, NAN, 88.72f, 88.73f, -87.5f, -103.9f, -104.0f, 1e-45f,
                  1.17549435e-38f})
    v.push_back(s);
  return v;
}

template <class F, class R>
void check_float32_ulps(F op, R ref, double max_ulps) {
  const std::vector<float> in = float_sweep();
  const Tensor x = ex::tensor(in);
  const Tensor y = op(x);
  REQUIRE(y.dtype() == DType::Float32);
  const std::vector<float> got = y.to_vector<float>();
  double worst = 0;
  float worst_x = 0;
  for (std::size_t i = 0; i < in.size(); ++i) {
    const double e = ulp_error(got[i], ref(static_cast<double>(in[i])));
    if (e > worst) {
      worst = e;
      worst_x = in[i];
    }
  }
  INFO("worst input " << worst_x);
  CHECK(worst <= max_ulps);
}

// Values of t as doubles, and ref applied to each, for a float64 check.
template <class R>
std::vector<double> mapped(const std::vector<double>& v, R ref) {
  std::vector<double> out;
  for (double x : v) out.push_back(ref(x));
  return out;
}

}  // namespace

TEST_CASE("math: float32 exp/log/log2/log10 within 2 ulp of float64 over the whole range") {
  check_float32_ulps([](const Tensor& t) { return ex::exp(t); }, [](double v) { return std::exp(v); }, 2.0);
  check_float32_ulps([](const Tensor& t) { return ex::log(t); }, [](double v) { return std::log(v); }, 2.0);
  check_float32_ulps([](const Tensor& t) { return ex::log2(t); }, [](double v) { return std::log2(v); }, 2.0);
  check_float32_ulps([](const Tensor& t) { return ex::log10(t); }, [](double v) { return std::log10(v); }, 2.0);
  check_float32_ulps([](const Tensor& t) { return ex::sqrt(t); }, [](double v) { return std::sqrt(v); }, 0.5);
}

TEST_CASE("math: the vectorized float32 erf (behind gelu) is within 2 ulp of float64 std::erf") {
  // This test's translation unit is built without -march=native, so it checks the
  // portable form (separate multiply and add); the library's FMA form was checked
  // against every float when written (at most 1.18 ulp). gelu's test covers it too.
  double worst = 0;
  float worst_x = 0;
  auto check = [&](float x) {
    const double e = ulp_error(ex::detail::erf_f32(x), std::erf(static_cast<double>(x)));
    if (e > worst) {
      worst = e;
      worst_x = x;
    }
  };
  for (float x : float_sweep()) check(x);
  // Densely where the polynomials meet and the result leaves 1: every 13th float
  // between 2^-10 and 4.5, both signs.
  for (std::uint32_t b = std::bit_cast<std::uint32_t>(0x1p-10f); b < std::bit_cast<std::uint32_t>(4.5f); b += 13) {
    check(std::bit_cast<float>(b));
    check(-std::bit_cast<float>(b));
  }
  INFO("worst input " << worst_x);
  CHECK(worst <= 2.0);
  CHECK(ex::detail::erf_f32(INFINITY) == 1.0f);
  CHECK(ex::detail::erf_f32(-INFINITY) == -1.0f);
  CHECK(std::isnan(ex::detail::erf_f32(NAN)));
  CHECK(std::signbit(ex::detail::erf_f32(-0.0f)));
  CHECK(ulp_error(ex::detail::erf_f32(1e-30f), std::erf(static_cast<double>(1e-30f))) <= 1.0);  // 2x / sqrt(pi)
}

TEST_CASE("math: sin and cos float32 against float64") {
  std::vector<double> v;
  for (int i = -200; i <= 200; ++i) v.push_back(i * 0.173);
  const Tensor x = ex::tensor(v).to(DType::Float32);
  const std::vector<double> xs = x.to_vector<double>();
  check_values(ex::sin(x), {401}, mapped(xs, [](double a) { return std::sin(a); }), 1e-7, 2.4e-7);
  check_values(ex::cos(x), {401}, mapped(xs, [](double a) { return std::cos(a); }), 1e-7, 2.4e-7);
}

TEST_CASE("math: float64 is exact against std::") {
  const std::vector<double> v = {0.0, 0.5, 1.0, 2.0, 3.75, 100.0, 1e-300, 7e300};
  const Tensor x = ex::tensor(v);
  check_values(ex::exp(x), {8}, mapped(v, [](double a) { return std::exp(a); }), 0, 0);
  check_values(ex::log(x), {8}, mapped(v, [](double a) { return std::log(a); }), 0, 0);
  check_values(ex::log2(x), {8}, mapped(v, [](double a) { return std::log2(a); }), 0, 0);
  check_values(ex::log10(x), {8}, mapped(v, [](double a) { return std::log10(a); }), 0, 0);
  check_values(ex::sqrt(x), {8}, mapped(v, [](double a) { return std::sqrt(a); }), 0, 0);
  check_values(ex::sin(x), {8}, mapped(v, [](double a) { return std::sin(a); }), 0, 0);
  check_values(ex::cos(x), {8}, mapped(v, [](double a) { return std::cos(a); }), 0, 0);
  CHECK(ex::exp(x).dtype() == DType::Float64);
}

TEST_CASE("math: half types compute in float and keep their dtype") {
  const std::vector<double> v = {-2.0, -0.5, 0.0, 0.25, 1.0, 3.0};
  for (DType dt : {DType::Float16, DType::BFloat16}) {
    const Tensor x = ex::tensor(v).to(dt);
    const double tol = dt == DType::Float16 ? 1e-3 : 8e-3;
    const Tensor e = ex::exp(x);
    CHECK(e.dtype() == dt);
    check_values(e, {6}, mapped(v, [](double a) { return std::exp(a); }), 0, tol);
    check_values(ex::log(x), {6}, {kNaN, kNaN, -kInf, std::log(0.25), 0.0, std::log(3.0)}, 1e-3, tol);
    check_values(ex::sqrt(x), {6}, {kNaN, kNaN, 0.0, 0.5, 1.0, std::sqrt(3.0)}, 0, tol);
    check_values(ex::sin(x), {6}, mapped(v, [](double a) { return std::sin(a); }), 1e-3, tol);
  }
}

TEST_CASE("math: bool and integer inputs of the floating functions give float32") {
  const Tensor i = ex::tensor<std::int32_t>({0, 1, 4, -1});
  const Tensor e = ex::exp(i);
  CHECK(e.dtype() == DType::Float32);
  check_values(e, {4}, {1.0, std::exp(1.0), std::exp(4.0), std::exp(-1.0)}, 0, 2.4e-7);
  check_values(ex::log(i), {4}, {-kInf, 0.0, std::log(4.0), kNaN}, 0, 2.4e-7);
  check_values(ex::sqrt(i), {4}, {0.0, 1.0, 2.0, kNaN});
  check_values(ex::log2(ex::tensor<std::uint8_t>({1, 8, 255})), {3}, {0.0, 3.0, std::log2(255.0)}, 0, 2.4e-7);
  check_values(ex::log10(ex::tensor<std::int64_t>({1, 1000})), {2}, {0.0, 3.0}, 0, 2.4e-7);
  const Tensor b = ex::tensor<bool>({true, false});
  CHECK(ex::cos(b).dtype() == DType::Float32);
  check_values(ex::cos(b), {2}, {std::cos(1.0), 1.0}, 0, 2.4e-7);
  check_values(ex::exp(b), {2}, {std::exp(1.0), 1.0}, 0, 2.4e-7);
}

TEST_CASE("math: IEEE specials of exp, log and sqrt (no epsilons)") {
  const Tensor x = ex::tensor<float>({0.0f, -0.0f, -1.0f, INFINITY, -INFINITY, NAN});
  check_values(ex::exp(x), {6}, {1.0, 1.0, std::exp(-1.0), kInf, 0.0, kNaN}, 0, 2.4e-7);
  check_values(ex::log(x), {6}, {-kInf, -kInf, kNaN, kInf, kNaN, kNaN});
  check_values(ex::log2(x), {6}, {-kInf, -kInf, kNaN, kInf, kNaN, kNaN});
  check_values(ex::log10(x), {6}, {-kInf, -kInf, kNaN, kInf, kNaN, kNaN});
  const std::vector<float> s = ex::sqrt(x).to_vector<float>();
  CHECK(s[0] == 0.0f);
  CHECK(std::signbit(s[1]));  // sqrt(-0) = -0
  CHECK(std::isnan(s[2]));
  CHECK(s[3] == INFINITY);
  CHECK(std::isnan(s[4]));
  // exp overflows to inf and underflows through subnormals.
  check_values(ex::exp(ex::tensor<float>({89.0f, -100.0f, -110.0f})), {3}, {kInf, std::exp(-100.0), 0.0}, 1.5e-45,
               1e-6);
}

TEST_CASE("math: abs on every dtype class") {
  check_values(ex::abs(ex::tensor<float>({-1.5f, 0.0f, 2.0f, -INFINITY, NAN})), {5}, {1.5, 0.0, 2.0, kInf, kNaN});
  CHECK(!std::signbit(ex::abs(ex::tensor<float>({-0.0f})).item<float>()));
  const Tensor i8 = ex::abs(ex::tensor<std::int8_t>({-128, -3, 0, 127}));
  CHECK(i8.dtype() == DType::Int8);
  CHECK(i8.to_vector<std::int8_t>() == std::vector<std::int8_t>{-128, 3, 0, 127});  // wraps like PyTorch
  CHECK(ex::abs(ex::tensor<std::int64_t>({std::numeric_limits<std::int64_t>::min(), -7})).to_vector<std::int64_t>() ==
        std::vector<std::int64_t>{std::numeric_limits<std::int64_t>::min(), 7});
  const Tensor u8 = ex::abs(ex::tensor<std::uint8_t>({0, 3, 255}));
  CHECK(u8.dtype() == DType::UInt8);
  CHECK(u8.to_vector<std::uint8_t>() == std::vector<std::uint8_t>{0, 3, 255});
  const Tensor h = ex::abs(ex::tensor<double>({-2.5, 1.0}).to(DType::BFloat16));
  CHECK(h.dtype() == DType::BFloat16);
  check_values(h, {2}, {2.5, 1.0});
  CHECK_THROWS_WITH_AS(ex::abs(ex::tensor<bool>({true})), doctest::Contains("abs:"), ex::Error);
}

TEST_CASE("math: sign on every dtype class") {
  const Tensor f = ex::sign(ex::tensor<float>({-2.5f, -0.0f, 0.0f, 3.0f, -INFINITY, NAN}));
  CHECK(f.dtype() == DType::Float32);
  check_values(f, {6}, {-1.0, 0.0, 0.0, 1.0, -1.0, 0.0});  // sign(NaN) = 0 as in PyTorch 1.13
  CHECK(ex::sign(ex::tensor<std::int32_t>({-7, 0, 9})).to_vector<std::int32_t>() ==
        std::vector<std::int32_t>{-1, 0, 1});
  const Tensor u = ex::sign(ex::tensor<std::uint8_t>({0, 3, 255}));
  CHECK(u.dtype() == DType::UInt8);
  CHECK(u.to_vector<std::uint8_t>() == std::vector<std::uint8_t>{0, 1, 1});
  const Tensor b = ex::sign(ex::tensor<bool>({true, false}));
  CHECK(b.dtype() == DType::Bool);
  CHECK(b.to_vector<bool>() == std::vector<bool>{true, false});
  check_values(ex::sign(ex::tensor<double>({-0.5, 2.0}).to(DType::Float16)), {2}, {-1.0, 1.0});
}

TEST_CASE("math: ceil, floor, round (half to even), trunc") {
  const std::vector<double> v = {-2.5, -1.5, -0.5, 0.5, 1.5, 2.5, 2.7, -2.7, 1e10, kInf, -kInf, kNaN};
  for (DType dt : {DType::Float32, DType::Float64}) {
    const Tensor x = ex::tensor(v).to(dt);
    CHECK(ex::round(x).dtype() == dt);
    check_values(ex::round(x), {12}, {-2, -2, -0.0, 0, 2, 2, 3, -3, 1e10, kInf, -kInf, kNaN});
    check_values(ex::floor(x), {12}, {-3, -2, -1, 0, 1, 2, 2, -3, 1e10, kInf, -kInf, kNaN});
    check_values(ex::ceil(x), {12}, {-2, -1, -0.0, 1, 2, 3, 3, -2, 1e10, kInf, -kInf, kNaN});
    check_values(ex::trunc(x), {12}, {-2, -1, -0.0, 0, 1, 2, 2, -2, 1e10, kInf, -kInf, kNaN});
    CHECK(std::signbit(ex::round(x).to_vector<double>()[2]));  // round(-0.5) = -0
    CHECK(std::signbit(ex::ceil(x).to_vector<double>()[2]));
  }
  check_values(ex::round(ex::tensor<double>({0.5, 1.5, 2.5, 3.5}).to(DType::Float16)), {4}, {0, 2, 2, 4});
  check_values(ex::floor(ex::tensor<double>({-0.5, 1.75}).to(DType::BFloat16)), {2}, {-1, 1});
  // Integers and bool are copied unchanged with their dtype.
  const Tensor i = ex::tensor<std::int16_t>({-3, 0, 7});
  for (const Tensor& r : {ex::ceil(i), ex::floor(i), ex::round(i), ex::trunc(i)}) {
    CHECK(r.dtype() == DType::Int16);
    CHECK(r.to_vector<std::int16_t>() == std::vector<std::int16_t>{-3, 0, 7});
    CHECK(!r.is_same(i));
  }
  CHECK(ex::round(ex::tensor<bool>({true, false})).to_vector<bool>() == std::vector<bool>{true, false});
}

TEST_CASE("math: clip with both, one or no bound") {
  const Tensor f = ex::tensor<float>({-2.0f, 0.5f, 3.0f, NAN});
  check_values(ex::clip(f, 0, 1), {4}, {0.0, 0.5, 1.0, kNaN});
  check_values(ex::clip(f, 0.25, std::nullopt), {4}, {0.25, 0.5, 3.0, kNaN});
  check_values(ex::clip(f, std::nullopt, -1.0), {4}, {-2.0, -1.0, -1.0, kNaN});
  check_values(ex::clip(f, 2, 1), {4}, {1.0, 1.0, 1.0, kNaN});        // min > max gives max
  check_values(ex::clip(f, kNaN, 1.0), {4}, {-2.0, 0.5, 1.0, kNaN});  // NaN bound ignored
  CHECK(ex::clip(f, 0, 1).dtype() == DType::Float32);

  const Tensor i = ex::tensor<std::int32_t>({-3, 0, 2});
  const Tensor ci = ex::clip(i, -1, 1);
  CHECK(ci.dtype() == DType::Int32);
  CHECK(ci.to_vector<std::int32_t>() == std::vector<std::int32_t>{-1, 0, 1});
  const Tensor cf = ex::clip(i, 0.5, 1.5);  // a float bound promotes to float32
  CHECK(cf.dtype() == DType::Float32);
  check_values(cf, {3}, {0.5, 0.5, 1.5});
  const Tensor cu = ex::clip(ex::tensor<std::uint8_t>({0, 3, 255}), -1, 1);  // -1 clamps to 0, no wrap
  CHECK(cu.dtype() == DType::UInt8);
  CHECK(cu.to_vector<std::uint8_t>() == std::vector<std::uint8_t>{0, 1, 1});
  CHECK(ex::clip(ex::tensor<std::int8_t>({-100, 100}), -1000, 1000).to_vector<std::int8_t>() ==
        std::vector<std::int8_t>{-100, 100});
  const Tensor cb = ex::clip(ex::tensor<bool>({true, false}), 0, 1);  // int bound: int64
  CHECK(cb.dtype() == DType::Int64);
  CHECK(cb.to_vector<std::int64_t>() == std::vector<std::int64_t>{1, 0});
  const Tensor ch = ex::clip(ex::tensor<double>({-1.0, 0.3, 9.0}).to(DType::Float16), 0, 1.5);
  CHECK(ch.dtype() == DType::Float16);
  check_values(ch, {3}, {0.0, 0.3, 1.5}, 1e-3);
  const std::int64_t big = (std::int64_t{1} << 62) + 1;
  CHECK(ex::clip(ex::tensor<std::int64_t>({big + 5, 0}), std::nullopt, big).to_vector<std::int64_t>() ==
        std::vector<std::int64_t>{big, 0});
  CHECK_THROWS_WITH_AS(ex::clip(f, std::nullopt, std::nullopt), doctest::Contains("clip:"), ex::Error);
}

TEST_CASE("math: non-contiguous inputs (transposed, sliced, expanded)") {
  const Tensor base = ex::arange(0.0, 12.0, 1.0, DType::Float32).reshape({3, 4});
  const std::vector<double> v = base.to_vector<double>();
  const Tensor t = ex::test::noncontiguous(base);
  REQUIRE(!t.is_contiguous());
  check_values(ex::exp(t), {3, 4}, mapped(v, [](double a) { return std::exp(a); }), 0, 2.4e-7);
  check_values(ex::sqrt(t), {3, 4}, mapped(v, [](double a) { return std::sqrt(a); }), 0, 1e-7);
  // Transposed view: results in the view's logical order.
  const Tensor tr = base.transpose(0, 1);
  std::vector<double> tv;
  for (int c = 0; c < 4; ++c)
    for (int r = 0; r < 3; ++r) tv.push_back(std::log(v[r * 4 + c]));
  check_values(ex::log(tr), {4, 3}, tv, 0, 2.4e-7);
  // Sliced with a step, and expanded with stride 0.
  const Tensor sl = base.slice(1, 0, 4, 2);  // columns 0 and 2
  check_values(ex::floor(sl), {3, 2}, {0, 2, 4, 6, 8, 10});
  check_values(ex::sin(sl), {3, 2}, mapped({0, 2, 4, 6, 8, 10}, [](double a) { return std::sin(a); }), 1e-7, 2.4e-7);
  const Tensor ex_i = ex::tensor<std::int32_t>({-1, 2, -3}).expand({2, 3});
  check_values(ex::abs(ex_i), {2, 3}, {1, 2, 3, 1, 2, 3});
  check_values(ex::clip(ex_i, -2, 1), {2, 3}, {-1, 1, -2, -1, 1, -2});
  check_values(ex::exp(ex_i), {2, 3}, mapped({-1, 2, -3, -1, 2, -3}, [](double a) { return std::exp(a); }), 0, 2.4e-7);
  const Tensor h =
      ex::test::noncontiguous(ex::tensor<double>({-1.5, 2.5, 0.5, -0.25}).reshape({2, 2}).to(DType::Float16));
  check_values(ex::round(h), {2, 2}, {-2, 2, 0, -0.0});
}

TEST_CASE("math: rank 0 and zero-size tensors") {
  const Tensor s = ex::scalar_tensor(4.0);
  check_values(ex::sqrt(s), {}, {2.0});
  check_values(ex::log2(s), {}, {2.0});
  check_values(ex::clip(s, 0, 3), {}, {3.0});
  CHECK(ex::abs(ex::scalar_tensor(-3, DType::Int64)).item<std::int64_t>() == 3);
  const Tensor e = ex::zeros({0, 3});
  for (const Tensor& r :
       {ex::exp(e), ex::log(e), ex::sin(e), ex::abs(e), ex::sign(e), ex::round(e), ex::clip(e, 0, 1)}) {
    CHECK(r.shape() == ex::Shape{0, 3});
    CHECK(r.numel() == 0);
  }
  CHECK(ex::exp(ex::zeros({0}, DType::Int32)).dtype() == DType::Float32);
}

TEST_CASE("math: log1p keeps the digits log(1 + x) loses, in every floating dtype") {
  const std::vector<double> v = {-1.0, -0.5, -1e-20, 0.0, 1e-300, 1e-10, 3.0, kInf};
  check_values(ex::log1p(ex::tensor(v)), {8}, mapped(v, [](double a) { return std::log1p(a); }), 0, 0);
  const Tensor f = ex::tensor(v).to(DType::Float32);
  check_values(ex::log1p(f), {8}, mapped(f.to_vector<double>(), [](double a) { return std::log1p(a); }), 0, 1.2e-7);
  check_values(ex::log1p(ex::tensor<float>({-2.0f, NAN})), {2}, {kNaN, kNaN});
  CHECK(ex::log1p(ex::tensor<std::int32_t>({0, 1})).dtype() == DType::Float32);
  CHECK(ex::log1p(ex::tensor(v).to(DType::BFloat16)).dtype() == DType::BFloat16);
  CHECK_THROWS_WITH_AS(ex::log1p(Tensor()), doctest::Contains("log1p"), ex::Error);
}
