// Behaviour of the tape and the backward engine, each pinned by a case.

#include <doctest/doctest.h>

#include <extensor/extensor.hpp>
#include <thread>

#include "test_util.hpp"

namespace {

Tensor vec(std::vector<double> values) {
  const auto n = static_cast<std::int64_t>(values.size());
  return ex::tensor(values, {n});
}
Tensor leaf(std::vector<double> values) { return vec(std::move(values)).requires_grad_(); }
// A scalar from any tensor through recorded ops only: the dot product with ones.
Tensor total(const Tensor& t) {
  Tensor flat = t.reshape({-1});
  return ex::dot(flat, ex::ones_like(flat));
}

}  // namespace

TEST_CASE("backward of a scalar gives hand-computed gradients") {
  Tensor x = leaf({1, 2, 3});
  Tensor w = leaf({0.5, -1, 2});
  Tensor loss = total(x * w + x * x);  // d/dx = w + 2x, d/dw = x
  CHECK(loss.requires_grad());
  CHECK(!loss.is_leaf());
  CHECK(loss.grad_fn_name() == "dot");
  loss.backward();
  check_values(x.grad(), {3}, {2.5, 3, 8});
  check_values(w.grad(), {3}, {1, 2, 3});
}

TEST_CASE("backward with an explicit gradient, and its errors") {
  Tensor x = leaf({1, 2});
  Tensor y = x * 3.0;
  CHECK_THROWS_WITH_AS(y.backward(), doctest::Contains("only for one-element outputs"), ex::Error);
  CHECK_THROWS_WITH_AS(y.backward(vec({1, 1, 1})), doctest::Contains("shape [3]"), ex::Error);
  y.backward(vec({1, 10}));
  check_values(x.grad(), {2}, {3, 30});
  CHECK_THROWS_WITH_AS(vec({1}).backward(), doctest::Contains("does not require grad"), ex::Error);
}

TEST_CASE("leaf gradients accumulate across backward calls, retain_graph keeps the graph") {
  Tensor x = leaf({1, 2});
  Tensor y = total(x * x);
  y.backward(Tensor(), /*retain_graph=*/true);
  check_values(x.grad(), {2}, {2, 4});
  y.backward();
  check_values(x.grad(), {2}, {4, 8});
  CHECK_THROWS_WITH_AS(y.backward(), doctest::Contains("retain_graph"), ex::Error);
}

TEST_CASE("a second backward through a freed graph names the op and retain_graph") {
  Tensor x = leaf({1, 2});
  Tensor y = total(x * x);
  y.backward();
  CHECK_THROWS_WITH_AS(y.backward(), doctest::Contains("second time"), ex::Error);
}

TEST_CASE("two independent graphs on one tape") {
  Tensor x = leaf({1, 2});
  Tensor a = total(x * 2.0);
  Tensor b = total(x * x);
  a.backward();
  b.backward();  // b's graph was not freed by a's backward
  check_values(x.grad(), {2}, {4, 6});
}

TEST_CASE("non-leaf gradients are kept only with retain_grad") {
  Tensor x = leaf({1, 2});
  Tensor h = x * 3.0;
  Tensor k = x * 4.0;
  h.retain_grad();
  CHECK(h.retains_grad());
  total(h * k).backward();
  check_values(h.grad(), {2}, {4, 8});  // d/dh = k
  CHECK(!k.grad().defined());
  check_values(x.grad(), {2}, {24, 48});  // 24 x
}

