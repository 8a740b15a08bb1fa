// Linear and functional::linear: forward against hand computation, backward against the
// matmul formulas, PyTorch's default initialization, options, errors.
#include <cmath>

#include "nn_test_util.hpp"

using ex::nn::LinearOptions;

TEST_CASE("Linear: parameters named and shaped like PyTorch's") {
  Linear fc(3, 2);
  CHECK(ex::test::names_of(fc->named_parameters()) == std::vector<std::string>{"weight", "bias"});
  CHECK(fc->weight.shape() == Shape{2, 3});
  CHECK(fc->bias.shape() == Shape{2});
  CHECK(fc->weight.dtype() == DType::Float32);
  CHECK((fc->weight.requires_grad() && fc->bias.requires_grad()));
  Linear no_bias(LinearOptions(3, 2).bias(false));
  CHECK_FALSE(no_bias->bias.defined());
  CHECK(no_bias->parameters().size() == 1);
  CHECK(no_bias->options().in_features() == 3);
  CHECK_FALSE(no_bias->options().bias());
  CHECK(ex::nn::to_string(no_bias) == "Linear(in_features=3, out_features=2, bias=False)");
}

TEST_CASE("Linear: forward is x W^T + b, by hand") {
  Linear fc(3, 2);
  ex::test::assign(fc->weight, {1, 2, 3, 4, 5, 6});
  ex::test::assign(fc->bias, {0.5, -1});
  const Tensor x = ex::tensor<float>({1, 0, -1, 2, 1, 0}, {2, 3});
  // Row 0: [1 - 3, 4 - 6] + b = [-1.5, -3]; row 1: [2 + 2, 8 + 5] + b = [4.5, 12].
  check_values(fc(x), {2, 2}, {-1.5, -3, 4.5, 12});
  check_values(fc(ex::tensor<float>({1, 0, -1})), {2}, {-1.5, -3});  // 1-D input
  // Leading axes are batch axes.
  const Tensor batched = fc(ex::concatenate({x, x}).reshape({2, 2, 3}));
  check_values(batched, {2, 2, 2}, {-1.5, -3, 4.5, 12, -1.5, -3, 4.5, 12});
  // A transposed (non-contiguous) input gives the same result.
  check_values(fc(ex::test::noncontiguous(x)), {2, 2}, {-1.5, -3, 4.5, 12});
  // Without a bias.
  Linear plain(3, 2, false);
  ex::test::assign(plain->weight, {1, 2, 3, 4, 5, 6});
  check_values(plain(x), {2, 2}, {-2, -2, 4, 13});
}

TEST_CASE("Linear: backward gives dW = g^T x, db = sum_rows g, dx = g W") {
  ex::manual_seed(11);
  for (DType dtype : {DType::Float32, DType::Float64}) {
    Linear fc(3, 4);
    fc->to(dtype);
    const Tensor x = ex::randn({5, 3}, dtype);
    x.requires_grad_();
    const Tensor g = ex::randn({5, 4}, dtype);
    fc(x).backward(g);
    ex::NoGradGuard no_grad;
    const double atol = dtype == DType::Float32 ? 1e-5 : 1e-12;
    check_same_values(fc->weight.grad(), ex::matmul(ex::transpose(g), x), atol);
    check_same_values(fc->bias.grad(), ex::sum(g, 0), atol);
    check_same_values(x.grad(), ex::matmul(g, fc->weight), atol);
    CHECK(fc->weight.grad().dtype() == dtype);
  }
}

TEST_CASE("Linear: gradients of a batched input sum over every batch axis") {
  ex::manual_seed(12);
  Linear fc(2, 3);
  const Tensor x = ex::randn({2, 4, 2});
  const Tensor g = ex::randn({2, 4, 3});
  fc(x).backward(g);
  ex::NoGradGuard no_grad;
  const Tensor x2 = x.reshape({8, 2}), g2 = g.reshape({8, 3});
  check_same_values(fc->weight.grad(), ex::matmul(ex::transpose(g2), x2), 1e-5);
  check_same_values(fc->bias.grad(), ex::sum(g2, 0), 1e-5);
}

