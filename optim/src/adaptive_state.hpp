#pragma once
// Private: what the adaptive optimizers (Adam, AdamW, RMSprop, Adagrad) share: option
// checks, the per-parameter "step" counter, state tensors kept in float32 for
// half-precision parameters, and the checks of loaded state.

#include <cstdint>
#include <initializer_list>
#include <string_view>
#include <vector>

#include "extensor/core/tensor.hpp"
#include "extensor/optim/optimizer.hpp"

namespace ex::optim::detail {

// Throws ex::Error "<fn>: invalid <what> <value> (must be finite and >= 0)".
void check_non_negative(std::string_view fn, const char* what, double value);
// Throws ex::Error "<fn>: invalid <what> <value> (must be in [0, 1))".
void check_below_one(std::string_view fn, const char* what, double value);

// One group holding params; no group for an empty list, which the Optimizer constructor
// then rejects by name.
std::vector<ParamGroup> single_group(std::vector<Tensor> params);

// The dtype of a parameter's running averages: float32 for float16 and bfloat16
// parameters (their 8 or 11 bits would lose most of an average's precision), the
// parameter's own dtype otherwise.
DType state_dtype(DType param);

// The parameter's "step" counter in state: a rank-0 int64 tensor, created at 0. A step()
// reads it, updates the parameter with count + 1, then calls advance(counter), so a
// step that throws leaves the count as it was.
const Tensor& step_counter(ParamState& state);
std::int64_t count(const Tensor& counter);
void advance(const Tensor& counter);

// State `name` of param: created, contiguous with param's shape, dtype state_dtype and
// every element `initial`, when state has none. Throws ex::Error "<fn>: ..." when the
// allocation fails.
const Tensor& state_tensor(ParamState& state, std::string_view name, const Tensor& param, double initial,
                           const char* fn);

// Optimizer::loaded_state of the adaptive optimizers: "step" must hold one element, a
// finite non-negative integer of any real dtype, and becomes a rank-0 int64 tensor
// (PyTorch saves a float32 one); floating tensors become state_dtype(param); others are
// cloned. Throws ex::Error "load_state_dict: ..." naming the parameter and the value.
Tensor loaded_adaptive_state(const Tensor& param, std::int64_t number, std::string_view name, const Tensor& saved);

// Optimizer::check_loaded_state of the adaptive optimizers: state must hold "step" and
// every name in `required`, may hold names in `optional`, nothing else; each tensor of
// param's shape and state_dtype. Throws ex::Error "load_state_dict: ..." naming the
// optimizer, parameter, state and the shapes and dtypes.
void check_adaptive_state(std::string_view optimizer, const Tensor& param, std::int64_t number, const ParamState& state,
                          std::initializer_list<std::string_view> required,
                          std::initializer_list<std::string_view> optional);

// Throws ex::Error "step: ..." unless param has a floating dtype and grad and every
// state tensor param's shape (grad also its dtype; states state_dtype), so a kernel can
// run over them. Returns grad, or a copy of it when it shares the storage of param or of
// a state (the kernels read and write through pointers that must not overlap).
Tensor checked_update_operands(std::string_view optimizer, const Tensor& param, const Tensor& grad,
                               const std::vector<const Tensor*>& states);

}  // namespace ex::optim::detail
