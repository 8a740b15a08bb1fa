#pragma once
// The raw backward of indexing (no tape). The public ops are in
// extensor/autograd/ops/indexing.hpp.

#include <vector>

#include "extensor/core/indexing.hpp"
#include "extensor/core/tensor.hpp"

namespace ex {

// Gradient of ex::index(x, indices) for x of input_shape: a new contiguous tensor of
// input_shape and grad's dtype (any dtype), zero except where the indices read, which
// get grad's elements; a position read several times (repeated integer indices) gets
// their sum. grad must have the shape ex::index gives. Throws ex::Error
// "index_backward: ..." for an undefined grad, a grad of another shape, and every bad
// index ex::index throws for.
Tensor index_backward(const Tensor& grad, const Shape& input_shape, const std::vector<TensorIndex>& indices);

}  // namespace ex
