// Raw backward kernels of the arithmetic ops: float64 gradchecks (broadcasting both
// ways, rank 0, zero-size, non-contiguous), PyTorch's conventions at 0 and negative
// bases, dtypes of the gradients, float32/bfloat16 against float64, and error paths.

#include <cmath>
#include <cstdint>
#include <functional>
#include <limits>
#include <utility>
#include <vector>

#include "gradcheck.hpp"
#include "test_util.hpp"

namespace {

const double kNan = std::nan("");
const double kInf = std::numeric_limits<double>::infinity();

using Pair = std::pair<Tensor, Tensor>;
using BinaryForward = std::function<Tensor(const Tensor&, const Tensor&)>;
using BinaryBackward = std::function<Pair(const Tensor&, const Tensor&, const Tensor&)>;

Tensor f64(std::initializer_list<double> v, const Shape& s) { return ex::tensor(std::vector<double>(v), s); }

// Uniform values in [lo, hi), float64, from a fixed seed.
Tensor uniform(const Shape& shape, double lo, double hi, std::uint64_t seed) {
  ex::Generator gen(seed);
  return ex::add(ex::multiply(ex::rand(shape, DType::Float64, gen), hi - lo), lo);
}

// Values with |x| in [lo, hi) and random signs.
Tensor signed_uniform(const Shape& shape, double lo, double hi, std::uint64_t seed) {
  ex::Generator gen(seed + 1000);
  const Tensor sign =
      ex::subtract(ex::multiply(ex::greater(ex::rand(shape, DType::Float64, gen), 0.5).to(DType::Float64), 2.0), 1.0);
  return ex::multiply(uniform(shape, lo, hi, seed), sign);
}

struct Range {
  double lo, hi;
  bool random_sign = false;
};

Tensor make_input(const Shape& shape, Range r, std::uint64_t seed) {
  return r.random_sign ? signed_uniform(shape, r.lo, r.hi, seed) : uniform(shape, r.lo, r.hi, seed);
}

// The shape pairs every binary kernel is checked on: broadcasting both ways, rank 0,
// zero-size dims, and equal shapes.
const std::vector<std::pair<Shape, Shape>>& shape_pairs() {
  static const std::vector<std::pair<Shape, Shape>> pairs{
      {{3, 1}, {1, 4}}, {{4}, {2, 3, 4}}, {{2, 3, 4}, {4}}, {{}, {2, 3}},  {{2, 3}, {}},
      {{}, {}},         {{2, 3}, {2, 3}}, {{0, 3}, {3}},    {{3}, {0, 3}}, {{2, 0}, {2, 1}}};
  return pairs;
}

void gradcheck_binary(const BinaryForward& fwd, const BinaryBackward& bwd, Range ra, Range rb) {
  std::uint64_t seed = 1;
  for (const auto& [sa, sb] : shape_pairs()) {
    for (bool strided : {false, true}) {
      CAPTURE(sa);
      CAPTURE(sb);
      CAPTURE(strided);
      Tensor a = make_input(sa, ra, seed++), b = make_input(sb, rb, seed++);
      if (strided) {
        a = noncontiguous(a);
        b = noncontiguous(b);
      }
      check_gradients([&](const std::vector<Tensor>& in) { return fwd(in[0], in[1]); },
                      [&](const Tensor& g, const std::vector<Tensor>& in) {
                        auto [ga, gb] = bwd(g, in[0], in[1]);
                        return std::vector<Tensor>{ga, gb};
                      },
                      {a, b});
    }
  }
}

// Gradcheck of a kernel with one tensor input (a Scalar form).
void gradcheck_unary(const std::function<Tensor(const Tensor&)>& fwd,
                     const std::function<Tensor(const Tensor&, const Tensor&)>& bwd, Range r) {
  std::uint64_t seed = 100;
  for (const Shape& s : {Shape{}, Shape{5}, Shape{3, 4}, Shape{0, 2}}) {
    for (bool strided : {false, true}) {
      CAPTURE(s);
      CAPTURE(strided);
      Tensor x = make_input(s, r, seed++);
      if (strided) x = noncontiguous(x);
      check_gradients(
          [&](const std::vector<Tensor>& in) { return fwd(in[0]); },
          [&](const Tensor& g, const std::vector<Tensor>& in) { return std::vector<Tensor>{bwd(g, in[0])}; }, {x});
    }
  }
}

const Range kAny{-2.0, 2.0};
const Range kAwayFromZero{0.5, 2.0, true};
const Range kPositive{0.3, 2.0};

}  // namespace

