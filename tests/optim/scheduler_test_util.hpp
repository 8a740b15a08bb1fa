#pragma once
// Helpers of the scheduler tests: optimizers with two parameter groups, and a test-only
// optimizer whose options have Adam's beta1 as their cycled momentum (or no momentum).

#include <memory>
#include <optional>
#include <string_view>
#include <utility>
#include <vector>

#include "test_util.hpp"

namespace ex::test {

// Options with an lr and, unless has_momentum is false, a beta1 that schedulers cycle
// (like Adam's, which PyTorch's OneCycleLR cycles as betas[0]).
class BetaOptions : public optim::OptimizerOptions {
 public:
  explicit BetaOptions(double lr, double beta1 = 0.9, bool has_momentum = true)
      : lr_(lr), beta1_(beta1), has_momentum_(has_momentum) {}
  std::unique_ptr<OptimizerOptions> clone() const override { return std::make_unique<BetaOptions>(*this); }
  std::string_view name() const override { return has_momentum_ ? "BetaOptimizer" : "NoMomentum"; }
  double lr() const override { return lr_; }
  void set_lr(double lr) override { lr_ = lr; }
  std::optional<double> cycled_momentum() const override {
    return has_momentum_ ? std::optional<double>(beta1_) : std::nullopt;
  }
  void set_cycled_momentum(double momentum) override {
    if (!has_momentum_) OptimizerOptions::set_cycled_momentum(momentum);
    beta1_ = momentum;
  }
  void validate(std::string_view fn) const override {
    if (!(lr_ >= 0)) throw Error(std::string(fn) + ": invalid learning rate");
    if (!(beta1_ >= 0 && beta1_ < 1)) throw Error(std::string(fn) + ": invalid beta1 " + std::to_string(beta1_));
  }

 private:
  double lr_, beta1_;
  bool has_momentum_;
};

// An optimizer over BetaOptions whose step does nothing: schedulers only set options.
class BetaOptimizer : public optim::Optimizer {
 public:
  BetaOptimizer(std::vector<optim::ParamGroup> groups, const BetaOptions& defaults)
      : Optimizer(std::move(groups), defaults.clone()) {}
  void step() override {}
};

// A parameter for a group of its own.
inline Tensor scheduler_param() { return zeros({2}).requires_grad_(); }

// SGD over two groups with learning rates lr0, lr1 and momenta m0, m1.
inline std::unique_ptr<optim::SGD> two_group_sgd(double lr0 = 0.1, double lr1 = 0.02, double m0 = 0.9,
                                                 double m1 = 0.5) {
  std::vector<optim::ParamGroup> groups;
  groups.emplace_back(std::vector<Tensor>{scheduler_param()}, optim::SGDOptions(lr0).momentum(m0));
  groups.emplace_back(std::vector<Tensor>{scheduler_param()}, optim::SGDOptions(lr1).momentum(m1));
  return std::make_unique<optim::SGD>(std::move(groups), optim::SGDOptions(lr0));
}

// BetaOptimizer over two groups (lr, beta1) each; has_momentum false gives options with
// no momentum at all (Adagrad's case).
inline std::unique_ptr<BetaOptimizer> two_group_beta(std::pair<double, double> g0 = {0.001, 0.9},
                                                     std::pair<double, double> g1 = {0.0003, 0.8},
                                                     bool has_momentum = true) {
  std::vector<optim::ParamGroup> groups;
  groups.emplace_back(std::vector<Tensor>{scheduler_param()}, BetaOptions(g0.first, g0.second, has_momentum));
  groups.emplace_back(std::vector<Tensor>{scheduler_param()}, BetaOptions(g1.first, g1.second, has_momentum));
  return std::make_unique<BetaOptimizer>(std::move(groups), BetaOptions(g0.first, g0.second, has_momentum));
}

// Every group's learning rate, and every group's cycled momentum (nan without one).
inline std::vector<double> lrs_of(const optim::Optimizer& optimizer) {
  std::vector<double> out;
  for (const optim::ParamGroup& group : optimizer.param_groups()) out.push_back(group.options->lr());
  return out;
}
inline std::vector<double> momenta_of(const optim::Optimizer& optimizer) {
  std::vector<double> out;
  for (const optim::ParamGroup& group : optimizer.param_groups())
    out.push_back(group.options->cycled_momentum().value_or(std::nan("")));
  return out;
}

}  // namespace ex::test
