// Tensor geometry: accessors and the views that share storage.
#include "extensor/core/tensor.hpp"

#include <atomic>
#include <optional>

#include "common/check.hpp"
#include "core/src/strided_loop.hpp"
#include "core/src/tensor_hooks.hpp"

namespace ex {

namespace detail {
namespace {
std::atomic<const TensorMethodHooks*> installed_hooks{nullptr};
}
void install_tensor_method_hooks(const TensorMethodHooks* hooks) noexcept {
  installed_hooks.store(hooks, std::memory_order_release);
}
const TensorMethodHooks* tensor_method_hooks() noexcept { return installed_hooks.load(std::memory_order_acquire); }

void throw_undefined(const char* member) { fail("Tensor::{}: the tensor is undefined (default-constructed)", member); }

void throw_dtype_mismatch(const char* fn, DType have, DType want) {
  fail("{}: tensor has dtype {}, requested {}", fn, have, want);
}
}  // namespace detail

namespace {

Tensor with_geometry(const Tensor& base, Shape shape, Strides strides, std::int64_t offset) {
  auto impl = std::make_shared<TensorImpl>();
  impl->storage = base.storage();
  impl->shape = std::move(shape);
  impl->strides = std::move(strides);
  impl->offset = offset;
  impl->dtype = base.dtype();
  return Tensor(std::move(impl));
}

// Resolves one -1 in a requested shape against numel, validating the rest.
Shape infer_shape(const Shape& requested, std::int64_t numel, const char* fn, const Shape& from) {
  Shape shape = requested;
  std::int64_t known = 1;
  std::optional<std::size_t> infer;
  for (std::size_t i = 0; i < shape.size(); ++i) {
    if (shape[i] == -1) {
      if (infer) detail::fail("{}: only one dimension can be -1, got shape {}", fn, requested);
      infer = i;
    } else if (shape[i] < 0) {
      detail::fail("{}: invalid dimension {} in shape {}", fn, shape[i], requested);
    } else {
      known = checked_numel(Shape{known, shape[i]}, fn);
    }
  }
  if (infer) {
    if (known == 0 || numel % known != 0)
      detail::fail("{}: shape {} is invalid for a tensor of shape {} ({} elements)", fn, requested, from, numel);
    shape[*infer] = numel / known;
  } else if (known != numel) {
    detail::fail("{}: shape {} is invalid for a tensor of shape {} ({} elements)", fn, requested, from, numel);
  }
  return shape;
}

// Strides that let `shape` view memory laid out as (old_shape, old_strides), or
// nothing if a copy is needed. Groups of old dims that are contiguous with each other
// can be split or merged freely; a new dim may not straddle two such groups.
std::optional<Strides> view_strides(const Shape& old_shape, const Strides& old_strides, const Shape& shape) {
  if (old_shape.numel() == 0 || old_shape.empty()) return contiguous_strides(shape);
  Strides strides(shape.size(), 0);
  std::int64_t view_d = static_cast<std::int64_t>(shape.size()) - 1;
  std::int64_t chunk_stride = old_strides.back();
  std::int64_t tensor_numel = 1, view_numel = 1;
  for (std::int64_t d = static_cast<std::int64_t>(old_shape.size()) - 1; d >= 0; --d) {
    tensor_numel *= old_shape[d];
    const bool chunk_ends = d == 0 || (old_shape[d - 1] != 1 && old_strides[d - 1] != tensor_numel * chunk_stride);
    if (!chunk_ends) continue;
    while (view_d >= 0 && (view_numel < tensor_numel || shape[view_d] == 1)) {
      strides[view_d] = view_numel * chunk_stride;
      view_numel *= shape[view_d];
      --view_d;
    }
    if (view_numel != tensor_numel) return std::nullopt;
    if (d > 0) {
      chunk_stride = old_strides[d - 1];
      tensor_numel = view_numel = 1;
    }
  }
  if (view_d != -1) return std::nullopt;
  return strides;
}

// expand and broadcast_to, with errors naming fn.
Tensor expand_impl(const Tensor& t, const Shape& requested, const char* fn) {
  const Shape& shape = t.shape();
  const Strides& strides = t.strides();
  const std::size_t rank = requested.size(), old_rank = shape.size();
  if (rank < old_rank)
    detail::fail("{}: target shape {} has fewer dims than the tensor's shape {}", fn, requested, shape);
  Shape s(rank, 0);
  Strides st(rank, 0);
  const std::size_t lead = rank - old_rank;
  for (std::size_t i = 0; i < rank; ++i) {
    const std::int64_t want = requested[i];
    if (i < lead) {
      if (want < 0) detail::fail("{}: new leading dim {} of shape {} must be non-negative", fn, want, requested);
      s[i] = want;
      continue;
    }
    const std::int64_t have = shape[i - lead];
    if (want == -1 || want == have) {
      s[i] = have;
      st[i] = strides[i - lead];
    } else if (have == 1 && want >= 0) {
      s[i] = want;
    } else {
      detail::fail("{}: shape {} cannot be broadcast to {} (dim {}: {} vs {})", fn, shape, requested, i, have, want);
    }
  }
  checked_numel(s, fn, t.itemsize());
  return with_geometry(t, std::move(s), std::move(st), t.storage_offset());
}

}  // namespace

std::int64_t Tensor::size(std::int64_t axis) const { return shape()[normalize_axis(axis, dim(), "size")]; }
std::int64_t Tensor::stride(std::int64_t axis) const { return strides()[normalize_axis(axis, dim(), "stride")]; }

bool Tensor::is_contiguous() const {
  const Shape& s = shape();
  const Strides& st = strides();
  std::int64_t expected = 1;
  for (std::size_t i = s.size(); i-- > 0;) {
    if (s[i] == 0) return true;
    if (s[i] == 1) continue;
    if (st[i] != expected) return false;
    // Only an empty tensor's dims can multiply past int64 (the size limit bounds the
    // rest), and an empty tensor is contiguous.
    if (__builtin_mul_overflow(expected, s[i], &expected)) return true;
  }
  return true;
}

Tensor Tensor::view(const Shape& requested) const {
  EX_TENSOR_METHOD_HOOK(view, requested);
  const Shape shape_ = infer_shape(requested, numel(), "view", shape());
  auto strides_ = view_strides(shape(), strides(), shape_);
  if (!strides_)
    detail::fail(
        "view: cannot view a tensor of shape {} and strides {} as shape {} without copying; "
        "use reshape",
        shape(), strides(), shape_);
  return with_geometry(*this, shape_, *strides_, storage_offset());
}

Tensor Tensor::reshape(const Shape& requested) const {
  EX_TENSOR_METHOD_HOOK(reshape, requested);
  const Shape shape_ = infer_shape(requested, numel(), "reshape", shape());
  if (auto strides_ = view_strides(shape(), strides(), shape_))
    return with_geometry(*this, shape_, *strides_, storage_offset());
  Tensor copy = detail::allocate(shape(), dtype(), "reshape");
  detail::copy_convert(*this, copy);
  return copy.view(shape_);
}

Tensor Tensor::transpose(std::int64_t axis0, std::int64_t axis1) const {
  EX_TENSOR_METHOD_HOOK(transpose, axis0, axis1);
  if (dim() == 0 && (axis0 == 0 || axis0 == -1) && (axis1 == 0 || axis1 == -1))  // like torch
    return with_geometry(*this, shape(), strides(), storage_offset());
  const auto a = normalize_axis(axis0, dim(), "transpose");
  const auto b = normalize_axis(axis1, dim(), "transpose");
  Shape s = shape();
  Strides st = strides();
  std::swap(s[a], s[b]);
  std::swap(st[a], st[b]);
  return with_geometry(*this, std::move(s), std::move(st), storage_offset());
}

Tensor Tensor::permute(const std::vector<std::int64_t>& dims) const {
  EX_TENSOR_METHOD_HOOK(permute, dims);
  const std::int64_t rank = dim();
  if (static_cast<std::int64_t>(dims.size()) != rank)
    detail::fail("permute: {} dims given for a tensor of rank {} (shape {})", dims.size(), rank, shape());
  Shape s(dims.size(), 0);
  Strides st(dims.size(), 0);
  std::vector<bool> seen(dims.size(), false);
  for (std::size_t i = 0; i < dims.size(); ++i) {
    const auto d = normalize_axis(dims[i], rank, "permute");
    if (seen[d]) detail::fail("permute: dims [{}] repeat axis {}", fmt::join(dims, ", "), d);
    seen[d] = true;
    s[i] = shape()[d];
    st[i] = strides()[d];
  }
  return with_geometry(*this, std::move(s), std::move(st), storage_offset());
}

Tensor Tensor::squeeze() const {
  EX_TENSOR_METHOD_HOOK(squeeze);
  Shape s;
  Strides st;
  for (std::size_t i = 0; i < shape().size(); ++i)
    if (shape()[i] != 1) {
      s.push_back(shape()[i]);
      st.push_back(strides()[i]);
    }
  return with_geometry(*this, std::move(s), std::move(st), storage_offset());
}

Tensor Tensor::squeeze(std::int64_t axis) const {
  EX_TENSOR_METHOD_HOOK(squeeze, axis);
  if (dim() == 0 && (axis == 0 || axis == -1)) return with_geometry(*this, shape(), strides(), storage_offset());
  const auto a = normalize_axis(axis, dim(), "squeeze");
  if (shape()[a] != 1) return with_geometry(*this, shape(), strides(), storage_offset());
  Shape s = shape();
  Strides st = strides();
  s.erase(a);
  st.erase(a);
  return with_geometry(*this, std::move(s), std::move(st), storage_offset());
}

Tensor Tensor::unsqueeze(std::int64_t axis) const {
  EX_TENSOR_METHOD_HOOK(unsqueeze, axis);
  const auto a = normalize_axis(axis, dim() + 1, "unsqueeze");
  Shape s = shape();
  Strides st = strides();
  const std::int64_t stride_ = a < dim() ? s[a] * st[a] : 1;
  s.insert(a, 1);
  st.insert(a, stride_);
  return with_geometry(*this, std::move(s), std::move(st), storage_offset());
}

Tensor Tensor::slice(std::int64_t axis, std::int64_t start, std::int64_t stop, std::int64_t step) const {
  EX_TENSOR_METHOD_HOOK(slice, axis, start, stop, step);
  const auto a = normalize_axis(axis, dim(), "slice");
  if (step < 1) detail::fail("slice: step must be positive, got {} (axis {}, shape {})", step, axis, shape());
  const std::int64_t n = shape()[a];
  auto clamp = [n](std::int64_t i) { return std::clamp<std::int64_t>(i < 0 ? i + n : i, 0, n); };
  const std::int64_t b = clamp(start), e = std::max(clamp(stop), b);
  Shape s = shape();
  Strides st = strides();
  s[a] = e > b ? (e - b - 1) / step + 1 : 0;  // not (e - b + step - 1) / step: overflows for a huge step
  const std::int64_t offset = storage_offset() + (s[a] > 0 ? b * st[a] : 0);
  // step < size here, so only an empty tensor's strides (which address nothing and may
  // be huge) can overflow; they saturate.
  if (s[a] > 1 && __builtin_mul_overflow(st[a], step, &st[a])) st[a] = kMaxTensorBytes / 8;
  return with_geometry(*this, std::move(s), std::move(st), offset);
}

Tensor Tensor::expand(const Shape& requested) const {
  EX_TENSOR_METHOD_HOOK(expand, requested);
  return expand_impl(*this, requested, "expand");
}
Tensor Tensor::broadcast_to(const Shape& shape_) const {
  EX_TENSOR_METHOD_HOOK(broadcast_to, shape_);
  return expand_impl(*this, shape_, "broadcast_to");
}

Tensor Tensor::flatten(std::int64_t start_axis, std::int64_t end_axis) const {
  EX_TENSOR_METHOD_HOOK(flatten, start_axis, end_axis);
  if (dim() == 0) {  // like PyTorch, a scalar's only axes are 0 and -1
    normalize_axis(start_axis, 1, "flatten");
    normalize_axis(end_axis, 1, "flatten");
    return reshape({1});
  }
  const auto b = normalize_axis(start_axis, dim(), "flatten");
  const auto e = normalize_axis(end_axis, dim(), "flatten");
  if (b > e) detail::fail("flatten: start axis {} comes after end axis {} (shape {})", start_axis, end_axis, shape());
  Shape s;
  for (std::int64_t i = 0; i < b; ++i) s.push_back(shape()[i]);
  std::int64_t merged = 1;
  for (std::int64_t i = b; i <= e; ++i) merged *= shape()[i];
  s.push_back(merged);
  for (std::int64_t i = e + 1; i < dim(); ++i) s.push_back(shape()[i]);
  return reshape(s);
}

Tensor make_view(const Tensor& base, const Shape& shape, const Strides& strides, std::int64_t offset) {
  const std::int64_t extent = detail::view_extent(shape, strides, base.itemsize(), "make_view");
  const std::int64_t capacity = static_cast<std::int64_t>(base.storage()->nbytes() / base.itemsize());
  if (offset < 0) detail::fail("make_view: negative offset {}", offset);
  if (extent > 0 && offset > capacity - extent)
    detail::fail("make_view: shape {} with strides {} and offset {} reaches past the storage of {} elements", shape,
                 strides, offset, capacity);
  return with_geometry(base, shape, strides, offset);
}

namespace detail {
std::int64_t view_extent(const Shape& shape, const Strides& strides, std::size_t itemsize, const char* fn) {
  if (shape.size() != strides.size()) fail("{}: shape {} and strides {} differ in rank", fn, shape, strides);
  const std::int64_t n = checked_numel(shape, fn, itemsize);
  const std::int64_t max_extent = kMaxTensorBytes / static_cast<std::int64_t>(itemsize);
  std::int64_t extent = n > 0 ? 1 : 0;
  for (std::size_t i = 0; i < shape.size(); ++i) {
    if (strides[i] < 0) fail("{}: negative stride in {}", fn, strides);
    std::int64_t span = 0;
    if (n > 0 && (__builtin_mul_overflow(shape[i] - 1, strides[i], &span) ||
                  __builtin_add_overflow(extent, span, &extent) || extent > max_extent))
      fail("{}: shape {} with strides {} spans more memory than can be addressed", fn, shape, strides);
  }
  return extent;
}
}  // namespace detail

namespace detail {
Strides broadcast_strides(const Tensor& t, const Shape& to) {
  Strides st(to.size(), 0);
  const std::size_t lead = to.size() - t.shape().size();
  for (std::size_t i = 0; i < t.shape().size(); ++i)
    st[lead + i] = t.shape()[i] == 1 && to[lead + i] != 1 ? 0 : t.strides()[i];
  return st;
}
}  // namespace detail

}  // namespace ex
