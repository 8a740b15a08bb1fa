#pragma once
// ex::optim::OneCycleLR: the 1cycle policy (PyTorch 1.13's OneCycleLR), with the
// momentum (SGD) or beta1 (Adam) cycled against the learning rate.

#include <cstdint>
#include <vector>

#include "extensor/core/options.hpp"
#include "extensor/optim/lr_scheduler.hpp"

namespace ex::optim {

// How OneCycleLR moves between two values within a phase (PyTorch's 'cos', 'linear').
enum class AnnealStrategy { Cos, Linear };

// OneCycleLR's arguments, set by chaining:
// OneCycleLROptions(0.1, 1000).pct_start(0.25).anneal_strategy(AnnealStrategy::Linear).
// max_lr, base_momentum and max_momentum take one value for every parameter group or one
// per group. Defaults are PyTorch's.
class OneCycleLROptions {
 public:
  // total_steps is the number of steps in the cycle (PyTorch's total_steps, or epochs *
  // steps_per_epoch).
  OneCycleLROptions(double max_lr, std::int64_t total_steps) : max_lr_{max_lr}, total_steps_(total_steps) {}
  OneCycleLROptions(std::vector<double> max_lr, std::int64_t total_steps)
      : max_lr_(std::move(max_lr)), total_steps_(total_steps) {}

  // The peak learning rate of each group.
  EX_OPTION(std::vector<double>, max_lr);
  EX_OPTION(std::int64_t, total_steps);
  // The fraction of the cycle spent raising the learning rate.
  EX_OPTION(double, pct_start) = 0.3;
  EX_OPTION(AnnealStrategy, anneal_strategy) = AnnealStrategy::Cos;
  // Cycle the momentum between max_momentum and base_momentum, against the learning rate.
  EX_OPTION(bool, cycle_momentum) = true;
  // The lowest and highest momentum of each group.
  EX_OPTION(std::vector<double>, base_momentum) = {0.85};
  EX_OPTION(std::vector<double>, max_momentum) = {0.95};
  // The cycle starts at max_lr / div_factor and ends at that / final_div_factor.
  EX_OPTION(double, div_factor) = 25.0;
  EX_OPTION(double, final_div_factor) = 1e4;
  // Three phases (up, back down to the start, then down to the end) instead of two (up,
  // then down to the end).
  EX_OPTION(bool, three_phase) = false;

 public:
  OneCycleLROptions& max_lr(double value) { return max_lr(std::vector<double>{value}); }
  OneCycleLROptions& base_momentum(double value) { return base_momentum(std::vector<double>{value}); }
  OneCycleLROptions& max_momentum(double value) { return max_momentum(std::vector<double>{value}); }
};

// The 1cycle policy, stepped once per batch (PyTorch's OneCycleLR). Each group's learning
// rate goes from initial_lr = max_lr / div_factor up to max_lr over the first pct_start
// of total_steps, then down to min_lr = initial_lr / final_div_factor (three_phase: down
// to initial_lr over as many steps as the rise, then to min_lr), annealing along half a
// cosine or a line between phase ends. With cycle_momentum each group's momentum
// (OptimizerOptions::cycled_momentum: SGD's momentum, Adam's beta1) moves the other way,
// between max_momentum and base_momentum; construction sets it to max_momentum before
// the initial step. base_lrs() are the initial_lr values.
//
// As in PyTorch the schedule can be stepped total_steps times after construction (the
// last step goes a step past the cycle's end); one more throws.
class OneCycleLR : public LRScheduler {
 public:
  // Throws ex::Error "OneCycleLR: ..." for a per-group list of the wrong length; unless
  // total_steps >= 1, pct_start is in [0, 1], max_lr values are finite and >= 0,
  // div_factor and final_div_factor finite and > 0; when cycle_momentum is set and a
  // group's optimizer has no cycled momentum (Adagrad), or max_momentum or
  // base_momentum is a value the optimizer's options reject; and when total_steps is
  // too small for pct_start: a phase that PyTorch would enter with zero length (it
  // divides by zero), such as pct_start * total_steps == 1. Nothing changes then.
  OneCycleLR(Optimizer& optimizer, const OneCycleLROptions& options);

  const OneCycleLROptions& options() const noexcept { return options_; }

 protected:
  // Throws ex::Error "OneCycleLR::step: tried to step N times; total_steps is T" past
  // the end, before any rate or momentum changes.
  std::vector<double> get_lr() override;

 private:
  enum class Lr { Initial, Max, Min };  // a group's initial_lr, max_lr, min_lr
  enum class Momentum { Max, Base };    // a group's max_momentum, base_momentum
  struct Phase {
    double end_step;  // the last step of the phase (PyTorch's float end_step)
    Lr start_lr, end_lr;
    Momentum start_momentum, end_momentum;
  };

  double lr_of(std::size_t group, Lr which) const;
  double momentum_of(std::size_t group, Momentum which) const;

  OneCycleLROptions options_;
  std::vector<Phase> phases_;
  std::vector<double> initial_lr_, max_lr_, min_lr_, base_momentum_, max_momentum_;  // per group
};

}  // namespace ex::optim
