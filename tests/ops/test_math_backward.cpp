// Raw backward kernels of the elementwise math ops: gradchecks (rank 0, zero-size,
// non-contiguous), the conventions at non-differentiable points (abs at 0, clip at its
// bounds, log/sqrt at 0), float32/float16 against float64, and every error path.

#include <cmath>
#include <functional>
#include <limits>
#include <optional>
#include <string>
#include <vector>

#include "gradcheck.hpp"
#include "test_util.hpp"

namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

struct Case {
  std::string name;
  std::function<Tensor(const Tensor&)> forward;
  std::function<Tensor(const Tensor&, const Tensor&)> backward;  // (grad, x), y recomputed where used
  bool positive;                                                 // the domain is x > 0
};

std::vector<Case> cases() {
  return {
      {"exp", [](const Tensor& x) { return ex::exp(x); },
       [](const Tensor& g, const Tensor& x) { return ex::exp_backward(g, ex::exp(x)); }, false},
      {"log", [](const Tensor& x) { return ex::log(x); },
       [](const Tensor& g, const Tensor& x) { return ex::log_backward(g, x); }, true},
      {"log2", [](const Tensor& x) { return ex::log2(x); },
       [](const Tensor& g, const Tensor& x) { return ex::log2_backward(g, x); }, true},
      {"log10", [](const Tensor& x) { return ex::log10(x); },
       [](const Tensor& g, const Tensor& x) { return ex::log10_backward(g, x); }, true},
      {"log1p", [](const Tensor& x) { return ex::log1p(x); },
       [](const Tensor& g, const Tensor& x) { return ex::log1p_backward(g, x); }, true},
      {"sqrt", [](const Tensor& x) { return ex::sqrt(x); },
       [](const Tensor& g, const Tensor& x) { return ex::sqrt_backward(g, ex::sqrt(x)); }, true},
      {"sin", [](const Tensor& x) { return ex::sin(x); },
       [](const Tensor& g, const Tensor& x) { return ex::sin_backward(g, x); }, false},
      {"cos", [](const Tensor& x) { return ex::cos(x); },
       [](const Tensor& g, const Tensor& x) { return ex::cos_backward(g, x); }, false},
      {"abs", [](const Tensor& x) { return ex::abs(x); },
       [](const Tensor& g, const Tensor& x) { return ex::abs_backward(g, x); }, false},
      {"clip", [](const Tensor& x) { return ex::clip(x, -0.5, 0.7); },
       [](const Tensor& g, const Tensor& x) { return ex::clip_backward(g, x, -0.5, 0.7); }, false},
      {"clip_min", [](const Tensor& x) { return ex::clip(x, -0.5, std::nullopt); },
       [](const Tensor& g, const Tensor& x) { return ex::clip_backward(g, x, -0.5, std::nullopt); }, false},
      {"clip_max", [](const Tensor& x) { return ex::clip(x, std::nullopt, 0.7); },
       [](const Tensor& g, const Tensor& x) { return ex::clip_backward(g, x, std::nullopt, 0.7); }, false},
      {"sign", [](const Tensor& x) { return ex::sign(x); },
       [](const Tensor& g, const Tensor& x) { return ex::sign_backward(g, x); }, false},
      {"ceil", [](const Tensor& x) { return ex::ceil(x); },
       [](const Tensor& g, const Tensor& x) { return ex::ceil_backward(g, x); }, false},
      {"floor", [](const Tensor& x) { return ex::floor(x); },
       [](const Tensor& g, const Tensor& x) { return ex::floor_backward(g, x); }, false},
      {"round", [](const Tensor& x) { return ex::round(x); },
       [](const Tensor& g, const Tensor& x) { return ex::round_backward(g, x); }, false},
      {"trunc", [](const Tensor& x) { return ex::trunc(x); },
       [](const Tensor& g, const Tensor& x) { return ex::trunc_backward(g, x); }, false},
  };
}

