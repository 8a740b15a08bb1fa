// Higher-order gradients: backward and grad with create_graph record the backward
// computation, so gradients can be differentiated again. Values by hand, a
// Hessian-vector product against differences of gradients, and the errors.

#include <doctest/doctest.h>

#include <extensor/extensor.hpp>

#include "test_util.hpp"

namespace {

using ex::autograd::grad;

Tensor leaf(std::vector<double> values) {
  const auto n = static_cast<std::int64_t>(values.size());
  return ex::tensor(values, {n}).requires_grad_();
}
Tensor cube_sum(const Tensor& x) { return ex::sum(ex::multiply(ex::multiply(x, x), x)); }

}  // namespace

TEST_CASE("second and third derivatives of x^3 by hand") {
  const Tensor x = leaf({1, 2, 3});
  const Tensor g = grad({cube_sum(x)}, {x}, {}, false, /*create_graph=*/true)[0];
  check_values(g, {3}, {3, 12, 27});
  CHECK(g.requires_grad());
  const Tensor h = grad({ex::sum(g)}, {x}, {}, false, /*create_graph=*/true)[0];
  check_values(h, {3}, {6, 12, 18});
  const Tensor third = grad({ex::sum(h)}, {x})[0];
  check_values(third, {3}, {6, 6, 6});
  CHECK_FALSE(third.requires_grad());
}

TEST_CASE("without create_graph gradients carry no graph") {
  const Tensor x = leaf({1, 2});
  const Tensor g = grad({cube_sum(x)}, {x})[0];
  CHECK_FALSE(g.requires_grad());
  ex::autograd::backward({cube_sum(x)});
  CHECK_FALSE(x.grad().requires_grad());
}

TEST_CASE("backward with create_graph leaves a differentiable grad(): a gradient penalty") {
  const Tensor x = leaf({1, 2});
  ex::autograd::backward({cube_sum(x)}, {}, false, /*create_graph=*/true);
  const Tensor first = x.grad();
  check_values(first, {2}, {3, 12});
  REQUIRE(first.requires_grad());
  // d/dx sum((3x^2)^2) = 36 x^3.
  const Tensor penalty = grad({ex::sum(ex::multiply(first, first))}, {x})[0];
  check_values(penalty, {2}, {36, 288});
  // grad() holds a graph that holds x: clearing it frees both (LeakSanitizer checks).
  x.set_grad(Tensor());
}

TEST_CASE("Tensor::backward with create_graph, as libtorch writes it, retains the graph by default") {
  const Tensor x = leaf({1, 2});
  const Tensor y = cube_sum(x);
  y.backward({}, std::nullopt, /*create_graph=*/true);
  const Tensor first = x.grad();
  check_values(first, {2}, {3, 12});
  REQUIRE(first.requires_grad());
  // d/dx sum(3x^2) = 6x, through the first gradient's graph.
  check_values(grad({ex::sum(first)}, {x})[0], {2}, {6, 12});
  // The graph was retained: a second backward through a fresh y2 works after one with
  // create_graph, and gives the same gradient.
  const Tensor y2 = cube_sum(x);
  x.set_grad(Tensor());
  y2.backward({}, std::nullopt, /*create_graph=*/true);
  x.set_grad(Tensor());
  y2.backward();
  check_values(x.grad(), {2}, {3, 12});
  // Without create_graph the graph is freed unless retained, as before.
  const Tensor z = cube_sum(x);
  z.backward();
  CHECK_THROWS_AS(z.backward(), ex::Error);
  x.set_grad(Tensor());
}

TEST_CASE("a Hessian-vector product through matmul, tanh and a broadcast add matches differences of gradients") {
  ex::Generator gen(7);
  const Tensor w = ex::randn({4, 3}, DType::Float64, gen);
  const Tensor b = ex::randn({3}, DType::Float64, gen);
  const Tensor v = ex::randn({2, 4}, DType::Float64, gen);
  const Tensor x0 = ex::randn({2, 4}, DType::Float64, gen);
  const auto f = [&](const Tensor& x) { return ex::sum(ex::tanh(ex::add(ex::matmul(x, w), b))); };
  const auto gradient = [&](const Tensor& at) {
    const Tensor x = at.detach().clone().requires_grad_();
    return grad({f(x)}, {x})[0];
  };
  const Tensor x = x0.clone().requires_grad_();
  const Tensor g = grad({f(x)}, {x}, {}, false, /*create_graph=*/true)[0];
  const Tensor hv = grad({ex::sum(ex::multiply(g, v))}, {x})[0];
  const double eps = 1e-6;
  const Tensor plus = gradient(ex::add(x0, ex::multiply(v, eps)));
  const Tensor minus = gradient(ex::subtract(x0, ex::multiply(v, eps)));
  const Tensor numeric = ex::divide(ex::subtract(plus, minus), 2 * eps);
  check_values(hv, {2, 4}, numeric.to_vector<double>(), 1e-7);
}

