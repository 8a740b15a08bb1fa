#pragma once
// Learning-rate schedulers with PyTorch 1.13's semantics (torch.optim.lr_scheduler):
// the LRScheduler base and StepLR, MultiStepLR, ExponentialLR, CosineAnnealingLR and
// LinearLR. OneCycleLR, SequentialLR and ReduceLROnPlateau have their own headers.
//
// A scheduler wraps an Optimizer (which must outlive it) and sets each parameter group's
// learning rate through OptimizerOptions::set_lr. As in PyTorch, constructing one
// performs an initial step, so the optimizer holds the rate of epoch 0 at once; then
// call step() once per epoch (or batch), after optimizer.step():
//
//   ex::optim::SGD sgd(model->parameters(), ex::optim::SGDOptions(0.1).momentum(0.9));
//   ex::optim::StepLR scheduler(sgd, /*step_size=*/30, /*gamma=*/0.1);
//   for (int epoch = 0; epoch < 100; ++epoch) { train(sgd); scheduler.step(); }
//
// Schedulers compute PyTorch's chainable forms (get_lr): each new rate is derived from
// the rate the group has now, so a change made from outside (or by another scheduler on
// the same optimizer) carries on through the schedule, exactly as in PyTorch.
//
// Writing a scheduler: derive from LRScheduler, override get_lr() (one rate per group,
// for the epoch last_epoch(), usually from group_lrs() or base_lrs()), and call
// initial_step() as the last statement of the constructor.

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "extensor/optim/optimizer.hpp"

namespace ex::optim {

// A scheduler's progress by name ("last_epoch", "base_lrs", "last_lr", ...), each a list
// of numbers (counters are whole numbers), so it can be written to any file format that
// maps names to numbers. Hyper-parameters (gamma, milestones, ...) are not in it: they
// come from the constructor of the scheduler the state is loaded into.
using SchedulerStateDict = std::map<std::string, std::vector<double>, std::less<>>;

// The base of the epoch-driven schedulers (all but ReduceLROnPlateau). Not copyable.
class LRScheduler {
 public:
  virtual ~LRScheduler() = default;
  LRScheduler(const LRScheduler&) = delete;
  LRScheduler& operator=(const LRScheduler&) = delete;

  // Advances last_epoch() by one and sets every group's learning rate to the schedule's
  // rate for that epoch. Throws ex::Error "<name>::step: ..." when the optimizer's number
  // of parameter groups changed since construction, or when the schedule has ended
  // (OneCycleLR); nothing changes then.
  virtual void step();

  // The learning rate of each parameter group after the last step (PyTorch's
  // get_last_lr()).
  const std::vector<double>& get_last_lr() const noexcept { return last_lr_; }
  // The number of steps taken: 0 after construction (the initial step), then 1, 2, ...
  std::int64_t last_epoch() const noexcept { return last_epoch_; }
  // The groups' learning rates when the scheduler was constructed, one per group: the
  // rates the schedule starts from (PyTorch's initial_lr; OneCycleLR's are max_lr /
  // div_factor). PyTorch stores the first scheduler's in the optimizer's groups, so
  // a second scheduler constructed on the same optimizer starts from them too; here each
  // scheduler keeps its own, taken when it is constructed. SequentialLR corrects its
  // schedulers' to PyTorch's.
  const std::vector<double>& base_lrs() const noexcept { return base_lrs_; }
  // The optimizer whose learning rates this scheduler sets.
  Optimizer& optimizer() const noexcept { return optimizer_; }
  // The scheduler's class name ("StepLR"), which starts its error messages.
  std::string_view name() const noexcept { return name_; }

  // The progress: "last_epoch", "step_count", "base_lrs" and "last_lr" (SequentialLR:
  // see there). Loading it into a scheduler of the same kind and hyper-parameters over an
  // optimizer whose state was loaded too makes further steps give the same rates.
  virtual SchedulerStateDict state_dict() const;
  // Replaces the progress with dict's; the optimizer's learning rates are not touched
  // (load the optimizer's own state for them, as in PyTorch). Throws ex::Error
  // "<name>::load_state_dict: ..." naming missing or unexpected keys, a list of the wrong
  // length (one value per counter, one per parameter group for rates), a counter that is
  // not a whole number in range, or a rate that is negative or not finite; nothing
  // changes then.
  void load_state_dict(const SchedulerStateDict& dict);

 protected:
  // Takes the groups' current learning rates as base_lrs, or base_lrs when given (one per
  // group). Derived constructors validate their arguments before anything changes the
  // optimizer, and end with initial_step().
  LRScheduler(Optimizer& optimizer, std::string name, std::optional<std::vector<double>> base_lrs = std::nullopt);

  // PyTorch's _initial_step: resets the step count and steps once, to epoch 0.
  void initial_step();

  // The chainable rates for epoch last_epoch() (already advanced), one per group. May
  // throw ex::Error "<name>::step: ..."; it runs before any rate is set.
  virtual std::vector<double> get_lr() = 0;
  // The closed-form rates for last_epoch(), from base_lrs() only: what PyTorch computes
  // when step() is given an epoch, which SequentialLR does at its milestones. Defaults
  // to get_lr() (PyTorch's schedulers without a closed form).
  virtual std::vector<double> closed_form_lr() { return get_lr(); }

