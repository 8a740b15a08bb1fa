// RMSprop: options validation, step() and the state it keeps.

#include "extensor/optim/rmsprop.hpp"

#include "extensor/autograd/grad_mode.hpp"
#include "optim/src/adaptive_kernels.hpp"
#include "optim/src/adaptive_state.hpp"

namespace ex::optim {

namespace {

constexpr std::string_view kSquareAvg = "square_avg";
constexpr std::string_view kMomentumBuffer = "momentum_buffer";
constexpr std::string_view kGradAvg = "grad_avg";

}  // namespace

void RMSpropOptions::visit_fields(OptionsVisitor& visitor) {
  visitor.field("lr", lr_);
  visitor.field("alpha", alpha_);
  visitor.field("eps", eps_);
  visitor.field("weight_decay", weight_decay_);
  visitor.field("momentum", momentum_);
  visitor.field("centered", centered_);
  visitor.field("maximize", maximize_);
}

void RMSpropOptions::validate(std::string_view fn) const {
  detail::check_non_negative(fn, "learning rate", lr_);
  detail::check_non_negative(fn, "alpha", alpha_);
  detail::check_non_negative(fn, "eps", eps_);
  detail::check_non_negative(fn, "weight_decay", weight_decay_);
  detail::check_non_negative(fn, "momentum", momentum_);
}

RMSprop::RMSprop(std::vector<Tensor> params, const RMSpropOptions& options)
    : Optimizer(detail::single_group(std::move(params)), options.clone()) {}

RMSprop::RMSprop(std::vector<ParamGroup> groups, const RMSpropOptions& defaults)
    : Optimizer(std::move(groups), defaults.clone()) {}

void RMSprop::step() {
  NoGradGuard no_grad;
  for_each_gradient<RMSpropOptions>([](const Tensor& param, const Tensor& grad, const RMSpropOptions& o,
                                       ParamState& state) {
    constexpr const char* fn = "step";
    const Tensor& counter = detail::step_counter(state);
    const Tensor& square_avg = detail::state_tensor(state, kSquareAvg, param, 0, fn);
    const Tensor buffer = o.momentum() > 0 ? detail::state_tensor(state, kMomentumBuffer, param, 0, fn) : Tensor();
    const Tensor grad_avg = o.centered() ? detail::state_tensor(state, kGradAvg, param, 0, fn) : Tensor();
    detail::rmsprop_update(param, grad, square_avg, buffer, grad_avg,
                           {o.lr(), o.alpha(), o.eps(), o.weight_decay(), o.momentum(), o.centered(), o.maximize()});
    detail::advance(counter);
  });
}

Tensor RMSprop::loaded_state(const Tensor& param, std::int64_t number, std::string_view name,
                             const Tensor& saved) const {
  return detail::loaded_adaptive_state(param, number, name, saved);
}

void RMSprop::check_loaded_state(const Tensor& param, std::int64_t number, const ParamState& state) const {
  detail::check_adaptive_state("RMSprop", param, number, state, {kSquareAvg}, {kMomentumBuffer, kGradAvg});
}

}  // namespace ex::optim
