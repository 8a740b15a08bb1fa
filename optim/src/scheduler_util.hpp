#pragma once
// Private: what the learning-rate schedulers share: reading and setting the groups'
// rates, per-group arguments, argument checks and the checks of loaded state.

#include <cstdint>
#include <initializer_list>
#include <string_view>
#include <vector>

#include "extensor/optim/lr_scheduler.hpp"
#include "extensor/optim/optimizer.hpp"

namespace ex::optim::detail {

// a * b, rounded to a double on its own. PyTorch computes schedules in Python, rounding
// after every operation; under -march=native the compiler would fuse a product with the
// addition that follows (an FMA, one rounding), moving rates by a rounding and
// OneCycleLR's phase ends (which get_lr compares exactly) off PyTorch's. Products
// followed by an addition go through here.
inline double rounded_product(double a, double b) {
  const volatile double product = a * b;
  return product;
}

// Every group's learning rate, in order.
std::vector<double> group_lrs(const Optimizer& optimizer);
// Sets group i's learning rate to lrs[i]; lrs has one rate per group.
void set_group_lrs(Optimizer& optimizer, const std::vector<double>& lrs);

// One value per parameter group: values itself when it has one per group, or its only
// value repeated. Throws ex::Error "<fn>: expected 1 or <groups> values for <what> ...".
std::vector<double> per_group(const std::vector<double>& values, std::size_t groups, std::string_view fn,
                              std::string_view what);

// Throw ex::Error "<fn>: invalid <what> <value> (must be ...)" unless value is finite
// and > 0, or finite and >= 0.
void check_positive(std::string_view fn, std::string_view what, double value);
void check_non_negative(std::string_view fn, std::string_view what, double value);

// The checks of load_state_dict, each throwing ex::Error "<fn>: ...":
// dict has exactly the given keys (missing and unexpected ones are named);
void check_keys(const SchedulerStateDict& dict, std::initializer_list<std::string_view> keys, std::string_view fn);
// dict[key] is one whole number >= min (exact in a double), returned;
std::int64_t whole_number(const SchedulerStateDict& dict, std::string_view key, std::int64_t min, std::string_view fn);
// dict[key] has one finite rate >= 0 per parameter group, returned.
const std::vector<double>& rates(const SchedulerStateDict& dict, std::string_view key, std::size_t groups,
                                 std::string_view fn);

}  // namespace ex::optim::detail
