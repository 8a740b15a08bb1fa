#pragma once
// ex::optim::SGD: stochastic gradient descent with momentum, dampening, weight decay,
// Nesterov momentum and maximize, following PyTorch 1.13's torch.optim.SGD.

#include <memory>
#include <optional>
#include <string_view>
#include <vector>

#include "extensor/core/options.hpp"
#include "extensor/optim/optimizer.hpp"

namespace ex::optim {

// SGD's hyper-parameters, set by chaining: SGDOptions(0.1).momentum(0.9).nesterov(true).
// Each setter returns *this; each getter has the setter's name without an argument.
// Valid values (checked by validate): lr, momentum and weight_decay finite and >= 0,
// dampening finite, and nesterov only with momentum > 0 and dampening == 0.
class SGDOptions : public OptimizerOptions {
 public:
  // Implicit, as in libtorch, so SGD(params, 0.01) reads naturally.
  SGDOptions(double lr) : lr_(lr) {}  // NOLINT(google-explicit-constructor)

  // Written out rather than with EX_OPTION: the getter is OptimizerOptions' virtual lr().
  SGDOptions& lr(double value) {
    lr_ = value;
    return *this;
  }
  double lr() const override { return lr_; }
  EX_OPTION(double, momentum) = 0;
  EX_OPTION(double, dampening) = 0;
  EX_OPTION(double, weight_decay) = 0;
  EX_OPTION(bool, nesterov) = false;
  // Ascend the objective instead of descending it (negates the gradient).
  EX_OPTION(bool, maximize) = false;

 public:
  std::unique_ptr<OptimizerOptions> clone() const override { return std::make_unique<SGDOptions>(*this); }
  std::string_view name() const override { return "SGD"; }
  void set_lr(double value) override { lr_ = value; }
  // The momentum OneCycleLR cycles (PyTorch's group["momentum"]).
  std::optional<double> cycled_momentum() const override { return momentum_; }
  void set_cycled_momentum(double value) override { momentum_ = value; }
  // Throws ex::Error "<fn>: ..." naming the bad value (see the class comment).
  void validate(std::string_view fn) const override;
  // Visits lr, then the other hyper-parameters in the order they are declared above.
  void visit_fields(OptionsVisitor& visitor) override;

 private:
  double lr_;
};

// Stochastic gradient descent, PyTorch 1.13's update rule. For each parameter p with a
// gradient g, with the group's options:
//   g = -g                                  if maximize
//   g = g + weight_decay * p                if weight_decay != 0
//   if momentum != 0:
//     buf = g                               on p's first step (buffer created)
//     buf = momentum * buf + (1 - dampening) * g   on later steps
//     g = nesterov ? g + momentum * buf : buf
//   p = p - lr * g
// The buffer is p's state "momentum_buffer". Each parameter is updated in place (its
// storage version is bumped) by one fused pass over p, g and buf, computed in the
// parameter's dtype (float32 for float16/bfloat16), with any strides.
class SGD : public Optimizer {
 public:
  // One group holding params. Throws ex::Error "SGD: ..." for invalid options, an empty
  // params list, or a parameter add_param_group would reject.
  SGD(std::vector<Tensor> params, const SGDOptions& options);
  // Several groups; a group without options copies defaults. Throws like the above.
  SGD(std::vector<ParamGroup> groups, const SGDOptions& defaults);

  // One update of every parameter with a gradient (see the class comment). Throws
  // ex::Error "step: ..." if a group's options were changed to invalid values.
  void step() override;

 protected:
  // A momentum buffer must have its parameter's shape; no other state is allowed.
  void check_loaded_state(const Tensor& param, std::int64_t number, const ParamState& state) const override;
};

}  // namespace ex::optim
