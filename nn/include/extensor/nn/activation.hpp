#pragma once
// Activation modules: each applies the public op of the same name (extensor/autograd/
// ops/activation.hpp), which records on the tape, and accepts and throws what that op
// does.

#include <cstdint>
#include <string>
#include <utility>

#include "extensor/nn/module.hpp"

namespace ex::nn {

// max(x, 0) (ex::relu).
class ReLU : public Module {
 public:
  ReLU() : Module("ReLU") {}
  Tensor forward(const Tensor& input) override;
};

// x if x >= 0 else negative_slope * x (ex::leaky_relu). Throws ex::Error "LeakyReLU: ..."
// for a non-finite slope.
class LeakyReLU : public Module {
 public:
  explicit LeakyReLU(double negative_slope = 0.01);
  Tensor forward(const Tensor& input) override;
  std::string extra_repr() const override;  // "negative_slope=0.01"
  double negative_slope() const noexcept { return negative_slope_; }

 private:
  double negative_slope_;
};

// x if x >= 0 else a[c] * x with a learnable slope per channel (axis 1) or one shared
// slope (ex::prelu). Parameter "weight" (PyTorch's name) of shape [num_parameters],
// float32, filled with init. Throws ex::Error "PReLU: ..." for num_parameters < 1 or a
// non-finite init.
class PReLU : public Module {
 public:
  explicit PReLU(std::int64_t num_parameters = 1, double init = 0.25);
  Tensor forward(const Tensor& input) override;
  std::string extra_repr() const override;  // "num_parameters=1"

  Tensor weight;  // the slopes a, [num_parameters]
};

// 1 / (1 + exp(-x)) (ex::sigmoid).
class Sigmoid : public Module {
 public:
  Sigmoid() : Module("Sigmoid") {}
  Tensor forward(const Tensor& input) override;
};

// tanh(x) (ex::tanh).
class Tanh : public Module {
 public:
  Tanh() : Module("Tanh") {}
  Tensor forward(const Tensor& input) override;
};

// x * Phi(x), exact ("none") or with PyTorch's tanh approximation ("tanh") (ex::gelu).
// Throws ex::Error "GELU: ..." for any other approximate.
class GELU : public Module {
 public:
  explicit GELU(std::string approximate = "none");
  Tensor forward(const Tensor& input) override;
  std::string extra_repr() const override;  // "approximate='none'"

 private:
  std::string approximate_;
};

// The base of Softmax and LogSoftmax: an op applied along one axis, which is checked
// against the input's rank when the module runs.
class AxisActivation : public Module {
 public:
  std::string extra_repr() const override;  // "axis=1"
  std::int64_t axis() const noexcept { return axis_; }

 protected:
  AxisActivation(std::string name, std::int64_t axis) : Module(std::move(name)), axis_(axis) {}

 private:
  std::int64_t axis_;
};

// Softmax along axis (ex::softmax).
class Softmax : public AxisActivation {
 public:
  explicit Softmax(std::int64_t axis) : AxisActivation("Softmax", axis) {}
  Tensor forward(const Tensor& input) override;
};

// Log-softmax along axis (ex::log_softmax).
class LogSoftmax : public AxisActivation {
 public:
  explicit LogSoftmax(std::int64_t axis) : AxisActivation("LogSoftmax", axis) {}
  Tensor forward(const Tensor& input) override;
};

}  // namespace ex::nn
