// Dropout and functional::dropout: a random keep-mask applied with the recording multiply.

#include "extensor/nn/dropout.hpp"

#include "common/check.hpp"
#include "extensor/autograd/grad_mode.hpp"
#include "extensor/autograd/ops/arithmetic.hpp"
#include "extensor/autograd/ops/comparison.hpp"
#include "extensor/core/creation.hpp"
#include "extensor/nn/functional.hpp"

namespace ex::nn {

namespace {

void check_probability(const char* fn, double p) {
  if (!(p >= 0.0 && p <= 1.0)) detail::fail("{}: p must be in [0, 1], got {}", fn, p);
}

}  // namespace

Tensor functional::dropout(const Tensor& input, double p, bool training) {
  return dropout(input, p, training, default_generator());
}

Tensor functional::dropout(const Tensor& input, double p, bool training, Generator& gen) {
  check_probability("dropout", p);
  if (!input.defined()) detail::fail("dropout: the input is undefined");
  if (!is_floating(input.dtype())) detail::fail("dropout: dtype {} is not a floating type", input.dtype());
  if (!training || p == 0.0) return input;
  if (p == 1.0) return multiply(input, 0.0);  // as PyTorch: no 1 / (1 - p) = inf in the mask
  Tensor mask;
  {
    NoGradGuard no_grad;  // the mask is a constant of the graph
    mask = multiply(greater_equal(rand(input.shape(), DType::Float32, gen), p), 1.0 / (1.0 - p)).to(input.dtype());
  }
  return multiply(input, mask);
}

DropoutImpl::DropoutImpl(double p) : Cloneable("Dropout"), p_(p) { check_probability("Dropout", p); }

Tensor DropoutImpl::forward(const Tensor& input) { return functional::dropout(input, p_, is_training()); }

std::string DropoutImpl::extra_repr() const { return fmt::format("p={}", p_); }

}  // namespace ex::nn
