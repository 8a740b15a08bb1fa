#pragma once
// padding kernels: pure compute, no tape. The public, documented forward op is ex::pad
// in extensor/autograd/ops/padding.hpp; its raw backward ex::pad_backward is public from
// here directly.

#include <cstdint>
#include <vector>

#include "extensor/core/shape.hpp"
#include "extensor/core/tensor.hpp"

namespace ex {

// How pad fills the new positions: Constant writes a value, Reflect mirrors the input
// about its edge elements (the edge itself not repeated), Replicate repeats the edge
// elements. PyTorch's "constant", "reflect" and "replicate".
enum class PadMode { Constant, Reflect, Replicate };

// Gradient of pad: grad has the padded shape, the result has input_shape and grad's
// dtype (floating). Each output position adds its gradient to the input position it
// was read from: nothing for constant fill, the edge for Replicate, the mirrored
// position for Reflect (so edges and reflected positions accumulate). pads and mode
// are validated as pad validates them for an input of input_shape; throws ex::Error
// starting with "pad_backward:" for an undefined or non-floating grad, a grad whose
// shape is not the padded shape, or invalid pads.
Tensor pad_backward(const Tensor& grad, const Shape& input_shape, const std::vector<std::int64_t>& pads,
                    PadMode mode = PadMode::Constant);

}  // namespace ex
