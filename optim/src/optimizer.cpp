// Optimizer: parameter groups, their validation, per-parameter state and state_dict.

#include "extensor/optim/optimizer.hpp"

#include <typeinfo>
#include <unordered_set>

#include "common/check.hpp"
#include "extensor/autograd/grad_mode.hpp"
#include "extensor/autograd/ops/arithmetic.hpp"

namespace ex::optim {

namespace {

bool is_expanded(const Tensor& t) {
  for (std::int64_t d = 0; d < t.dim(); ++d)
    if (t.shape()[d] > 1 && t.strides()[d] == 0) return true;
  return false;
}

// Why param cannot be optimized, or nullptr if it can.
const char* param_problem(const Tensor& param) {
  if (!is_floating(param.dtype())) return "is not floating (only floating tensors can be optimized)";
  if (!param.is_leaf()) return "is not a leaf (it is the result of a recorded op; optimize the tensor it came from)";
  if (!param.requires_grad()) return "does not require grad (call requires_grad_() first)";
  if (is_expanded(param))
    return "is an expanded view (several elements share memory; updating it in place is ambiguous)";
  return nullptr;
}

void check_options_type(const OptimizerOptions& options, const OptimizerOptions& defaults, std::string_view fn,
                        std::size_t group) {
  if (typeid(options) != typeid(defaults))
    detail::fail("{}: group {} has options of {}, this optimizer takes options of {}", fn, group, options.name(),
                 defaults.name());
}

}  // namespace

void OptimizerOptions::set_cycled_momentum(double) { detail::fail("set_cycled_momentum: {} has no momentum", name()); }

void OptimizerOptions::visit_fields(OptionsVisitor& visitor) {
  double rate = lr();
  visitor.field("lr", rate);
  set_lr(rate);
}

Optimizer::Optimizer(std::vector<ParamGroup> groups, std::unique_ptr<OptimizerOptions> defaults)
    : defaults_(std::move(defaults)) {
  const std::string_view fn = defaults_->name();
  defaults_->validate(fn);
  if (groups.empty()) detail::fail("{}: got an empty parameter list", fn);
  for (ParamGroup& group : groups) add_group(std::move(group), fn);
}

void Optimizer::add_param_group(ParamGroup group) { add_group(std::move(group), "add_param_group"); }

void Optimizer::add_group(ParamGroup group, std::string_view fn) {
  const std::size_t group_index = groups_.size();
  // defaults() is mutable, so a copy of it is validated like options of the group's own.
  if (!group.options) group.options = defaults_->clone();
  check_options_type(*group.options, *defaults_, fn, group_index);
  group.options->validate(fn);
  std::unordered_set<const TensorImpl*> seen;
  for (const ParamGroup& existing : groups_)
    for (const Tensor& p : existing.params) seen.insert(p.unsafe_impl());
  for (std::size_t i = 0; i < group.params.size(); ++i) {
    const Tensor& param = group.params[i];
    if (!param.defined()) detail::fail("{}: parameter {} of group {} is undefined", fn, i, group_index);
    if (const char* problem = param_problem(param))
      detail::fail("{}: parameter {} of group {} (shape {}, dtype {}) {}", fn, i, group_index, param.shape(),
                   param.dtype(), problem);
    if (!seen.insert(param.unsafe_impl()).second)
      detail::fail("{}: parameter {} of group {} (shape {}) appears more than once among the parameter groups", fn, i,
                   group_index, param.shape());
  }
  groups_.push_back(std::move(group));
}

void Optimizer::zero_grad(bool set_to_none) {
  NoGradGuard no_grad;
  for (const ParamGroup& group : groups_) {
    for (const Tensor& param : group.params) {
      const Tensor grad = param.grad();
      if (!grad.defined()) continue;
      if (set_to_none) {
        param.set_grad(Tensor());
      } else {
        zero_(grad.detach());
        // A gradient computed with a graph (create_graph) leaves it, like PyTorch's detach_().
        if (grad.requires_grad()) param.set_grad(grad.detach());
      }
    }
  }
}

const ParamState* Optimizer::find_state(const Tensor& param) const {
  const auto it = state_.find(param.impl_ptr());
  return it == state_.end() ? nullptr : &it->second;
}

ParamState& Optimizer::state_for(const Tensor& param) { return state_[param.impl_ptr()]; }

void Optimizer::check_loaded_state(const Tensor&, std::int64_t, const ParamState&) const {}

Tensor Optimizer::loaded_state(const Tensor& param, std::int64_t, std::string_view, const Tensor& saved) const {
  // Like PyTorch, floating state follows the parameter's dtype; other state ("step"
  // counters) keeps its own.
  const bool convert = is_floating(saved.dtype()) && saved.dtype() != param.dtype();
  return convert ? saved.to(param.dtype()) : saved.clone();
}

OptimizerStateDict Optimizer::state_dict() const {
  OptimizerStateDict dict;
  std::int64_t number = 0;
  for (const ParamGroup& group : groups_) {
    OptimizerStateDict::Group& saved = dict.param_groups.emplace_back();
    saved.options = group.options->clone();
    for (const Tensor& param : group.params) {
      saved.params.push_back(number);
      if (const ParamState* state = find_state(param)) {
        ParamState& copy = dict.state[number];
        for (const auto& [name, tensor] : *state) copy.emplace(name, tensor.clone());
      }
      ++number;
    }
  }
  return dict;
}

void Optimizer::load_state_dict(const OptimizerStateDict& dict) {
  constexpr std::string_view fn = "load_state_dict";
  if (dict.param_groups.size() != groups_.size())
    detail::fail("{}: the state dict has {} parameter groups, the optimizer {}", fn, dict.param_groups.size(),
                 groups_.size());
  // Validate everything first, building the new state and options aside, so a failure
  // leaves the optimizer as it was.
  std::vector<const Tensor*> params_by_number;
  std::vector<std::unique_ptr<OptimizerOptions>> options;
  for (std::size_t g = 0; g < groups_.size(); ++g) {
    const OptimizerStateDict::Group& saved = dict.param_groups[g];
    const std::vector<Tensor>& params = groups_[g].params;
    if (saved.params.size() != params.size())
      detail::fail("{}: group {} of the state dict has {} parameters, the optimizer's has {}", fn, g,
                   saved.params.size(), params.size());
    for (std::size_t i = 0; i < params.size(); ++i) {
      const auto expected = static_cast<std::int64_t>(params_by_number.size());
      if (saved.params[i] != expected)
        detail::fail("{}: parameter {} of group {} is numbered {} in the state dict, expected {}", fn, i, g,
                     saved.params[i], expected);
      params_by_number.push_back(&params[i]);
    }
    if (!saved.options) detail::fail("{}: group {} of the state dict has no options", fn, g);
    check_options_type(*saved.options, *defaults_, fn, g);
    saved.options->validate(fn);
    options.push_back(saved.options->clone());
  }
  std::unordered_map<std::shared_ptr<TensorImpl>, ParamState> state;
  for (const auto& [number, saved] : dict.state) {
    if (number < 0 || number >= static_cast<std::int64_t>(params_by_number.size()))
      detail::fail("{}: the state dict has state for parameter {}, the optimizer has {} parameters", fn, number,
                   params_by_number.size());
    const Tensor& param = *params_by_number[static_cast<std::size_t>(number)];
    ParamState copy;
    for (const auto& [name, tensor] : saved) {
      if (!tensor.defined()) detail::fail("{}: state \"{}\" of parameter {} is undefined", fn, name, number);
      copy.emplace(name, loaded_state(param, number, name, tensor));
    }
    check_loaded_state(param, number, copy);
    state.emplace(param.impl_ptr(), std::move(copy));
  }
  for (std::size_t g = 0; g < groups_.size(); ++g) groups_[g].options = std::move(options[g]);
  state_ = std::move(state);
}

}  // namespace ex::optim
