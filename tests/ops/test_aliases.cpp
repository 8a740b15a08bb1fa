// PyTorch's names (extensor/autograd/ops/aliases.hpp) are the ops they name: same
// values, same gradients, the named op's errors.

#include "test_util.hpp"

namespace {

Tensor f64(std::vector<double> values, const Shape& shape) { return ex::tensor<double>(values, shape); }

}  // namespace

TEST_CASE("aliases: cat, sub, mul, div, pow, remainder give the named ops' values, scalars on either side") {
  const Tensor a = f64({1, -2, 3, 4}, {2, 2}), b = f64({2, 2, -4, 8}, {2, 2});
  check_values(ex::cat({a, b}, 1), {2, 4}, {1, -2, 2, 2, 3, 4, -4, 8});
  check_values(ex::cat({a, b}), {4, 2}, {1, -2, 3, 4, 2, 2, -4, 8});
  check_values(ex::sub(a, b), {2, 2}, {-1, -4, 7, -4});
  check_values(ex::sub(10, a), {2, 2}, {9, 12, 7, 6});
  check_values(ex::mul(a, 0.5), {2, 2}, {0.5, -1, 1.5, 2});
  check_values(ex::div(a, b), {2, 2}, {0.5, -1, -0.75, 0.5});
  check_values(ex::pow(a, 2), {2, 2}, {1, 4, 9, 16});
  check_values(ex::pow(2.0, a), {2, 2}, {2, 0.25, 8, 16});
  check_values(ex::remainder(a, 3), {2, 2}, {1, 1, 0, 1});  // -2 % 3 == 1, as torch.remainder
}

TEST_CASE("aliases: eq, ne, lt, le, gt, ge return Bool tensors like the comparisons") {
  const Tensor a = f64({1, 2, 3}, {3});
  const auto bools = [](const Tensor& t) {
    CHECK(t.dtype() == DType::Bool);
    return t.to(DType::Float64).to_vector<double>();
  };
  CHECK(bools(ex::eq(a, 2)) == std::vector<double>{0, 1, 0});
  CHECK(bools(ex::ne(a, 2)) == std::vector<double>{1, 0, 1});
  CHECK(bools(ex::lt(a, 2)) == std::vector<double>{1, 0, 0});
  CHECK(bools(ex::le(2, a)) == std::vector<double>{0, 1, 1});
  CHECK(bools(ex::gt(a, a)) == std::vector<double>{0, 0, 0});
  CHECK(bools(ex::ge(a, a)) == std::vector<double>{1, 1, 1});
}

TEST_CASE("aliases: clamp, amax, amin, and gradients and errors of the named ops") {
  const Tensor x = f64({-2, 0.5, 3, 1}, {2, 2});
  check_values(ex::clamp(x, -1.0, 1.0), {2, 2}, {-1, 0.5, 1, 1});
  check_values(ex::clamp(x, 0.0), {2, 2}, {0, 0.5, 3, 1});
  check_values(ex::amax(x, 1), {2}, {0.5, 3});
  check_values(ex::amin(x, {}, true), {1, 1}, {-2});
  // The gradient is the named op's: d/dx sum(x * x) = 2x through mul, and max's through amax.
  const Tensor leaf = x.detach().clone().requires_grad_();
  ex::sum(ex::mul(leaf, leaf)).backward();
  check_values(leaf.grad(), {2, 2}, {-4, 1, 6, 2});
  leaf.set_grad(Tensor());
  ex::sum(ex::amax(leaf, 0)).backward();
  check_values(leaf.grad(), {2, 2}, {0, 0, 1, 1});
  // Errors name the op the alias stands for.
  CHECK_THROWS_WITH_AS(ex::sub(x, f64({1, 2, 3}, {3})), doctest::Contains("subtract:"), ex::Error);
  CHECK_THROWS_WITH_AS(ex::cat({}), doctest::Contains("concatenate:"), ex::Error);
  CHECK_THROWS_WITH_AS(ex::amax(x, 2), doctest::Contains("max_reduce: axis 2"), ex::Error);
}
