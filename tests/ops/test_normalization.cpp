// batch_norm: hand-computed values, running-statistic updates, PyTorch 1.13 references
// for forward, running statistics and backward, the raw backward kernel, dtypes and
// every error path.

#include <doctest/doctest.h>

#include <extensor/autograd/ops/normalization.hpp>
#include <extensor/autograd/ops/padding.hpp>
#include <extensor/extensor.hpp>

#include "gradcheck.hpp"
#include "norm_pad_reference.hpp"
#include "test_util.hpp"

using ex::Tensor;
using ex::test::check_values;

namespace {
Tensor f64(std::vector<double> v, const ex::Shape& shape) { return ex::tensor(v, shape); }
}  // namespace

TEST_CASE("batch_norm by hand") {
  // One channel of {1, 3}: mean 2, biased var 1, unbiased var 2.
  const Tensor x = f64({1, 10, 3, 30}, {2, 2});
  Tensor rm = f64({0, 0}, {2}), rv = f64({1, 1}, {2});
  const double s = 1 / std::sqrt(1 + 1e-5), s10 = 1 / std::sqrt(100 + 1e-5);
  check_values(ex::batch_norm(x, rm, rv, Tensor(), Tensor(), true), {2, 2}, {-s, -10 * s10, s, 10 * s10}, 1e-12);
  check_values(rm, {2}, {0.2, 2.0}, 1e-12);
  check_values(rv, {2}, {0.9 + 0.1 * 2, 0.9 + 0.1 * 200}, 1e-12);
  // Eval uses the running statistics and leaves them alone; weight and bias apply.
  const Tensor y = ex::batch_norm(x, rm, rv, f64({2, 1}, {2}), f64({0.5, -1}, {2}), false, 0.1, 0);
  check_values(y, {2, 2},
               {2 * (1 - 0.2) / std::sqrt(1.1) + 0.5, (10 - 2) / std::sqrt(20.9) - 1,
                2 * (3 - 0.2) / std::sqrt(1.1) + 0.5, (30 - 2) / std::sqrt(20.9) - 1},
               1e-12);
  check_values(rm, {2}, {0.2, 2.0}, 1e-12);
  // Eval without running statistics normalizes with the batch's.
  check_values(ex::batch_norm(x, Tensor(), Tensor(), Tensor(), Tensor(), false), {2, 2}, {-s, -10 * s10, s, 10 * s10},
               1e-12);
}

TEST_CASE("batch_norm matches PyTorch") {
  struct Case {
    const char* name;
    ex::Shape shape;
    bool training, affine;
  };
  const Case cases[] = {{"nc_train", {4, 3}, true, true},
                        {"ncl_train", {2, 3, 4}, true, true},
                        {"nchw_train", {2, 2, 3, 2}, true, true},
                        {"nchw_train_noaffine", {2, 2, 3, 2}, true, false},
                        {"ncl_eval", {2, 3, 4}, false, true}};
  for (const Case& c : cases) {
    INFO(c.name);
    const std::string p = std::string("bn ") + c.name + " ";
    const auto ref = [&](const char* what) { return ex::test::norm_pad_reference(p + what); };
    const std::int64_t ch = c.shape[1];
    const Tensor x = ex::test::wave(c.shape, 0).requires_grad_();
    const Tensor rm = ex::multiply(ex::test::wave({ch}, 3), 0.1);
    const Tensor w4 = ex::test::wave({ch}, 4);
    const Tensor rv = ex::add(ex::multiply(ex::multiply(w4, w4), 0.5), 1.0);
    Tensor w, b;
    if (c.affine) {
      w = ex::add(ex::multiply(ex::test::wave({ch}, 5), 0.3), 1.0).requires_grad_();
      b = ex::multiply(ex::test::wave({ch}, 6), 0.2).requires_grad_();
    }
    const Tensor y = ex::batch_norm(x, rm, rv, w, b, c.training, 0.1, 1e-5);
    check_values(y, c.shape, ref("out"), 1e-10, 1e-10);
    check_values(rm, {ch}, ref("running_mean"), 1e-12, 1e-12);
    check_values(rv, {ch}, ref("running_var"), 1e-12, 1e-12);
    const Tensor g = ex::test::wave(c.shape, 2);
    ex::sum(ex::multiply(y, g)).backward();
    check_values(x.grad(), c.shape, ref("grad_input"), 1e-10, 1e-10);
    if (c.affine) {
      check_values(w.grad(), {ch}, ref("grad_weight"), 1e-10, 1e-10);
      check_values(b.grad(), {ch}, ref("grad_bias"), 1e-10, 1e-10);
    }
  }
}

