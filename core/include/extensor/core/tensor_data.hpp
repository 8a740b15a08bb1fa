#pragma once
// ex::TensorData: the literals of ex::tensor ({1.0, 2.0}, {{1, 2}, {3, 4}}), as libtorch's
// TensorDataContainer: a number, or a braced list of TensorData of one shape.

#include <initializer_list>
#include <type_traits>
#include <vector>

#include "extensor/core/dtype.hpp"
#include "extensor/core/half.hpp"
#include "extensor/core/scalar.hpp"
#include "extensor/core/shape.hpp"

namespace ex {

// A number (rank 0) or a nested list of numbers, with the dtype the literals ask for:
// bool gives bool, an integer int64, float and double float32, Half and BFloat16 their
// own; a list takes the promotion of its items' dtypes (promote_types), so {1, 2.5} is
// float32. Implicit from numbers and braced lists, so ex::tensor({{1, 2}, {3, 4}}) reads
// as in libtorch. Throws ex::Error "tensor: ..." for a ragged list (items of different
// shapes, or numbers beside lists).
class TensorData {
 public:
  template <class T>
  requires(std::is_arithmetic_v<T> || std::is_same_v<T, Half> || std::is_same_v<T, BFloat16>)
      TensorData(T value)  // NOLINT: implicit, as libtorch's
      : values_{Scalar(value)}, dtype_(literal_dtype<T>()) {}
  TensorData(std::initializer_list<TensorData> items);  // NOLINT: implicit, for braces

  const Shape& shape() const noexcept { return shape_; }
  // The numbers in row-major order.
  const std::vector<Scalar>& values() const noexcept { return values_; }
  DType dtype() const noexcept { return dtype_; }

 private:
  template <class T>
  static constexpr DType literal_dtype() {
    if constexpr (std::is_same_v<T, bool>)
      return DType::Bool;
    else if constexpr (std::is_integral_v<T>)
      return DType::Int64;
    else if constexpr (std::is_same_v<T, Half>)
      return DType::Float16;
    else if constexpr (std::is_same_v<T, BFloat16>)
      return DType::BFloat16;
    else
      return kDefaultFloat;
  }

  Shape shape_;
  std::vector<Scalar> values_;
  DType dtype_;
};

}  // namespace ex
