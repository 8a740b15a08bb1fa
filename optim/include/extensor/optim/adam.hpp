#pragma once
// ex::optim::Adam and ex::optim::AdamW: adaptive moment estimation, with L2 (Adam) or
// decoupled (AdamW) weight decay, AMSGrad and maximize, following PyTorch 1.13's
// torch.optim.Adam and torch.optim.AdamW (their single-tensor update).

#include <memory>
#include <optional>
#include <string_view>
#include <tuple>
#include <vector>

#include "extensor/optim/optimizer.hpp"

namespace ex::optim {

// The hyper-parameters Adam and AdamW share. Each setter returns the derived options
// (Self), so setters chain: AdamOptions(1e-3).betas({0.9, 0.99}).amsgrad(true). Each
// getter has the setter's name without an argument. Valid values (checked by validate):
// lr, eps and weight_decay finite and >= 0, both betas in [0, 1).
template <class Self>
class AdamOptionsBase : public OptimizerOptions {
 public:
  Self& lr(double value) {
    lr_ = value;
    return self();
  }
  double lr() const override { return lr_; }
  // The decay rates of the running averages of the gradient (beta1) and of its square
  // (beta2).
  Self& betas(std::tuple<double, double> value) {
    betas_ = value;
    return self();
  }
  const std::tuple<double, double>& betas() const noexcept { return betas_; }
  // Added to the denominator, sqrt(second moment) + eps, so it never vanishes.
  Self& eps(double value) {
    eps_ = value;
    return self();
  }
  double eps() const noexcept { return eps_; }
  // Adam: L2 penalty added to the gradient; AdamW: decoupled decay of the parameter.
  Self& weight_decay(double value) {
    weight_decay_ = value;
    return self();
  }
  double weight_decay() const noexcept { return weight_decay_; }
  // Divide by the largest second moment seen so far (AMSGrad) instead of the current one.
  Self& amsgrad(bool value) {
    amsgrad_ = value;
    return self();
  }
  bool amsgrad() const noexcept { return amsgrad_; }
  // Ascend the objective instead of descending it (negates the gradient).
  Self& maximize(bool value) {
    maximize_ = value;
    return self();
  }
  bool maximize() const noexcept { return maximize_; }

  std::unique_ptr<OptimizerOptions> clone() const override { return std::make_unique<Self>(self()); }
  void set_lr(double value) override { lr_ = value; }
  // beta1, which a cyclic schedule varies as PyTorch's OneCycleLR does.
  std::optional<double> cycled_momentum() const override { return std::get<0>(betas_); }
  // Sets beta1 (validated when the options are next used).
  void set_cycled_momentum(double momentum) override { std::get<0>(betas_) = momentum; }
  // Throws ex::Error "<fn>: ..." naming the bad value (see the class comment).
  void validate(std::string_view fn) const override;
  // Visits lr, then the other hyper-parameters in the order they are declared above.
  void visit_fields(OptionsVisitor& visitor) override;

 protected:
  AdamOptionsBase(double lr, double weight_decay) : lr_(lr), weight_decay_(weight_decay) {}

 private:
  Self& self() { return static_cast<Self&>(*this); }
  const Self& self() const { return static_cast<const Self&>(*this); }

