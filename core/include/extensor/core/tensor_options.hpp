#pragma once
// ex::TensorOptions: what a creation function makes besides the values, in libtorch's
// spelling: `ex::zeros({2, 3}, ex::TensorOptions().dtype(ex::kFloat64).requires_grad(true))`,
// or shorter `ex::zeros({2, 3}, ex::dtype(ex::kFloat64).requires_grad())`.

#include "extensor/core/dtype.hpp"

namespace ex {

class Tensor;

// A dtype (unset means the function's default: float32 for zeros, rand, ...; the
// literals' dtype for ex::tensor) and whether the new tensor requires grad. Implicit
// from a DType, so every creation function that takes options also takes a dtype.
class TensorOptions {
 public:
  TensorOptions() = default;
  TensorOptions(DType dtype) : dtype_(dtype), has_dtype_(true) {}  // NOLINT: implicit, as libtorch's

  TensorOptions& dtype(DType dtype) noexcept {
    dtype_ = dtype;
    has_dtype_ = true;
    return *this;
  }
  // Marks the new tensor as a leaf that requires grad (floating dtypes only; creating
  // one of another dtype throws ex::Error "requires_grad_: ...").
  TensorOptions& requires_grad(bool requires_grad = true) noexcept {
    requires_grad_ = requires_grad;
    return *this;
  }

  bool has_dtype() const noexcept { return has_dtype_; }
  // The dtype set, or fallback when none was.
  DType dtype_or(DType fallback) const noexcept { return has_dtype_ ? dtype_ : fallback; }
  // The dtype set, or float32.
  DType dtype() const noexcept { return dtype_or(kDefaultFloat); }
  bool requires_grad() const noexcept { return requires_grad_; }

 private:
  // A flag beside a plain DType rather than std::optional: GCC 12 reports a false
  // -Wmaybe-uninitialized on optional<DType>::value_or when options are temporaries.
  DType dtype_ = kDefaultFloat;
  bool has_dtype_ = false;
  bool requires_grad_ = false;
};

// TensorOptions().dtype(dtype), as torch::dtype.
inline TensorOptions dtype(DType dtype) { return TensorOptions().dtype(dtype); }
// TensorOptions().requires_grad(requires_grad), as torch::requires_grad.
inline TensorOptions requires_grad(bool requires_grad = true) { return TensorOptions().requires_grad(requires_grad); }

}  // namespace ex