TEST_CASE("add_backward and subtract_backward: gradcheck") {
  gradcheck_binary(
      [](const Tensor& a, const Tensor& b) { return ex::add(a, b); },
      [](const Tensor& g, const Tensor& a, const Tensor& b) { return ex::add_backward(g, a.shape(), b.shape()); }, kAny,
      kAny);
  gradcheck_binary([](const Tensor& a, const Tensor& b) { return ex::subtract(a, b); },
                   [](const Tensor& g, const Tensor& a, const Tensor& b) {
                     return ex::subtract_backward(g, a.shape(), b.shape(), a.dtype(), b.dtype());
                   },
                   kAny, kAny);
}

TEST_CASE("multiply_backward and divide_backward: gradcheck") {
  gradcheck_binary([](const Tensor& a, const Tensor& b) { return ex::multiply(a, b); },
                   [](const Tensor& g, const Tensor& a, const Tensor& b) { return ex::multiply_backward(g, a, b); },
                   kAny, kAny);
  gradcheck_binary([](const Tensor& a, const Tensor& b) { return ex::divide(a, b); },
                   [](const Tensor& g, const Tensor& a, const Tensor& b) { return ex::divide_backward(g, a, b); }, kAny,
                   kAwayFromZero);
}

TEST_CASE("modulo_backward and floor_divide_backward: gradcheck") {
  gradcheck_binary([](const Tensor& a, const Tensor& b) { return ex::modulo(a, b); },
                   [](const Tensor& g, const Tensor& a, const Tensor& b) { return ex::modulo_backward(g, a, b); },
                   Range{-5.0, 5.0}, kAwayFromZero);
  gradcheck_binary([](const Tensor& a, const Tensor& b) { return ex::floor_divide(a, b); },
                   [](const Tensor& g, const Tensor& a, const Tensor& b) { return ex::floor_divide_backward(g, a, b); },
                   Range{-5.0, 5.0}, kAwayFromZero);
}

TEST_CASE("power_backward: gradcheck with tensor base and exponent") {
  // Positive bases, any exponent (fractional and negative).
  gradcheck_binary([](const Tensor& a, const Tensor& b) { return ex::power(a, b); },
                   [](const Tensor& g, const Tensor& a, const Tensor& b) { return ex::power_backward(g, a, b); },
                   kPositive, Range{-2.5, 2.5});
  // Negative bases with integer exponents: d/dbase is finite (d/dexp is NaN, not checked).
  for (double e : {-3.0, -1.0, 1.0, 2.0, 3.0}) {
    CAPTURE(e);
    const Tensor base = signed_uniform({2, 3}, 0.5, 2.0, 7);
    const Tensor exponent = ex::full({3}, e, DType::Float64);
    check_gradients([&](const std::vector<Tensor>& in) { return ex::power(in[0], exponent); },
                    [&](const Tensor& g, const std::vector<Tensor>& in) {
                      return std::vector<Tensor>{ex::power_backward(g, in[0], exponent).first};
                    },
                    {base});
  }
}

TEST_CASE("power_backward: gradcheck of the scalar forms") {
  // Fractional, negative, integer and zero exponents.
  for (double e : {0.5, 1.0 / 3.0, -1.5, -1.0, 0.0, 1.0, 2.0, 3.0}) {
    CAPTURE(e);
    gradcheck_unary([e](const Tensor& x) { return ex::power(x, e); },
                    [e](const Tensor& g, const Tensor& x) { return ex::power_backward(g, x, Scalar(e)); }, kPositive);
  }
  // Integer Scalar exponents on negative bases.
  for (std::int64_t e : {-2, 2, 3}) {
    CAPTURE(e);
    gradcheck_unary([e](const Tensor& x) { return ex::power(x, e); },
                    [e](const Tensor& g, const Tensor& x) { return ex::power_backward(g, x, Scalar(e)); },
                    kAwayFromZero);
  }
  for (double base : {0.5, 2.0, 3.7}) {
    CAPTURE(base);
    gradcheck_unary([base](const Tensor& x) { return ex::power(base, x); },
                    [base](const Tensor& g, const Tensor& x) { return ex::power_backward(g, Scalar(base), x); }, kAny);
  }
}

