#pragma once
// Functions that make new tensors. Each validates its shape (negative dims and shapes
// beyond the size limit of 2^62 bytes, see shape.hpp, throw ex::Error naming the
// function; so does an allocation the machine cannot satisfy) and returns a contiguous
// tensor. Values are converted by the checked rule of dtype.hpp.

#include <functional>
#include <initializer_list>
#include <type_traits>
#include <vector>

#include "extensor/core/random.hpp"
#include "extensor/core/tensor.hpp"

namespace ex {

// Uninitialized values.
Tensor empty(const Shape& shape, DType dtype = kDefaultFloat);
Tensor zeros(const Shape& shape, DType dtype = kDefaultFloat);
Tensor ones(const Shape& shape, DType dtype = kDefaultFloat);
// Every element is value converted to dtype; throws ex::Error if value does not fit the
// dtype ("full: value 300 cannot be converted to uint8 without overflow").
Tensor full(const Shape& shape, double value, DType dtype = kDefaultFloat);
// A rank-0 tensor holding value.
Tensor scalar_tensor(double value, DType dtype = kDefaultFloat);

Tensor empty_like(const Tensor& like);
Tensor zeros_like(const Tensor& like);
Tensor ones_like(const Tensor& like);
Tensor full_like(const Tensor& like, double value);
Tensor empty_like(const Tensor& like, DType dtype);
Tensor zeros_like(const Tensor& like, DType dtype);
Tensor ones_like(const Tensor& like, DType dtype);
Tensor full_like(const Tensor& like, double value, DType dtype);

// Values start, start+step, ... strictly below end (above, for a negative step):
// ceil((end - start) / step) elements. Throws ex::Error if step is 0 or has the wrong
// sign for the range, a bound is not finite, the first or last value does not fit dtype,
// or dtype is bool (as in PyTorch).
Tensor arange(double start, double end, double step, DType dtype);
// arange(end) and arange(start, end[, step]) choose int64 when every argument is an
// integer and float32 otherwise, like torch.arange.
template <class A>
requires std::is_arithmetic_v<A> Tensor arange(A end) {
  return arange(0.0, static_cast<double>(end), 1.0, std::is_integral_v<A> ? DType::Int64 : kDefaultFloat);
}
template <class A, class B, class C = int>
requires(std::is_arithmetic_v<A>&& std::is_arithmetic_v<B>&& std::is_arithmetic_v<C>) Tensor
    arange(A start, B end, C step = 1) {
  constexpr bool ints = std::is_integral_v<A> && std::is_integral_v<B> && std::is_integral_v<C>;
  return arange(static_cast<double>(start), static_cast<double>(end), static_cast<double>(step),
                ints ? DType::Int64 : kDefaultFloat);
}

// n x m matrix with ones on the diagonal (m = n when m < 0). Throws for n < 0.
Tensor eye(std::int64_t n, std::int64_t m = -1, DType dtype = kDefaultFloat);
// steps values evenly spaced from start to end inclusive. Throws for steps < 0 and for
// ends that do not fit dtype.
Tensor linspace(double start, double end, std::int64_t steps, DType dtype = kDefaultFloat);

// Uniform on [0, 1). Floating dtypes only; others throw ex::Error.
Tensor rand(const Shape& shape, DType dtype = kDefaultFloat);
Tensor rand(const Shape& shape, DType dtype, Generator& gen);
// Standard normal (Box-Muller). Floating dtypes only.
Tensor randn(const Shape& shape, DType dtype = kDefaultFloat);
Tensor randn(const Shape& shape, DType dtype, Generator& gen);
// Uniform integers in [low, high). Throws ex::Error if high <= low. Any non-bool dtype.
Tensor randint(std::int64_t low, std::int64_t high, const Shape& shape, DType dtype = DType::Int64);
Tensor randint(std::int64_t low, std::int64_t high, const Shape& shape, DType dtype, Generator& gen);

// A tensor holding a copy of values in the given shape (a 1-D tensor when shape is
// omitted). Throws ex::Error if values.size() != shape.numel().
Tensor tensor(const void* values, std::size_t count, DType dtype, const Shape& shape, const char* fn);
template <Element T>
Tensor tensor(const std::vector<T>& values, const Shape& shape) {
  if constexpr (std::is_same_v<T, bool>) {
    std::vector<unsigned char> bytes(values.begin(), values.end());
    return tensor(bytes.data(), bytes.size(), DType::Bool, shape, "tensor");
  } else {
    return tensor(values.data(), values.size(), dtype_of<T>, shape, "tensor");
  }
}
template <Element T>
Tensor tensor(const std::vector<T>& values) {
  return tensor(values, Shape{static_cast<std::int64_t>(values.size())});
}
template <Element T>
Tensor tensor(std::initializer_list<T> values, const Shape& shape) {
  return tensor(std::vector<T>(values), shape);
}
template <Element T>
Tensor tensor(std::initializer_list<T> values) {
  return tensor(std::vector<T>(values));
}

// Wraps memory the caller owns without copying. strides (in elements) default to
// row-major. deleter, if given, runs when the last view is gone; without one the
// caller must keep the memory alive. Throws ex::Error for a null pointer with
// numel > 0, negative dims or strides, or a stride/shape rank mismatch.
Tensor from_blob(void* data, const Shape& shape, DType dtype, std::function<void(void*)> deleter = {});
Tensor from_blob(void* data, const Shape& shape, const Strides& strides, DType dtype,
                 std::function<void(void*)> deleter = {});

}  // namespace ex
