#pragma once
// shape kernels: pure compute, no tape. The public ops in extensor/autograd/ops/shape.hpp
// document each one; these are the same functions without autograd.

#include <cstdint>
#include <vector>

#include "extensor/core/tensor.hpp"

namespace ex::kernels {

// ---- views (share storage with the input) ----
Tensor reshape(const Tensor& t, const Shape& shape);
Tensor flatten(const Tensor& t, std::int64_t start_axis = 0, std::int64_t end_axis = -1);
Tensor squeeze(const Tensor& t);
Tensor squeeze(const Tensor& t, std::int64_t axis);
Tensor unsqueeze(const Tensor& t, std::int64_t axis);
Tensor transpose(const Tensor& t, std::int64_t axis0, std::int64_t axis1);
Tensor transpose(const Tensor& t);
Tensor permute(const Tensor& t, const std::vector<std::int64_t>& dims);
Tensor slice(const Tensor& t, std::int64_t axis, std::int64_t start, std::int64_t stop, std::int64_t step = 1);
Tensor broadcast_to(const Tensor& t, const Shape& shape);
std::vector<Tensor> split(const Tensor& t, const std::vector<std::int64_t>& sizes, std::int64_t axis = 0);
std::vector<Tensor> split(const Tensor& t, std::int64_t sections, std::int64_t axis = 0);

// ---- copies (new contiguous storage) ----
Tensor concatenate(const std::vector<Tensor>& tensors, std::int64_t axis = 0);
Tensor stack(const std::vector<Tensor>& tensors, std::int64_t axis = 0);

}  // namespace ex::kernels
