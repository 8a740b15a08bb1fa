#pragma once
// ex::Scalar: a number passed to an op beside tensors (`t * 2.0`, `clip(t, 0, 6)`).

#include <cstdint>
#include <type_traits>

#include "extensor/core/dtype.hpp"

namespace ex {

class Tensor;

// A C++ number that remembers whether it was a bool, an integer or a floating-point
// value, because that category (not its C++ width) decides the result dtype of
// tensor-scalar ops, as for Python numbers in PyTorch. Implicit from any arithmetic
// type and from Half/BFloat16.
class Scalar {
 public:
  enum class Kind : std::uint8_t { Bool, Integral, Floating };

  template <class T>
  requires std::is_arithmetic_v<T> Scalar(T value)
  noexcept {  // NOLINT: implicit on purpose
    if constexpr (std::is_same_v<T, bool>) {
      kind_ = Kind::Bool;
      i_ = value ? 1 : 0;
    } else if constexpr (std::is_integral_v<T>) {
      kind_ = Kind::Integral;
      i_ = static_cast<std::int64_t>(value);  // uint64 above 2^63 wraps (documented limit)
    } else {
      kind_ = Kind::Floating;
      d_ = static_cast<double>(value);
    }
  }
  Scalar(Half value) noexcept : kind_(Kind::Floating), d_(static_cast<float>(value)) {}      // NOLINT
  Scalar(BFloat16 value) noexcept : kind_(Kind::Floating), d_(static_cast<float>(value)) {}  // NOLINT

  Kind kind() const noexcept { return kind_; }
  bool is_floating() const noexcept { return kind_ == Kind::Floating; }
  bool is_integral() const noexcept { return kind_ == Kind::Integral; }
  bool is_bool() const noexcept { return kind_ == Kind::Bool; }
  double to_double() const noexcept { return kind_ == Kind::Floating ? d_ : static_cast<double>(i_); }
  // Floating values truncate toward zero (values outside int64 saturate).
  std::int64_t to_int64() const noexcept;
  // The dtype the scalar would have as a tensor of its own: Bool, Int64 or Float64.
  DType dtype() const noexcept {
    return kind_ == Kind::Bool ? DType::Bool : kind_ == Kind::Integral ? DType::Int64 : DType::Float64;
  }

 private:
  Kind kind_;
  std::int64_t i_ = 0;
  double d_ = 0;
};

// The dtype of `tensor op scalar` under PyTorch's rules: the tensor's dtype, unless the
// scalar is of a higher category (bool < integer < floating), in which case the
// default dtype of that category: a float scalar with an integer or bool tensor gives
// float32, an integer scalar with a bool tensor gives int64. Never throws.
DType result_type(DType tensor_dtype, const Scalar& scalar) noexcept;

}  // namespace ex
