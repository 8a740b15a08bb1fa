// var, std and logsumexp (the composite tier): values and gradients against PyTorch 1.13
// (tools/composite_reduction_reference.py prints them), their derived raw backward
// kernels against the tape, the edge cases PyTorch defines (N = 1, infinities, huge
// values, empty reductions), the Tensor members, dtypes and errors.

#include <doctest/doctest.h>

#include <cmath>
#include <extensor/extensor.hpp>
#include <functional>
#include <limits>

#include "test_util.hpp"

namespace {

using ex::test::check_values;

const std::vector<double> kX = {-1.5, 0.25, 2.0, 3.5, 0.5, -2.25, 1.0, 0.0, 4.0, 1.5, -0.75, 2.5};

struct Reference {
  const char* name;
  std::function<Tensor(const Tensor&)> op;
  std::function<Tensor(const Tensor&, const Tensor&)> backward;
  Shape shape;
  std::vector<double> value, gradient;
};

// float64 values from tools/composite_reduction_reference.py, for kX as [3, 4].
std::vector<Reference> references() {
  return {
      {"var all",
       [](const Tensor& x) { return ex::var(x); },
       [](const Tensor& g, const Tensor& x) { return ex::var_backward(g, x); },
       {},
       {3.6642992424242427},
       {-0.43560606060606066, -0.11742424242424243, 0.20075757575757575, 0.47348484848484845, -0.071969696969696975,
        -0.57196969696969702, 0.018939393939393933, -0.1628787878787879, 0.56439393939393934, 0.10984848484848485,
        -0.29924242424242425, 0.29166666666666663}},
      {"var axis 1 biased keepdims",
       [](const Tensor& x) { return ex::var(x, 1, false, true); },
       [](const Tensor& g, const Tensor& x) { return ex::var_backward(g, x, 1, false, true); },
       {3, 1},
       {3.51171875, 1.54296875, 2.98046875},
       {-1.28125, -0.40625, 0.46875, 1.21875, 0.34375, -1.03125, 0.59375, 0.09375, 1.09375, -0.15625, -1.28125,
        0.34375}},
      {"std axis 0",
       [](const Tensor& x) { return ex::std(x, 0); },
       [](const Tensor& g, const Tensor& x) { return ex::std_backward(g, x, 0); },
       {4},
       {2.7838821814150108, 1.9094065395649333, 1.3919410907075054, 1.8027756377319946},
       {-0.44901325506693729, 0.10910894511799618, 0.44901325506693729, 0.41602514716892186, -0.089802651013387455,
        -0.54554472558998102, 0.089802651013387455, -0.55470019622522915, 0.5388159060803247, 0.43643578047198478,
        -0.5388159060803247, 0.13867504905630729}},
      {"logsumexp all",
       [](const Tensor& x) {
         return ex::logsumexp(x, {0, 1});
       },
       [](const Tensor& g, const Tensor& x) {
         return ex::logsumexp_backward(g, x, {0, 1});
       },
       {},
       {4.7809601715619214},
       {0.0018716026715430083, 0.010770329742080869, 0.061978968355242678, 0.27777046506851988, 0.013829377134939763,
        0.00088408250205764438, 0.022800788242909185, 0.0083879412370698233, 0.4579660741307357, 0.037592144564813773,
        0.0039621828867488747, 0.10218604346333873}},
      {"logsumexp axis 1",
       [](const Tensor& x) { return ex::logsumexp(x, 1); },
       [](const Tensor& g, const Tensor& x) { return ex::logsumexp_backward(g, x, 1); },
       {3},
       {3.737947285312671, 1.6997177016893144, 4.272974586142503},
       {0.0053111479252493142, 0.030563546063302003, 0.17588106396410211, 0.78824424204734644, 0.30127925053197779,
        0.019260138112469155, 0.49672550877266475, 0.18273510258288828, 0.76111213017836443, 0.062475888158323722,
        0.0065849101657010833, 0.16982707149761103}},
  };
}

}  // namespace

TEST_CASE("var, std, logsumexp: values and gradients against PyTorch 1.13, raw backwards against the tape") {
  for (const Reference& r : references()) {
    INFO(r.name);
    const Tensor x = ex::tensor(kX, {3, 4}).requires_grad_();
    const Tensor y = r.op(x);
    check_values(y, r.shape, r.value, 1e-12, 1e-12);
    ex::sum(y).backward();
    check_values(x.grad(), {3, 4}, r.gradient, 1e-12, 1e-12);
    const Tensor raw = r.backward(ex::ones_like(y), x);
    CHECK_FALSE(raw.requires_grad());
    check_values(raw, {3, 4}, r.gradient, 1e-12, 1e-12);
    // float32 rounds the same computation.
    check_values(r.op(ex::tensor(kX, {3, 4}).to(DType::Float32)), r.shape, r.value, 1e-5, 1e-5);
  }
}