  double lr_;
  std::tuple<double, double> betas_{0.9, 0.999};
  double eps_ = 1e-8;
  double weight_decay_;
  bool amsgrad_ = false;
  bool maximize_ = false;
};

// Adam's options: lr 1e-3, betas (0.9, 0.999), eps 1e-8, weight_decay 0, no amsgrad,
// no maximize, as in PyTorch. Implicit from a learning rate, as in libtorch, so
// Adam(params, 1e-3) reads naturally.
class AdamOptions : public AdamOptionsBase<AdamOptions> {
 public:
  AdamOptions(double lr = 1e-3) : AdamOptionsBase(lr, 0.0) {}  // NOLINT(google-explicit-constructor)
  std::string_view name() const override { return "Adam"; }
};

// AdamW's options: Adam's, but weight_decay defaults to 1e-2.
class AdamWOptions : public AdamOptionsBase<AdamWOptions> {
 public:
  AdamWOptions(double lr = 1e-3) : AdamOptionsBase(lr, 1e-2) {}  // NOLINT(google-explicit-constructor)
  std::string_view name() const override { return "AdamW"; }
};

// Defined with validate() in the library.
extern template class AdamOptionsBase<AdamOptions>;
extern template class AdamOptionsBase<AdamWOptions>;

// Adam, PyTorch 1.13's update rule. For each parameter p with a gradient g, with the
// group's options and t the parameter's step count after this step (1, 2, ...):
//   g = -g                                  if maximize
//   g = g + weight_decay * p                if weight_decay != 0
//   exp_avg = beta1 * exp_avg + (1 - beta1) * g
//   exp_avg_sq = beta2 * exp_avg_sq + (1 - beta2) * g * g
//   max_exp_avg_sq = max(max_exp_avg_sq, exp_avg_sq)         if amsgrad
//   denom = sqrt(amsgrad ? max_exp_avg_sq : exp_avg_sq) / sqrt(1 - beta2^t) + eps
//   p = p - lr / (1 - beta1^t) * exp_avg / denom
// The state, under PyTorch's names: "step" (t, a rank-0 int64 tensor), "exp_avg" and
// "exp_avg_sq" (created as zeros on p's first step), "max_exp_avg_sq" (created as zeros
// on the first step with amsgrad). Each parameter is updated in place (its storage
// version is bumped) by one fused pass over p, g and the moments, with any strides.
// float32 and float64 parameters compute and keep their moments in their own dtype;
// float16 and bfloat16 parameters keep float32 moments and compute in float32 as a
// float32 parameter holding their value would, then round the new value to their dtype
// (nearest even), so a step smaller than half the dtype's spacing at p leaves p as it was.
class Adam : public Optimizer {
 public:
  // One group holding params. Throws ex::Error "Adam: ..." for invalid options, an empty
  // params list, or a parameter add_param_group would reject.
  Adam(std::vector<Tensor> params, const AdamOptions& options = {});
  // Several groups; a group without options copies defaults. Throws like the above.
  Adam(std::vector<ParamGroup> groups, const AdamOptions& defaults = {});

  // One update of every parameter with a gradient (see the class comment). Throws
  // ex::Error "step: ..." if a group's options were changed to invalid values (then no
  // parameter changes).
  void step() override;

 protected:
  // "step" must be a non-negative integer (any real dtype, one element; it becomes a
  // rank-0 int64 tensor); the moments are converted to the state dtype (see the class
  // comment). check_loaded_state requires "step", "exp_avg" and "exp_avg_sq", allows
  // "max_exp_avg_sq" and nothing else, each of the parameter's shape.
  Tensor loaded_state(const Tensor& param, std::int64_t number, std::string_view name,
                      const Tensor& saved) const override;
  void check_loaded_state(const Tensor& param, std::int64_t number, const ParamState& state) const override;
};

// AdamW, PyTorch 1.13's rule: Adam's with the weight decay decoupled from the gradient.
// Before the moments are updated, p = p * (1 - lr * weight_decay); g is not changed. The
// rest, state, dtypes and errors are Adam's.
class AdamW : public Optimizer {
 public:
  // One group holding params. Throws ex::Error "AdamW: ..." for invalid options, an
  // empty params list, or a parameter add_param_group would reject.
  AdamW(std::vector<Tensor> params, const AdamWOptions& options = {});
  // Several groups; a group without options copies defaults. Throws like the above.
  AdamW(std::vector<ParamGroup> groups, const AdamWOptions& defaults = {});

  // One update of every parameter with a gradient (see the class comment). Throws
  // ex::Error "step: ..." if a group's options were changed to invalid values (then no
  // parameter changes).
  void step() override;

 protected:
  // As Adam's.
  Tensor loaded_state(const Tensor& param, std::int64_t number, std::string_view name,
                      const Tensor& saved) const override;
  void check_loaded_state(const Tensor& param, std::int64_t number, const ParamState& state) const override;
};

}  // namespace ex::optim
