#pragma once
// ex::optim::SequentialLR: runs schedulers one after another, switching at milestone
// epochs (a warm-up, then a decay), with PyTorch 1.13's semantics.

#include <cstdint>
#include <memory>
#include <vector>

#include "extensor/optim/lr_scheduler.hpp"

namespace ex::optim {

// Steps schedulers[0] until epoch milestones[0], then schedulers[1] until milestones[1],
// and so on (PyTorch's SequentialLR). Construct the schedulers on the optimizer first,
// in order; SequentialLR then takes them over:
//
//   auto warmup = std::make_shared<ex::optim::LinearLR>(sgd, 0.1, 1.0, 10);
//   auto decay = std::make_shared<ex::optim::CosineAnnealingLR>(sgd, 190);
//   ex::optim::SequentialLR scheduler(sgd, {warmup, decay}, {10});
//
// As PyTorch does, construction resets every group's learning rate to the rate the
// schedulers started from (PyTorch's initial_lr: the base_lrs of the scheduler
// constructed first, unless a OneCycleLR constructed later replaced them with its
// own), undoes the initial step of every scheduler and performs the first scheduler's
// initial step again. At a milestone the next scheduler restarts at epoch 0 in its
// closed form (from its base_lrs), then continues in its chainable form. Each
// scheduler's base_lrs become the initial_lr PyTorch would have given it. Step only the
// SequentialLR, not the schedulers it holds.
class SequentialLR : public LRScheduler {
 public:
  // Throws ex::Error "SequentialLR: ..." when schedulers is empty or holds a null
  // pointer, the same scheduler twice, a SequentialLR or a scheduler of another
  // optimizer; when there is not exactly one milestone fewer than schedulers; or when
  // the milestones are not increasing and >= 1. Nothing changes then.
  SequentialLR(Optimizer& optimizer, std::vector<std::shared_ptr<LRScheduler>> schedulers,
               std::vector<std::int64_t> milestones);

  // Advances last_epoch() and steps the scheduler whose interval it falls in (restarting
  // it at a milestone). Throws like that scheduler's step(); nothing changes then.
  void step() override;

  const std::vector<std::shared_ptr<LRScheduler>>& schedulers() const noexcept { return schedulers_; }
  const std::vector<std::int64_t>& milestones() const noexcept { return milestones_; }

  // "last_epoch" and "last_lr", and each scheduler's state under "schedulers.<i>."
  // ("schedulers.0.last_epoch", ...).
  SchedulerStateDict state_dict() const override;

 protected:
  // Unused: step() delegates to the schedulers. Returns the groups' rates.
  std::vector<double> get_lr() override;
  void check_state(const SchedulerStateDict& dict, std::string_view fn) const override;
  void apply_state(const SchedulerStateDict& dict) override;

 private:
  std::vector<std::shared_ptr<LRScheduler>> schedulers_;
  std::vector<std::int64_t> milestones_;
};

}  // namespace ex::optim
