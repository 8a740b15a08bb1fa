// Gradients only where needed: raw backward kernels honour an output mask, and the engine
// passes each node the mask of the inputs that need a gradient, so no work is spent on
// the others (a layer's input batch costs no GEMM) and the gradients that are computed
// are bit for bit those of a full backward.

#include <doctest/doctest.h>

#include <extensor/extensor.hpp>

#include "test_util.hpp"

namespace {

Tensor rnd(const ex::Shape& shape, std::uint64_t seed) {
  ex::Generator gen(seed);
  return ex::randn(shape, ex::DType::Float32, gen);
}
std::uint64_t matmuls() { return ex::kernels::detail::last_matmul_trace().calls; }
// Bit-identical: same shape, dtype and values.
bool same(const Tensor& a, const Tensor& b) {
  return a.defined() && b.defined() && a.shape() == b.shape() && a.dtype() == b.dtype() &&
         a.to_vector<double>() == b.to_vector<double>();
}

}  // namespace

TEST_CASE("raw backward kernels leave the masked gradients undefined and agree on the others") {
  const Tensor a = rnd({5, 7}, 1), b = rnd({7, 3}, 2), g = rnd({5, 3}, 3);
  const auto [full_a, full_b] = ex::matmul_backward(g, a, b);
  const std::uint64_t before = matmuls();
  const auto [only_a, no_b] = ex::matmul_backward(g, a, b, {true, false});
  CHECK(matmuls() - before == 1);
  const auto [no_a, only_b] = ex::matmul_backward(g, a, b, {false, true});
  CHECK(matmuls() - before == 2);
  CHECK_FALSE(no_a.defined());
  CHECK_FALSE(no_b.defined());
  CHECK(same(only_a, full_a));
  CHECK(same(only_b, full_b));
  const auto [none_a, none_b] = ex::matmul_backward(g, a, b, {false, false});
  CHECK(matmuls() - before == 2);
  CHECK_FALSE(none_a.defined());
  CHECK_FALSE(none_b.defined());

  const Tensor x = rnd({4, 1}, 4), y = rnd({1, 6}, 5), gy = rnd({4, 6}, 6);
  const auto check_pair = [](std::pair<Tensor, Tensor> masked_a, std::pair<Tensor, Tensor> masked_b,
                             std::pair<Tensor, Tensor> full) {
    CHECK(same(masked_a.first, full.first));
    CHECK_FALSE(masked_a.second.defined());
    CHECK_FALSE(masked_b.first.defined());
    CHECK(same(masked_b.second, full.second));
  };
  check_pair(ex::multiply_backward(gy, x, y, {true, false}), ex::multiply_backward(gy, x, y, {false, true}),
             ex::multiply_backward(gy, x, y));
  check_pair(ex::divide_backward(gy, x, y, {true, false}), ex::divide_backward(gy, x, y, {false, true}),
             ex::divide_backward(gy, x, y));
  check_pair(ex::power_backward(gy, ex::abs(x), y, {true, false}), ex::power_backward(gy, ex::abs(x), y, {false, true}),
             ex::power_backward(gy, ex::abs(x), y));
  check_pair(ex::modulo_backward(gy, x, y, {true, false}), ex::modulo_backward(gy, x, y, {false, true}),
             ex::modulo_backward(gy, x, y));
  check_pair(ex::floor_divide_backward(gy, x, y, {true, false}), ex::floor_divide_backward(gy, x, y, {false, true}),
             ex::floor_divide_backward(gy, x, y));
  check_pair(ex::add_backward(gy, x.shape(), y.shape(), std::nullopt, std::nullopt, {true, false}),
             ex::add_backward(gy, x.shape(), y.shape(), std::nullopt, std::nullopt, {false, true}),
             ex::add_backward(gy, x.shape(), y.shape()));
  check_pair(ex::subtract_backward(gy, x.shape(), y.shape(), std::nullopt, std::nullopt, {true, false}),
             ex::subtract_backward(gy, x.shape(), y.shape(), std::nullopt, std::nullopt, {false, true}),
             ex::subtract_backward(gy, x.shape(), y.shape()));
  const Tensor u = rnd({4}, 7), v = rnd({6}, 8), guv = rnd({4, 6}, 9);
  check_pair(ex::outer_backward(guv, u, v, {true, false}), ex::outer_backward(guv, u, v, {false, true}),
             ex::outer_backward(guv, u, v));
  const Tensor w = rnd({4}, 10), gd = rnd({}, 11);
  check_pair(ex::dot_backward(gd, u, w, {true, false}), ex::dot_backward(gd, u, w, {false, true}),
             ex::dot_backward(gd, u, w));
  const Tensor px = rnd({3, 2, 5}, 12), alpha = ex::full({2}, 0.25, ex::DType::Float32), gp = rnd({3, 2, 5}, 13);
  check_pair(ex::prelu_backward(gp, px, alpha, {true, false}), ex::prelu_backward(gp, px, alpha, {false, true}),
             ex::prelu_backward(gp, px, alpha));
}

TEST_CASE("backward runs no GEMM for an input that needs no gradient, with identical parameter gradients") {
  const Tensor images = rnd({16, 20}, 20);
  const Tensor w1 = rnd({20, 12}, 21).requires_grad_(), w2 = rnd({12, 3}, 22).requires_grad_();
  const auto loss = [](const Tensor& x, const Tensor& a, const Tensor& b) {
    return ex::sum(ex::matmul(ex::relu(ex::matmul(x, a)), b));
  };

  const std::uint64_t start = matmuls();
  loss(images, w1, w2).backward();
  // Two forward products; backward: both gradients at the second layer, only w1's at
  // the first (images need none).
  CHECK(matmuls() - start == 2 + 3);
  const Tensor g1 = w1.grad().clone(), g2 = w2.grad().clone();

  const Tensor v1 = w1.detach().clone().requires_grad_(), v2 = w2.detach().clone().requires_grad_();
  const Tensor tracked = images.clone().requires_grad_();
  const std::uint64_t tracked_start = matmuls();
  loss(tracked, v1, v2).backward();
  CHECK(matmuls() - tracked_start == 2 + 4);
  CHECK(same(v1.grad(), g1));
  CHECK(same(v2.grad(), g2));
  CHECK(tracked.grad().defined());
}

TEST_CASE("grad() computes only the gradients on a path to the inputs asked for") {
  const Tensor x = rnd({6, 5}, 30).requires_grad_(), w = rnd({5, 4}, 31).requires_grad_();
  const Tensor y = ex::sum(ex::matmul(x, w));
  const std::uint64_t start = matmuls();
  const std::vector<Tensor> gw = ex::autograd::grad({y}, {w});
  CHECK(matmuls() - start == 1);
  const Tensor expected = ex::matmul(ex::transpose(x, 0, 1), ex::ones({6, 4}, ex::DType::Float32));
  ex::test::check_values(gw[0], {5, 4}, expected.to_vector<double>(), 1e-5);
  CHECK_FALSE(x.grad().defined());
}
