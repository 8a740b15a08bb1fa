#pragma once
// ex::optim::Adagrad: gradients divided by the root of their accumulated squares, with a
// decaying learning rate, weight decay and maximize, following PyTorch 1.13's
// torch.optim.Adagrad (its dense single-tensor update).

#include <memory>
#include <string_view>
#include <vector>

#include "extensor/core/options.hpp"
#include "extensor/optim/optimizer.hpp"

namespace ex::optim {

// Adagrad's hyper-parameters, set by chaining: AdagradOptions(0.1).lr_decay(1e-3).
// Defaults are PyTorch's: lr 1e-2, lr_decay 0, weight_decay 0, initial_accumulator_value
// 0, eps 1e-10, no maximize. Each setter returns *this; each getter has the setter's name
// without an argument. Valid values (checked by validate): every number finite and >= 0.
class AdagradOptions : public OptimizerOptions {
 public:
  // Implicit, as in libtorch, so Adagrad(params, 0.1) reads naturally.
  AdagradOptions(double lr = 1e-2) : lr_(lr) {}  // NOLINT(google-explicit-constructor)

  // Written out rather than with EX_OPTION: the getter is OptimizerOptions' virtual lr().
  AdagradOptions& lr(double value) {
    lr_ = value;
    return *this;
  }
  double lr() const override { return lr_; }
  // Step t uses the learning rate lr / (1 + (t - 1) * lr_decay).
  EX_OPTION(double, lr_decay) = 0;
  // L2 penalty added to the gradient.
  EX_OPTION(double, weight_decay) = 0;
  // The value every element of the sum of squares starts from.
  EX_OPTION(double, initial_accumulator_value) = 0;
  // Added to the root of the sum so the denominator never vanishes.
  EX_OPTION(double, eps) = 1e-10;
  // Ascend the objective instead of descending it (negates the gradient).
  EX_OPTION(bool, maximize) = false;

 public:
  std::unique_ptr<OptimizerOptions> clone() const override { return std::make_unique<AdagradOptions>(*this); }
  std::string_view name() const override { return "Adagrad"; }
  void set_lr(double value) override { lr_ = value; }
  // Throws ex::Error "<fn>: ..." naming the bad value (see the class comment).
  void validate(std::string_view fn) const override;
  // Visits lr, then the other hyper-parameters in the order they are declared above.
  void visit_fields(OptionsVisitor& visitor) override;

 private:
  double lr_;
};

// Adagrad, PyTorch 1.13's update rule. For each parameter p with a gradient g, with the
// group's options and t the parameter's step count after this step (1, 2, ...):
//   g = -g                                  if maximize
//   g = g + weight_decay * p                if weight_decay != 0
//   sum = sum + g * g
//   p = p - lr / (1 + (t - 1) * lr_decay) * g / (sqrt(sum) + eps)
// The state, under PyTorch's names: "step" (t, a rank-0 int64 tensor) and "sum". As in
// PyTorch, the constructor creates both for every parameter, so state_dict() lists them
// before the first step: step 0 and sum filled with the initial_accumulator_value of the
// constructor's defaults (PyTorch's rule: a group's own value is not used for these).
// Parameters added later by add_param_group get theirs on their first step, filled with
// their group's initial_accumulator_value. Updates in
// place in one fused pass with any strides; the dtypes are Adam's (float16 and bfloat16
// parameters keep a float32 sum and round the float32 result, see ex::optim::Adam).
class Adagrad : public Optimizer {
 public:
  // One group holding params. Throws ex::Error "Adagrad: ..." for invalid options, an
  // empty params list, or a parameter add_param_group would reject.
  Adagrad(std::vector<Tensor> params, const AdagradOptions& options = {});
  // Several groups; a group without options copies defaults. Throws like the above.
  Adagrad(std::vector<ParamGroup> groups, const AdagradOptions& defaults = {});

  // One update of every parameter with a gradient (see the class comment). Throws
  // ex::Error "step: ..." if a group's options were changed to invalid values (then no
  // parameter changes).
  void step() override;

 protected:
  // "step" as Adam's; "sum" is converted to the state dtype. check_loaded_state requires
  // both and nothing else, "sum" of the parameter's shape.
  Tensor loaded_state(const Tensor& param, std::int64_t number, std::string_view name,
                      const Tensor& saved) const override;
  void check_loaded_state(const Tensor& param, std::int64_t number, const ParamState& state) const override;

 private:
  // Creates the state of every parameter (see the class comment).
  void initialize_state();
};

}  // namespace ex::optim
