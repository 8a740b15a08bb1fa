// Dropout, Dropout2d, functional::dropout and functional::dropout2d: a random keep-mask
// applied with the recording multiply.

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

void check_input(const char* fn, const Tensor& input) {
  if (!input.defined()) detail::fail("{}: the input is undefined", fn);
  if (!is_floating(input.dtype())) detail::fail("{}: dtype {} is not a floating type", fn, input.dtype());
}

// input times a keep-mask of mask_shape (broadcast against input): each mask value is
// 1 / (1 - p) with probability 1 - p and else 0, drawn from gen in float32; 0 < p <= 1.
Tensor apply_keep_mask(const Tensor& input, const Shape& mask_shape, double p, Generator& gen) {
  if (p == 1.0) return multiply(input, 0.0);  // as PyTorch: no 1 / (1 - p) = inf in the mask
  Tensor mask;
  {
    NoGradGuard no_grad;  // the mask is a constant of the graph
    mask = multiply(greater_equal(rand(mask_shape, DType::Float32, gen), p), 1.0 / (1.0 - p)).to(input.dtype());
  }
  return multiply(input, mask);
}

}  // namespace

Tensor functional::dropout(const Tensor& input, double p, bool training) {
  return dropout(input, p, training, default_generator());
}

Tensor functional::dropout(const Tensor& input, double p, bool training, Generator& gen) {
  check_probability("dropout", p);
  check_input("dropout", input);
  if (!training || p == 0.0) return input;
  return apply_keep_mask(input, input.shape(), p, gen);
}

Tensor functional::dropout2d(const Tensor& input, double p, bool training) {
  return dropout2d(input, p, training, default_generator());
}

Tensor functional::dropout2d(const Tensor& input, double p, bool training, Generator& gen) {
  check_probability("dropout2d", p);
  check_input("dropout2d", input);
  if (input.dim() != 3 && input.dim() != 4)
    detail::fail("dropout2d: expected a 3-D [C, H, W] or 4-D [N, C, H, W] input, got shape {}", input.shape());
  if (!training || p == 0.0) return input;
  // One value per plane: [N, C, 1, 1] or [C, 1, 1].
  Shape mask_shape = input.shape();
  const auto rank = static_cast<std::size_t>(input.dim());
  mask_shape[rank - 1] = 1;
  mask_shape[rank - 2] = 1;
  return apply_keep_mask(input, mask_shape, p, gen);
}

DropoutImpl::DropoutImpl(double p) : Cloneable("Dropout"), p_(p) { check_probability("Dropout", p); }

Tensor DropoutImpl::forward(const Tensor& input) { return functional::dropout(input, p_, is_training()); }

std::string DropoutImpl::extra_repr() const { return fmt::format("p={}", p_); }

Dropout2dImpl::Dropout2dImpl(double p) : Cloneable("Dropout2d"), p_(p) { check_probability("Dropout2d", p); }

Tensor Dropout2dImpl::forward(const Tensor& input) { return functional::dropout2d(input, p_, is_training()); }

std::string Dropout2dImpl::extra_repr() const { return fmt::format("p={}", p_); }

}  // namespace ex::nn