// Values away from the kinks and jumps of abs/clip/sign/rounding (more than the
// checker's eps), positive where the domain needs it.
Tensor sample(const Shape& shape, bool positive) {
  const std::int64_t n = shape.numel();
  std::vector<double> v(static_cast<std::size_t>(n));
  for (std::int64_t i = 0; i < n; ++i) {
    const double t = std::sin(static_cast<double>(i) * 1.7 + 0.3);  // in (-1, 1)
    v[i] = positive ? 0.2 + 2.0 * std::fabs(t) : 1.3 * t + 0.01;
  }
  return ex::tensor(v, shape);
}

}  // namespace

TEST_CASE("math backward: gradcheck, rank 0, zero-size and non-contiguous") {
  for (const Case& c : cases()) {
    INFO("op " << c.name);
    for (const Shape& shape : {Shape{}, Shape{7}, Shape{3, 4}, Shape{2, 0, 3}, Shape{2, 3, 4}}) {
      const Tensor x = sample(shape, c.positive);
      for (const Tensor& in : {x, ex::test::noncontiguous(x)}) {
        check_gradients([&](const std::vector<Tensor>& i) { return c.forward(i[0]); },
                        [&](const Tensor& g, const std::vector<Tensor>& i) {
                          const Tensor gx = c.backward(g, i[0]);
                          CHECK(gx.dtype() == DType::Float64);
                          CHECK(gx.shape() == i[0].shape());
                          return std::vector<Tensor>{gx};
                        },
                        {in});
      }
    }
    // A non-contiguous grad.
    const Tensor x = sample({3, 4}, c.positive);
    const Tensor g = ex::randn({3, 4}, DType::Float64);
    check_values(c.backward(ex::test::noncontiguous(g), x), {3, 4}, c.backward(g, x).to_vector<double>(), 0, 0);
  }
}

TEST_CASE("math backward: conventions at non-differentiable points") {
  const Tensor g = ex::tensor<double>({2, 2, 2, 2, 2, 2});
  const Tensor x = ex::tensor<double>({-1, 0, 0.5, 1, 2, kNaN});
  // abs'(0) = 0, abs'(NaN) = 0 (PyTorch: grad * sgn(x)).
  check_values(ex::abs_backward(g, x), {6}, {-2, 0, 2, 2, 2, 0});
  check_values(ex::abs_backward(ex::tensor<double>({3}), ex::tensor<double>({-0.0})), {1}, {0});
  // clip passes the gradient at both bounds (torch.clamp), not at a NaN x.
  check_values(ex::clip_backward(g, x, 0, 1), {6}, {0, 2, 2, 2, 0, 0});
  check_values(ex::clip_backward(g, x, 0, std::nullopt), {6}, {0, 2, 2, 2, 2, 0});
  check_values(ex::clip_backward(g, x, std::nullopt, 0.5), {6}, {2, 2, 2, 0, 0, 0});
  check_values(ex::clip_backward(g, x, 1, 0), {6}, {0, 0, 0, 0, 0, 0});  // min > max: constant output
  // A NaN bound is ignored, as clip ignores it.
  check_values(ex::clip_backward(g, x, kNaN, 1), {6}, {2, 2, 2, 2, 0, 0});
  // Integer bounds on a float tensor.
  check_values(ex::clip_backward(g, x, std::int64_t{0}, std::int64_t{1}), {6}, {0, 2, 2, 2, 0, 0});
  // log/log2/log10 at 0 give inf, negative x gives the formula's value; sqrt at 0 inf.
  check_values(ex::log_backward(g, x), {6}, {-2, kInf, 4, 2, 1, kNaN});
  check_values(ex::log2_backward(g, x), {6},
               {-2 / std::log(2.0), kInf, 4 / std::log(2.0), 2 / std::log(2.0), 1 / std::log(2.0), kNaN});
  check_values(ex::log10_backward(g, x), {6},
               {-2 / std::log(10.0), kInf, 4 / std::log(10.0), 2 / std::log(10.0), 1 / std::log(10.0), kNaN});
  check_values(ex::sqrt_backward(g, ex::sqrt(x)), {6},
               {kNaN, kInf, 2 / (2 * std::sqrt(0.5)), 1, 1 / std::sqrt(2.0), kNaN});
  check_values(ex::exp_backward(g, ex::exp(x)), {6},
               {2 * std::exp(-1.0), 2, 2 * std::exp(0.5), 2 * std::exp(1.0), 2 * std::exp(2.0), kNaN});
  // Piecewise-constant ops: zeros of x's shape and dtype, also at the jumps.
  for (const Tensor& z : {ex::sign_backward(g, x), ex::ceil_backward(g, x), ex::floor_backward(g, x),
                          ex::round_backward(g, x), ex::trunc_backward(g, x)})
    check_values(z, {6}, {0, 0, 0, 0, 0, 0});
  const Tensor h = ex::ones({2, 3}, DType::Float16);
  const Tensor zh = ex::round_backward(h, h);
  CHECK(zh.dtype() == DType::Float16);
  CHECK(zh.is_contiguous());
}

