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

// A new tensor made a leaf that requires grad when options ask for it.
Tensor with_options(const Tensor& out, const TensorOptions& options) {
  if (options.requires_grad()) out.requires_grad_();
  return out;
}

}  // namespace

Tensor empty(const Shape& shape, const TensorOptions& options) {
  return with_options(detail::allocate(shape, options.dtype(), "empty"), options);
}
Tensor zeros(const Shape& shape, const TensorOptions& options) {
  return with_options(zeros_named(shape, options.dtype(), "zeros"), options);
}
Tensor ones(const Shape& shape, const TensorOptions& options) {
  return with_options(filled(shape, 1.0, options.dtype(), "ones"), options);
}
Tensor full(const Shape& shape, double value, const TensorOptions& options) {
  return with_options(filled(shape, value, options.dtype(), "full"), options);
}
Tensor scalar_tensor(double value, const TensorOptions& options) {
  return with_options(filled(Shape{}, value, options.dtype(), "scalar_tensor"), options);
}

Tensor empty_like(const Tensor& like, const TensorOptions& options) {
  const Shape& shape = shape_of(like, "empty_like");
  return with_options(detail::allocate(shape, options.dtype_or(like.dtype()), "empty_like"), options);
}
Tensor zeros_like(const Tensor& like, const TensorOptions& options) {
  const Shape& shape = shape_of(like, "zeros_like");
  return with_options(zeros_named(shape, options.dtype_or(like.dtype()), "zeros_like"), options);
}
Tensor ones_like(const Tensor& like, const TensorOptions& options) {
  const Shape& shape = shape_of(like, "ones_like");
  return with_options(filled(shape, 1.0, options.dtype_or(like.dtype()), "ones_like"), options);
}
Tensor full_like(const Tensor& like, double value, const TensorOptions& options) {
  const Shape& shape = shape_of(like, "full_like");
  return with_options(filled(shape, value, options.dtype_or(like.dtype()), "full_like"), options);
}

Tensor arange(double start, double end, double step, const TensorOptions& options) {
  const DType dtype = options.dtype();
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
  return with_options(out, options);
}

Tensor eye(std::int64_t n, std::int64_t m, const TensorOptions& options) {
  const DType dtype = options.dtype();
  if (m < 0) m = n;
  if (n < 0) detail::fail("eye: n must be non-negative, got {}", n);
  Tensor out = zeros_named({n, m}, dtype, "eye");
  dispatch(dtype, [&]<class T>() {
    T* data = static_cast<T*>(out.raw_data());
    for (std::int64_t i = 0; i < std::min(n, m); ++i) data[i * m + i] = detail::convert<T>(1);
  });
  return with_options(out, options);
}

Tensor linspace(double start, double end, std::int64_t steps, const TensorOptions& options) {
  const DType dtype = options.dtype();
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
  return with_options(out, options);
}

Tensor rand(const Shape& shape, const TensorOptions& options) { return rand(shape, options, default_generator()); }
Tensor rand(const Shape& shape, const TensorOptions& options, Generator& gen) {
  const DType dtype = options.dtype();
  require_floating(dtype, "rand");
  Tensor out = detail::allocate(shape, dtype, "rand");
  const std::uint64_t key = gen.seed(), first = gen.reserve(static_cast<std::uint64_t>(out.numel()));
  dispatch(dtype, [&]<class T>() {
    if constexpr (std::is_floating_point_v<compute_t<T>>) {
      fill_indexed<T>(out, [&](std::int64_t i) { return uniform01<T>(Generator::philox(key, first + i)); });
    }
  });
  return with_options(out, options);
}

Tensor randn(const Shape& shape, const TensorOptions& options) { return randn(shape, options, default_generator()); }
Tensor randn(const Shape& shape, const TensorOptions& options, Generator& gen) {
  const DType dtype = options.dtype();
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
  return with_options(out, options);
}

Tensor randint(std::int64_t low, std::int64_t high, const Shape& shape, const TensorOptions& options) {
  return randint(low, high, shape, options, default_generator());
}
Tensor randint(std::int64_t low, std::int64_t high, const Shape& shape, const TensorOptions& options, Generator& gen) {
  const DType dtype = options.dtype_or(DType::Int64);
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
  return with_options(out, options);
}

Tensor tensor(const void* values, std::size_t count, DType dtype, const Shape& shape, const char* fn) {
  const std::int64_t n = checked_numel(shape, fn);
  if (static_cast<std::uint64_t>(n) != count)
    detail::fail("{}: {} values do not fill shape {} ({} elements)", fn, count, shape, n);
  Tensor out = detail::allocate(shape, dtype, fn);
  if (count) std::memcpy(out.raw_data(), values, count * itemsize(dtype));
  return out;
}

TensorData::TensorData(std::initializer_list<TensorData> items)
    : dtype_(items.size() ? items.begin()->dtype_ : kDefaultFloat) {
  std::vector<std::int64_t> dims{static_cast<std::int64_t>(items.size())};
  if (items.size()) {
    const Shape& item_shape = items.begin()->shape_;
    dims.insert(dims.end(), item_shape.begin(), item_shape.end());
    values_.reserve(items.size() * items.begin()->values_.size());
  }
  std::int64_t index = 0;
  for (const TensorData& item : items) {
    if (item.shape_ != items.begin()->shape_)
      detail::fail("tensor: ragged nested list: item {} has shape {} but item 0 has shape {}", index, item.shape_,
                   items.begin()->shape_);
    dtype_ = promote_types(dtype_, item.dtype_);
    values_.insert(values_.end(), item.values_.begin(), item.values_.end());
    ++index;
  }
  shape_ = Shape(dims);
}

Tensor tensor(const TensorData& data, const Shape& shape, const TensorOptions& options) {
  const std::int64_t n = checked_numel(shape, "tensor");
  const std::vector<Scalar>& values = data.values();
  if (static_cast<std::uint64_t>(n) != values.size())
    detail::fail("tensor: {} values do not fill shape {} ({} elements)", values.size(), shape, n);
  const DType dtype = options.dtype_or(data.dtype());
  Tensor out = detail::allocate(shape, dtype, "tensor");
  dispatch(dtype, [&]<class T>() {
    T* dst = static_cast<T*>(out.raw_data());
    for (std::size_t i = 0; i < values.size(); ++i) dst[i] = detail::checked_scalar<T>(values[i], dtype, "tensor");
  });
  return with_options(out, options);
}
Tensor tensor(const TensorData& data, const TensorOptions& options) { return tensor(data, data.shape(), options); }

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
