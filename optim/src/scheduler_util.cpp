// What the learning-rate schedulers share: group rates, per-group arguments, checks.

#include "optim/src/scheduler_util.hpp"

#include <cmath>
#include <string>

#include "common/check.hpp"

namespace ex::optim::detail {

namespace {

// The largest whole number every smaller one of which a double holds exactly (2^53).
constexpr double kMaxExactInteger = 9007199254740992.0;

const std::vector<double>& find(const SchedulerStateDict& dict, std::string_view key, std::string_view fn) {
  const auto it = dict.find(key);
  if (it == dict.end()) ex::detail::fail("{}: the state has no \"{}\"", fn, key);
  return it->second;
}

}  // namespace

std::vector<double> group_lrs(const Optimizer& optimizer) {
  std::vector<double> lrs;
  for (const ParamGroup& group : optimizer.param_groups()) lrs.push_back(group.options->lr());
  return lrs;
}

void set_group_lrs(Optimizer& optimizer, const std::vector<double>& lrs) {
  std::size_t i = 0;
  for (ParamGroup& group : optimizer.param_groups()) group.options->set_lr(lrs[i++]);
}

std::vector<double> per_group(const std::vector<double>& values, std::size_t groups, std::string_view fn,
                              std::string_view what) {
  if (values.size() == groups) return values;
  if (values.size() == 1) return std::vector<double>(groups, values[0]);
  ex::detail::fail("{}: expected 1 or {} values for {} (one per parameter group), got {}", fn, groups, what,
                   values.size());
}

void check_positive(std::string_view fn, std::string_view what, double value) {
  if (!std::isfinite(value) || value <= 0)
    ex::detail::fail("{}: invalid {} {} (must be finite and > 0)", fn, what, value);
}

void check_non_negative(std::string_view fn, std::string_view what, double value) {
  if (!std::isfinite(value) || value < 0)
    ex::detail::fail("{}: invalid {} {} (must be finite and >= 0)", fn, what, value);
}

void check_keys(const SchedulerStateDict& dict, std::initializer_list<std::string_view> keys, std::string_view fn) {
  std::vector<std::string> missing, unexpected;
  for (std::string_view key : keys)
    if (!dict.contains(key)) missing.emplace_back(key);
  for (const auto& [key, values] : dict) {
    bool known = false;
    for (std::string_view k : keys) known = known || k == key;
    if (!known) unexpected.push_back(key);
  }
  if (!missing.empty() || !unexpected.empty())
    ex::detail::fail("{}: the state does not fit this scheduler: missing keys {}, unexpected keys {}", fn, missing,
                     unexpected);
}

std::int64_t whole_number(const SchedulerStateDict& dict, std::string_view key, std::int64_t min, std::string_view fn) {
  const std::vector<double>& values = find(dict, key, fn);
  if (values.size() != 1) ex::detail::fail("{}: \"{}\" must hold one number, got {}", fn, key, values.size());
  const double value = values[0];
  if (!(value >= static_cast<double>(min) && value <= kMaxExactInteger && value == std::floor(value)))
    ex::detail::fail("{}: \"{}\" must be a whole number >= {}, got {}", fn, key, min, value);
  return static_cast<std::int64_t>(value);
}

const std::vector<double>& rates(const SchedulerStateDict& dict, std::string_view key, std::size_t groups,
                                 std::string_view fn) {
  const std::vector<double>& values = find(dict, key, fn);
  if (values.size() != groups)
    ex::detail::fail("{}: \"{}\" has {} values, the optimizer has {} parameter groups", fn, key, values.size(), groups);
  for (double v : values)
    if (!std::isfinite(v) || v < 0) ex::detail::fail("{}: \"{}\" holds {} (rates must be finite and >= 0)", fn, key, v);
  return values;
}

}  // namespace ex::optim::detail