TEST_CASE("autograd::grad returns gradients without touching grad()") {
  Tensor x = leaf({1, 2});
  Tensor w = leaf({3, 4});
  Tensor h = x * w;
  Tensor y = total(h * h);
  auto g = ex::autograd::grad({y}, {x, h}, {}, /*retain_graph=*/true);
  check_values(g[0], {2}, {18, 64});  // 2 x w^2
  check_values(g[1], {2}, {6, 16});   // 2 h
  CHECK(!x.grad().defined());
  CHECK(!w.grad().defined());
  Tensor unused = leaf({1});
  CHECK_THROWS_WITH_AS(ex::autograd::grad({y}, {unused}, {}, true), doctest::Contains("not used"), ex::Error);
  auto maybe = ex::autograd::grad({y}, {unused, w}, {}, true, false, /*allow_unused=*/true);
  CHECK(!maybe[0].defined());
  check_values(maybe[1], {2}, {6, 32});  // 2 x^2 w
  CHECK_THROWS_WITH_AS(ex::autograd::grad({y}, {vec({1})}), doctest::Contains("does not require grad"), ex::Error);
  // With create_graph the gradient is differentiable: d/dx sum(2 x w^2) = 2 w^2.
  const Tensor gx = ex::autograd::grad({y}, {x}, {}, true, /*create_graph=*/true)[0];
  check_values(ex::autograd::grad({total(gx)}, {x})[0], {2}, {18, 32});
}

TEST_CASE("grad mode: recording only when on and an input requires grad") {
  Tensor x = leaf({1, 2});
  Tensor plain = vec({1, 2}) * 2.0;
  CHECK(!plain.requires_grad());
  CHECK(plain.grad_fn() == nullptr);
  CHECK(plain.unsafe_impl()->autograd_meta == nullptr);  // no state at all: raw-kernel cost
  {
    ex::NoGradGuard no_grad;
    CHECK(!ex::GradMode::is_enabled());
    Tensor y = x * 2.0;
    CHECK(!y.requires_grad());
    {
      ex::EnableGradGuard enable;
      CHECK((x * 2.0).requires_grad());
    }
    CHECK(!(x * 2.0).requires_grad());
  }
  CHECK(ex::GradMode::is_enabled());
  // Grad mode is per thread.
  ex::NoGradGuard no_grad;
  bool other_thread_records = false;
  std::thread([&] { other_thread_records = (x * 2.0).requires_grad(); }).join();
  CHECK(other_thread_records);
}

TEST_CASE("detach, requires_grad_, is_leaf") {
  Tensor x = leaf({1, 2});
  CHECK(x.is_leaf());
  CHECK(x.requires_grad());
  Tensor y = x * 2.0;
  Tensor d = y.detach();
  CHECK(!d.requires_grad());
  CHECK(d.is_leaf());
  CHECK(d.storage() == y.storage());  // shares data and version counter
  CHECK_THROWS_WITH_AS(y.requires_grad_(false), doctest::Contains("not a leaf"), ex::Error);
  CHECK_THROWS_WITH_AS(ex::arange(0, 3).requires_grad_(), doctest::Contains("only floating"), ex::Error);
  x.requires_grad_(false);
  CHECK(!(x * 2.0).requires_grad());
}

TEST_CASE("in-place ops: version checks, leaves, and recorded in-place updates") {
  SUBCASE("a saved tensor modified in place makes backward throw naming the op") {
    Tensor w = leaf({1, 2});
    Tensor x = vec({3, 4});
    Tensor y = total(w * x);  // multiply saves x
    ex::add_(x, 1.0);
    CHECK_THROWS_WITH_AS(y.backward(), doctest::Contains("multiply: a tensor of shape [2]"), ex::Error);
  }
  SUBCASE("views share the version counter") {
    Tensor w = leaf({1, 2});
    Tensor x = vec({3, 4});
    Tensor y = total(w * x);
    ex::mul_(x.slice(0, 0, 1), 2.0);
    CHECK_THROWS_WITH_AS(y.backward(), doctest::Contains("modified by an inplace operation"), ex::Error);
  }
  SUBCASE("in place on a leaf that requires grad throws; under NoGradGuard it is allowed") {
    Tensor w = leaf({1, 2});
    CHECK_THROWS_WITH_AS(ex::add_(w, 1.0), doctest::Contains("add_: a leaf tensor that requires grad"), ex::Error);
    ex::NoGradGuard no_grad;
    ex::add_(w, 1.0);
    check_values(w, {2}, {2, 3});
  }
  SUBCASE("in-place ops on non-leaves record") {
    Tensor x = leaf({1, 2});
    Tensor y = x * 2.0;
    ex::add_(y, 1.0);
    ex::mul_(y, 3.0);
    CHECK(y.grad_fn_name() == "mul_");
    total(y).backward();
    check_values(x.grad(), {2}, {6, 6});
  }
  SUBCASE("in place on a view of a tensor that requires grad is refused") {
    Tensor x = leaf({1, 2});
    Tensor y = x * 2.0;
    CHECK_THROWS_WITH_AS(ex::add_(y.slice(0, 0, 1), 1.0), doctest::Contains("view"), ex::Error);
  }
}