TEST_CASE("math backward: float32 and float16 match float64") {
  for (const Case& c : cases()) {
    INFO("op " << c.name);
    const Tensor x = sample({33, 65}, c.positive);  // several vector widths plus a tail
    const Tensor g = ex::randn({33, 65}, DType::Float64);
    for (DType dt : {DType::Float32, DType::Float16, DType::BFloat16}) {
      INFO("dtype " << dt);
      // The reference runs on the rounded inputs: only the arithmetic is compared.
      const Tensor xr = x.to(dt), gr = g.to(dt);
      const std::vector<double> ref = c.backward(gr.to(DType::Float64), xr.to(DType::Float64)).to_vector<double>();
      const Tensor got = c.backward(gr, xr);
      CHECK(got.dtype() == dt);
      const double tol = dt == DType::Float32 ? 1e-5 : dt == DType::Float16 ? 1e-2 : 3e-2;
      check_values(got, {33, 65}, ref, tol, tol);
    }
  }
  // Large enough for the threaded path.
  const Tensor x = sample({200000}, true);
  const Tensor g = ex::randn({200000}, DType::Float64);
  check_values(ex::log_backward(g.to(DType::Float32), x.to(DType::Float32)), {200000},
               ex::log_backward(g, x).to_vector<double>(), 1e-5, 1e-5);
}

TEST_CASE("math backward: errors") {
  const Tensor x = ex::ones({2, 3}, DType::Float64);
  const Tensor g = ex::ones({2, 3}, DType::Float64);
  for (const Case& c : cases()) {
    const std::string op = c.name.substr(0, c.name.find('_')) + "_backward:";
    INFO("op " << c.name);
    CHECK_THROWS_WITH_AS(c.backward(ex::ones({3, 2}, DType::Float64), x), doctest::Contains(op.c_str()), ex::Error);
    CHECK_THROWS_WITH_AS(c.backward(ex::ones({2, 3}, DType::Float32), x), doctest::Contains(op.c_str()), ex::Error);
    CHECK_THROWS_WITH_AS(c.backward(Tensor(), x), doctest::Contains(op.c_str()), ex::Error);
  }
  // Non-floating x (for exp and sqrt the y is float32, so give the int y directly).
  const Tensor xi = ex::ones({2, 3}, DType::Int32);
  const Tensor gi = ex::ones({2, 3}, DType::Int32);
  CHECK_THROWS_WITH_AS(ex::exp_backward(gi, xi), doctest::Contains("exp_backward:"), ex::Error);
  CHECK_THROWS_WITH_AS(ex::sqrt_backward(gi, xi), doctest::Contains("sqrt_backward:"), ex::Error);
  CHECK_THROWS_WITH_AS(ex::log_backward(g.to(DType::Float32), xi), doctest::Contains("log_backward:"), ex::Error);
  CHECK_THROWS_WITH_AS(ex::abs_backward(gi, xi), doctest::Contains("abs_backward:"), ex::Error);
  CHECK_THROWS_WITH_AS(ex::floor_backward(gi, xi), doctest::Contains("floor_backward:"), ex::Error);
  CHECK_THROWS_WITH_AS(ex::clip_backward(gi, xi, 0, 1), doctest::Contains("clip_backward:"), ex::Error);
  CHECK_THROWS_WITH_AS(ex::sin_backward(g, Tensor()), doctest::Contains("sin_backward:"), ex::Error);
  CHECK_THROWS_WITH_AS(ex::clip_backward(g, x, std::nullopt, std::nullopt), doctest::Contains("clip_backward:"),
                       ex::Error);
}
