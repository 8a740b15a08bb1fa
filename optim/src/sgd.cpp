// SGD: options validation, step() and the state it keeps.

#include "extensor/optim/sgd.hpp"

#include <cmath>

#include "common/check.hpp"
#include "extensor/autograd/grad_mode.hpp"
#include "optim/src/adaptive_state.hpp"
#include "optim/src/sgd_kernel.hpp"

namespace ex::optim {

namespace {

constexpr std::string_view kMomentumBuffer = "momentum_buffer";

}  // namespace

void SGDOptions::visit_fields(OptionsVisitor& visitor) {
  visitor.field("lr", lr_);
  visitor.field("momentum", momentum_);
  visitor.field("dampening", dampening_);
  visitor.field("weight_decay", weight_decay_);
  visitor.field("nesterov", nesterov_);
  visitor.field("maximize", maximize_);
}

void SGDOptions::validate(std::string_view fn) const {
  detail::check_non_negative(fn, "learning rate", lr_);
  detail::check_non_negative(fn, "momentum", momentum_);
  detail::check_non_negative(fn, "weight_decay", weight_decay_);
  if (!std::isfinite(dampening_)) ex::detail::fail("{}: invalid dampening {} (must be finite)", fn, dampening_);
  if (nesterov_ && (momentum_ <= 0 || dampening_ != 0))
    ex::detail::fail("{}: nesterov momentum requires a momentum > 0 and zero dampening (got momentum {}, dampening {})",
                     fn, momentum_, dampening_);
}

SGD::SGD(std::vector<Tensor> params, const SGDOptions& options)
    : Optimizer(detail::single_group(std::move(params)), options.clone()) {}

SGD::SGD(std::vector<ParamGroup> groups, const SGDOptions& defaults) : Optimizer(std::move(groups), defaults.clone()) {}

void SGD::step() {
  NoGradGuard no_grad;
  for (const ParamGroup& group : param_groups()) {
    // add_param_group and load_state_dict guarantee the options' type.
    const auto& options = static_cast<const SGDOptions&>(*group.options);
    options.validate("step");
    for (const Tensor& param : group.params) {
      const Tensor grad = param.grad();
      if (!grad.defined()) continue;
      if (options.momentum() == 0) {
        detail::sgd_update(param, grad, Tensor(), detail::MomentumMode::kNone, options);
        continue;
      }
      ParamState& state = state_for(param);
      const auto found = state.find(kMomentumBuffer);
      if (found == state.end()) {
        const Tensor buffer = ex::detail::allocate(param.shape(), param.dtype(), "SGD::step");
        detail::sgd_update(param, grad, buffer, detail::MomentumMode::kInit, options);
        state.emplace(kMomentumBuffer, buffer);
      } else {
        detail::sgd_update(param, grad, found->second, detail::MomentumMode::kUpdate, options);
      }
    }
  }
}

void SGD::check_loaded_state(const Tensor& param, std::int64_t number, const ParamState& state) const {
  for (const auto& [name, tensor] : state) {
    if (name != kMomentumBuffer)
      ex::detail::fail("load_state_dict: parameter {} has state \"{}\", SGD keeps only \"{}\"", number, name,
                       kMomentumBuffer);
    if (tensor.shape() != param.shape() || tensor.dtype() != param.dtype())
      ex::detail::fail(
          "load_state_dict: momentum buffer of shape {} and dtype {} for parameter {} of shape {} and "
          "dtype {}",
          tensor.shape(), tensor.dtype(), number, param.shape(), param.dtype());
  }
}

}  // namespace ex::optim
