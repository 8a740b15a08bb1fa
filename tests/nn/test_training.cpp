// End to end: models built from nn modules learn with loss.backward() and plain SGD
// updates under NoGradGuard.
#include <cmath>

#include "nn_test_util.hpp"

namespace nn = ex::nn;

TEST_CASE("training: Linear recovers a linear map by gradient descent on the squared error") {
  ex::manual_seed(17);
  const std::int64_t n = 64;
  const Tensor x = ex::randn({n, 3});
  const Tensor true_w = ex::tensor<float>({1, -2, 0.5, 0.3, 0.7, -1}, {2, 3});
  const Tensor true_b = ex::tensor<float>({0.5, -0.25});
  const Tensor y = ex::matmul(x, ex::transpose(true_w)) + true_b;
  nn::Linear model(3, 2);
  for (int step = 0; step < 300; ++step) {
    model->zero_grad();
    const Tensor pred = model(x);
    // Seeds backward with d/dpred of sum((pred - y)^2) / n, so only the ops Linear uses
    // (matmul, transpose, add) need to record.
    Tensor seed;
    {
      ex::NoGradGuard no_grad;
      seed = (pred - y) * (2.0 / static_cast<double>(n));
    }
    pred.backward(seed);
    ex::test::sgd_step(*model, 0.1);
  }
  // The loss's Hessian is 2 x^T x / n ~ 2 I, so each step shrinks the error by about
  // 1 - 0.2: after 300 steps only float32 rounding is left.
  ex::test::check_same_values(model->weight, true_w, 1e-4);
  ex::test::check_same_values(model->bias, true_b, 1e-4);
}

TEST_CASE("training: an MLP (Linear-ReLU-Linear) fits XOR-quadrant data (needs relu and cross_entropy to record)") {
  ex::manual_seed(2024);
  // 256 points in [-1, 1]^2 at least 0.1 from both axes; the class is whether the two
  // coordinates have different signs. No linear model separates the classes.
  const std::int64_t n = 256;
  const Tensor sign = ex::greater_equal(ex::rand({n, 2}), 0.5) * 2.0 - 1.0;
  const Tensor x = sign * (ex::rand({n, 2}) * 0.9 + 0.1);
  const Tensor positive = ex::greater(x, 0.0);
  const Tensor y = ex::logical_xor(positive.slice(1, 0, 1), positive.slice(1, 1, 2)).squeeze(1).to(DType::Int64);

  nn::Sequential model(nn::Linear(2, 32), nn::ReLU(), nn::Linear(32, 2));
  nn::CrossEntropyLoss criterion;
  double first_loss = 0, loss_value = 0;
  for (int step = 0; step < 300; ++step) {
    model->zero_grad();
    const Tensor loss = criterion(model(x), y);
    loss.backward();
    ex::test::sgd_step(*model, 0.5);
    loss_value = loss.item<double>();
    if (step == 0) first_loss = loss_value;
  }
  // At initialization the logits are small, so the loss is near ln 2 = 0.69 (chance);
  // a linear model cannot do better on this data. The same run ends between 0.016 and
  // 0.025 with every point right in PyTorch 1.13 (same recipe, 20 seeds) and between
  // 0.017 and 0.020 here (6 seeds, relu and the loss gradient applied by hand), so
  // 0.05 leaves room for other seeds while still requiring the hidden layer to have
  // learned the quadrants.
  CHECK(first_loss > 0.6);
  CHECK(loss_value < 0.05);
  ex::NoGradGuard no_grad;
  const Tensor predicted = ex::argmax(model(x), 1);
  CHECK(ex::sum(ex::equal(predicted, y)).item<std::int64_t>() == n);
}
