// Activation modules: each equals its functional op; options, printing and errors.
#include <limits>

#include "nn_test_util.hpp"

namespace nn = ex::nn;
namespace F = ex::nn::functional;

TEST_CASE("activation modules equal their functional ops") {
  ex::manual_seed(8);
  for (DType dtype : {DType::Float32, DType::Float64}) {
    const Tensor x = ex::randn({3, 4}, dtype) * 3.0;
    check_same_values(nn::ReLU()(x), F::relu(x), 0.0);
    check_same_values(nn::LeakyReLU()(x), F::leaky_relu(x, 0.01), 0.0);
    check_same_values(nn::LeakyReLU(0.2)(x), F::leaky_relu(x, 0.2), 0.0);
    check_same_values(nn::Sigmoid()(x), F::sigmoid(x), 0.0);
    check_same_values(nn::Tanh()(x), F::tanh(x), 0.0);
    check_same_values(nn::GELU()(x), F::gelu(x), 0.0);
    check_same_values(nn::GELU("tanh")(x), F::gelu(x, "tanh"), 0.0);
    check_same_values(nn::Softmax(1)(x), F::softmax(x, 1), 0.0);
    check_same_values(nn::Softmax(0)(x), F::softmax(x, 0), 0.0);
    check_same_values(nn::LogSoftmax(-1)(x), F::log_softmax(x, -1), 0.0);
    nn::PReLU shared;
    shared->to(dtype);
    check_same_values(shared(x), F::prelu(x, ex::full({1}, 0.25, dtype)), 0.0);
    nn::PReLU per_channel(4, 0.1);
    per_channel->to(dtype);
    ex::test::assign(per_channel->weight, {0.1, 0.2, 0.3, 0.4});
    check_same_values(per_channel(x), F::prelu(x, per_channel->weight), 0.0);
  }
}

TEST_CASE("activation modules: ReLU on hand values") {
  ex::test::check_values(nn::ReLU()(ex::tensor<float>({-1, 0, 2})), {3}, {0, 0, 2});
  ex::test::check_values(nn::LeakyReLU(0.5)(ex::tensor<float>({-2, 3})), {2}, {-1, 3});
}

TEST_CASE("PReLU: a learnable weight named like PyTorch's, filled with init") {
  nn::PReLU prelu(3, 0.5);
  CHECK(ex::test::names_of(prelu->named_parameters()) == std::vector<std::string>{"weight"});
  ex::test::check_values(prelu->weight, {3}, {0.5, 0.5, 0.5});
  CHECK(prelu->weight.requires_grad());
  CHECK(ex::nn::to_string(prelu) == "PReLU(num_parameters=3)");
}

TEST_CASE("PReLU: backward reaches the slopes (needs prelu to record)") {
  ex::manual_seed(9);
  nn::PReLU prelu(2);
  const Tensor x = ex::randn({4, 2});
  const Tensor g = ex::randn({4, 2});
  prelu(x).backward(g);
  REQUIRE(prelu->weight.grad().defined());
  const auto [gx, galpha] = ex::prelu_backward(g, x, prelu->weight.detach());
  check_same_values(prelu->weight.grad(), galpha, 1e-6);
}

TEST_CASE("activation modules: printing and errors") {
  CHECK(ex::nn::to_string(nn::ReLU()) == "ReLU()");
  CHECK(ex::nn::to_string(nn::LeakyReLU(0.2)) == "LeakyReLU(negative_slope=0.2)");
  CHECK(ex::nn::to_string(nn::GELU("tanh")) == "GELU(approximate='tanh')");
  CHECK(ex::nn::to_string(nn::Softmax(1)) == "Softmax(axis=1)");
  CHECK(ex::nn::to_string(nn::LogSoftmax(0)) == "LogSoftmax(axis=0)");
  CHECK(nn::LeakyReLU(0.3)->negative_slope() == 0.3);
  CHECK_THROWS_WITH_AS(nn::LeakyReLU{std::numeric_limits<double>::infinity()},
                       doctest::Contains("LeakyReLU: negative_slope must be finite"), ex::Error);
  CHECK_THROWS_WITH_AS(nn::PReLU(0), doctest::Contains("PReLU: num_parameters must be >= 1, got 0"), ex::Error);
  CHECK_THROWS_WITH_AS(nn::PReLU(1, NAN), doctest::Contains("PReLU: init must be finite"), ex::Error);
  CHECK_THROWS_WITH_AS(nn::GELU("fast"), doctest::Contains("GELU: approximate must be 'none' or 'tanh', got 'fast'"),
                       ex::Error);
  // Errors of the ops come through with the op's name.
  CHECK_THROWS_WITH_AS(nn::Softmax(2)(ex::zeros({2, 2})), doctest::Contains("softmax:"), ex::Error);
  CHECK_THROWS_WITH_AS(nn::PReLU(3)(ex::zeros({2, 2})), doctest::Contains("prelu:"), ex::Error);
}
