// Custom ops and the public gradcheck.

#include <doctest/doctest.h>

#include <extensor/extensor.hpp>

#include "test_util.hpp"

namespace {

using ex::autograd::CustomOp;
using ex::autograd::FunctionContext;

const CustomOp& cube() {
  static const CustomOp op(
      "test_cube",
      [](FunctionContext& ctx, const std::vector<Tensor>& in) {
        ctx.save_for_backward({in[0]});
        return std::vector<Tensor>{in[0] * in[0] * in[0]};
      },
      [](FunctionContext& ctx, const std::vector<Tensor>& g) {
        Tensor x = ctx.saved_tensors()[0];
        return std::vector<Tensor>{g[0] * 3.0 * x * x};
      });
  return op;
}

// Two outputs (x * s and x + s for a scalar s kept in saved_data), the first saved.
const CustomOp& scale_and_shift() {
  static const CustomOp op(
      "test_scale_and_shift",
      [](FunctionContext& ctx, const std::vector<Tensor>& in) {
        ctx.saved_data["s"] = 2.5;
        Tensor scaled = in[0] * 2.5;
        ctx.save_for_backward({scaled});  // an output: saved without a reference cycle
        return std::vector<Tensor>{scaled, in[0] + 2.5};
      },
      [](FunctionContext& ctx, const std::vector<Tensor>& g) {
        const double s = std::any_cast<double>(ctx.saved_data.at("s"));
        CHECK(ctx.saved_tensors()[0].defined());
        return std::vector<Tensor>{g[0] * s + g[1]};
      });
  return op;
}

Tensor total(const Tensor& t) {
  Tensor flat = t.reshape({-1});
  return ex::dot(flat, ex::ones_like(flat));
}

}  // namespace

TEST_CASE("a custom op records, backpropagates and passes gradcheck") {
  Tensor x = ex::tensor(std::vector<double>{1, -2, 0.5}, {3}).requires_grad_();
  Tensor y = cube()({x})[0];
  CHECK(y.grad_fn_name() == "test_cube");
  total(y).backward();
  ex::test::check_values(x.grad(), {3}, {3, 12, 0.75});
  auto result = ex::autograd::gradcheck([](const std::vector<Tensor>& in) { return cube()({in[0]})[0]; },
                                        {ex::randn({2, 3}, DType::Float64)});
  INFO(result.report);
  CHECK(result);
  const ex::autograd::OpInfo* info = ex::autograd::find_op("test_cube");
  REQUIRE(info != nullptr);
  CHECK(info->custom);
}

TEST_CASE("custom ops: several outputs, unused outputs get zeros, no recording without grad") {
  Tensor x = ex::tensor(std::vector<double>{1, 2}, {2}).requires_grad_();
  auto outs = scale_and_shift()({x});
  REQUIRE(outs.size() == 2);
  total(outs[1]).backward();  // only the second output is used: the first's gradient is zeros
  ex::test::check_values(x.grad(), {2}, {1, 1});
  auto result = ex::autograd::gradcheck(
      [](const std::vector<Tensor>& in) {
        auto o = scale_and_shift()({in[0]});
        return o[0] * o[1];
      },
      {ex::randn({4}, DType::Float64)});
  INFO(result.report);
  CHECK(result);
  Tensor plain = ex::ones({2}, DType::Float64);
  CHECK(!scale_and_shift()({plain})[0].requires_grad());
}

TEST_CASE("custom op errors") {
  (void)cube();  // registers "test_cube" even when this test case runs alone (as under ctest)
  CHECK_THROWS_WITH_AS(
      CustomOp(
          "test_cube", [](auto&, const auto& in) { return in; }, [](auto&, const auto& g) { return g; }),
      doctest::Contains("already registered"), ex::Error);
  CHECK_THROWS_WITH_AS(CustomOp(
                           "test_no_backward", [](auto&, const auto& in) { return in; }, nullptr),
                       doctest::Contains("needs both"), ex::Error);
  static const CustomOp empty(
      "test_empty_forward", [](auto&, const auto&) { return std::vector<Tensor>{}; },
      [](auto&, const auto& g) { return g; });
  CHECK_THROWS_WITH_AS(empty({ex::ones({1})}), doctest::Contains("test_empty_forward: forward returned no outputs"),
                       ex::Error);
  // A backward returning the wrong number of gradients is reported naming the op.
  static const CustomOp wrong(
      "test_wrong_count", [](auto&, const auto& in) { return std::vector<Tensor>{in[0] * 1.0}; },
      [](auto&, const auto& g) {
        return std::vector<Tensor>{g[0], g[0]};
      });
  Tensor x = ex::ones({2}, DType::Float64).requires_grad_();
  CHECK_THROWS_WITH_AS(total(wrong({x})[0]).backward(), doctest::Contains("'test_wrong_count' returned 2 gradients"),
                       ex::Error);
}