TEST_CASE("Linear: default init is uniform on [-1/sqrt(in), 1/sqrt(in)] for weight and bias") {
  ex::manual_seed(3);
  Linear fc(400, 300);
  const double bound = 1.0 / std::sqrt(400.0);  // 0.05
  const auto w = ex::test::moments(fc->weight);
  CHECK(w.min >= -bound);
  CHECK(w.max <= bound);
  CHECK(w.max > 0.999 * bound);  // 120000 draws come within 1e-3 of the bound
  CHECK(w.min < -0.999 * bound);
  CHECK(std::fabs(w.mean) < 0.01 * bound);
  CHECK(std::fabs(w.std - bound / std::sqrt(3.0)) < 0.01 * bound);
  const auto b = ex::test::moments(fc->bias);
  CHECK(b.min >= -bound);
  CHECK(b.max <= bound);
  CHECK(b.max - b.min > bound);  // 300 draws spread over the interval
  // Reproducible from the seed, and reset_parameters draws again.
  ex::manual_seed(3);
  Linear again(400, 300);
  CHECK(again->weight.to_vector<float>() == fc->weight.to_vector<float>());
  CHECK(again->bias.to_vector<float>() == fc->bias.to_vector<float>());
  const std::uint64_t version = again->weight.version();
  again->reset_parameters();
  CHECK(again->weight.to_vector<float>() != fc->weight.to_vector<float>());
  CHECK(again->weight.version() > version);
  CHECK(again->weight.is_leaf());
  // No inputs: the weight is empty and the bias 0 (PyTorch's bound for fan_in 0).
  Linear empty_in(0, 3);
  check_values(empty_in->bias, {3}, {0, 0, 0});
  check_values(empty_in(ex::zeros({2, 0})), {2, 3}, {0, 0, 0, 0, 0, 0});
}

TEST_CASE("Linear: errors") {
  Linear fc(4, 2);
  CHECK_THROWS_WITH_AS(fc(ex::zeros({2, 3})),
                       doctest::Contains("Linear: input of shape [2, 3] has 3 features, expected 4"), ex::Error);
  CHECK_THROWS_WITH_AS(fc(ex::zeros({})), doctest::Contains("Linear: input of shape [] has 0 features, expected 4"),
                       ex::Error);
  CHECK_THROWS_WITH_AS(fc(ex::zeros({2, 4}, DType::Float64)),
                       doctest::Contains("Linear: input has dtype float64 but the weight has float32"), ex::Error);
  CHECK_THROWS_WITH_AS(fc(Tensor()), doctest::Contains("Linear: the input is undefined"), ex::Error);
  CHECK_THROWS_WITH_AS(Linear(-1, 2), doctest::Contains("Linear: in_features and out_features must be >= 0"),
                       ex::Error);
  CHECK_THROWS_WITH_AS(Linear(LinearOptions(2, -3)), doctest::Contains("Linear:"), ex::Error);
}

TEST_CASE("functional::linear: with and without bias, and its errors") {
  namespace F = ex::nn::functional;
  const Tensor w = ex::tensor<double>({1, 2, 3, 4, 5, 6}, {2, 3});
  const Tensor x = ex::tensor<double>({1, 1, 1}, {1, 3});
  check_values(F::linear(x, w), {1, 2}, {6, 15});
  check_values(F::linear(x, w, ex::tensor<double>({1, -1})), {1, 2}, {7, 14});
  CHECK_THROWS_WITH_AS(F::linear(x, ex::zeros({3}, DType::Float64)),
                       doctest::Contains("linear: the weight must be 2-D [out, in], got shape [3]"), ex::Error);
  CHECK_THROWS_WITH_AS(F::linear(x, w, ex::zeros({3}, DType::Float64)),
                       doctest::Contains("linear: the bias must be float64 [2] for a weight of shape [2, 3]"),
                       ex::Error);
  CHECK_THROWS_WITH_AS(F::linear(x, w, ex::zeros({2})), doctest::Contains("linear: the bias"), ex::Error);
  CHECK_THROWS_WITH_AS(F::linear(ex::zeros({1, 2}, DType::Float64), w),
                       doctest::Contains("linear: input of shape [1, 2] has 2 features, expected 3"), ex::Error);
  CHECK_THROWS_WITH_AS(F::linear(x, Tensor()), doctest::Contains("linear: the weight is undefined"), ex::Error);
  CHECK_THROWS_WITH_AS(F::linear(ex::zeros({1, 3}, DType::Int64), ex::zeros({2, 3}, DType::Int64)),
                       doctest::Contains("linear: dtype int64 is not a floating type"), ex::Error);
}
