// Adagrad: options validation, step() and the state it keeps.

#include "extensor/optim/adagrad.hpp"

#include "extensor/autograd/grad_mode.hpp"
#include "optim/src/adaptive_kernels.hpp"
#include "optim/src/adaptive_state.hpp"

namespace ex::optim {

namespace {

constexpr std::string_view kSum = "sum";

// param's sum of squares, created full of o's initial_accumulator_value.
const Tensor& sum_of_squares(ParamState& state, const Tensor& param, const AdagradOptions& o, const char* fn) {
  return detail::state_tensor(state, kSum, param, o.initial_accumulator_value(), fn);
}

}  // namespace

void AdagradOptions::visit_fields(OptionsVisitor& visitor) {
  visitor.field("lr", lr_);
  visitor.field("lr_decay", lr_decay_);
  visitor.field("weight_decay", weight_decay_);
  visitor.field("initial_accumulator_value", initial_accumulator_value_);
  visitor.field("eps", eps_);
  visitor.field("maximize", maximize_);
}

void AdagradOptions::validate(std::string_view fn) const {
  detail::check_non_negative(fn, "learning rate", lr_);
  detail::check_non_negative(fn, "lr_decay", lr_decay_);
  detail::check_non_negative(fn, "weight_decay", weight_decay_);
  detail::check_non_negative(fn, "initial_accumulator_value", initial_accumulator_value_);
  detail::check_non_negative(fn, "eps", eps_);
}

Adagrad::Adagrad(std::vector<Tensor> params, const AdagradOptions& options)
    : Optimizer(detail::single_group(std::move(params)), options.clone()) {
  initialize_state();
}

Adagrad::Adagrad(std::vector<ParamGroup> groups, const AdagradOptions& defaults)
    : Optimizer(std::move(groups), defaults.clone()) {
  initialize_state();
}

void Adagrad::initialize_state() {
  // PyTorch fills every sum with the constructor's value, whatever a group's own says.
  const auto& options = static_cast<const AdagradOptions&>(defaults());
  for (const ParamGroup& group : param_groups()) {
    for (const Tensor& param : group.params) {
      ParamState& state = state_for(param);
      detail::step_counter(state);
      sum_of_squares(state, param, options, "Adagrad");
    }
  }
}

void Adagrad::step() {
  NoGradGuard no_grad;
  for_each_gradient<AdagradOptions>([](const Tensor& param, const Tensor& grad, const AdagradOptions& o,
                                       ParamState& state) {
    const Tensor& counter = detail::step_counter(state);
    const Tensor& sum = sum_of_squares(state, param, o, "step");
    detail::adagrad_update(param, grad, sum,
                           {o.lr(), o.lr_decay(), o.weight_decay(), o.eps(), o.maximize(), detail::count(counter) + 1});
    detail::advance(counter);
  });
}

Tensor Adagrad::loaded_state(const Tensor& param, std::int64_t number, std::string_view name,
                             const Tensor& saved) const {
  return detail::loaded_adaptive_state(param, number, name, saved);
}

void Adagrad::check_loaded_state(const Tensor& param, std::int64_t number, const ParamState& state) const {
  detail::check_adaptive_state("Adagrad", param, number, state, {kSum}, {});
}

}  // namespace ex::optim