TEST_CASE("multiply, divide, modulo backward: gradcheck of the scalar forms") {
  for (double s : {2.5, -0.75}) {
    CAPTURE(s);
    gradcheck_unary([s](const Tensor& x) { return ex::multiply(x, s); },
                    [s](const Tensor& g, const Tensor& x) { return ex::multiply_backward(g, x, s); }, kAny);
    gradcheck_unary([s](const Tensor& x) { return ex::multiply(s, x); },
                    [s](const Tensor& g, const Tensor& x) { return ex::multiply_backward(g, Scalar(s), x); }, kAny);
    gradcheck_unary([s](const Tensor& x) { return ex::divide(x, s); },
                    [s](const Tensor& g, const Tensor& x) { return ex::divide_backward(g, x, s); }, kAny);
    gradcheck_unary([s](const Tensor& x) { return ex::divide(s, x); },
                    [s](const Tensor& g, const Tensor& x) { return ex::divide_backward(g, Scalar(s), x); },
                    kAwayFromZero);
    gradcheck_unary([s](const Tensor& x) { return ex::modulo(s, x); },
                    [s](const Tensor& g, const Tensor& x) { return ex::modulo_backward(g, Scalar(s), x); },
                    Range{0.3, 0.9, true});
  }
}

TEST_CASE("neg_backward: gradcheck and values") {
  gradcheck_unary([](const Tensor& x) { return ex::neg(x); },
                  [](const Tensor& g, const Tensor&) { return ex::neg_backward(g); }, kAny);
  const Tensor g = ex::tensor(std::vector<float>{1.5f, -2.0f, 0.0f}, {3});
  const Tensor gx = ex::neg_backward(g);
  CHECK(gx.dtype() == DType::Float32);
  check_values(gx, {3}, {-1.5, 2.0, 0.0});
}

TEST_CASE("power_backward: PyTorch's values at base 0 and negative bases") {
  // Reference: torch 1.13, float64, grad 1: (base, exponent) -> (d/dbase, d/dexp).
  const Tensor base = f64({0.0, 0.0, 0.0, 0.0, 0.0, -2.0, -2.0, -2.0, -2.0, 2.0, 0.0, -0.0}, {12});
  const Tensor expo = f64({2.0, 0.0, -1.0, 0.5, -0.5, 2.0, 0.5, 3.0, 0.0, 0.0, 1.0, -1.0}, {12});
  const Tensor g = ex::ones({12}, DType::Float64);
  const auto [gb, ge] = ex::power_backward(g, base, expo);
  check_values(gb, {12}, {0.0, 0.0, -kInf, kInf, -kInf, -4.0, kNan, 12.0, 0.0, 0.0, 1.0, -kInf});
  check_values(ge, {12}, {0.0, 0.0, -kInf, 0.0, -kInf, kNan, kNan, kNan, kNan, std::log(2.0), 0.0, kInf});

  // Base near 0: the exact formulas, no epsilon.
  const Tensor tiny = f64({1e-300, 1e-12}, {2});
  const auto [tb, te] = ex::power_backward(ex::ones({2}, DType::Float64), tiny, f64({0.5, 2.0}, {2}));
  check_values(tb, {2}, {0.5 / std::sqrt(1e-300), 2e-12}, 0, 1e-12);
  check_values(te, {2}, {std::sqrt(1e-300) * std::log(1e-300), 1e-24 * std::log(1e-12)}, 0, 1e-12);

  // Scalar exponent: e == 0 gives exact zeros (even at base 0); 0 < e < 1 at 0 is inf.
  const Tensor x = f64({0.0, -2.0, 3.0}, {3});
  const Tensor ones3 = ex::ones({3}, DType::Float64);
  check_values(ex::power_backward(ones3, x, Scalar(0.0)), {3}, {0.0, 0.0, 0.0});
  check_values(ex::power_backward(ones3, x, Scalar(0.5)), {3}, {kInf, kNan, 0.5 / std::sqrt(3.0)}, 0, 1e-12);
  check_values(ex::power_backward(ones3, x, Scalar(-1.0)), {3}, {-kInf, -0.25, -1.0 / 9.0}, 0, 1e-12);
  check_values(ex::power_backward(ones3, x, Scalar(2.0)), {3}, {0.0, -4.0, 6.0});
  check_values(ex::power_backward(ones3, x, Scalar(std::int64_t{3})), {3}, {0.0, 12.0, 27.0});

  // Scalar base: base 0 gives 0 for e >= 0 and -inf for e < 0; a negative base is NaN.
  const Tensor e = f64({-1.0, 0.0, 1.5, 2.0}, {4});
  const Tensor ones4 = ex::ones({4}, DType::Float64);
  check_values(ex::power_backward(ones4, Scalar(0.0), e), {4}, {-kInf, 0.0, 0.0, 0.0});
  check_values(ex::power_backward(ones4, Scalar(-2.0), e), {4}, {kNan, kNan, kNan, kNan});
  check_values(ex::power_backward(ones4, Scalar(2.0), e), {4},
               {0.5 * std::log(2.0), std::log(2.0), std::pow(2.0, 1.5) * std::log(2.0), 4 * std::log(2.0)}, 0, 1e-12);
}

