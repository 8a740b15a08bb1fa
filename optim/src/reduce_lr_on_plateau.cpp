// ReduceLROnPlateau: PyTorch 1.13's plateau detection, cooldown and reduction.

#include "extensor/optim/reduce_lr_on_plateau.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "common/check.hpp"
#include "optim/src/scheduler_util.hpp"

namespace ex::optim {

namespace {

constexpr std::string_view kName = "ReduceLROnPlateau";

void check_count(std::string_view what, std::int64_t value) {
  if (value < 0) ex::detail::fail("{}: invalid {} {} (must be >= 0)", kName, what, value);
}

}  // namespace

ReduceLROnPlateau::ReduceLROnPlateau(Optimizer& optimizer, ReduceLROnPlateauOptions options)
    : optimizer_(optimizer), options_(std::move(options)) {
  if (options_.mode() != PlateauMode::Min && options_.mode() != PlateauMode::Max)
    ex::detail::fail("{}: unknown mode {}", kName, static_cast<int>(options_.mode()));
  if (options_.threshold_mode() != ThresholdMode::Rel && options_.threshold_mode() != ThresholdMode::Abs)
    ex::detail::fail("{}: unknown threshold_mode {}", kName, static_cast<int>(options_.threshold_mode()));
  if (!(options_.factor() >= 0 && options_.factor() < 1))
    ex::detail::fail("{}: invalid factor {} (must be in [0, 1))", kName, options_.factor());
  check_count("patience", options_.patience());
  check_count("cooldown", options_.cooldown());
  detail::check_non_negative(kName, "threshold", options_.threshold());
  detail::check_non_negative(kName, "eps", options_.eps());
  min_lrs_ = detail::per_group(options_.min_lr(), optimizer.param_groups().size(), kName, "min_lr");
  for (double lr : min_lrs_) detail::check_non_negative(kName, "min_lr", lr);
  best_ = options_.mode() == PlateauMode::Min ? std::numeric_limits<double>::infinity()
                                              : -std::numeric_limits<double>::infinity();
  last_lr_ = detail::group_lrs(optimizer);
}

bool ReduceLROnPlateau::is_better(double metric) const {
  const double threshold = options_.threshold();
  const bool relative = options_.threshold_mode() == ThresholdMode::Rel;
  if (options_.mode() == PlateauMode::Min)
    return relative ? metric < best_ * (1. - threshold) : metric < best_ - threshold;
  return relative ? metric > best_ * (threshold + 1.) : metric > best_ + threshold;
}

void ReduceLROnPlateau::step(double metric) {
  const std::size_t groups = optimizer_.param_groups().size();
  if (groups != min_lrs_.size())
    ex::detail::fail("{}::step: the optimizer has {} parameter groups, {} when the scheduler was constructed", kName,
                     groups, min_lrs_.size());
  ++last_epoch_;
  if (is_better(metric)) {
    best_ = metric;
    num_bad_epochs_ = 0;
  } else {
    ++num_bad_epochs_;
  }
  if (cooldown_counter_ > 0) {
    --cooldown_counter_;
    num_bad_epochs_ = 0;  // bad steps in cooldown do not count
  }
  if (num_bad_epochs_ > options_.patience()) {
    for (std::size_t g = 0; g < groups; ++g) {
      OptimizerOptions& group = *optimizer_.param_groups()[g].options;
      const double old_lr = group.lr();
      const double new_lr = std::max(detail::rounded_product(old_lr, options_.factor()), min_lrs_[g]);
      if (old_lr - new_lr > options_.eps()) group.set_lr(new_lr);
    }
    cooldown_counter_ = options_.cooldown();
    num_bad_epochs_ = 0;
  }
  last_lr_ = detail::group_lrs(optimizer_);
}

void ReduceLROnPlateau::step(const Tensor& metric) {
  ex::detail::defined("ReduceLROnPlateau::step", metric, "metric");
  if (metric.numel() != 1)
    ex::detail::fail("ReduceLROnPlateau::step: the metric must have one element, got shape {}", metric.shape());
  step(metric.item<double>());
}

SchedulerStateDict ReduceLROnPlateau::state_dict() const {
  return {{"last_epoch", {static_cast<double>(last_epoch_)}},
          {"best", {best_}},
          {"num_bad_epochs", {static_cast<double>(num_bad_epochs_)}},
          {"cooldown_counter", {static_cast<double>(cooldown_counter_)}},
          {"last_lr", last_lr_}};
}

void ReduceLROnPlateau::load_state_dict(const SchedulerStateDict& dict) {
  constexpr std::string_view fn = "ReduceLROnPlateau::load_state_dict";
  detail::check_keys(dict, {"last_epoch", "best", "num_bad_epochs", "cooldown_counter", "last_lr"}, fn);
  const std::int64_t last_epoch = detail::whole_number(dict, "last_epoch", 0, fn);
  const std::int64_t bad = detail::whole_number(dict, "num_bad_epochs", 0, fn);
  const std::int64_t cooldown = detail::whole_number(dict, "cooldown_counter", 0, fn);
  const std::vector<double>& last_lr = detail::rates(dict, "last_lr", min_lrs_.size(), fn);
  const std::vector<double>& best = dict.at("best");
  if (best.size() != 1 || std::isnan(best[0]))
    ex::detail::fail("{}: \"best\" must hold one number that is not nan, got {}", fn, best);
  last_epoch_ = last_epoch;
  best_ = best[0];
  num_bad_epochs_ = bad;
  cooldown_counter_ = cooldown;
  last_lr_ = last_lr;
}

}  // namespace ex::optim