TEST_CASE("batch_norm_backward against finite differences") {
  const Tensor w = f64({1.5, 0.5, -1}, {3});
  for (bool training : {true, false}) {
    INFO("training " << training);
    const Tensor rm = f64({0.1, -0.2, 0.3}, {3}), rv = f64({1.2, 0.8, 2}, {3});
    ex::test::check_gradients(
        [&](const std::vector<Tensor>& in) {
          ex::NoGradGuard guard;
          return ex::batch_norm(in[0], ex::clone(rm), ex::clone(rv), in[1], in[2], training);
        },
        [&](const Tensor& grad, const std::vector<Tensor>& in) {
          const Tensor m = training ? ex::mean(in[0], {0, 2}) : rm;
          const Tensor var = training ? ex::mean(ex::multiply(ex::subtract(in[0], ex::reshape(m, {1, 3, 1})),
                                                              ex::subtract(in[0], ex::reshape(m, {1, 3, 1}))),
                                                 {0, 2})
                                      : rv;
          const Tensor invstd = ex::divide(1.0, ex::sqrt(ex::add(var, 1e-5)));
          ex::BatchNormGradients gr = ex::batch_norm_backward(grad, in[0], in[1], m, invstd, training);
          return std::vector<Tensor>{gr.input, gr.weight, gr.bias};
        },
        {ex::test::noncontiguous(ex::test::wave({2, 3, 4}, 1)), w, f64({0.1, 0.2, 0.3}, {3})});
  }
  // The mask skips gradients.
  const Tensor x = ex::test::wave({2, 3}, 0), m = f64({0, 0, 0}, {3}), is = f64({1, 1, 1}, {3});
  const ex::BatchNormGradients only_bias = ex::batch_norm_backward(x, x, w, m, is, true, {false, false, true});
  CHECK_FALSE(only_bias.input.defined());
  CHECK_FALSE(only_bias.weight.defined());
  CHECK(only_bias.bias.defined());
}

TEST_CASE("batch_norm dtypes") {
  const Tensor x64 = ex::test::wave({3, 2, 5}, 0);
  const Tensor ref = ex::batch_norm(x64, Tensor(), Tensor(), Tensor(), Tensor(), true);
  for (ex::DType dt : {ex::DType::Float32, ex::DType::BFloat16, ex::DType::Float16}) {
    INFO(static_cast<int>(dt));
    Tensor rm = ex::zeros({2}), rv = ex::ones({2});
    const Tensor y = ex::batch_norm(x64.to(dt), rm, rv, Tensor(), Tensor(), true);
    CHECK(y.dtype() == dt);
    const double tol = dt == ex::DType::Float32 ? 1e-5 : 3e-2;
    check_values(y, {3, 2, 5}, ref.to_vector<double>(), tol, tol);
    CHECK(rm.dtype() == ex::DType::Float32);
    // The backward computes in float32 and rounds to the input's dtype.
    const Tensor g = ex::test::wave({3, 2, 5}, 2);
    const Tensor m = ex::mean(x64, {0, 2}), is = ex::full({2}, 1.0, ex::DType::Float64);
    const ex::BatchNormGradients want = ex::batch_norm_backward(g, x64, Tensor(), m, is, true);
    const ex::BatchNormGradients got = ex::batch_norm_backward(g.to(dt), x64.to(dt), Tensor(), m, is, true);
    CHECK(got.input.dtype() == dt);
    CHECK(got.bias.dtype() == dt);
    check_values(got.input, {3, 2, 5}, want.input.to_vector<double>(), 5 * tol, 5 * tol);
    check_values(got.bias, {2}, want.bias.to_vector<double>(), 5 * tol, 5 * tol);
  }
  // Empty batches give an empty result and leave the running statistics alone.
  Tensor rm = ex::zeros({2}), rv = ex::ones({2});
  CHECK(ex::batch_norm(ex::zeros({0, 2}), rm, rv, Tensor(), Tensor(), true).numel() == 0);
  check_values(rm, {2}, {0, 0});
}

TEST_CASE("batch_norm errors") {
  const Tensor x = ex::zeros({2, 3, 4}), c3 = ex::zeros({3}), c2 = ex::zeros({2});
  auto throws = [](auto f, const char* text) { CHECK_THROWS_WITH_AS(f(), doctest::Contains(text), ex::Error); };
  const Tensor none;
  throws([&] { return ex::batch_norm(none, none, none, none, none, true); }, "batch_norm: input is an undefined");
  throws([&] { return ex::batch_norm(ex::zeros({4}), none, none, none, none, true); },
         "batch_norm: input must be [N, C], [N, C, L] or [N, C, H, W], got shape [4]");
  throws(
      [&] {
        return ex::batch_norm(ex::zeros({2, 3}, ex::DType::Int64), none, none, none, none, true);
      },
      "batch_norm: input must be floating-point");
  throws([&] { return ex::batch_norm(x, c2, c3, none, none, true); },
         "batch_norm: running_mean must have shape [3] (one value per channel), got [2]");
  throws([&] { return ex::batch_norm(x, c3, none, none, none, true); }, "batch_norm: running_mean and running_var");
  throws([&] { return ex::batch_norm(x, none, none, c2, none, true); }, "batch_norm: weight must have shape [3]");
  throws([&] { return ex::batch_norm(x, none, none, none, ex::zeros({3}, ex::DType::Int32), true); },
         "batch_norm: bias must be floating-point");
  throws([&] { return ex::batch_norm(x, none, none, none, none, true, -0.1); },
         "batch_norm: momentum must be non-negative, got -0.1");
  throws([&] { return ex::batch_norm(x, none, none, none, none, true, 0.1, -1); },
         "batch_norm: eps must be non-negative, got -1");
  throws(
      [&] {
        return ex::batch_norm(ex::zeros({1, 3}), none, none, none, none, true);
      },
      "batch_norm: expected more than 1 value per channel when training");
  throws(
      [&] {
        return ex::batch_norm_backward(ex::zeros({2, 3, 5}), x, none, c3, c3, true);
      },
      "batch_norm_backward: grad has shape [2, 3, 5]");
  throws([&] { return ex::batch_norm_backward(x, x, none, c2, c3, true); },
         "batch_norm_backward: mean must have shape [3]");
}
