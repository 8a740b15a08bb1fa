#pragma once
// ex::optim::RMSprop: gradients divided by a running root mean square, with momentum,
// centering, weight decay and maximize, following PyTorch 1.13's torch.optim.RMSprop
// (its single-tensor update).

#include <memory>
#include <optional>
#include <string_view>
#include <vector>

#include "extensor/core/options.hpp"
#include "extensor/optim/optimizer.hpp"

namespace ex::optim {

// RMSprop's hyper-parameters, set by chaining: RMSpropOptions(1e-3).momentum(0.9).
// Defaults are PyTorch's: lr 1e-2, alpha 0.99, eps 1e-8, weight_decay 0, momentum 0, not
// centered, no maximize. Each setter returns *this; each getter has the setter's name
// without an argument. Valid values (checked by validate): lr, alpha, eps, weight_decay
// and momentum finite and >= 0 (PyTorch, too, accepts an alpha above 1).
class RMSpropOptions : public OptimizerOptions {
 public:
  // Implicit, as in libtorch, so RMSprop(params, 1e-3) reads naturally.
  RMSpropOptions(double lr = 1e-2) : lr_(lr) {}  // NOLINT(google-explicit-constructor)

  // Written out rather than with EX_OPTION: the getter is OptimizerOptions' virtual lr().
  RMSpropOptions& lr(double value) {
    lr_ = value;
    return *this;
  }
  double lr() const override { return lr_; }
  // The decay rate of the running averages.
  EX_OPTION(double, alpha) = 0.99;
  // Added to the root mean square so the denominator never vanishes.
  EX_OPTION(double, eps) = 1e-8;
  // L2 penalty added to the gradient.
  EX_OPTION(double, weight_decay) = 0;
  // Momentum of the normalized gradient (0: none).
  EX_OPTION(double, momentum) = 0;
  // Normalize by an estimate of the gradient's variance (mean of squares minus the square
  // of the running mean) instead of its mean square.
  EX_OPTION(bool, centered) = false;
  // Ascend the objective instead of descending it (negates the gradient).
  EX_OPTION(bool, maximize) = false;

 public:
  std::unique_ptr<OptimizerOptions> clone() const override { return std::make_unique<RMSpropOptions>(*this); }
  std::string_view name() const override { return "RMSprop"; }
  void set_lr(double value) override { lr_ = value; }
  // The momentum, which a cyclic schedule varies.
  std::optional<double> cycled_momentum() const override { return momentum_; }
  void set_cycled_momentum(double value) override { momentum_ = value; }
  // Throws ex::Error "<fn>: ..." naming the bad value (see the class comment).
  void validate(std::string_view fn) const override;
  // Visits lr, then the other hyper-parameters in the order they are declared above.
  void visit_fields(OptionsVisitor& visitor) override;

 private:
  double lr_;
};

// RMSprop, PyTorch 1.13's update rule. For each parameter p with a gradient g, with the
// group's options:
//   g = -g                                  if maximize
//   g = g + weight_decay * p                if weight_decay != 0
//   square_avg = alpha * square_avg + (1 - alpha) * g * g
//   if centered:
//     grad_avg = alpha * grad_avg + (1 - alpha) * g
//     avg = sqrt(square_avg - grad_avg * grad_avg) + eps
//   else:
//     avg = sqrt(square_avg) + eps
//   if momentum > 0:
//     momentum_buffer = momentum * momentum_buffer + g / avg
//     p = p - lr * momentum_buffer
//   else:
//     p = p - lr * g / avg
// The state, under PyTorch's names: "step" (the number of steps taken, a rank-0 int64
// tensor), "square_avg" (zeros on p's first step), "momentum_buffer" and "grad_avg"
// (zeros on the first step that needs them). Updates in place in one fused pass with any
// strides; the dtypes are Adam's (float16 and bfloat16 parameters keep float32 state
// and round the float32 result, see ex::optim::Adam).
class RMSprop : public Optimizer {
 public:
  // One group holding params. Throws ex::Error "RMSprop: ..." for invalid options, an
  // empty params list, or a parameter add_param_group would reject.
  RMSprop(std::vector<Tensor> params, const RMSpropOptions& options = {});
  // Several groups; a group without options copies defaults. Throws like the above.
  RMSprop(std::vector<ParamGroup> groups, const RMSpropOptions& defaults = {});

  // One update of every parameter with a gradient (see the class comment). Throws
  // ex::Error "step: ..." if a group's options were changed to invalid values (then no
  // parameter changes).
  void step() override;

 protected:
  // "step" as Adam's; the other state is converted to the state dtype. check_loaded_state
  // requires "step" and "square_avg", allows "momentum_buffer" and "grad_avg" and
  // nothing else, each of the parameter's shape.
  Tensor loaded_state(const Tensor& param, std::int64_t number, std::string_view name,
                      const Tensor& saved) const override;
  void check_loaded_state(const Tensor& param, std::int64_t number, const ParamState& state) const override;
};

}  // namespace ex::optim
