#pragma once
// ex::nn::utils: gradient clipping, like torch::nn::utils (PyTorch 1.13). Both functions
// scale or clamp the gradients of the given parameters in place (grad() of each, any
// strides), without recording on the tape, and skip parameters whose grad() is
// undefined. Pass model->parameters(), a braced list {w, b} or one tensor.

#include <vector>

#include "extensor/core/tensor.hpp"

namespace ex::nn::utils {

// Scales the gradients so that their total norm is at most max_norm and returns the
// total norm before scaling (a double, as libtorch's C++ API; 0 without gradients). The
// total is the norm_type-norm of all gradients together, as if concatenated: the norm of
// the vector of each gradient's norm. norm_type may be any value > 0, or infinity for
// the largest |element|. Every gradient is multiplied by clip_coef = min(max_norm /
// (total + 1e-6), 1) computed as PyTorch does (1 / (total + 1e-6) * max_norm, in the
// gradients' dtype), so gradients within the bound are multiplied by 1. float64
// gradients are handled in float64, the others in float32 (PyTorch computes float16 and
// bfloat16 norms in their own dtype). With error_if_nonfinite a nan or infinite total
// throws instead, before any gradient changes; without it such a total scales the
// gradients to 0 or nan, as in PyTorch. Throws ex::Error "clip_grad_norm_: ..." for a
// max_norm that is nan or < 0, a norm_type that is nan or <= 0 (PyTorch also accepts 0
// and negative orders, which are not norms), an undefined parameter, gradients of
// different dtypes or non-floating ones, and an expanded (stride 0) gradient, which
// cannot be scaled in place; nothing changes then.
double clip_grad_norm_(const std::vector<Tensor>& parameters, double max_norm, double norm_type = 2.0,
                       bool error_if_nonfinite = false);
// The same for one parameter.
double clip_grad_norm_(const Tensor& parameter, double max_norm, double norm_type = 2.0,
                       bool error_if_nonfinite = false);

// Clamps every gradient element to [-clip_value, clip_value]; nan elements stay nan.
// Gradients may have different floating dtypes. Throws ex::Error "clip_grad_value_: ..."
// for a clip_value that is nan or < 0, an undefined parameter, a non-floating or expanded
// gradient; nothing changes then.
void clip_grad_value_(const std::vector<Tensor>& parameters, double clip_value);
// The same for one parameter.
void clip_grad_value_(const Tensor& parameter, double clip_value);

}  // namespace ex::nn::utils
