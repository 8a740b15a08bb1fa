// The convolutional family's modules: Conv2d, MaxPool2d, AvgPool2d, AdaptiveAvgPool2d,
// BatchNorm1d / BatchNorm2d, Dropout2d and the padding modules. Their ops are tested in
// tests/ops; here: PyTorch's parameter names, shapes and initialization, forward against
// hand values, the running statistics, train / eval behaviour, reprs and errors.
#include <cmath>

#include "nn_test_util.hpp"

namespace nn = ex::nn;
using ex::test::assign;
using ex::test::names_of;

namespace {

// Checks that f throws an ex::Error whose message contains text.
template <class F>
void check_throws_with(F&& f, const std::string& text) {
  const std::string message = ex::test::error_of(f);
  INFO("message: " << message);
  CHECK(message.find(text) != std::string::npos);
}

}  // namespace

TEST_CASE("Conv2d: parameters named, shaped and initialized like PyTorch's") {
  ex::manual_seed(5);
  nn::Conv2d conv(nn::Conv2dOptions(8, 16, {3, 5}).groups(2));
  CHECK(names_of(conv->named_parameters()) == std::vector<std::string>{"weight", "bias"});
  CHECK(conv->weight.shape() == Shape{16, 4, 3, 5});
  CHECK(conv->bias.shape() == Shape{16});
  CHECK(conv->weight.dtype() == DType::Float32);
  // kaiming_uniform_(a = sqrt(5)): uniform on [-1/sqrt(fan_in), 1/sqrt(fan_in)], fan_in = 4 * 15.
  const double bound = 1.0 / std::sqrt(60.0);
  const auto w = ex::test::moments(conv->weight);
  CHECK(w.min >= -bound);
  CHECK(w.max <= bound);
  CHECK(w.max > 0.9 * bound);
  CHECK(w.std == doctest::Approx(bound / std::sqrt(3.0)).epsilon(0.1));
  const auto b = ex::test::moments(conv->bias);
  CHECK(b.min >= -bound);
  CHECK(b.max <= bound);
  nn::Conv2d plain(nn::Conv2dOptions(1, 2, 3).bias(false));
  CHECK_FALSE(plain->bias.defined());
  CHECK(plain->parameters().size() == 1);
}

TEST_CASE("Conv2d: reprs are PyTorch's") {
  CHECK(nn::to_string(nn::Conv2d(1, 4, 3)) == "Conv2d(1, 4, kernel_size=(3, 3), stride=(1, 1))");
  CHECK(nn::to_string(nn::Conv2d(nn::Conv2dOptions(4, 8, {3, 5})
                                     .stride(2)
                                     .padding(1)
                                     .dilation(2)
                                     .groups(2)
                                     .bias(false)
                                     .padding_mode(nn::PaddingMode::Reflect))) ==
        "Conv2d(4, 8, kernel_size=(3, 5), stride=(2, 2), padding=(1, 1), dilation=(2, 2), groups=2, bias=False, "
        "padding_mode=reflect)");
}

TEST_CASE("Conv2d: forward by hand, batched and unbatched") {
  nn::Conv2d conv(nn::Conv2dOptions(1, 1, 2).padding(0));
  assign(conv->weight, {1, 2, 3, 4});
  assign(conv->bias, {0.5});
  const Tensor x = ex::tensor<float>({1, 2, 3, 4, 5, 6, 7, 8, 9}, {1, 1, 3, 3});
  // [1 2; 4 5] . [1 2; 3 4] = 1 + 4 + 12 + 20 = 37, then 47, 67, 77; plus 0.5.
  check_values(conv(x), {1, 1, 2, 2}, {37.5, 47.5, 67.5, 77.5});
  check_values(conv(x.reshape({1, 3, 3})), {1, 2, 2}, {37.5, 47.5, 67.5, 77.5});
  // Zero padding 1 and stride 2: output positions read (-1..0, -1..0), (-1..0, 1..2), ...
  nn::Conv2d strided(nn::Conv2dOptions(1, 1, 2).padding(1).stride(2).bias(false));
  assign(strided->weight, {1, 2, 3, 4});
  // (0,0): only x[0,0] * w[1,1] = 4; (0,1): x[0,1] w[1,0] + x[0,2] w[1,1] = 6 + 12 = 18;
  // (1,0): x[1,0] w[0,1] + x[2,0] w[1,1] = 8 + 28 = 36; (1,1): 5 + 12 + 24 + 36 = 77.
  check_values(strided(x), {1, 1, 2, 2}, {4, 18, 36, 77});
}