TEST_CASE("divide_backward and modulo_backward: IEEE values at a zero divisor") {
  const auto [ga, gb] = ex::divide_backward(ex::ones({2}, DType::Float64), f64({1.0, 0.0}, {2}), f64({0.0, 0.0}, {2}));
  check_values(ga, {2}, {kInf, kInf});
  check_values(gb, {2}, {-kInf, kNan});

  // PyTorch's remainder: ga = g, gb = -g * floor(a / b).
  const auto [ma, mb] =
      ex::modulo_backward(ex::ones({3}, DType::Float64), f64({7.0, -7.0, 3.0}, {3}), f64({2.0, 2.0, 0.0}, {3}));
  check_values(ma, {3}, {1.0, 1.0, 1.0});
  check_values(mb, {3}, {-3.0, 4.0, -kInf});
  check_values(ex::modulo_backward(ex::ones({3}, DType::Float64), Scalar(7.0), f64({2.0, -2.0, 3.0}, {3})), {3},
               {-3.0, 4.0, -2.0});
}

TEST_CASE("floor_divide_backward: zeros of the inputs' shapes and dtypes") {
  const Tensor a = uniform({2, 3}, -3, 3, 5).to(DType::Float32), b = uniform({3}, 1, 2, 6);
  const Tensor g = ex::randn({2, 3}, DType::Float64);  // float32 with float64: float64
  const auto [ga, gb] = ex::floor_divide_backward(g, a, b);
  CHECK(ga.dtype() == DType::Float32);
  CHECK(gb.dtype() == DType::Float64);
  check_values(ga, {2, 3}, std::vector<double>(6, 0.0));
  check_values(gb, {3}, {0.0, 0.0, 0.0});
}

