// Public shape ops: thin calls into ex::kernels (autograd records here once it lands).
#include "extensor/autograd/ops/shape.hpp"

namespace ex {

Tensor reshape(const Tensor& t, const Shape& shape) { return kernels::reshape(t, shape); }
Tensor flatten(const Tensor& t, std::int64_t start_axis, std::int64_t end_axis) {
  return kernels::flatten(t, start_axis, end_axis);
}
Tensor squeeze(const Tensor& t) { return kernels::squeeze(t); }
Tensor squeeze(const Tensor& t, std::int64_t axis) { return kernels::squeeze(t, axis); }
Tensor unsqueeze(const Tensor& t, std::int64_t axis) { return kernels::unsqueeze(t, axis); }
Tensor transpose(const Tensor& t, std::int64_t axis0, std::int64_t axis1) {
  return kernels::transpose(t, axis0, axis1);
}
Tensor transpose(const Tensor& t) { return kernels::transpose(t); }
Tensor permute(const Tensor& t, const std::vector<std::int64_t>& dims) { return kernels::permute(t, dims); }
Tensor slice(const Tensor& t, std::int64_t axis, std::int64_t start, std::int64_t stop, std::int64_t step) {
  return kernels::slice(t, axis, start, stop, step);
}
Tensor broadcast_to(const Tensor& t, const Shape& shape) { return kernels::broadcast_to(t, shape); }
std::vector<Tensor> split(const Tensor& t, const std::vector<std::int64_t>& sizes, std::int64_t axis) {
  return kernels::split(t, sizes, axis);
}
std::vector<Tensor> split(const Tensor& t, std::int64_t sections, std::int64_t axis) {
  return kernels::split(t, sections, axis);
}
Tensor concatenate(const std::vector<Tensor>& tensors, std::int64_t axis) {
  return kernels::concatenate(tensors, axis);
}
Tensor stack(const std::vector<Tensor>& tensors, std::int64_t axis) { return kernels::stack(tensors, axis); }

}  // namespace ex
