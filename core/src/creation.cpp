// Creation functions: constant fills, ranges, random tensors, wrapping memory.
#include "extensor/core/creation.hpp"

#include <cmath>
#include <cstring>
#include <numbers>

#include "common/check.hpp"
#include "core/src/parallel.hpp"
#include "core/src/strided_loop.hpp"

namespace ex {

namespace {

// Writes fn(i) into element i of a fresh contiguous tensor, in parallel.
template <class T, class F>
void fill_indexed(const Tensor& out, F&& fn) {
  T* data = static_cast<T*>(out.raw_data());
  detail::parallel_for(0, out.numel(), detail::kGrainElements, [&](std::int64_t b, std::int64_t e) {
    for (std::int64_t i = b; i < e; ++i) data[i] = fn(i);
  });
}

void fill_value(const Tensor& out, double value, const char* fn) {
  dispatch(out.dtype(), [&]<class T>() {
    const T v = detail::checked_scalar<T>(value, out.dtype(), fn);
    fill_indexed<T>(out, [v](std::int64_t) { return v; });
  });
}

void require_floating(DType dtype, const char* fn) {
  if (!is_floating(dtype)) detail::fail("{}: dtype {} is not a floating-point type", fn, dtype);
}

// Uniform [0, 1) with as many random bits as T's mantissa holds, so rounding to T can
// never produce 1.0.
template <class T>
T uniform01(const std::array<std::uint32_t, 4>& w) {
  if constexpr (std::is_same_v<T, double>) {
    const std::uint64_t bits = (static_cast<std::uint64_t>(w[0]) << 21) ^ (w[1] >> 11);
    return static_cast<double>(bits & ((std::uint64_t{1} << 53) - 1)) * 0x1p-53;
  } else if constexpr (std::is_same_v<T, float>) {
    return static_cast<float>(w[0] >> 8) * 0x1p-24f;
  } else if constexpr (std::is_same_v<T, Half>) {
    return T(static_cast<float>(w[0] >> 21) * 0x1p-11f);
  } else {
    return T(static_cast<float>(w[0] >> 24) * 0x1p-8f);
  }
}

Tensor filled(const Shape& shape, double value, DType dtype, const char* fn) {
  Tensor out = detail::allocate(shape, dtype, fn);
  fill_value(out, value, fn);
  return out;
}

Tensor zeros_named(const Shape& shape, DType dtype, const char* fn) {
  Tensor out = detail::allocate(shape, dtype, fn);
  std::memset(out.raw_data(), 0, out.nbytes());  // all-zero bytes are 0 in every dtype
  return out;
}

const Shape& shape_of(const Tensor& like, const char* fn) { return detail::defined(fn, like, "like").shape(); }

}  // namespace

Tensor empty(const Shape& shape, DType dtype) { return detail::allocate(shape, dtype, "empty"); }
Tensor zeros(const Shape& shape, DType dtype) { return zeros_named(shape, dtype, "zeros"); }
Tensor ones(const Shape& shape, DType dtype) { return filled(shape, 1.0, dtype, "ones"); }
Tensor full(const Shape& shape, double value, DType dtype) { return filled(shape, value, dtype, "full"); }
Tensor scalar_tensor(double value, DType dtype) { return filled(Shape{}, value, dtype, "scalar_tensor"); }

Tensor empty_like(const Tensor& like) { return empty_like(like, like.defined() ? like.dtype() : kDefaultFloat); }
Tensor zeros_like(const Tensor& like) { return zeros_like(like, like.defined() ? like.dtype() : kDefaultFloat); }
Tensor ones_like(const Tensor& like) { return ones_like(like, like.defined() ? like.dtype() : kDefaultFloat); }
Tensor full_like(const Tensor& like, double value) {
  return full_like(like, value, like.defined() ? like.dtype() : kDefaultFloat);
}
Tensor empty_like(const Tensor& like, DType dtype) {
  return detail::allocate(shape_of(like, "empty_like"), dtype, "empty_like");
}
Tensor zeros_like(const Tensor& like, DType dtype) {
  return zeros_named(shape_of(like, "zeros_like"), dtype, "zeros_like");
}
Tensor ones_like(const Tensor& like, DType dtype) {
  return filled(shape_of(like, "ones_like"), 1.0, dtype, "ones_like");
}
Tensor full_like(const Tensor& like, double value, DType dtype) {
  return filled(shape_of(like, "full_like"), value, dtype, "full_like");
}

Tensor arange(double start, double end, double step, DType dtype) {
  if (!std::isfinite(start) || !std::isfinite(end) || !std::isfinite(step))
    detail::fail("arange: bounds must be finite, got start={}, end={}, step={}", start, end, step);
  if (step == 0) detail::fail("arange: step must be nonzero");
  if (dtype == DType::Bool) detail::fail("arange: dtype bool is not supported, as in PyTorch");
  if ((end - start) * step < 0) detail::fail("arange: step {} does not lead from start {} to end {}", step, start, end);
  const double count = std::ceil((end - start) / step);
  if (count > static_cast<double>(std::int64_t{1} << 62))
    detail::fail("arange: range [{}, {}) with step {} has too many elements", start, end, step);
  Tensor out = detail::allocate({static_cast<std::int64_t>(count)}, dtype, "arange");
  dispatch(dtype, [&]<class T>() {
    // The values run monotonically from the first to the last: if both fit, all do.
    if (count > 0) {
      detail::checked_scalar<T>(start, dtype, "arange");
      detail::checked_scalar<T>(start + (count - 1) * step, dtype, "arange");
    }
    fill_indexed<T>(out, [&](std::int64_t i) { return detail::convert<T>(start + static_cast<double>(i) * step); });
  });
  return out;
}

Tensor eye(std::int64_t n, std::int64_t m, DType dtype) {
  if (m < 0) m = n;
  if (n < 0) detail::fail("eye: n must be non-negative, got {}", n);
  Tensor out = zeros_named({n, m}, dtype, "eye");
  dispatch(dtype, [&]<class T>() {
    T* data = static_cast<T*>(out.raw_data());
    for (std::int64_t i = 0; i < std::min(n, m); ++i) data[i * m + i] = detail::convert<T>(1);
  });
  return out;
}

Tensor linspace(double start, double end, std::int64_t steps, DType dtype) {
  if (steps < 0) detail::fail("linspace: number of steps must be non-negative, got {}", steps);
  Tensor out = detail::allocate({steps}, dtype, "linspace");
  const double delta = steps > 1 ? (end - start) / static_cast<double>(steps - 1) : 0.0;
  dispatch(dtype, [&]<class T>() {
    if (steps > 0) {  // values lie between the ends: if both fit, all do
      detail::checked_scalar<T>(start, dtype, "linspace");
      detail::checked_scalar<T>(end, dtype, "linspace");
    }
    // Fill from both ends so the last value is exactly `end`, as torch.linspace does.
    fill_indexed<T>(out, [&](std::int64_t i) {
      const double v = i < (steps + 1) / 2 ? start + delta * static_cast<double>(i)
                                           : end - delta * static_cast<double>(steps - 1 - i);
      return detail::convert<T>(v);
    });
  });
  return out;
}

Tensor rand(const Shape& shape, DType dtype) { return rand(shape, dtype, default_generator()); }
Tensor rand(const Shape& shape, DType dtype, Generator& gen) {
  require_floating(dtype, "rand");
  Tensor out = detail::allocate(shape, dtype, "rand");
  const std::uint64_t key = gen.seed(), first = gen.reserve(static_cast<std::uint64_t>(out.numel()));
  dispatch(dtype, [&]<class T>() {
    if constexpr (std::is_floating_point_v<compute_t<T>>) {
      fill_indexed<T>(out, [&](std::int64_t i) { return uniform01<T>(Generator::philox(key, first + i)); });
    }
  });
  return out;
}

Tensor randn(const Shape& shape, DType dtype) { return randn(shape, dtype, default_generator()); }
Tensor randn(const Shape& shape, DType dtype, Generator& gen) {
  require_floating(dtype, "randn");
  Tensor out = detail::allocate(shape, dtype, "randn");
  const std::uint64_t key = gen.seed(), first = gen.reserve(static_cast<std::uint64_t>(out.numel()));
  dispatch(dtype, [&]<class T>() {
    if constexpr (std::is_floating_point_v<compute_t<T>>) {
      fill_indexed<T>(out, [&](std::int64_t i) {
        const auto w = Generator::philox(key, first + i);
        // Box-Muller on two 53-bit uniforms; 1 - u keeps the log's argument in (0, 1].
        const double u1 = 1.0 - uniform01<double>({w[0], w[1], 0, 0});
        const double u2 = uniform01<double>({w[2], w[3], 0, 0});
        return detail::convert<T>(std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * std::numbers::pi * u2));
      });
    }
  });
  return out;
}