TEST_CASE("arithmetic backward: gradient dtypes, integer inputs, no-copy pass-through") {
  const Tensor a32 = uniform({2, 3}, -1, 1, 11).to(DType::Float32);
  const Tensor b64 = uniform({2, 3}, 1, 2, 12);
  const Tensor g64 = ex::randn({2, 3}, DType::Float64);

  SUBCASE("float32 promoted with float64: ga comes back float32") {
    const auto [ga, gb] = ex::multiply_backward(g64, a32, b64);
    CHECK(ga.dtype() == DType::Float32);
    CHECK(gb.dtype() == DType::Float64);
    check_values(ga, {2, 3}, ex::multiply(g64, b64).to_vector<double>(), 1e-6, 1e-6);
    const auto [da, db] = ex::divide_backward(g64, a32, b64);
    CHECK(da.dtype() == DType::Float32);
    CHECK(db.dtype() == DType::Float64);
    const auto [pa, pb] = ex::add_backward(g64, a32.shape(), b64.shape(), a32.dtype(), b64.dtype());
    CHECK(pa.dtype() == DType::Float32);
    CHECK(pb.is_same(g64));
    const auto [sa, sb] = ex::subtract_backward(g64, a32.shape(), {3}, a32.dtype(), DType::Float64);
    CHECK(sa.dtype() == DType::Float32);
    CHECK(sb.dtype() == DType::Float64);
    check_values(sb, {3}, ex::neg(ex::sum(g64, 0)).to_vector<double>(), 1e-5, 1e-5);
  }
  SUBCASE("rank-0 float64 with a float32 tensor: the result is float32, gb float64") {
    const Tensor s = ex::full({}, 2.0, DType::Float64);
    const Tensor g32 = ex::randn({2, 3}, DType::Float32);
    const auto [ga, gb] = ex::multiply_backward(g32, a32, s);
    CHECK(ga.dtype() == DType::Float32);
    CHECK(gb.dtype() == DType::Float64);
    CHECK(gb.shape() == Shape{});
    CHECK(gb.item<double>() == doctest::Approx(ex::sum(ex::multiply(g32, a32)).item<float>()).epsilon(1e-5));
  }
  SUBCASE("integer inputs get an undefined gradient") {
    const Tensor i = ex::tensor(std::vector<std::int64_t>{1, 2, 3}, {3});
    const Tensor f = uniform({2, 3}, 1, 2, 13).to(DType::Float32);
    const Tensor g = ex::randn({2, 3}, DType::Float32);
    const auto [ga, gb] = ex::multiply_backward(g, i, f);
    CHECK_FALSE(ga.defined());
    REQUIRE(gb.defined());
    check_values(gb, {2, 3}, ex::multiply(g, i).to_vector<double>(), 1e-6, 1e-6);
    const auto [pa, pb] = ex::power_backward(g, f, i);
    CHECK(pa.defined());
    CHECK_FALSE(pb.defined());
    const auto [da, db] = ex::divide_backward(ex::randn({3}, DType::Float32), i, i.to(DType::Int32));  // -> float32
    CHECK_FALSE(da.defined());
    CHECK_FALSE(db.defined());
    const auto [aa, ab] = ex::add_backward(g, {3}, {2, 3}, DType::Int64, DType::Float32);
    CHECK_FALSE(aa.defined());
    CHECK(ab.is_same(g));
    CHECK_FALSE(ex::multiply_backward(ex::randn({3}, DType::Float32), i, Scalar(2.5)).defined());
    const auto [fa, fb] = ex::floor_divide_backward(g, i, f);
    CHECK_FALSE(fa.defined());
    CHECK(fb.defined());
  }
  SUBCASE("add_backward returns grad itself for a non-broadcast input") {
    const Tensor g = ex::randn({4, 5}, DType::Float32);
    const auto [ga, gb] = ex::add_backward(g, {4, 5}, {5});
    CHECK(ga.is_same(g));
    check_values(gb, {5}, ex::sum(g, 0).to_vector<double>(), 1e-5, 1e-5);
    const Tensor gt = g.transpose(0, 1);  // a non-contiguous grad passes through as is
    const auto [ta, tb] = ex::add_backward(gt, {5, 4}, {5, 4});
    CHECK(ta.is_same(gt));
    CHECK(tb.is_same(gt));
    const auto [sa, sb] = ex::subtract_backward(g, {4, 5}, {4, 5});
    CHECK(sa.is_same(g));
    check_values(sb, {4, 5}, ex::neg(g).to_vector<double>());
  }
}

