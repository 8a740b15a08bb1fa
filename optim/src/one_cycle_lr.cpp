// OneCycleLR: PyTorch 1.13's 1cycle policy, its phases and its momentum cycling.

#include "extensor/optim/one_cycle_lr.hpp"

#include <cmath>
#include <numbers>

#include "common/check.hpp"
#include "optim/src/scheduler_util.hpp"

namespace ex::optim {

namespace {

constexpr std::string_view kName = "OneCycleLR";

std::vector<double> per_group_max_lr(const Optimizer& optimizer, const OneCycleLROptions& options) {
  std::vector<double> max_lr = detail::per_group(options.max_lr(), optimizer.param_groups().size(), kName, "max_lr");
  for (double lr : max_lr) detail::check_non_negative(kName, "max_lr", lr);
  return max_lr;
}

// The options of every group accept each momentum of the cycle.
void check_momentum(const Optimizer& optimizer, const OneCycleLROptions& options) {
  const std::size_t groups = optimizer.param_groups().size();
  const std::vector<double> base = detail::per_group(options.base_momentum(), groups, kName, "base_momentum");
  const std::vector<double> max = detail::per_group(options.max_momentum(), groups, kName, "max_momentum");
  for (std::size_t g = 0; g < groups; ++g) {
    const OptimizerOptions& group = *optimizer.param_groups()[g].options;
    if (!group.cycled_momentum())
      ex::detail::fail("{}: cycle_momentum needs a momentum to cycle and {} has none (set cycle_momentum(false))",
                       kName, group.name());
    for (double momentum : {base[g], max[g]}) {
      if (!std::isfinite(momentum)) ex::detail::fail("{}: invalid momentum {} for group {}", kName, momentum, g);
      const auto trial = group.clone();
      trial->set_cycled_momentum(momentum);
      trial->validate(kName);
    }
  }
}

// Validates options (PyTorch's checks, and a zero-length phase, where PyTorch divides by
// zero) and returns each group's initial_lr, before anything changes the optimizer.
std::vector<double> initial_lrs(const Optimizer& optimizer, const OneCycleLROptions& options) {
  const std::int64_t total = options.total_steps();
  if (total < 1) ex::detail::fail("{}: invalid total_steps {} (must be >= 1)", kName, total);
  const double pct = options.pct_start();
  if (!(pct >= 0 && pct <= 1)) ex::detail::fail("{}: invalid pct_start {} (must be in [0, 1])", kName, pct);
  const auto strategy = options.anneal_strategy();
  if (strategy != AnnealStrategy::Cos && strategy != AnnealStrategy::Linear)
    ex::detail::fail("{}: unknown anneal_strategy {}", kName, static_cast<int>(strategy));
  detail::check_positive(kName, "div_factor", options.div_factor());
  detail::check_positive(kName, "final_div_factor", options.final_div_factor());
  std::vector<double> lrs = per_group_max_lr(optimizer, options);
  for (double& lr : lrs) lr /= options.div_factor();
  if (options.cycle_momentum()) check_momentum(optimizer, options);
  return lrs;
}

double anneal(AnnealStrategy strategy, double start, double end, double pct) {
  if (strategy == AnnealStrategy::Linear) return detail::rounded_product(end - start, pct) + start;
  const double cos_out = std::cos(std::numbers::pi * pct) + 1;
  return end + detail::rounded_product((start - end) / 2.0, cos_out);
}

}  // namespace

OneCycleLR::OneCycleLR(Optimizer& optimizer, const OneCycleLROptions& options)
    : LRScheduler(optimizer, std::string(kName), initial_lrs(optimizer, options)), options_(options) {
  const auto total = static_cast<double>(options.total_steps());
  const double pct = options.pct_start();
  if (options.three_phase())
    phases_ = {{detail::rounded_product(pct, total) - 1, Lr::Initial, Lr::Max, Momentum::Max, Momentum::Base},
               {detail::rounded_product(2 * pct, total) - 2, Lr::Max, Lr::Initial, Momentum::Base, Momentum::Max},
               {total - 1, Lr::Initial, Lr::Min, Momentum::Max, Momentum::Max}};
  else
    phases_ = {{detail::rounded_product(pct, total) - 1, Lr::Initial, Lr::Max, Momentum::Max, Momentum::Base},
               {total - 1, Lr::Max, Lr::Min, Momentum::Base, Momentum::Max}};
  // get_lr enters the first phase at step 0 and the last one at step total_steps; other
  // phases of zero length are never entered.
  const auto empty = [&](std::size_t i) { return phases_[i].end_step == (i == 0 ? 0.0 : phases_[i - 1].end_step); };
  for (std::size_t i : {std::size_t{0}, phases_.size() - 1})
    if (empty(i))
      ex::detail::fail("{}: total_steps {} is too small for pct_start {}: phase {} of {} would have no steps", kName,
                       options.total_steps(), pct, i + 1, phases_.size());

  initial_lr_ = base_lrs();
  max_lr_ = per_group_max_lr(optimizer, options);
  for (double lr : initial_lr_) min_lr_.push_back(lr / options.final_div_factor());
  if (options.cycle_momentum()) {
    const std::size_t groups = optimizer.param_groups().size();
    base_momentum_ = detail::per_group(options.base_momentum(), groups, kName, "base_momentum");
    max_momentum_ = detail::per_group(options.max_momentum(), groups, kName, "max_momentum");
    for (std::size_t g = 0; g < groups; ++g) optimizer.param_groups()[g].options->set_cycled_momentum(max_momentum_[g]);
  }
  initial_step();
}

double OneCycleLR::lr_of(std::size_t group, Lr which) const {
  return which == Lr::Initial ? initial_lr_[group] : which == Lr::Max ? max_lr_[group] : min_lr_[group];
}

double OneCycleLR::momentum_of(std::size_t group, Momentum which) const {
  return which == Momentum::Max ? max_momentum_[group] : base_momentum_[group];
}

std::vector<double> OneCycleLR::get_lr() {
  const std::int64_t step = last_epoch();
  if (step > options_.total_steps())
    ex::detail::fail("{}::step: tried to step {} times; total_steps is {}", kName, step + 1, options_.total_steps());
  const std::size_t groups = initial_lr_.size();
  std::vector<double> lrs(groups), momenta(groups);
  for (std::size_t g = 0; g < groups; ++g) {
    double start_step = 0;
    for (std::size_t i = 0; i < phases_.size(); ++i) {
      const Phase& phase = phases_[i];
      if (static_cast<double>(step) <= phase.end_step || i + 1 == phases_.size()) {
        const double pct = (static_cast<double>(step) - start_step) / (phase.end_step - start_step);
        lrs[g] = anneal(options_.anneal_strategy(), lr_of(g, phase.start_lr), lr_of(g, phase.end_lr), pct);
        if (options_.cycle_momentum())
          momenta[g] = anneal(options_.anneal_strategy(), momentum_of(g, phase.start_momentum),
                              momentum_of(g, phase.end_momentum), pct);
        break;
      }
      start_step = phase.end_step;
    }
  }
  if (options_.cycle_momentum())
    for (std::size_t g = 0; g < groups; ++g) optimizer().param_groups()[g].options->set_cycled_momentum(momenta[g]);
  return lrs;
}

}  // namespace ex::optim
