// LRScheduler and the simple schedules: StepLR, MultiStepLR, ExponentialLR,
// CosineAnnealingLR, LinearLR. Each formula is PyTorch 1.13's, with its operations in
// the same order and rounded one by one (detail::rounded_product where a product is
// added to), so the rates agree with PyTorch's to the last bit. A product followed by
// a division by 2 (exact) needs no such care.

#include "extensor/optim/lr_scheduler.hpp"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <numbers>

#include "common/check.hpp"
#include "optim/src/scheduler_util.hpp"

namespace ex::optim {

namespace {

std::atomic<std::uint64_t> constructed{0};

// Every rate times factor.
std::vector<double> scaled(std::vector<double> lrs, double factor) {
  for (double& lr : lrs) lr *= factor;
  return lrs;
}

}  // namespace

LRScheduler::LRScheduler(Optimizer& optimizer, std::string name, std::optional<std::vector<double>> base_lrs)
    : optimizer_(optimizer),
      name_(std::move(name)),
      base_lrs_(base_lrs ? std::move(*base_lrs) : detail::group_lrs(optimizer)),
      last_lr_(base_lrs_),
      construction_index_(constructed.fetch_add(1)) {}

void LRScheduler::initial_step() {
  step_count_ = 0;
  advance(std::nullopt);
}

void LRScheduler::step() { advance(std::nullopt); }

void LRScheduler::advance(std::optional<std::int64_t> epoch) {
  const std::size_t groups = optimizer_.param_groups().size();
  if (groups != base_lrs_.size())
    ex::detail::fail("{}::step: the optimizer has {} parameter groups, {} when the scheduler was constructed", name_,
                     groups, base_lrs_.size());
  const std::int64_t saved_epoch = last_epoch_, saved_count = step_count_;
  ++step_count_;
  last_epoch_ = epoch ? *epoch : last_epoch_ + 1;
  std::vector<double> lrs;
  try {
    lrs = epoch ? closed_form_lr() : get_lr();
    if (lrs.size() != groups)
      ex::detail::fail("{}::step: the schedule gave {} learning rates for {} parameter groups", name_, lrs.size(),
                       groups);
  } catch (...) {
    last_epoch_ = saved_epoch;
    step_count_ = saved_count;
    throw;
  }
  detail::set_group_lrs(optimizer_, lrs);
  last_lr_ = detail::group_lrs(optimizer_);
}

std::vector<double> LRScheduler::group_lrs() const { return detail::group_lrs(optimizer_); }

SchedulerStateDict LRScheduler::state_dict() const {
  return {{"last_epoch", {static_cast<double>(last_epoch_)}},
          {"step_count", {static_cast<double>(step_count_)}},
          {"base_lrs", base_lrs_},
          {"last_lr", last_lr_}};
}

void LRScheduler::load_state_dict(const SchedulerStateDict& dict) {
  check_state(dict, name_ + "::load_state_dict");
  apply_state(dict);
}

void LRScheduler::check_state(const SchedulerStateDict& dict, std::string_view fn) const {
  detail::check_keys(dict, {"last_epoch", "step_count", "base_lrs", "last_lr"}, fn);
  detail::whole_number(dict, "last_epoch", -1, fn);
  detail::whole_number(dict, "step_count", 0, fn);
  detail::rates(dict, "base_lrs", base_lrs_.size(), fn);
  detail::rates(dict, "last_lr", base_lrs_.size(), fn);
}

void LRScheduler::apply_state(const SchedulerStateDict& dict) {
  last_epoch_ = static_cast<std::int64_t>(dict.at("last_epoch")[0]);
  step_count_ = static_cast<std::int64_t>(dict.at("step_count")[0]);
  base_lrs_ = dict.at("base_lrs");
  last_lr_ = dict.at("last_lr");
}

StepLR::StepLR(Optimizer& optimizer, std::int64_t step_size, double gamma)
    : LRScheduler(optimizer, "StepLR"), step_size_(step_size), gamma_(gamma) {
  if (step_size < 1) ex::detail::fail("StepLR: invalid step_size {} (must be >= 1)", step_size);
  detail::check_positive("StepLR", "gamma", gamma);
  initial_step();
}

std::vector<double> StepLR::get_lr() {
  if (last_epoch() == 0 || last_epoch() % step_size_ != 0) return group_lrs();
  return scaled(group_lrs(), gamma_);
}

std::vector<double> StepLR::closed_form_lr() {
  return scaled(base_lrs(), std::pow(gamma_, static_cast<double>(last_epoch() / step_size_)));
}

MultiStepLR::MultiStepLR(Optimizer& optimizer, std::vector<std::int64_t> milestones, double gamma)
    : LRScheduler(optimizer, "MultiStepLR"), milestones_(std::move(milestones)), gamma_(gamma) {
  for (std::size_t i = 0; i < milestones_.size(); ++i) {
    if (milestones_[i] < 0) ex::detail::fail("MultiStepLR: milestone {} is {} (must be >= 0)", i, milestones_[i]);
    if (i > 0 && milestones_[i] < milestones_[i - 1])
      ex::detail::fail("MultiStepLR: milestones must be increasing, got {} after {} (milestones {})", milestones_[i],
                       milestones_[i - 1], milestones_);
  }
  detail::check_positive("MultiStepLR", "gamma", gamma);
  initial_step();
}

std::vector<double> MultiStepLR::get_lr() {
  const auto repeats = std::count(milestones_.begin(), milestones_.end(), last_epoch());
  if (repeats == 0) return group_lrs();
  return scaled(group_lrs(), std::pow(gamma_, static_cast<double>(repeats)));
}

std::vector<double> MultiStepLR::closed_form_lr() {
  const auto passed = std::upper_bound(milestones_.begin(), milestones_.end(), last_epoch()) - milestones_.begin();
  return scaled(base_lrs(), std::pow(gamma_, static_cast<double>(passed)));
}

ExponentialLR::ExponentialLR(Optimizer& optimizer, double gamma)
    : LRScheduler(optimizer, "ExponentialLR"), gamma_(gamma) {
  detail::check_positive("ExponentialLR", "gamma", gamma);
  initial_step();
}

std::vector<double> ExponentialLR::get_lr() {
  if (last_epoch() == 0) return group_lrs();
  return scaled(group_lrs(), gamma_);
}

std::vector<double> ExponentialLR::closed_form_lr() {
  return scaled(base_lrs(), std::pow(gamma_, static_cast<double>(last_epoch())));
}

CosineAnnealingLR::CosineAnnealingLR(Optimizer& optimizer, std::int64_t T_max, double eta_min)
    : LRScheduler(optimizer, "CosineAnnealingLR"), T_max_(T_max), eta_min_(eta_min) {
  if (T_max < 1) ex::detail::fail("CosineAnnealingLR: invalid T_max {} (must be >= 1)", T_max);
  detail::check_non_negative("CosineAnnealingLR", "eta_min", eta_min);
  initial_step();
}

std::vector<double> CosineAnnealingLR::get_lr() {
  constexpr double pi = std::numbers::pi;
  const std::int64_t e = last_epoch();
  const auto epoch = static_cast<double>(e), t_max = static_cast<double>(T_max_);
  std::vector<double> lrs = group_lrs();
  if (e == 0) return lrs;
  if (step_count() == 1 && e > 0) return closed_form_lr();
  const std::vector<double>& base = base_lrs();
  // Half a period after each minimum the recursion's ratio would divide by 1 + cos(pi) = 0;
  // PyTorch steps up by the closed form's increment there instead.
  const bool after_minimum = (e - 1 - T_max_) % (2 * T_max_) == 0;
  for (std::size_t i = 0; i < lrs.size(); ++i) {
    if (after_minimum)
      lrs[i] = lrs[i] + (base[i] - eta_min_) * (1 - std::cos(pi / t_max)) / 2;
    else
      lrs[i] = detail::rounded_product((1 + std::cos(pi * epoch / t_max)) / (1 + std::cos(pi * (epoch - 1) / t_max)),
                                       lrs[i] - eta_min_) +
               eta_min_;
  }
  return lrs;
}

std::vector<double> CosineAnnealingLR::closed_form_lr() {
  constexpr double pi = std::numbers::pi;
  std::vector<double> lrs = base_lrs();
  for (double& lr : lrs)
    lr = eta_min_ +
         (lr - eta_min_) * (1 + std::cos(pi * static_cast<double>(last_epoch()) / static_cast<double>(T_max_))) / 2;
  return lrs;
}

LinearLR::LinearLR(Optimizer& optimizer, double start_factor, double end_factor, std::int64_t total_iters)
    : LRScheduler(optimizer, "LinearLR"),
      start_factor_(start_factor),
      end_factor_(end_factor),
      total_iters_(total_iters) {
  if (!(start_factor > 0 && start_factor <= 1))
    ex::detail::fail("LinearLR: invalid start_factor {} (must be in (0, 1])", start_factor);
  if (!(end_factor >= 0 && end_factor <= 1))
    ex::detail::fail("LinearLR: invalid end_factor {} (must be in [0, 1])", end_factor);
  if (total_iters < 1) ex::detail::fail("LinearLR: invalid total_iters {} (must be >= 1)", total_iters);
  initial_step();
}

std::vector<double> LinearLR::get_lr() {
  const std::int64_t e = last_epoch();
  if (e == 0) return scaled(group_lrs(), start_factor_);
  if (e > total_iters_) return group_lrs();
  const double delta = end_factor_ - start_factor_;
  return scaled(group_lrs(), 1. + delta / (detail::rounded_product(static_cast<double>(total_iters_), start_factor_) +
                                           detail::rounded_product(static_cast<double>(e - 1), delta)));
}

std::vector<double> LinearLR::closed_form_lr() {
  const double progress = static_cast<double>(std::min(total_iters_, last_epoch()));
  return scaled(base_lrs(),
                start_factor_ + (end_factor_ - start_factor_) * progress / static_cast<double>(total_iters_));
}

}  // namespace ex::optim
