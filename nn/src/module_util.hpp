#pragma once
// Private helpers of the convolutional-family modules: the input check the 2-D modules
// (Conv2d, pooling, padding, Dropout2d) share, and Python's spelling of a bool for
// extra_repr.

#include "common/check.hpp"

namespace ex::detail {

// Throws ex::Error "<module>: expected a 3-D [C, H, W] or 4-D [N, C, H, W] input, got
// shape [...]" unless input is defined with rank 3 or 4.
inline void check_2d_input(const char* module, const Tensor& input) {
  if (!input.defined()) fail("{}: the input is undefined", module);
  if (input.dim() != 3 && input.dim() != 4)
    fail("{}: expected a 3-D [C, H, W] or 4-D [N, C, H, W] input, got shape {}", module, input.shape());
}

// "True" or "False", as PyTorch prints them in extra_repr.
inline const char* python_bool(bool b) noexcept { return b ? "True" : "False"; }

}  // namespace ex::detail
