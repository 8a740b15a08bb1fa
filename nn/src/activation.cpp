// Activation modules over the public activation ops.

#include "extensor/nn/activation.hpp"

#include <cmath>

#include "common/check.hpp"
#include "extensor/autograd/ops/activation.hpp"
#include "extensor/core/creation.hpp"

namespace ex::nn {

Tensor ReLUImpl::forward(const Tensor& input) { return ex::relu(input); }

LeakyReLUImpl::LeakyReLUImpl(double negative_slope) : Cloneable("LeakyReLU"), negative_slope_(negative_slope) {
  if (!std::isfinite(negative_slope)) detail::fail("LeakyReLU: negative_slope must be finite, got {}", negative_slope);
}
Tensor LeakyReLUImpl::forward(const Tensor& input) { return ex::leaky_relu(input, negative_slope_); }
std::string LeakyReLUImpl::extra_repr() const { return fmt::format("negative_slope={}", negative_slope_); }

PReLUImpl::PReLUImpl(std::int64_t num_parameters, double init)
    : Cloneable("PReLU"), num_parameters_(num_parameters), init_(init) {
  if (num_parameters < 1) detail::fail("PReLU: num_parameters must be >= 1, got {}", num_parameters);
  if (!std::isfinite(init)) detail::fail("PReLU: init must be finite, got {}", init);
  reset();
}
void PReLUImpl::reset() { weight = register_parameter("weight", full({num_parameters_}, init_)); }
Tensor PReLUImpl::forward(const Tensor& input) { return ex::prelu(input, weight); }
std::string PReLUImpl::extra_repr() const { return fmt::format("num_parameters={}", weight.numel()); }

Tensor SigmoidImpl::forward(const Tensor& input) { return ex::sigmoid(input); }

Tensor TanhImpl::forward(const Tensor& input) { return ex::tanh(input); }

GELUImpl::GELUImpl(std::string approximate) : Cloneable("GELU"), approximate_(std::move(approximate)) {
  if (approximate_ != "none" && approximate_ != "tanh")
    detail::fail("GELU: approximate must be 'none' or 'tanh', got '{}'", approximate_);
}
Tensor GELUImpl::forward(const Tensor& input) { return ex::gelu(input, approximate_); }
std::string GELUImpl::extra_repr() const { return fmt::format("approximate='{}'", approximate_); }

std::string AxisActivation::extra_repr() const { return fmt::format("axis={}", axis_); }

Tensor SoftmaxImpl::forward(const Tensor& input) { return ex::softmax(input, axis()); }

Tensor LogSoftmaxImpl::forward(const Tensor& input) { return ex::log_softmax(input, axis()); }

}  // namespace ex::nn