TEST_CASE("arithmetic backward: float32 and bfloat16 agree with float64") {
  // Large enough for the vectorized and threaded paths; b broadcast as a bias, and a
  // transposed (non-contiguous) grad.
  const Shape sa{64, 130}, sb{130};
  const Tensor a = uniform(sa, 0.5, 2.0, 21), b = uniform(sb, 0.5, 2.0, 22);
  const Tensor g = uniform({130, 64}, -1.0, 1.0, 23).transpose(0, 1);
  using Kernel = std::function<Pair(const Tensor&, const Tensor&, const Tensor&)>;
  struct Case {
    const char* name;
    Kernel kernel;
    bool bfloat16 = true;  // modulo's floor jumps where bfloat16 rounding moves a / b
  };
  const std::vector<Case> kernels{
      {"add",
       [](const Tensor& g_, const Tensor& x, const Tensor& y) { return ex::add_backward(g_, x.shape(), y.shape()); }},
      {"subtract", [](const Tensor& g_, const Tensor& x,
                      const Tensor& y) { return ex::subtract_backward(g_, x.shape(), y.shape()); }},
      {"multiply", [](const Tensor& g_, const Tensor& x, const Tensor& y) { return ex::multiply_backward(g_, x, y); }},
      {"divide", [](const Tensor& g_, const Tensor& x, const Tensor& y) { return ex::divide_backward(g_, x, y); }},
      {"modulo", [](const Tensor& g_, const Tensor& x, const Tensor& y) { return ex::modulo_backward(g_, x, y); },
       false},
      {"power", [](const Tensor& g_, const Tensor& x, const Tensor& y) { return ex::power_backward(g_, x, y); }},
      {"power, contiguous grad",
       [](const Tensor& g_, const Tensor& x, const Tensor& y) { return ex::power_backward(g_.contiguous(), x, y); }},
  };
  for (const Case& k : kernels) {
    CAPTURE(k.name);
    const Kernel& kernel = k.kernel;
    const auto [ref_a, ref_b] = kernel(g, a, b);
    for (const auto& [dt, tol] : {std::pair{DType::Float32, 2e-5}, std::pair{DType::BFloat16, 3e-2}}) {
      if (dt == DType::BFloat16 && !k.bfloat16) continue;
      CAPTURE(dt);
      const auto [ga, gb] = kernel(g.to(dt), a.to(dt), b.to(dt));
      REQUIRE(ga.dtype() == dt);
      REQUIRE(gb.dtype() == dt);
      // Column sums of 64 terms: scale the tolerance by the magnitude summed.
      const double scale = ex::sum(ex::abs(ref_b)).item<double>() / static_cast<double>(ref_b.numel());
      check_values(ga, sa, ref_a.to_vector<double>(), tol, tol);
      check_values(gb, sb, ref_b.to_vector<double>(), tol * scale * 8, tol);
    }
  }
  // Both operands dense and equal-shaped (the fused both-sides fast path), and a
  // scalar form, in float32 and float16.
  const Tensor c = uniform(sa, 0.5, 2.0, 24), gd = uniform(sa, -1.0, 1.0, 25);
  const auto [mr_a, mr_b] = ex::multiply_backward(gd, a, c);
  const auto [pr_a, pr_b] = ex::power_backward(gd, a, c);
  const Tensor sr = ex::power_backward(gd, a, Scalar(1.5));
  for (const auto& [dt, tol] : {std::pair{DType::Float32, 2e-5}, std::pair{DType::Float16, 4e-3}}) {
    CAPTURE(dt);
    const auto [m_a, m_b] = ex::multiply_backward(gd.to(dt), a.to(dt), c.to(dt));
    check_values(m_a, sa, mr_a.to_vector<double>(), tol, tol);
    check_values(m_b, sa, mr_b.to_vector<double>(), tol, tol);
    const auto [p_a, p_b] = ex::power_backward(gd.to(dt), a.to(dt), c.to(dt));
    check_values(p_a, sa, pr_a.to_vector<double>(), 4 * tol, 4 * tol);
    check_values(p_b, sa, pr_b.to_vector<double>(), 4 * tol, 4 * tol);
    check_values(ex::power_backward(gd.to(dt), a.to(dt), Scalar(1.5)), sa, sr.to_vector<double>(), tol, tol);
  }
}