  // Every group's learning rate now.
  std::vector<double> group_lrs() const;
  // How many times step() ran since the initial step's reset (1 after construction);
  // CosineAnnealingLR's formula depends on it, as PyTorch's on _step_count.
  std::int64_t step_count() const noexcept { return step_count_; }

  // load_state_dict in two parts, so a failure changes nothing: check_state throws
  // ex::Error "<fn>: ..." for a state apply_state could not use; apply_state replaces
  // the progress. Overridden together by schedulers with more state.
  virtual void check_state(const SchedulerStateDict& dict, std::string_view fn) const;
  virtual void apply_state(const SchedulerStateDict& dict);

 private:
  friend class SequentialLR;

  // One step: to last_epoch + 1 with get_lr(), or to epoch with closed_form_lr().
  void advance(std::optional<std::int64_t> epoch);

  Optimizer& optimizer_;
  std::string name_;
  std::vector<double> base_lrs_;
  std::vector<double> last_lr_;
  std::int64_t last_epoch_ = -1;
  std::int64_t step_count_ = 0;
  std::uint64_t construction_index_;  // order of construction over all schedulers
};

// Multiplies every group's learning rate by gamma every step_size epochs (PyTorch's
// StepLR): lr at epoch e is base_lr * gamma^(e / step_size) when nothing else changes it.
class StepLR : public LRScheduler {
 public:
  // Throws ex::Error "StepLR: ..." unless step_size >= 1 and gamma is finite and > 0.
  StepLR(Optimizer& optimizer, std::int64_t step_size, double gamma = 0.1);

  std::int64_t step_size() const noexcept { return step_size_; }
  double gamma() const noexcept { return gamma_; }

 protected:
  std::vector<double> get_lr() override;
  std::vector<double> closed_form_lr() override;

 private:
  std::int64_t step_size_;
  double gamma_;
};

// Multiplies every group's learning rate by gamma at each milestone epoch (PyTorch's
// MultiStepLR). A milestone listed k times multiplies by gamma^k, as PyTorch's Counter.
class MultiStepLR : public LRScheduler {
 public:
  // Throws ex::Error "MultiStepLR: ..." unless the milestones are >= 0 and sorted
  // (non-decreasing; repeats allowed) and gamma is finite and > 0.
  MultiStepLR(Optimizer& optimizer, std::vector<std::int64_t> milestones, double gamma = 0.1);

  const std::vector<std::int64_t>& milestones() const noexcept { return milestones_; }
  double gamma() const noexcept { return gamma_; }

 protected:
  std::vector<double> get_lr() override;
  std::vector<double> closed_form_lr() override;

 private:
  std::vector<std::int64_t> milestones_;
  double gamma_;
};

// Multiplies every group's learning rate by gamma every epoch (PyTorch's ExponentialLR).
class ExponentialLR : public LRScheduler {
 public:
  // Throws ex::Error "ExponentialLR: ..." unless gamma is finite and > 0.
  ExponentialLR(Optimizer& optimizer, double gamma);

  double gamma() const noexcept { return gamma_; }

 protected:
  std::vector<double> get_lr() override;
  std::vector<double> closed_form_lr() override;

 private:
  double gamma_;
};

// Cosine annealing from each base_lr down to eta_min over T_max epochs, then back up over
// the next T_max, and so on (PyTorch's CosineAnnealingLR, SGDR without restarts):
// lr at epoch e is eta_min + (base_lr - eta_min) * (1 + cos(pi * e / T_max)) / 2 when
// nothing else changes it; computed recursively, like PyTorch's chainable form.
class CosineAnnealingLR : public LRScheduler {
 public:
  // Throws ex::Error "CosineAnnealingLR: ..." unless T_max >= 1 and eta_min is finite
  // and >= 0.
  CosineAnnealingLR(Optimizer& optimizer, std::int64_t T_max, double eta_min = 0.0);

  std::int64_t T_max() const noexcept { return T_max_; }
  double eta_min() const noexcept { return eta_min_; }

 protected:
  std::vector<double> get_lr() override;
  std::vector<double> closed_form_lr() override;

 private:
  std::int64_t T_max_;
  double eta_min_;
};

// Scales every group's learning rate by a factor that moves linearly from start_factor
// (epoch 0) to end_factor (epoch total_iters), then stays (PyTorch's LinearLR): a
// warm-up with start_factor < 1, a decay with end_factor < 1.
class LinearLR : public LRScheduler {
 public:
  // Throws ex::Error "LinearLR: ..." unless 0 < start_factor <= 1, 0 <= end_factor <= 1
  // and total_iters >= 1.
  explicit LinearLR(Optimizer& optimizer, double start_factor = 1.0 / 3, double end_factor = 1.0,
                    std::int64_t total_iters = 5);

  double start_factor() const noexcept { return start_factor_; }
  double end_factor() const noexcept { return end_factor_; }
  std::int64_t total_iters() const noexcept { return total_iters_; }

 protected:
  std::vector<double> get_lr() override;
  std::vector<double> closed_form_lr() override;

 private:
  double start_factor_;
  double end_factor_;
  std::int64_t total_iters_;
};

}  // namespace ex::optim