TEST_CASE("var and std: Bessel's correction, N = 1 and empty reductions as PyTorch") {
  const Tensor x = ex::tensor<double>({1, 2, 3, 4});
  CHECK(ex::var(x).item<double>() == doctest::Approx(5.0 / 3.0).epsilon(1e-15));
  CHECK(ex::var(x, {}, false).item<double>() == doctest::Approx(1.25).epsilon(1e-15));
  CHECK(ex::std(x, 0, false).item<double>() == doctest::Approx(std::sqrt(1.25)).epsilon(1e-15));
  CHECK(std::isnan(ex::var(ex::tensor<double>({7})).item<double>()));      // N - 1 = 0
  CHECK(ex::var(ex::tensor<double>({7}), {}, false).item<double>() == 0);  // biased: 0
  CHECK(std::isnan(ex::var(ex::zeros({0}, DType::Float64)).item<double>()));
  // Over one axis of [2, 3], keepdims or not; constant rows have variance 0.
  const Tensor rows = ex::tensor<double>({5, 5, 5, 1, 2, 6}, {2, 3});
  check_values(ex::var(rows, 1), {2}, {0, 7});
  check_values(ex::std(rows, -1, true, true), {2, 1}, {0, std::sqrt(7.0)});
  CHECK(ex::var(rows, {0, 1}).shape() == Shape{});
  // Members, as libtorch's.
  check_values(rows.var(1), {2}, {0, 7});
  check_values(rows.std(1, false), {2}, {0, std::sqrt(14.0 / 3.0)});
  // bfloat16 keeps its dtype.
  const Tensor half = ex::var(rows.to(DType::BFloat16), 1);
  CHECK(half.dtype() == DType::BFloat16);
  check_values(half, {2}, {0, 7}, 0.05, 0.01);
}

TEST_CASE("logsumexp: no overflow or underflow, infinities and NaN as PyTorch") {
  const double inf = std::numeric_limits<double>::infinity();
  check_values(ex::logsumexp(ex::tensor<double>({1000, 1000})), {}, {1000 + std::log(2.0)}, 1e-12, 1e-15);
  check_values(ex::logsumexp(ex::tensor<double>({-1000, -1000})), {}, {-1000 + std::log(2.0)}, 1e-12, 1e-15);
  check_values(ex::logsumexp(ex::tensor<float>({1000, 1000})), {}, {1000 + std::log(2.0)}, 1e-3, 1e-6);
  check_values(ex::logsumexp(ex::tensor<double>({-inf, -inf})), {}, {-inf});
  check_values(ex::logsumexp(ex::tensor<double>({inf, 1})), {}, {inf});
  check_values(ex::logsumexp(ex::tensor<double>({-inf, 0})), {}, {0});
  CHECK(std::isnan(ex::logsumexp(ex::tensor<double>({1, NAN})).item<double>()));
  check_values(ex::logsumexp(ex::zeros({2, 0}, DType::Float64), 1), {2}, {-inf, -inf});
  // The gradient is softmax, and a -inf element gets none.
  const Tensor x = ex::tensor<double>({-inf, 0, 0}).requires_grad_();
  ex::logsumexp(x).backward();
  check_values(x.grad(), {3}, {0, 0.5, 0.5});
  // keepdims and the member.
  const Tensor m = ex::tensor<double>({0, 0, 1, 1}, {2, 2});
  check_values(ex::logsumexp(m, 1, true), {2, 1}, {std::log(2.0), 1 + std::log(2.0)}, 1e-12, 1e-15);
  check_values(m.logsumexp(0), {2}, {std::log(1 + std::exp(1.0)), std::log(1 + std::exp(1.0))}, 1e-12, 1e-15);
}

TEST_CASE("var, std, logsumexp: errors name the op") {
  const auto message = [](auto f) { return ex::test::error_of(f); };
  CHECK(message([] { (void)ex::var(ex::tensor<std::int64_t>({1, 2})); }).rfind("var: ", 0) == 0);
  CHECK(message([] { (void)ex::std(Tensor()); }).rfind("std: ", 0) == 0);
  CHECK(message([] { (void)ex::logsumexp(ex::tensor<bool>({true})); }).rfind("logsumexp: ", 0) == 0);
  const std::string axis = message([] { (void)ex::var(ex::zeros({2, 2}), 2); });
  CHECK(axis.rfind("var: ", 0) == 0);
  CHECK(axis.find("axis 2") != std::string::npos);
  CHECK(message([] { (void)ex::logsumexp(ex::zeros({2}), {0, 0}); }).rfind("logsumexp: ", 0) == 0);
  CHECK(message([] { (void)ex::var_backward(ex::zeros({3}), ex::zeros({2, 2}), 1); }).rfind("var_backward: ", 0) == 0);
}