TEST_CASE("Conv2d: reflect and replicate padding modes pad first, then convolve unpadded") {
  ex::manual_seed(8);
  const Tensor x = ex::randn({2, 2, 5, 6});
  for (auto [mode, pad_mode] : {std::pair{nn::PaddingMode::Reflect, ex::PadMode::Reflect},
                                std::pair{nn::PaddingMode::Replicate, ex::PadMode::Replicate}}) {
    nn::Conv2d conv(nn::Conv2dOptions(2, 3, 3).padding({1, 2}).padding_mode(mode));
    const Tensor expected = ex::conv2d(ex::pad(x, {2, 2, 1, 1}, pad_mode), conv->weight, conv->bias);
    const Tensor y = conv(x);
    CHECK(y.shape() == Shape{2, 3, 5, 8});
    check_same_values(y, expected, 1e-6);
  }
  // Gradients reach the weight through the padding.
  nn::Conv2d conv(nn::Conv2dOptions(2, 3, 3).padding(1).padding_mode(nn::PaddingMode::Reflect));
  ex::sum(conv(x)).backward();
  CHECK(conv->weight.grad().shape() == Shape{3, 2, 3, 3});
  CHECK(ex::sum(ex::abs(conv->weight.grad())).item<double>() > 0);
}

TEST_CASE("Conv2d: bad options and inputs throw naming the values") {
  check_throws_with([] { nn::Conv2d(nn::Conv2dOptions(3, 4, 3).groups(2)); }, "Conv2d: in_channels (3)");
  check_throws_with([] { nn::Conv2d(nn::Conv2dOptions(0, 4, 3)); }, "Conv2d: in_channels, out_channels");
  check_throws_with([] { nn::Conv2d(nn::Conv2dOptions(1, 4, 3).stride(0)); }, "stride");
  check_throws_with([] { nn::Conv2d(nn::Conv2dOptions(1, 4, 3).padding(-1)); }, "padding must be >= 0");
  check_throws_with([] { nn::Conv2d(nn::Conv2dOptions(1, 4, 3).padding_mode(nn::PaddingMode::Circular)); },
                    "circular is unsupported");
  nn::Conv2d conv(2, 4, 3);
  check_throws_with([&] { conv(ex::zeros({1, 3, 5, 5})); }, "has 3 channels, expected 2");
  CHECK(conv(ex::zeros({2, 5, 5})).shape() == Shape{4, 3, 3});  // unbatched
  check_throws_with([&] { conv(ex::zeros({5, 5})); }, "Conv2d: expected a 3-D");
  check_throws_with([&] { conv(ex::zeros({1, 2, 5, 5}, DType::Float64)); }, "dtype");
  check_throws_with([&] { conv(ex::zeros({1, 2, 2, 2})); }, "conv2d:");
  check_throws_with([] { nn::Conv2dOptions(1, 1, {1, 2, 3}); }, "ExpandingArray: expected 2 values, got 3");
}

