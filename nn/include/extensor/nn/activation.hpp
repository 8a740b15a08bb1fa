#pragma once
// Activation modules: each applies the public op of the same name (extensor/autograd/
// ops/activation.hpp), which records on the tape, and accepts and throws what that op
// does. Each XImpl has a holder X (EX_MODULE): nn::ReLU(), nn::LeakyReLU(0.2).

#include <cstdint>
#include <string>
#include <utility>

#include "extensor/nn/cloneable.hpp"

namespace ex::nn {

// max(x, 0) (ex::relu).
class ReLUImpl : public Cloneable<ReLUImpl> {
 public:
  ReLUImpl() : Cloneable("ReLU") {}
  void reset() override {}
  Tensor forward(const Tensor& input);
};
EX_MODULE(ReLU);

// x if x >= 0 else negative_slope * x (ex::leaky_relu). Throws ex::Error "LeakyReLU: ..."
// for a non-finite slope.
class LeakyReLUImpl : public Cloneable<LeakyReLUImpl> {
 public:
  explicit LeakyReLUImpl(double negative_slope = 0.01);
  void reset() override {}
  Tensor forward(const Tensor& input);
  std::string extra_repr() const override;  // "negative_slope=0.01"
  double negative_slope() const noexcept { return negative_slope_; }

 private:
  double negative_slope_;
};
EX_MODULE(LeakyReLU);

// x if x >= 0 else a[c] * x with a learnable slope per channel (axis 1) or one shared
// slope (ex::prelu). Parameter "weight" (PyTorch's name) of shape [num_parameters],
// float32, filled with init. Throws ex::Error "PReLU: ..." for num_parameters < 1 or a
// non-finite init.
class PReLUImpl : public Cloneable<PReLUImpl> {
 public:
  explicit PReLUImpl(std::int64_t num_parameters = 1, double init = 0.25);
  // Registers a new weight filled with init.
  void reset() override;
  Tensor forward(const Tensor& input);
  std::string extra_repr() const override;  // "num_parameters=1"

  Tensor weight;  // the slopes a, [num_parameters]

 private:
  std::int64_t num_parameters_;
  double init_;
};
EX_MODULE(PReLU);

// 1 / (1 + exp(-x)) (ex::sigmoid).
class SigmoidImpl : public Cloneable<SigmoidImpl> {
 public:
  SigmoidImpl() : Cloneable("Sigmoid") {}
  void reset() override {}
  Tensor forward(const Tensor& input);
};
EX_MODULE(Sigmoid);

// tanh(x) (ex::tanh).
class TanhImpl : public Cloneable<TanhImpl> {
 public:
  TanhImpl() : Cloneable("Tanh") {}
  void reset() override {}
  Tensor forward(const Tensor& input);
};
EX_MODULE(Tanh);

// x * Phi(x), exact ("none") or with PyTorch's tanh approximation ("tanh") (ex::gelu).
// Throws ex::Error "GELU: ..." for any other approximate.
class GELUImpl : public Cloneable<GELUImpl> {
 public:
  explicit GELUImpl(std::string approximate = "none");
  void reset() override {}
  Tensor forward(const Tensor& input);
  std::string extra_repr() const override;  // "approximate='none'"

 private:
  std::string approximate_;
};
EX_MODULE(GELU);

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
class SoftmaxImpl : public Cloneable<SoftmaxImpl, AxisActivation> {
 public:
  explicit SoftmaxImpl(std::int64_t axis) : Cloneable("Softmax", axis) {}
  void reset() override {}
  Tensor forward(const Tensor& input);
};
EX_MODULE(Softmax);

// Log-softmax along axis (ex::log_softmax).
class LogSoftmaxImpl : public Cloneable<LogSoftmaxImpl, AxisActivation> {
 public:
  explicit LogSoftmaxImpl(std::int64_t axis) : Cloneable("LogSoftmax", axis) {}
  void reset() override {}
  Tensor forward(const Tensor& input);
};
EX_MODULE(LogSoftmax);

}  // namespace ex::nn