TEST_CASE("register_hook sees and can replace gradients") {
  Tensor x = leaf({1, 2});
  Tensor h = x * 3.0;
  std::vector<double> seen;
  h.register_hook([&](const Tensor& g) {
    seen = g.to_vector<double>();
    return g * 10.0;
  });
  const auto handle = x.register_hook([](const Tensor& g) { return g + 1.0; });
  total(h).backward();
  CHECK(seen == std::vector<double>{1, 1});
  check_values(x.grad(), {2}, {31, 31});
  x.remove_hook(handle);
  x.set_grad(Tensor());
  total(x * 1.0).backward();
  check_values(x.grad(), {2}, {1, 1});
  CHECK_THROWS_WITH_AS(vec({1}).register_hook([](const Tensor& g) { return g; }),
                       doctest::Contains("does not require grad"), ex::Error);
}

TEST_CASE("gradients flow through views into their base") {
  Tensor x = ex::tensor(std::vector<double>{1, 2, 3, 4, 5, 6}, {2, 3}).requires_grad_();
  Tensor s = x.slice(1, 1, 3);                 // [[2, 3], [5, 6]]
  Tensor t = x.transpose(0, 1);                // [3, 2]
  Tensor e = x.slice(0, 0, 1).expand({4, 3});  // row 0 four times
  Tensor loss = total(s * 2.0) + total(t * t) + total(e);
  loss.backward();
  // d/dx = 2 (columns 1 and 2) + 2x + 4 (row 0).
  check_values(x.grad(), {2, 3}, {2 + 4, 2 + 4 + 4, 2 + 6 + 4, 8, 2 + 10, 2 + 12});
}

TEST_CASE("DetectAnomalyGuard names the op whose backward produced NaN or Inf") {
  Tensor x = leaf({0, 1});
  {
    ex::autograd::DetectAnomalyGuard anomaly;
    CHECK(ex::autograd::DetectAnomalyGuard::is_enabled());
    Tensor y = total(ex::divide(1.0, x));  // d/dx = -1 / x^2 = -inf at 0
    CHECK_THROWS_WITH_AS(y.backward(), doctest::Contains("'divide' (forward inputs of shapes [2])"), ex::Error);
  }
  CHECK(!ex::autograd::DetectAnomalyGuard::is_enabled());
  Tensor y = total(ex::divide(1.0, x));
  y.backward();  // without the guard the inf simply arrives
  CHECK(std::isinf(x.grad().to_vector<double>()[0]));
}

TEST_CASE("to_dot draws ops, shapes and leaves") {
  Tensor x = ex::ones({2, 3}, DType::Float64).requires_grad_();
  Tensor w = ex::ones({3, 4}, DType::Float64).requires_grad_();
  Tensor y = ex::matmul(x, w) + 1.0;
  const std::string dot = ex::autograd::to_dot(y);
  CHECK(dot.rfind("digraph", 0) == 0);
  CHECK(dot.find("add\\n[2, 4]") != std::string::npos);
  CHECK(dot.find("matmul\\n[2, 3] [3, 4]") != std::string::npos);
  CHECK(dot.find("leaf\\n[3, 4]") != std::string::npos);
  CHECK(dot.find("output\\n[2, 4]") != std::string::npos);
  CHECK(dot.find("->") != std::string::npos);
  CHECK(ex::autograd::to_dot(vec({1})).find("n0") == std::string::npos);
  CHECK_THROWS_AS(ex::autograd::to_dot(Tensor()), ex::Error);
}

TEST_CASE("a long chain is freed without deep recursion") {
  Tensor x = leaf({1});
  Tensor y = x;
  for (int i = 0; i < 200000; ++i) y = y * 1.0;
  y = Tensor();  // destroying 200k nodes must not overflow the stack
  CHECK(x.is_leaf());
}
