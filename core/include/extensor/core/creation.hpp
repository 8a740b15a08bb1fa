#pragma once
// Functions that make new tensors. Each takes ex::TensorOptions (or just a DType) last:
// the dtype (float32 unless said otherwise) and whether the result is a leaf that
// requires grad (floating dtypes only; other dtypes throw ex::Error "requires_grad_: ...").
// Each validates its shape (negative dims and shapes
// beyond the size limit of 2^62 bytes, see shape.hpp, throw ex::Error naming the
// function; so does an allocation the machine cannot satisfy) and returns a contiguous
// tensor. Values are converted by the checked rule of dtype.hpp.

#include <functional>
#include <initializer_list>
#include <type_traits>
#include <vector>

#include "extensor/core/random.hpp"
#include "extensor/core/tensor.hpp"
#include "extensor/core/tensor_data.hpp"
#include "extensor/core/tensor_options.hpp"

namespace ex {

// Uninitialized values.
Tensor empty(const Shape& shape, const TensorOptions& options = {});
Tensor zeros(const Shape& shape, const TensorOptions& options = {});
Tensor ones(const Shape& shape, const TensorOptions& options = {});
// Every element is value converted to dtype; throws ex::Error if value does not fit the
// dtype ("full: value 300 cannot be converted to uint8 without overflow").
Tensor full(const Shape& shape, double value, const TensorOptions& options = {});
// A rank-0 tensor holding value.
Tensor scalar_tensor(double value, const TensorOptions& options = {});

// Like's shape, and like's dtype unless options set one. Throws ex::Error for an
// undefined like.
Tensor empty_like(const Tensor& like, const TensorOptions& options = {});
Tensor zeros_like(const Tensor& like, const TensorOptions& options = {});
Tensor ones_like(const Tensor& like, const TensorOptions& options = {});
Tensor full_like(const Tensor& like, double value, const TensorOptions& options = {});

// Values start, start+step, ... strictly below end (above, for a negative step):
// ceil((end - start) / step) elements. Throws ex::Error if step is 0 or has the wrong
// sign for the range, a bound is not finite, the first or last value does not fit dtype,
// or dtype is bool (as in PyTorch).
Tensor arange(double start, double end, double step, const TensorOptions& options);
// arange(end) and arange(start, end[, step]) choose int64 when every argument is an
// integer and float32 otherwise, like torch.arange.
template <class A>
requires std::is_arithmetic_v<A> Tensor arange(A end, const TensorOptions& options = {}) {
  return arange(0.0, static_cast<double>(end), 1.0,
                TensorOptions(options).dtype(options.dtype_or(std::is_integral_v<A> ? DType::Int64 : kDefaultFloat)));
}
template <class A, class B, class C = int>
requires(std::is_arithmetic_v<A>&& std::is_arithmetic_v<B>&& std::is_arithmetic_v<C>) Tensor
    arange(A start, B end, C step = 1, const TensorOptions& options = {}) {
  constexpr bool ints = std::is_integral_v<A> && std::is_integral_v<B> && std::is_integral_v<C>;
  return arange(static_cast<double>(start), static_cast<double>(end), static_cast<double>(step),
                TensorOptions(options).dtype(options.dtype_or(ints ? DType::Int64 : kDefaultFloat)));
}

// n x m matrix with ones on the diagonal (m = n when m < 0). Throws for n < 0.
Tensor eye(std::int64_t n, std::int64_t m = -1, const TensorOptions& options = {});
// steps values evenly spaced from start to end inclusive. Throws for steps < 0 and for
// ends that do not fit dtype.
Tensor linspace(double start, double end, std::int64_t steps, const TensorOptions& options = {});

// Uniform on [0, 1). Floating dtypes only; others throw ex::Error.
Tensor rand(const Shape& shape, const TensorOptions& options = {});
Tensor rand(const Shape& shape, const TensorOptions& options, Generator& gen);
// Standard normal (Box-Muller). Floating dtypes only.
Tensor randn(const Shape& shape, const TensorOptions& options = {});
Tensor randn(const Shape& shape, const TensorOptions& options, Generator& gen);
// Uniform integers in [low, high), int64 unless options set another non-bool dtype. Throws
// ex::Error if high <= low.
Tensor randint(std::int64_t low, std::int64_t high, const Shape& shape, const TensorOptions& options = {});
Tensor randint(std::int64_t low, std::int64_t high, const Shape& shape, const TensorOptions& options, Generator& gen);

// A tensor holding a copy of typed values in the given shape (a 1-D tensor when shape is
// omitted); the dtype is T's (std::vector<double> gives float64). Throws ex::Error if
// values.size() != shape.numel().
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

// A tensor from literals, as torch::tensor: a number gives a rank-0 tensor, a braced
// list a 1-D one, nested lists more dims (`ex::tensor({{1, 2}, {3, 4}})` is [2, 2]).
// Without a dtype in options the literals decide, like libtorch: any floating literal
// gives float32 (double included; Half and BFloat16 alone keep their dtype), else any
// integer gives int64, else bool. Values convert by the checked rule of dtype.hpp. The
// shape form lays the values out in shape (`ex::tensor({1, 2, 3, 4}, {2, 2})`). Throws
// ex::Error "tensor: ..." for ragged lists (naming the two shapes), a value that does not
// fit the dtype, a count that does not fill shape, or requires_grad on a non-floating
// dtype.
Tensor tensor(const TensorData& data, const TensorOptions& options = {});
Tensor tensor(const TensorData& data, const Shape& shape, const TensorOptions& options = {});

// Wraps memory the caller owns without copying. strides (in elements) default to
// row-major. deleter, if given, runs when the last view is gone; without one the
// caller must keep the memory alive. Throws ex::Error for a null pointer with
// numel > 0, negative dims or strides, or a stride/shape rank mismatch.
Tensor from_blob(void* data, const Shape& shape, DType dtype, std::function<void(void*)> deleter = {});
Tensor from_blob(void* data, const Shape& shape, const Strides& strides, DType dtype,
                 std::function<void(void*)> deleter = {});

}  // namespace ex
