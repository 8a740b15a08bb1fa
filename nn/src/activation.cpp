// Activation modules over the public activation ops.

#include "extensor/nn/activation.hpp"

#include <cmath>

#include "common/check.hpp"
#include "extensor/autograd/ops/activation.hpp"
#include "extensor/core/creation.hpp"

namespace ex::nn {

Tensor ReLU::forward(const Tensor& input) { return ex::relu(input); }

LeakyReLU::LeakyReLU(double negative_slope) : Module("LeakyReLU"), negative_slope_(negative_slope) {
  if (!std::isfinite(negative_slope)) detail::fail("LeakyReLU: negative_slope must be finite, got {}", negative_slope);
}
Tensor LeakyReLU::forward(const Tensor& input) { return ex::leaky_relu(input, negative_slope_); }
std::string LeakyReLU::extra_repr() const { return fmt::format("negative_slope={}", negative_slope_); }

PReLU::PReLU(std::int64_t num_parameters, double init) : Module("PReLU") {
  if (num_parameters < 1) detail::fail("PReLU: num_parameters must be >= 1, got {}", num_parameters);
  if (!std::isfinite(init)) detail::fail("PReLU: init must be finite, got {}", init);
  weight = register_parameter("weight", full({num_parameters}, init));
}
Tensor PReLU::forward(const Tensor& input) { return ex::prelu(input, weight); }
std::string PReLU::extra_repr() const { return fmt::format("num_parameters={}", weight.numel()); }

Tensor Sigmoid::forward(const Tensor& input) { return ex::sigmoid(input); }

Tensor Tanh::forward(const Tensor& input) { return ex::tanh(input); }

GELU::GELU(std::string approximate) : Module("GELU"), approximate_(std::move(approximate)) {
  if (approximate_ != "none" && approximate_ != "tanh")
    detail::fail("GELU: approximate must be 'none' or 'tanh', got '{}'", approximate_);
}
Tensor GELU::forward(const Tensor& input) { return ex::gelu(input, approximate_); }
std::string GELU::extra_repr() const { return fmt::format("approximate='{}'", approximate_); }

std::string AxisActivation::extra_repr() const { return fmt::format("axis={}", axis_); }

Tensor Softmax::forward(const Tensor& input) { return ex::softmax(input, axis()); }

Tensor LogSoftmax::forward(const Tensor& input) { return ex::log_softmax(input, axis()); }

}  // namespace ex::nn