TEST_CASE("gradcheck reports the worst element of a wrong gradient") {
  static const CustomOp bad_square(
      "test_bad_square",
      [](FunctionContext& ctx, const std::vector<Tensor>& in) {
        ctx.save_for_backward({in[0]});
        return std::vector<Tensor>{in[0] * in[0]};
      },
      [](FunctionContext& ctx, const std::vector<Tensor>& g) {
        Tensor x = ctx.saved_tensors()[0];
        return std::vector<Tensor>{g[0] * 2.02 * x};  // 1% too large
      });
  Tensor x = ex::tensor(std::vector<double>{1, 2, 3, 4}, {2, 2});
  auto result = ex::autograd::gradcheck([](const std::vector<Tensor>& in) { return bad_square({in[0]})[0]; }, {x});
  CHECK(!result);
  CHECK(result.mismatches == 4);
  CHECK(result.worst_input == 0);
  CHECK(result.report.find("input 0 (shape [2, 2])") != std::string::npos);
  CHECK(std::fabs(result.analytic - 1.01 * result.numeric) < 1e-6 * std::fabs(result.numeric) + 1e-9);
  // The caller's tensor is untouched and gets no gradient.
  ex::test::check_values(x, {2, 2}, {1, 2, 3, 4});
  CHECK(!x.requires_grad());
}

TEST_CASE("gradcheck chooses inputs and validates them") {
  auto fn = [](const std::vector<Tensor>& in) { return in[0] * in[1]; };
  Tensor a = ex::randn({3}, DType::Float64);
  Tensor b = ex::randn({3}, DType::Float64);
  CHECK(ex::autograd::gradcheck(fn, {a, b}));
  // Only inputs that require grad are checked when some do.
  Tensor c = ex::randn({3}, DType::Float64).requires_grad_();
  CHECK(ex::autograd::gradcheck(fn, {c, ex::ones({3}, DType::Float32)}));
  CHECK_THROWS_WITH_AS(ex::autograd::gradcheck(fn, {ex::ones({3}), ex::ones({3})}),
                       doctest::Contains("gradcheck: no input"), ex::Error);
  CHECK_THROWS_WITH_AS(ex::autograd::gradcheck(fn, {ex::ones({3}).requires_grad_(), b}),
                       doctest::Contains("must be float64"), ex::Error);
}

TEST_CASE("gradcheck_backward checks a raw backward kernel on views, and reports or throws") {
  using ex::autograd::gradcheck_backward;
  ex::Generator gen(3);
  const Tensor base = ex::randn({3, 4}, DType::Float64, gen);
  const Tensor view = base.transpose(0, 1);  // a non-contiguous input, checked as given
  const auto forward = [](const std::vector<Tensor>& in) { return ex::exp(in[0]); };
  const auto exact = [&](const Tensor& g, const std::vector<Tensor>& in) {
    return std::vector<Tensor>{ex::exp_backward(g, forward(in))};
  };
  const ex::autograd::GradcheckResult good = gradcheck_backward(forward, exact, {view});
  CHECK(good.passed);
  CHECK(good.max_abs_error < 1e-7);
  CHECK(view.to_vector<double>() == base.transpose(0, 1).to_vector<double>());  // restored
  // A backward off by a factor 2 fails, and the report names the checker and the input.
  const auto doubled = [&](const Tensor& g, const std::vector<Tensor>& in) {
    return std::vector<Tensor>{ex::multiply(exact(g, in)[0], 2.0)};
  };
  const ex::autograd::GradcheckResult bad = gradcheck_backward(forward, doubled, {view});
  CHECK_FALSE(bad.passed);
  CHECK(bad.mismatches == 12);
  CHECK(bad.report.rfind("gradcheck_backward: 12 element(s) mismatched; worst: input 0 (shape [4, 3])", 0) == 0);
  // Bad calls throw naming the checker.
  CHECK_THROWS_WITH_AS(gradcheck_backward(forward, exact, {base.to(DType::Float32)}),
                       doctest::Contains("gradcheck_backward: input 0 must be a defined float64 tensor"), ex::Error);
  CHECK_THROWS_WITH_AS(gradcheck_backward(forward, exact, {base.slice(0, 0, 1).expand({3, 4})}),
                       doctest::Contains("has a stride-0 dim"), ex::Error);
  const auto none = [](const Tensor&, const std::vector<Tensor>&) { return std::vector<Tensor>{}; };
  CHECK_THROWS_WITH_AS(gradcheck_backward(forward, none, {base}),
                       doctest::Contains("backward returned 0 gradient(s) for 1 input(s)"), ex::Error);
  const auto misshaped = [](const Tensor&, const std::vector<Tensor>&) { return std::vector<Tensor>{ex::ones({2})}; };
  CHECK_THROWS_WITH_AS(gradcheck_backward(forward, misshaped, {base}),
                       doctest::Contains("the gradient of input 0 has shape [2] but the input has shape [3, 4]"),
                       ex::Error);
}
