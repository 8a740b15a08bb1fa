#pragma once
// Public padding op, with PyTorch 1.13's semantics (torch.nn.functional.pad). The raw
// backward kernel ex::pad_backward and ex::PadMode are in
// extensor/core/kernels/padding.hpp.

#include <cstdint>
#include <vector>

#include "extensor/core/kernels/padding.hpp"

namespace ex {

// input padded by pads, given as PyTorch's F.pad gives them: (left, right) pairs starting
// from the last dim ({1, 2} pads the last dim by 1 before and 2 after; {1, 2, 3, 4} also
// the second-to-last by 3 and 4). Constant mode pads any number of trailing dims of any
// dtype with value (converted to input's dtype) and crops where a pad is negative.
// Reflect and Replicate pad 1, 2 or 3 trailing dims of a batched [N, C, ...] or
// unbatched [C, ...] input (so 2 or 3, 3 or 4, 4 or 5 dims) and ignore value; Reflect
// needs each pad smaller than its dim, Replicate a non-empty dim. The result has
// input's dtype and the padded shape (contiguous, never an alias of input).
// Differentiable in input (floating): each output position's gradient goes to the input
// position it read. Throws ex::Error starting with "pad:" for an undefined input, an
// odd number of pads, more pairs than dims, a mode-rank mismatch, a reflect pad not
// below its dim, a dim padded or cropped below 0, or a value that does not fit dtype.
Tensor pad(const Tensor& input, const std::vector<std::int64_t>& pads, PadMode mode = PadMode::Constant,
           double value = 0);

}  // namespace ex
