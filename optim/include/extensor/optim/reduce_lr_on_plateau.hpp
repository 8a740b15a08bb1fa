#pragma once
// ex::optim::ReduceLROnPlateau: lowers the learning rates when a watched metric stops
// improving, with PyTorch 1.13's semantics.

#include <cstdint>
#include <vector>

#include "extensor/core/options.hpp"
#include "extensor/core/tensor.hpp"
#include "extensor/optim/lr_scheduler.hpp"
#include "extensor/optim/optimizer.hpp"

namespace ex::optim {

// Whether the metric improves by falling (a loss) or by rising (an accuracy); PyTorch's
// mode 'min' / 'max'.
enum class PlateauMode { Min, Max };
// Whether threshold is relative to the best value (best * (1 -+ threshold)) or absolute
// (best -+ threshold); PyTorch's threshold_mode 'rel' / 'abs'.
enum class ThresholdMode { Rel, Abs };

// ReduceLROnPlateau's arguments, set by chaining:
// ReduceLROnPlateauOptions().mode(PlateauMode::Max).patience(3). Defaults are PyTorch's.
class ReduceLROnPlateauOptions {
  EX_OPTION(PlateauMode, mode) = PlateauMode::Min;
  // new_lr = lr * factor.
  EX_OPTION(double, factor) = 0.1;
  // How many steps without improvement are ignored before the rates fall.
  EX_OPTION(std::int64_t, patience) = 10;
  // The smallest change that counts as an improvement.
  EX_OPTION(double, threshold) = 1e-4;
  EX_OPTION(ThresholdMode, threshold_mode) = ThresholdMode::Rel;
  // How many steps after a reduction pass before bad steps count again.
  EX_OPTION(std::int64_t, cooldown) = 0;
  // The lowest learning rate of each group: one value for all, or one per group.
  EX_OPTION(std::vector<double>, min_lr) = {0.0};
  // A reduction smaller than eps is skipped.
  EX_OPTION(double, eps) = 1e-8;

 public:
  ReduceLROnPlateauOptions& min_lr(double value) { return min_lr(std::vector<double>{value}); }
};

// Multiplies every group's learning rate by factor (not below its min_lr, and only when
// it falls by more than eps) once the metric given to step() has not improved on the
// best value seen for more than patience steps; then waits cooldown steps (PyTorch's
// ReduceLROnPlateau). A nan metric never improves. Unlike the epoch-driven schedulers it
// performs no initial step and does not derive from LRScheduler; the optimizer must
// outlive it.
class ReduceLROnPlateau {
 public:
  // Throws ex::Error "ReduceLROnPlateau: ..." for an unknown mode or threshold_mode;
  // unless 0 <= factor < 1, patience, cooldown >= 0, threshold and eps finite and >= 0,
  // and min_lr has one value or one per group, each finite and >= 0.
  explicit ReduceLROnPlateau(Optimizer& optimizer, ReduceLROnPlateauOptions options = {});

  // One step with the metric measured since the last one (a validation loss).
  void step(double metric);
  // The same with a one-element tensor of any dtype (a loss from the tape); throws
  // ex::Error "ReduceLROnPlateau::step: ..." for an undefined tensor or another size.
  void step(const Tensor& metric);

  // Every group's learning rate after the last step (at construction: the groups' rates).
  const std::vector<double>& get_last_lr() const noexcept { return last_lr_; }
  // The number of steps taken.
  std::int64_t last_epoch() const noexcept { return last_epoch_; }
  // The best metric so far (inf in mode Min, -inf in Max, before any).
  double best() const noexcept { return best_; }
  // Steps since the best one, not counting those in cooldown.
  std::int64_t num_bad_epochs() const noexcept { return num_bad_epochs_; }
  // Steps of cooldown left.
  std::int64_t cooldown_counter() const noexcept { return cooldown_counter_; }
  const ReduceLROnPlateauOptions& options() const noexcept { return options_; }
  Optimizer& optimizer() const noexcept { return optimizer_; }

  // "last_epoch", "best", "num_bad_epochs", "cooldown_counter" and "last_lr".
  SchedulerStateDict state_dict() const;
  // Replaces the progress with dict's. Throws ex::Error
  // "ReduceLROnPlateau::load_state_dict: ..." for missing or unexpected keys, counters
  // that are not whole numbers >= 0, a nan best, or rates that are not one finite value
  // >= 0 per group; nothing changes then.
  void load_state_dict(const SchedulerStateDict& dict);

 private:
  bool is_better(double metric) const;

  Optimizer& optimizer_;
  ReduceLROnPlateauOptions options_;
  std::vector<double> min_lrs_;  // per group
  std::vector<double> last_lr_;
  std::int64_t last_epoch_ = 0;
  double best_;
  std::int64_t num_bad_epochs_ = 0;
  std::int64_t cooldown_counter_ = 0;
};

}  // namespace ex::optim
