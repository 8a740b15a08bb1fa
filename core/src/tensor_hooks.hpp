#pragma once
// Private: how Tensor's view and copy members reach the autograd layer without core
// depending on it. A member whose tensor carries autograd state asks the installed hooks
// first; an undefined result means "nothing to record", and the member does the plain
// operation. The autograd layer installs its hooks when it first gives a tensor
// autograd state, so a tensor that has state always finds them.

#include <vector>

#include "extensor/core/tensor.hpp"

namespace ex::detail {

class TensorMethodHooks {
 public:
  virtual ~TensorMethodHooks() = default;
  virtual Tensor view(const Tensor& self, const Shape& shape) const = 0;
  virtual Tensor reshape(const Tensor& self, const Shape& shape) const = 0;
  virtual Tensor transpose(const Tensor& self, std::int64_t axis0, std::int64_t axis1) const = 0;
  virtual Tensor permute(const Tensor& self, const std::vector<std::int64_t>& dims) const = 0;
  virtual Tensor squeeze(const Tensor& self) const = 0;
  virtual Tensor squeeze(const Tensor& self, std::int64_t axis) const = 0;
  virtual Tensor unsqueeze(const Tensor& self, std::int64_t axis) const = 0;
  virtual Tensor slice(const Tensor& self, std::int64_t axis, std::int64_t start, std::int64_t stop,
                       std::int64_t step) const = 0;
  virtual Tensor expand(const Tensor& self, const Shape& shape) const = 0;
  virtual Tensor broadcast_to(const Tensor& self, const Shape& shape) const = 0;
  virtual Tensor flatten(const Tensor& self, std::int64_t start_axis, std::int64_t end_axis) const = 0;
  virtual Tensor clone(const Tensor& self) const = 0;
  virtual Tensor to(const Tensor& self, DType dtype) const = 0;
};

void install_tensor_method_hooks(const TensorMethodHooks* hooks) noexcept;
const TensorMethodHooks* tensor_method_hooks() noexcept;

}  // namespace ex::detail

// First statement of a Tensor member: checks the tensor is defined, then gives the
// autograd layer a chance to record.
#define EX_TENSOR_METHOD_HOOK(method, ...)                        \
  if (!defined()) ::ex::detail::throw_undefined(#method);         \
  if (impl().autograd_meta)                                       \
    if (const auto* hooks_ = ::ex::detail::tensor_method_hooks()) \
      if (Tensor recorded_ = hooks_->method(*this __VA_OPT__(, ) __VA_ARGS__); recorded_.defined()) return recorded_
