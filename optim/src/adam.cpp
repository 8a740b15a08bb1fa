// Adam and AdamW: options validation, step() and the state they keep.

#include "extensor/optim/adam.hpp"

#include "extensor/autograd/grad_mode.hpp"
#include "optim/src/adaptive_kernels.hpp"
#include "optim/src/adaptive_state.hpp"

namespace ex::optim {

namespace {

constexpr std::string_view kExpAvg = "exp_avg";
constexpr std::string_view kExpAvgSq = "exp_avg_sq";
constexpr std::string_view kMaxExpAvgSq = "max_exp_avg_sq";

// One parameter's step; decoupled selects AdamW's weight decay.
template <class Options>
void adam_param_step(const Tensor& param, const Tensor& grad, const Options& o, ParamState& state, bool decoupled) {
  constexpr const char* fn = "step";
  const Tensor& counter = detail::step_counter(state);
  const Tensor& exp_avg = detail::state_tensor(state, kExpAvg, param, 0, fn);
  const Tensor& exp_avg_sq = detail::state_tensor(state, kExpAvgSq, param, 0, fn);
  const Tensor max_exp_avg_sq = o.amsgrad() ? detail::state_tensor(state, kMaxExpAvgSq, param, 0, fn) : Tensor();
  const auto [beta1, beta2] = o.betas();
  detail::adam_update(param, grad, exp_avg, exp_avg_sq, max_exp_avg_sq,
                      {o.lr(), beta1, beta2, o.eps(), o.weight_decay(), o.amsgrad(), o.maximize(), decoupled,
                       detail::count(counter) + 1});
  detail::advance(counter);
}

void check_adam_state(std::string_view optimizer, const Tensor& param, std::int64_t number, const ParamState& state) {
  detail::check_adaptive_state(optimizer, param, number, state, {kExpAvg, kExpAvgSq}, {kMaxExpAvgSq});
}

}  // namespace

template <class Self>
void AdamOptionsBase<Self>::validate(std::string_view fn) const {
  detail::check_non_negative(fn, "learning rate", lr_);
  detail::check_non_negative(fn, "eps", eps_);
  detail::check_below_one(fn, "beta1", std::get<0>(betas_));
  detail::check_below_one(fn, "beta2", std::get<1>(betas_));
  detail::check_non_negative(fn, "weight_decay", weight_decay_);
}

template <class Self>
void AdamOptionsBase<Self>::visit_fields(OptionsVisitor& visitor) {
  visitor.field("lr", lr_);
  visitor.field("betas.0", std::get<0>(betas_));
  visitor.field("betas.1", std::get<1>(betas_));
  visitor.field("eps", eps_);
  visitor.field("weight_decay", weight_decay_);
  visitor.field("amsgrad", amsgrad_);
  visitor.field("maximize", maximize_);
}

template class AdamOptionsBase<AdamOptions>;
template class AdamOptionsBase<AdamWOptions>;

Adam::Adam(std::vector<Tensor> params, const AdamOptions& options)
    : Optimizer(detail::single_group(std::move(params)), options.clone()) {}

Adam::Adam(std::vector<ParamGroup> groups, const AdamOptions& defaults)
    : Optimizer(std::move(groups), defaults.clone()) {}

void Adam::step() {
  NoGradGuard no_grad;
  for_each_gradient<AdamOptions>([](const Tensor& param, const Tensor& grad, const AdamOptions& o, ParamState& state) {
    adam_param_step(param, grad, o, state, /*decoupled=*/false);
  });
}

Tensor Adam::loaded_state(const Tensor& param, std::int64_t number, std::string_view name, const Tensor& saved) const {
  return detail::loaded_adaptive_state(param, number, name, saved);
}

void Adam::check_loaded_state(const Tensor& param, std::int64_t number, const ParamState& state) const {
  check_adam_state("Adam", param, number, state);
}

AdamW::AdamW(std::vector<Tensor> params, const AdamWOptions& options)
    : Optimizer(detail::single_group(std::move(params)), options.clone()) {}

AdamW::AdamW(std::vector<ParamGroup> groups, const AdamWOptions& defaults)
    : Optimizer(std::move(groups), defaults.clone()) {}

void AdamW::step() {
  NoGradGuard no_grad;
  for_each_gradient<AdamWOptions>(
      [](const Tensor& param, const Tensor& grad, const AdamWOptions& o, ParamState& state) {
        adam_param_step(param, grad, o, state, /*decoupled=*/true);
      });
}

Tensor AdamW::loaded_state(const Tensor& param, std::int64_t number, std::string_view name, const Tensor& saved) const {
  return detail::loaded_adaptive_state(param, number, name, saved);
}

void AdamW::check_loaded_state(const Tensor& param, std::int64_t number, const ParamState& state) const {
  check_adam_state("AdamW", param, number, state);
}

}  // namespace ex::optim