TEST_CASE("MaxPool2d, AvgPool2d and AdaptiveAvgPool2d: by hand, with PyTorch's reprs") {
  const Tensor x = ex::arange(16, DType::Float32).reshape({1, 1, 4, 4});
  check_values(nn::MaxPool2d(2)(x), {1, 1, 2, 2}, {5, 7, 13, 15});
  check_values(nn::AvgPool2d(2)(x), {1, 1, 2, 2}, {2.5, 4.5, 10.5, 12.5});
  check_values(nn::AdaptiveAvgPool2d(1)(x), {1, 1, 1, 1}, {7.5});
  check_values(nn::AdaptiveAvgPool2d({1, 2})(x.reshape({1, 4, 4})), {1, 1, 2}, {6.5, 8.5});
  // Stride 1 and padding 1 (-inf for max, zeros counted for avg unless count_include_pad is off).
  check_values(nn::MaxPool2d(nn::MaxPool2dOptions(3).stride(2).padding(1))(x), {1, 1, 2, 2}, {5, 7, 13, 15});
  check_values(nn::AvgPool2d(nn::AvgPool2dOptions(2).stride(2).padding(1))(x), {1, 1, 3, 3},
               {0, 0.75, 0.75, 3, 7.5, 4.5, 3, 6.75, 3.75});
  check_values(nn::AvgPool2d(nn::AvgPool2dOptions(2).padding(1).count_include_pad(false))(x), {1, 1, 3, 3},
               {0, 1.5, 3, 6, 7.5, 9, 12, 13.5, 15});
  // ceil_mode keeps the partial last window.
  CHECK(nn::MaxPool2d(nn::MaxPool2dOptions(3).stride(2).ceil_mode(true))(x).shape() == Shape{1, 1, 2, 2});
  CHECK(nn::MaxPool2d(nn::MaxPool2dOptions(3).stride(2))(x).shape() == Shape{1, 1, 1, 1});

  CHECK(nn::to_string(nn::MaxPool2d(2)) ==
        "MaxPool2d(kernel_size=2, stride=2, padding=0, dilation=1, ceil_mode=False)");
  CHECK(nn::to_string(nn::AvgPool2d(nn::AvgPool2dOptions({2, 3}).stride(1))) ==
        "AvgPool2d(kernel_size=(2, 3), stride=1, padding=0)");
  CHECK(nn::to_string(nn::AdaptiveAvgPool2d({2, 3})) == "AdaptiveAvgPool2d(output_size=(2, 3))");
  CHECK(nn::MaxPool2d(2)->parameters().empty());
}

TEST_CASE("pooling modules: bad options and inputs throw") {
  check_throws_with([] { nn::MaxPool2d(nn::MaxPool2dOptions(2).padding(2)); }, "MaxPool2d: padding must be in");
  check_throws_with([] { nn::AvgPool2d(nn::AvgPool2dOptions(0)); }, "AvgPool2d: kernel_size");
  check_throws_with([] { nn::AdaptiveAvgPool2d(0); }, "AdaptiveAvgPool2d: output_size must be >= 1");
  check_throws_with([] { nn::MaxPool2d(2)(ex::zeros({4, 4})); }, "MaxPool2d: expected a 3-D");
  check_throws_with([] { nn::MaxPool2d(5)(ex::zeros({1, 1, 4, 4})); }, "max_pool2d:");
}

TEST_CASE("BatchNorm2d: parameters and buffers named, typed and ordered like PyTorch's") {
  nn::BatchNorm2d bn(3);
  CHECK(names_of(bn->named_parameters()) == std::vector<std::string>{"weight", "bias"});
  CHECK(names_of(bn->named_buffers()) ==
        std::vector<std::string>{"running_mean", "running_var", "num_batches_tracked"});
  CHECK(bn->state_dict().keys() ==
        std::vector<std::string>{"weight", "bias", "running_mean", "running_var", "num_batches_tracked"});
  check_values(bn->weight, {3}, {1, 1, 1});
  check_values(bn->bias, {3}, {0, 0, 0});
  check_values(bn->running_mean, {3}, {0, 0, 0});
  check_values(bn->running_var, {3}, {1, 1, 1});
  CHECK(bn->num_batches_tracked.dtype() == DType::Int64);
  CHECK(bn->num_batches_tracked.dim() == 0);
  CHECK(nn::to_string(bn) == "BatchNorm2d(3, eps=1e-05, momentum=0.1, affine=True, track_running_stats=True)");
  nn::BatchNorm2d bare(nn::BatchNorm2dOptions(3).affine(false).track_running_stats(false).momentum(std::nullopt));
  CHECK(bare->parameters().empty());
  CHECK(bare->buffers().empty());
  CHECK(nn::to_string(bare) == "BatchNorm2d(3, eps=1e-05, momentum=None, affine=False, track_running_stats=False)");
}

