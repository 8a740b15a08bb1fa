// SequentialLR: schedulers one after another, switched at milestones, as PyTorch 1.13.

#include "extensor/optim/sequential_lr.hpp"

#include <algorithm>
#include <string>

#include "common/check.hpp"
#include "extensor/optim/one_cycle_lr.hpp"
#include "optim/src/scheduler_util.hpp"

namespace ex::optim {

namespace {

constexpr std::string_view kPrefix = "schedulers.";

std::string child_prefix(std::size_t i) { return std::string(kPrefix) + std::to_string(i) + "."; }

// The entries of dict under "schedulers.<i>.", without that prefix.
SchedulerStateDict child_state(const SchedulerStateDict& dict, std::size_t i) {
  const std::string prefix = child_prefix(i);
  SchedulerStateDict child;
  for (const auto& [key, values] : dict)
    if (key.starts_with(prefix)) child.emplace(key.substr(prefix.size()), values);
  return child;
}

}  // namespace

SequentialLR::SequentialLR(Optimizer& optimizer, std::vector<std::shared_ptr<LRScheduler>> schedulers,
                           std::vector<std::int64_t> milestones)
    : LRScheduler(optimizer, "SequentialLR"), schedulers_(std::move(schedulers)), milestones_(std::move(milestones)) {
  constexpr std::string_view fn = "SequentialLR";
  const std::size_t groups = optimizer.param_groups().size();
  if (schedulers_.empty()) ex::detail::fail("{}: got no schedulers", fn);
  for (std::size_t i = 0; i < schedulers_.size(); ++i) {
    const LRScheduler* scheduler = schedulers_[i].get();
    if (scheduler == nullptr) ex::detail::fail("{}: scheduler {} is null", fn, i);
    if (&scheduler->optimizer() != &optimizer)
      ex::detail::fail("{}: scheduler {} ({}) belongs to another optimizer", fn, i, scheduler->name());
    if (dynamic_cast<const SequentialLR*>(scheduler) != nullptr)
      ex::detail::fail("{}: scheduler {} is a SequentialLR (nesting them is not supported)", fn, i);
    if (scheduler->base_lrs_.size() != groups)
      ex::detail::fail("{}: scheduler {} ({}) was constructed for {} parameter groups, the optimizer has {}", fn, i,
                       scheduler->name(), scheduler->base_lrs_.size(), groups);
    for (std::size_t j = 0; j < i; ++j)
      if (schedulers_[j].get() == scheduler) ex::detail::fail("{}: scheduler {} is scheduler {} again", fn, i, j);
  }
  if (milestones_.size() + 1 != schedulers_.size())
    ex::detail::fail("{}: expected {} milestones for {} schedulers (one fewer), got {}", fn, schedulers_.size() - 1,
                     schedulers_.size(), milestones_.size());
  for (std::size_t i = 0; i < milestones_.size(); ++i)
    if (milestones_[i] < 1 || (i > 0 && milestones_[i] <= milestones_[i - 1]))
      ex::detail::fail("{}: milestones must be increasing and >= 1, got {}", fn, milestones_);

  // PyTorch keeps initial_lr in the groups: the first scheduler constructed sets it, and
  // only OneCycleLR replaces it; each scheduler started from the value at its
  // construction, and the reset below goes back to the final value.
  std::vector<LRScheduler*> by_age;
  for (const auto& scheduler : schedulers_) by_age.push_back(scheduler.get());
  std::sort(by_age.begin(), by_age.end(),
            [](const LRScheduler* a, const LRScheduler* b) { return a->construction_index_ < b->construction_index_; });
  std::vector<double> initial_lrs = by_age.front()->base_lrs_;
  for (LRScheduler* scheduler : by_age) {
    if (dynamic_cast<const OneCycleLR*>(scheduler) != nullptr)
      initial_lrs = scheduler->base_lrs_;
    else
      scheduler->base_lrs_ = initial_lrs;
  }
  detail::set_group_lrs(optimizer, initial_lrs);
  base_lrs_ = initial_lrs;
  for (const auto& scheduler : schedulers_) --scheduler->last_epoch_;
  schedulers_.front()->initial_step();
  last_epoch_ = 0;
  last_lr_ = schedulers_.front()->last_lr_;
}

void SequentialLR::step() {
  const std::int64_t epoch = last_epoch_ + 1;
  const auto index =
      static_cast<std::size_t>(std::upper_bound(milestones_.begin(), milestones_.end(), epoch) - milestones_.begin());
  LRScheduler& scheduler = *schedulers_[index];
  const bool restart = index > 0 && milestones_[index - 1] == epoch;
  scheduler.advance(restart ? std::optional<std::int64_t>(0) : std::nullopt);
  last_epoch_ = epoch;
  last_lr_ = scheduler.last_lr_;
}

std::vector<double> SequentialLR::get_lr() { return group_lrs(); }

SchedulerStateDict SequentialLR::state_dict() const {
  SchedulerStateDict dict{{"last_epoch", {static_cast<double>(last_epoch_)}}, {"last_lr", last_lr_}};
  for (std::size_t i = 0; i < schedulers_.size(); ++i)
    for (auto& [key, values] : schedulers_[i]->state_dict()) dict.emplace(child_prefix(i) + key, std::move(values));
  return dict;
}

void SequentialLR::check_state(const SchedulerStateDict& dict, std::string_view fn) const {
  SchedulerStateDict own;
  for (const auto& [key, values] : dict) {
    if (!key.starts_with(kPrefix)) {
      own.emplace(key, values);
      continue;
    }
    bool known = false;
    for (std::size_t i = 0; i < schedulers_.size(); ++i) known = known || key.starts_with(child_prefix(i));
    if (!known) ex::detail::fail("{}: unexpected key \"{}\" ({} schedulers)", fn, key, schedulers_.size());
  }
  detail::check_keys(own, {"last_epoch", "last_lr"}, fn);
  detail::whole_number(own, "last_epoch", 0, fn);
  detail::rates(own, "last_lr", last_lr_.size(), fn);
  for (std::size_t i = 0; i < schedulers_.size(); ++i)
    schedulers_[i]->check_state(child_state(dict, i), std::string(fn) + " (" + child_prefix(i) + ")");
}

void SequentialLR::apply_state(const SchedulerStateDict& dict) {
  last_epoch_ = static_cast<std::int64_t>(dict.at("last_epoch")[0]);
  last_lr_ = dict.at("last_lr");
  for (std::size_t i = 0; i < schedulers_.size(); ++i) schedulers_[i]->apply_state(child_state(dict, i));
}

}  // namespace ex::optim