Tensor randint(std::int64_t low, std::int64_t high, const Shape& shape, DType dtype) {
  return randint(low, high, shape, dtype, default_generator());
}
Tensor randint(std::int64_t low, std::int64_t high, const Shape& shape, DType dtype, Generator& gen) {
  if (high <= low) detail::fail("randint: high ({}) must be greater than low ({})", high, low);
  if (dtype == DType::Bool) detail::fail("randint: dtype bool is not supported");
  Tensor out = detail::allocate(shape, dtype, "randint");
  const std::uint64_t range = static_cast<std::uint64_t>(high) - static_cast<std::uint64_t>(low);
  const std::uint64_t key = gen.seed(), first = gen.reserve(static_cast<std::uint64_t>(out.numel()));
  dispatch(dtype, [&]<class T>() {
    fill_indexed<T>(out, [&](std::int64_t i) {
      const auto w = Generator::philox(key, first + i);
      const std::uint64_t bits = (static_cast<std::uint64_t>(w[0]) << 32) | w[1];
      // Modulo bias is below 2^-32 for ranges under 2^32.
      return detail::convert<T>(static_cast<std::int64_t>(static_cast<std::uint64_t>(low) + bits % range));
    });
  });
  return out;
}

Tensor tensor(const void* values, std::size_t count, DType dtype, const Shape& shape, const char* fn) {
  const std::int64_t n = checked_numel(shape, fn);
  if (static_cast<std::uint64_t>(n) != count)
    detail::fail("{}: {} values do not fill shape {} ({} elements)", fn, count, shape, n);
  Tensor out = detail::allocate(shape, dtype, fn);
  if (count) std::memcpy(out.raw_data(), values, count * itemsize(dtype));
  return out;
}

Tensor from_blob(void* data, const Shape& shape, DType dtype, std::function<void(void*)> deleter) {
  checked_numel(shape, "from_blob", itemsize(dtype));
  return from_blob(data, shape, contiguous_strides(shape), dtype, std::move(deleter));
}

Tensor from_blob(void* data, const Shape& shape, const Strides& strides, DType dtype,
                 std::function<void(void*)> deleter) {
  const std::int64_t extent = detail::view_extent(shape, strides, itemsize(dtype), "from_blob");
  if (!data && extent > 0) detail::fail("from_blob: null data pointer for shape {}", shape);
  auto impl = std::make_shared<TensorImpl>();
  impl->storage = Storage::borrow(data, static_cast<std::size_t>(extent) * itemsize(dtype), std::move(deleter));
  impl->shape = shape;
  impl->strides = strides;
  impl->dtype = dtype;
  return Tensor(std::move(impl));
}

}  // namespace ex