TEST_CASE("BatchNorm2d: training normalizes by the batch and updates the running statistics") {
  nn::BatchNorm2d bn(1);
  // One channel holding 1, 2, 3, 4: mean 2.5, biased variance 1.25, unbiased 5/3.
  const Tensor x = ex::tensor<float>({1, 2, 3, 4}, {2, 1, 1, 2});
  const double s = std::sqrt(1.25 + 1e-5);
  check_values(bn(x), {2, 1, 1, 2}, {-1.5 / s, -0.5 / s, 0.5 / s, 1.5 / s}, 1e-5);
  check_values(bn->running_mean, {1}, {0.25}, 1e-6);                  // 0.9 * 0 + 0.1 * 2.5
  check_values(bn->running_var, {1}, {0.9 + 0.1 * 5.0 / 3.0}, 1e-6);  // unbiased
  CHECK(bn->num_batches_tracked.item<std::int64_t>() == 1);
  // Evaluation mode uses the running statistics and leaves them as they are.
  bn->eval();
  const double rs = std::sqrt(0.9 + 0.5 / 3.0 + 1e-5);
  check_values(bn(x), {2, 1, 1, 2}, {0.75 / rs, 1.75 / rs, 2.75 / rs, 3.75 / rs}, 1e-5);
  check_values(bn->running_mean, {1}, {0.25}, 1e-6);
  CHECK(bn->num_batches_tracked.item<std::int64_t>() == 1);
  // The affine parameters scale and shift, and receive gradients.
  bn->train();
  assign(bn->weight, {2});
  assign(bn->bias, {1});
  const Tensor y = bn(x);
  check_values(y, {2, 1, 1, 2}, {1 - 3 / s, 1 - 1 / s, 1 + 1 / s, 1 + 3 / s}, 1e-5);
  ex::sum(ex::multiply(y, x)).backward();
  // d/dbias sum(y x) = sum(x) = 10; d/dweight = sum(x_hat x) = (-1.5 - 1 + 1.5 + 6) / s = 5 / s.
  check_values(bn->bias.grad(), {1}, {10}, 1e-4);
  check_values(bn->weight.grad(), {1}, {5 / s}, 1e-4);
}

TEST_CASE("BatchNorm: momentum None averages every batch, no running stats always uses the batch") {
  nn::BatchNorm1d bn(nn::BatchNorm1dOptions(1).momentum(std::nullopt));
  bn(ex::tensor<float>({1, 3}, {2, 1}));             // mean 2, unbiased var 2
  bn(ex::tensor<float>({5, 9}, {2, 1}));             // mean 7, unbiased var 8
  check_values(bn->running_mean, {1}, {4.5}, 1e-6);  // (2 + 7) / 2
  check_values(bn->running_var, {1}, {5}, 1e-6);     // (2 + 8) / 2
  CHECK(bn->num_batches_tracked.item<std::int64_t>() == 2);

  nn::BatchNorm1d stateless(nn::BatchNorm1dOptions(2).track_running_stats(false));
  stateless->eval();
  const Tensor x = ex::tensor<float>({1, 10, 3, 30, 5, 50}, {3, 2, 1});  // [N, C, L]
  const double s1 = std::sqrt(8.0 / 3.0 + 1e-5), s2 = std::sqrt(800.0 / 3.0 + 1e-5);
  check_values(stateless(x), {3, 2, 1}, {-2 / s1, -20 / s2, 0, 0, 2 / s1, 20 / s2}, 1e-5);
}

TEST_CASE("BatchNorm: bad options and inputs throw with PyTorch's wording") {
  check_throws_with([] { nn::BatchNorm2d(0); }, "BatchNorm2d: num_features must be >= 1, got 0");
  check_throws_with([] { nn::BatchNorm2d(nn::BatchNorm2dOptions(2).eps(-1)); }, "eps must be finite");
  check_throws_with([] { nn::BatchNorm1d(nn::BatchNorm1dOptions(2).momentum(NAN)); }, "momentum must be finite");
  check_throws_with([] { nn::BatchNorm2d(2)(ex::zeros({2, 2, 3})); }, "BatchNorm2d: expected 4D input (got 3D input)");
  check_throws_with(
      [] {
        nn::BatchNorm1d(2)(ex::zeros({2, 2, 3, 3}));
      },
      "BatchNorm1d: expected 2D or 3D input (got 4D input)");
  check_throws_with([] { nn::BatchNorm2d(3)(ex::zeros({2, 2, 3, 3})); }, "expected num_features = 3");
  check_throws_with([] { nn::BatchNorm1d(2)(ex::zeros({1, 2})); }, "batch_norm:");  // one value per channel
}

