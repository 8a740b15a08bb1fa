// Linear and functional::linear: y = x W^T + b through the recording matmul and add.

#include "extensor/nn/linear.hpp"

#include <cmath>

#include "common/check.hpp"
#include "extensor/autograd/ops/arithmetic.hpp"
#include "extensor/autograd/ops/matmul.hpp"
#include "extensor/autograd/ops/shape.hpp"
#include "extensor/core/creation.hpp"
#include "extensor/nn/functional.hpp"
#include "extensor/nn/init.hpp"

namespace ex::nn {

namespace {

// The checks Linear and functional::linear share, under the caller's name.
void check_input(const char* fn, const Tensor& input, const Tensor& weight) {
  if (!input.defined()) detail::fail("{}: the input is undefined", fn);
  if (input.dim() == 0 || input.size(-1) != weight.size(1))
    detail::fail("{}: input of shape {} has {} features, expected {}", fn, input.shape(),
                 input.dim() == 0 ? 0 : input.size(-1), weight.size(1));
  if (input.dtype() != weight.dtype())
    detail::fail("{}: input has dtype {} but the weight has {} (convert one to the other's dtype)", fn, input.dtype(),
                 weight.dtype());
}

}  // namespace

Tensor functional::linear(const Tensor& input, const Tensor& weight, const Tensor& bias) {
  if (!weight.defined()) detail::fail("linear: the weight is undefined");
  if (weight.dim() != 2) detail::fail("linear: the weight must be 2-D [out, in], got shape {}", weight.shape());
  if (!is_floating(weight.dtype())) detail::fail("linear: dtype {} is not a floating type", weight.dtype());
  check_input("linear", input, weight);
  if (bias.defined() && (bias.shape() != Shape{weight.size(0)} || bias.dtype() != weight.dtype()))
    detail::fail("linear: the bias must be {} {} for a weight of shape {}, got {} {}", weight.dtype(),
                 Shape{weight.size(0)}, weight.shape(), bias.dtype(), bias.shape());
  const Tensor product = matmul(input, transpose(weight, 0, 1));
  return bias.defined() ? add(product, bias) : product;
}

LinearImpl::LinearImpl(const LinearOptions& options) : Cloneable("Linear"), options_(options) {
  if (options.in_features() < 0 || options.out_features() < 0)
    detail::fail("Linear: in_features and out_features must be >= 0, got {} and {}", options.in_features(),
                 options.out_features());
  reset();
}

void LinearImpl::reset() {
  weight = register_parameter(
      "weight", detail::allocate({options_.out_features(), options_.in_features()}, kDefaultFloat, "Linear"));
  bias = options_.bias()
             ? register_parameter("bias", detail::allocate({options_.out_features()}, kDefaultFloat, "Linear"))
             : Tensor();
  reset_parameters();
}

LinearImpl::LinearImpl(std::int64_t in_features, std::int64_t out_features, bool bias)
    : LinearImpl(LinearOptions(in_features, out_features).bias(bias)) {}

void LinearImpl::reset_parameters() {
  // PyTorch's choice: kaiming_uniform_ with a = sqrt(5) gives bound 1/sqrt(fan_in).
  init::kaiming_uniform_(weight, std::sqrt(5.0));
  if (bias.defined()) {
    const std::int64_t fan_in = options_.in_features();
    const double bound = fan_in > 0 ? 1.0 / std::sqrt(static_cast<double>(fan_in)) : 0.0;
    init::uniform_(bias, -bound, bound);
  }
}

Tensor LinearImpl::forward(const Tensor& input) {
  check_input("Linear", input, weight);
  return functional::linear(input, weight, bias);
}

std::string LinearImpl::extra_repr() const {
  return fmt::format("in_features={}, out_features={}, bias={}", options_.in_features(), options_.out_features(),
                     options_.bias() ? "True" : "False");
}

}  // namespace ex::nn
