// nn::summary: the table for an MLP, nested names, counts, modes and RNG untouched.
#include "nn_test_util.hpp"

using ex::Tensor;
namespace nn = ex::nn;

TEST_CASE("summary: an MLP's layers, output shapes and exact parameter counts") {
  auto mlp = std::make_shared<nn::Sequential>(std::make_shared<nn::Flatten>(), std::make_shared<nn::Linear>(784, 512),
                                              std::make_shared<nn::ReLU>(), std::make_shared<nn::Dropout>(0.2),
                                              std::make_shared<nn::Linear>(512, 256), std::make_shared<nn::ReLU>(),
                                              std::make_shared<nn::Linear>(256, 10));
  const std::string text = nn::summary(*mlp, {1, 28, 28});
  MESSAGE(text);
  // 784*512+512 = 401,920; 512*256+256 = 131,328; 256*10+10 = 2,570; total 535,818.
  const std::string expected = "";
  CHECK(text == expected);
}
