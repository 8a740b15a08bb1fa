// nn::summary: the table for an MLP, nested names, counts, modes and RNG untouched.
#include "nn_test_util.hpp"

namespace nn = ex::nn;

TEST_CASE("summary: an MLP's layers, output shapes and exact parameter counts") {
  nn::Sequential mlp(nn::Flatten(), nn::Linear(784, 512), nn::ReLU(), nn::Dropout(0.2), nn::Linear(512, 256),
                     nn::ReLU(), nn::Linear(256, 10));
  const std::string text = nn::summary(mlp, {1, 28, 28});
  CHECK(nn::summary(*mlp, {1, 28, 28}) == text);  // the module object or its holder
  // 784*512+512 = 401,920; 512*256+256 = 131,328; 256*10+10 = 2,570; total 535,818.
  const std::string expected =
      "Layer   Type        Output shape  Params\n"
      "-----------------------------------------\n"
      "(root)  Sequential  [1, 10]       0\n"
      "0       Flatten     [1, 784]      0\n"
      "1       Linear      [1, 512]      401,920\n"
      "2       ReLU        [1, 512]      0\n"
      "3       Dropout     [1, 512]      0\n"
      "4       Linear      [1, 256]      131,328\n"
      "5       ReLU        [1, 256]      0\n"
      "6       Linear      [1, 10]       2,570\n"
      "-----------------------------------------\n"
      "Total params: 535,818\n"
      "Trainable params: 535,818\n"
      "Non-trainable params: 0\n"
      "Input shape: [1, 28, 28] float32\n";
  CHECK(text == expected);
}

namespace {

// A custom module whose forward runs a child twice and calls a module outside its tree.
// Its forward takes the tensor by value: any signature callable with one tensor works.
struct TwiceImpl : nn::Module {
  TwiceImpl() {
    block = register_module("block", nn::Sequential(nn::Linear(4, 4)));
    frozen = register_parameter("frozen", ex::ones({4}), false);
  }
  Tensor forward(Tensor x) { return nn::Tanh()(block(block(x)) * frozen); }
  nn::Sequential block{nullptr};
  Tensor frozen;
};
EX_MODULE(Twice);

}  // namespace

TEST_CASE("summary: nested names, repeated calls, unregistered modules and frozen parameters") {
  Twice model;
  const std::string text = nn::summary(model, {2, 4});
  const std::string expected =
      "Layer           Type        Output shape  Params\n"
      "------------------------------------------------\n"
      "(root)          Twice       [2, 4]        4\n"
      "block           Sequential  [2, 4]        0\n"
      "block.0         Linear      [2, 4]        20\n"
      "block           Sequential  [2, 4]        0\n"
      "block.0         Linear      [2, 4]        20\n"
      "(unregistered)  Tanh        [2, 4]        0\n"
      "------------------------------------------------\n"
      "Total params: 24\n"
      "Trainable params: 20\n"
      "Non-trainable params: 4\n"
      "Input shape: [2, 4] float32\n";
  CHECK(text == expected);
}

TEST_CASE("summary: runs in eval mode without recording or drawing random numbers, then restores the modes") {
  nn::Sequential model(nn::Linear(3, 3), nn::Dropout());
  model[0]->eval();  // a mixed state, restored exactly
  const auto rng = ex::default_generator().state();
  nn::summary(model, {5, 3});
  CHECK(ex::default_generator().state() == rng);
  CHECK(model->is_training());
  CHECK_FALSE(model[0]->is_training());
  CHECK(model[1]->is_training());
  for (const Tensor& p : model->parameters()) CHECK_FALSE(p.grad().defined());
  CHECK(ex::GradMode::is_enabled());
}

TEST_CASE("summary: errors") {
  nn::Linear fc(4, 2);
  CHECK_THROWS_WITH_AS(nn::summary(fc, {2, -1}), doctest::Contains("summary: input shape [2, -1] has a negative dim"),
                       ex::Error);
  CHECK_THROWS_WITH_AS(nn::summary(fc, {2, 3}), doctest::Contains("Linear: input of shape [2, 3] has 3 features"),
                       ex::Error);
  // An input beyond the size limit is refused under summary's name, before any forward.
  CHECK_THROWS_WITH_AS(nn::summary(fc, {std::int64_t{1} << 31, std::int64_t{1} << 31}),
                       doctest::Contains("summary: shape [2147483648, 2147483648]"), ex::Error);
  // The failed forward left no observer behind and the mode restored.
  CHECK(fc->is_training());
  CHECK(nn::summary(fc, {2, 4}).find("(root)  Linear  [2, 2]        10") != std::string::npos);
}