TEST_CASE("Dropout2d: zeroes whole channels while training, the identity in eval") {
  ex::manual_seed(31);
  nn::Dropout2d dropout(0.5);
  const Tensor y = dropout(ex::ones({40, 50, 3, 4}));
  const std::vector<double> v = y.to_vector<double>();
  std::size_t dropped = 0;
  for (std::size_t plane = 0; plane < 2000; ++plane) {
    const double first = v[plane * 12];
    CHECK((first == 0.0 || first == 2.0));
    for (std::size_t k = 1; k < 12; ++k) REQUIRE(v[plane * 12 + k] == first);  // one value per plane
    dropped += first == 0.0;
  }
  // Binomial(2000, 0.5): std ~ 22, so 1000 +- 150 is ~7 std.
  CHECK(dropped > 850);
  CHECK(dropped < 1150);
  CHECK(nn::to_string(dropout) == "Dropout2d(p=0.5)");
  dropout->eval();
  const Tensor x = ex::randn({2, 3, 4, 4});
  check_same_values(dropout(x), x, 0);
  check_throws_with([] { nn::Dropout2d(1.5); }, "Dropout2d: p must be in [0, 1], got 1.5");
  check_throws_with([] { nn::functional::dropout2d(ex::ones({3, 4}), 0.5, true); }, "dropout2d: expected a 3-D");
}

TEST_CASE("ZeroPad2d, ReflectionPad2d and ReplicationPad2d: by hand") {
  const Tensor x = ex::tensor<float>({1, 2, 3, 4}, {1, 1, 2, 2});
  check_values(nn::ZeroPad2d({1, 0, 0, 1})(x), {1, 1, 3, 3}, {0, 1, 2, 0, 3, 4, 0, 0, 0});
  check_values(nn::ReflectionPad2d({1, 1, 0, 0})(x), {1, 1, 2, 4}, {2, 1, 2, 1, 4, 3, 4, 3});
  check_values(nn::ReplicationPad2d(1)(x.reshape({1, 2, 2})), {1, 4, 4},
               {1, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4});
  CHECK(nn::to_string(nn::ZeroPad2d(1)) == "ZeroPad2d((1, 1, 1, 1))");
  check_throws_with([] { nn::ZeroPad2d({1, -1, 0, 0}); }, "ZeroPad2d: padding must be >= 0");
  check_throws_with([&] { nn::ReflectionPad2d(2)(x); }, "pad:");
  check_throws_with([&] { nn::ZeroPad2d(1)(ex::zeros({3})); }, "ZeroPad2d: expected a 3-D");
}

TEST_CASE("a small CNN learns: the loss of a fixed batch falls under SGD") {
  ex::manual_seed(41);
  nn::Sequential model(nn::Conv2d(nn::Conv2dOptions(1, 4, 3).padding(1)), nn::BatchNorm2d(4), nn::ReLU(),
                       nn::MaxPool2d(2), nn::Flatten(), nn::Linear(4 * 4 * 4, 3));
  const Tensor x = ex::randn({12, 1, 8, 8});
  const Tensor labels = ex::tensor<std::int64_t>({0, 1, 2, 0, 1, 2, 0, 1, 2, 0, 1, 2});
  double first = 0, last = 0;
  for (int step = 0; step < 30; ++step) {
    model->zero_grad();
    const Tensor loss = nn::functional::cross_entropy(model(x), labels);
    loss.backward();
    ex::test::sgd_step(*model, 0.2);
    (step == 0 ? first : last) = loss.item<double>();
  }
  CHECK(last < 0.5 * first);
}