TEST_CASE("gradgradcheck passes through a small network and catches a wrong second derivative") {
  ex::Generator gen(11);
  const Tensor x = ex::randn({3, 4}, DType::Float64, gen).requires_grad_();
  const Tensor w = ex::randn({4, 2}, DType::Float64, gen).requires_grad_();
  const Tensor b = ex::randn({2}, DType::Float64, gen).requires_grad_();
  using In = const std::vector<Tensor>&;
  const auto net = [](In in) { return ex::log_softmax(ex::sigmoid(ex::add(ex::matmul(in[0], in[1]), in[2])), 1); };
  const auto result = ex::autograd::gradgradcheck(net, {x, w, b});
  INFO(result.report);
  CHECK(result.passed);

  // A custom op whose backward is right to first order but records a wrong derivative
  // (it uses 2x where the forward is x^3): gradcheck passes, gradgradcheck fails.
  static const ex::autograd::CustomOp bad_cube(
      "bad_cube_for_gradgradcheck",
      [](auto& ctx, const auto& in) {
        ctx.save_for_backward({in[0]});
        return std::vector{ex::multiply(ex::multiply(in[0], in[0]), in[0])};
      },
      [](auto& ctx, const auto& g) {
        const Tensor s = ctx.saved_tensors()[0];
        const Tensor exact = ex::multiply(ex::multiply(s, s), 3.0).detach();  // a constant: no second derivative
        return std::vector{ex::multiply(g[0], exact)};
      });
  const Tensor y = ex::tensor(std::vector<double>{0.5, 1.5}, {2}).requires_grad_();
  const auto cube = [](In in) { return bad_cube({in[0]})[0]; };
  CHECK(ex::autograd::gradcheck(cube, {y}).passed);
  const auto wrong = ex::autograd::gradgradcheck(cube, {y});
  CHECK_FALSE(wrong.passed);
  CHECK(wrong.report.rfind("gradgradcheck:", 0) == 0);
}

TEST_CASE("create_graph through an op without a recorded derivative throws naming it and why") {
  // A custom op whose backward reads values (no graph): it says so, like PyTorch's
  // once_differentiable.
  static const ex::autograd::CustomOp doubled(
      "doubled_once_differentiable", [](auto&, const auto& in) { return std::vector{ex::multiply(in[0], 2.0)}; },
      [](auto&, const auto& g) { return std::vector{ex::multiply(g[0].detach(), 2.0)}; },
      ex::autograd::first_order_only("its backward detaches the gradient"));
  CHECK_FALSE(doubled.info().differentiable_backward);
  const Tensor x = leaf({0.5, -1.0});
  const Tensor y = ex::sum(ex::exp(doubled({x})[0]));
  CHECK_THROWS_WITH_AS(
      grad({y}, {x}, {}, false, /*create_graph=*/true),
      doctest::Contains(
          "the backward of 'doubled_once_differentiable' is not differentiable (its backward detaches the gradient)"),
      ex::Error);
  // The failed attempt leaves the graph usable at first order: 2 exp(2x).
  check_values(grad({y}, {x})[0], {2}, {2 * std::exp(1.0), 2 * std::exp(-2.0)});
}

TEST_CASE("a gradient penalty through mse_loss: d/dx |d mse / dx|^2 by hand") {
  // mse = mean((x - t)^2) over 2 elements: g = (x - t); sum(g^2)' = 2 (x - t).
  const Tensor x = leaf({0.5, 1.5});
  const Tensor t = ex::tensor(std::vector<double>{1, 1}, {2}).requires_grad_();
  const Tensor g = grad({ex::mse_loss(x, t)}, {x}, {}, false, /*create_graph=*/true)[0];
  check_values(g, {2}, {-0.5, 0.5});
  const auto penalty = grad({ex::sum(ex::multiply(g, g))}, {x, t});
  check_values(penalty[0], {2}, {-1.0, 1.0});
  check_values(penalty[1], {2}, {1.0, -1.0});
}

TEST_CASE("gelu's second and third derivatives equal PyTorch 1.13's, both forms") {
  // torch.autograd.grad of F.gelu(x, approximate=a) three times, float64.
  const std::vector<std::pair<const char*, std::pair<std::vector<double>, std::vector<double>>>> expected = {
      {"none",
       {{-0.032379398916472957, 0.79788456080286541, 0.47150343938380956},
        {0.33998368862296585, 0.0, -0.76720791428213231}}},
      {"tanh",
       {{-0.030518196484224859, 0.79788456080286541, 0.47086292684463371},
        {0.33962168946772431, 0.0, -0.7662623355087339}}},
  };
  for (const auto& [approximate, values] : expected) {
    INFO(approximate);
    const Tensor x = leaf({-1.5, 0.0, 0.7});
    const Tensor g = grad({ex::sum(ex::gelu(x, approximate))}, {x}, {}, false, true)[0];
    const Tensor h = grad({ex::sum(g)}, {x}, {}, false, true)[0];
    check_values(h, {3}, values.first, 1e-12, 1e-12);
    check_values(grad({ex::sum(h)}, {x})[0], {3}, values.second, 1e-12, 1e-12);
  }
}