TEST_CASE("arithmetic backward: error paths") {
  const Tensor a = ex::randn({2, 3}, DType::Float64), b = ex::randn({3}, DType::Float64);
  const Tensor g = ex::randn({2, 3}, DType::Float64);
  const Tensor bad_g = ex::randn({3, 2}, DType::Float64);
  const Tensor c = ex::randn({4}, DType::Float64);
  const Tensor gi = ex::tensor(std::vector<std::int64_t>{1, 2, 3, 4, 5, 6}, {2, 3});

  // grad's shape is not the broadcast shape.
  CHECK_THROWS_WITH_AS(ex::add_backward(bad_g, a.shape(), b.shape()), doctest::Contains("add_backward:"), ex::Error);
  CHECK_THROWS_WITH_AS(ex::add_backward(ex::randn({3}, DType::Float64), a.shape(), b.shape()),
                       doctest::Contains("add_backward: grad has shape"), ex::Error);
  CHECK_THROWS_WITH_AS(ex::subtract_backward(bad_g, a.shape(), b.shape()), doctest::Contains("subtract_backward:"),
                       ex::Error);
  CHECK_THROWS_WITH_AS(ex::multiply_backward(bad_g, a, b), doctest::Contains("multiply_backward:"), ex::Error);
  CHECK_THROWS_WITH_AS(ex::divide_backward(bad_g, a, b), doctest::Contains("divide_backward:"), ex::Error);
  CHECK_THROWS_WITH_AS(ex::floor_divide_backward(bad_g, a, b), doctest::Contains("floor_divide_backward:"), ex::Error);
  CHECK_THROWS_WITH_AS(ex::modulo_backward(bad_g, a, b), doctest::Contains("modulo_backward:"), ex::Error);
  CHECK_THROWS_WITH_AS(ex::power_backward(bad_g, a, b), doctest::Contains("power_backward:"), ex::Error);
  CHECK_THROWS_WITH_AS(ex::multiply_backward(bad_g, a, Scalar(2.0)), doctest::Contains("multiply_backward:"),
                       ex::Error);
  CHECK_THROWS_WITH_AS(ex::divide_backward(bad_g, a, Scalar(2.0)), doctest::Contains("divide_backward:"), ex::Error);
  CHECK_THROWS_WITH_AS(ex::divide_backward(bad_g, Scalar(2.0), a), doctest::Contains("divide_backward:"), ex::Error);
  CHECK_THROWS_WITH_AS(ex::modulo_backward(bad_g, Scalar(2.0), a), doctest::Contains("modulo_backward:"), ex::Error);
  CHECK_THROWS_WITH_AS(ex::power_backward(bad_g, a, Scalar(2.0)), doctest::Contains("power_backward:"), ex::Error);
  CHECK_THROWS_WITH_AS(ex::power_backward(bad_g, Scalar(2.0), a), doctest::Contains("power_backward:"), ex::Error);

  // Input shapes that do not broadcast.
  CHECK_THROWS_WITH_AS(ex::add_backward(g, a.shape(), c.shape()), doctest::Contains("add_backward: shapes"), ex::Error);
  CHECK_THROWS_WITH_AS(ex::subtract_backward(g, a.shape(), c.shape()), doctest::Contains("subtract_backward: shapes"),
                       ex::Error);
  CHECK_THROWS_WITH_AS(ex::multiply_backward(g, a, c), doctest::Contains("multiply_backward: shapes"), ex::Error);
  CHECK_THROWS_WITH_AS(ex::divide_backward(g, a, c), doctest::Contains("divide_backward: shapes"), ex::Error);
  CHECK_THROWS_WITH_AS(ex::floor_divide_backward(g, a, c), doctest::Contains("floor_divide_backward: shapes"),
                       ex::Error);
  CHECK_THROWS_WITH_AS(ex::modulo_backward(g, a, c), doctest::Contains("modulo_backward: shapes"), ex::Error);
  CHECK_THROWS_WITH_AS(ex::power_backward(g, a, c), doctest::Contains("power_backward: shapes"), ex::Error);

  // grad's dtype: integer, or not the forward result's dtype.
  CHECK_THROWS_WITH_AS(ex::add_backward(gi, a.shape(), b.shape()),
                       doctest::Contains("add_backward: grad must be floating"), ex::Error);
  CHECK_THROWS_WITH_AS(ex::multiply_backward(g.to(DType::Float32), a, b),
                       doctest::Contains("multiply_backward: grad has dtype float32"), ex::Error);
  CHECK_THROWS_WITH_AS(ex::add_backward(g, a.shape(), b.shape(), DType::Float32, DType::Float32),
                       doctest::Contains("add_backward: grad has dtype float64"), ex::Error);
  CHECK_THROWS_WITH_AS(ex::power_backward(g.to(DType::Float32), a, Scalar(2.0)),
                       doctest::Contains("power_backward: grad has dtype"), ex::Error);
  CHECK_THROWS_WITH_AS(ex::neg_backward(gi), doctest::Contains("neg_backward: grad must be floating"), ex::Error);
  // An integer forward result has no gradient.
  CHECK_THROWS_WITH_AS(ex::multiply_backward(g, gi, gi),
                       doctest::Contains("multiply_backward: the forward result dtype int64"), ex::Error);
  CHECK_THROWS_WITH_AS(ex::power_backward(g, gi, Scalar(2)), doctest::Contains("power_backward: the forward result"),
                       ex::Error);

  // Undefined tensors.
  CHECK_THROWS_WITH_AS(ex::add_backward(Tensor(), a.shape(), b.shape()),
                       doctest::Contains("add_backward: grad is undefined"), ex::Error);
  CHECK_THROWS_WITH_AS(ex::multiply_backward(g, Tensor(), b), doctest::Contains("multiply_backward: a is undefined"),
                       ex::Error);
  CHECK_THROWS_WITH_AS(ex::power_backward(g, Scalar(2.0), Tensor()),
                       doctest::Contains("power_backward: b is undefined"), ex::Error);
  CHECK_THROWS_WITH_AS(ex::neg_backward(Tensor()), doctest::Contains("neg_backward: grad is undefined"), ex::Error);
}
