// The adaptive optimizers' shared checks and state handling.

#include "optim/src/adaptive_state.hpp"

#include <algorithm>
#include <cmath>

#include "common/check.hpp"
#include "extensor/core/creation.hpp"

namespace ex::optim::detail {

namespace {

constexpr std::string_view kStep = "step";

bool contains(std::initializer_list<std::string_view> names, std::string_view name) {
  return std::find(names.begin(), names.end(), name) != names.end();
}

}  // namespace

void check_non_negative(std::string_view fn, const char* what, double value) {
  if (!std::isfinite(value) || value < 0)
    ex::detail::fail("{}: invalid {} {} (must be finite and >= 0)", fn, what, value);
}

void check_below_one(std::string_view fn, const char* what, double value) {
  if (!(value >= 0 && value < 1)) ex::detail::fail("{}: invalid {} {} (must be in [0, 1))", fn, what, value);
}

std::vector<ParamGroup> single_group(std::vector<Tensor> params) {
  std::vector<ParamGroup> groups;
  if (!params.empty()) groups.emplace_back(std::move(params));
  return groups;
}

DType state_dtype(DType param) { return param == DType::Float16 || param == DType::BFloat16 ? DType::Float32 : param; }

const Tensor& step_counter(ParamState& state) {
  auto found = state.find(kStep);
  if (found == state.end()) found = state.emplace(kStep, scalar_tensor(0, DType::Int64)).first;
  return found->second;
}

std::int64_t count(const Tensor& counter) { return *counter.data<std::int64_t>(); }

void advance(const Tensor& counter) {
  ++*counter.data<std::int64_t>();
  counter.storage()->bump_version();
}

const Tensor& state_tensor(ParamState& state, std::string_view name, const Tensor& param, double initial,
                           const char* fn) {
  auto found = state.find(name);
  if (found == state.end()) {
    Tensor created = ex::detail::allocate(param.shape(), state_dtype(param.dtype()), fn);
    created.fill_(initial);
    found = state.emplace(name, std::move(created)).first;
  }
  return found->second;
}

Tensor loaded_adaptive_state(const Tensor& param, std::int64_t number, std::string_view name, const Tensor& saved) {
  if (name != kStep) {
    const DType dtype = state_dtype(param.dtype());
    return is_floating(saved.dtype()) && saved.dtype() != dtype ? saved.to(dtype) : saved.clone();
  }
  if (saved.numel() != 1 || saved.dtype() == DType::Bool)
    ex::detail::fail("load_state_dict: \"step\" of parameter {} has shape {} and dtype {}, expected one number", number,
                     saved.shape(), saved.dtype());
  const double count = saved.item<double>();
  // Counts above 2^53 would not survive the round trip through double exactly.
  if (!(count >= 0 && count <= 9007199254740992.0 && std::floor(count) == count))
    ex::detail::fail("load_state_dict: \"step\" of parameter {} is {}, expected a non-negative integer", number, count);
  return scalar_tensor(count, DType::Int64);
}

void check_adaptive_state(std::string_view optimizer, const Tensor& param, std::int64_t number, const ParamState& state,
                          std::initializer_list<std::string_view> required,
                          std::initializer_list<std::string_view> optional) {
  const DType dtype = state_dtype(param.dtype());
  for (const auto& [name, tensor] : state) {
    if (name == kStep) continue;  // loaded_adaptive_state made it a rank-0 int64 count
    if (!contains(required, name) && !contains(optional, name))
      ex::detail::fail("load_state_dict: parameter {} has state \"{}\", which {} does not keep", number, name,
                       optimizer);
    if (tensor.shape() != param.shape() || tensor.dtype() != dtype)
      ex::detail::fail(
          "load_state_dict: state \"{}\" of shape {} and dtype {} for parameter {} of shape {} and dtype {} "
          "({} keeps it in {})",
          name, tensor.shape(), tensor.dtype(), number, param.shape(), param.dtype(), optimizer, dtype);
  }
  if (!state.contains(kStep))
    ex::detail::fail("load_state_dict: parameter {} has state but no \"step\" ({} needs it)", number, optimizer);
  for (std::string_view name : required)
    if (!state.contains(name))
      ex::detail::fail("load_state_dict: parameter {} has no state \"{}\" ({} needs it)", number, name, optimizer);
}

Tensor checked_update_operands(std::string_view optimizer, const Tensor& param, const Tensor& grad,
                               const std::vector<const Tensor*>& states) {
  if (!is_floating(param.dtype()))
    ex::detail::fail("step: parameter of shape {} has dtype {}, {} updates floating tensors only", param.shape(),
                     param.dtype(), optimizer);
  if (grad.shape() != param.shape() || grad.dtype() != param.dtype())
    ex::detail::fail("step: gradient of shape {} and dtype {} for a parameter of shape {} and dtype {}", grad.shape(),
                     grad.dtype(), param.shape(), param.dtype());
  const DType dtype = state_dtype(param.dtype());
  for (const Tensor* state : states) {
    if (!state->defined())
      ex::detail::fail("step: {} state for a parameter of shape {} is undefined", optimizer, param.shape());
    if (state->shape() != param.shape() || state->dtype() != dtype)
      ex::detail::fail("step: {} state of shape {} and dtype {} for a parameter of shape {} and dtype {}", optimizer,
                       state->shape(), state->dtype(), param.shape(), param.dtype());
  }
  bool shared = grad.storage() == param.storage();
  for (const Tensor* state : states) shared = shared || grad.storage() == state->storage();
  return shared ? grad.clone() : grad;
}

}  // namespace ex::optim::detail
