// Shape kernels: views delegate to the Tensor members (core/src/tensor.cpp); concatenate
// and stack copy, with one memcpy per block for contiguous inputs of the result dtype.
#include "extensor/core/kernels/shape.hpp"

#include <algorithm>
#include <cstring>

#include "core/src/check.hpp"
#include "core/src/parallel.hpp"

namespace ex::kernels {

namespace {

const Tensor& defined(const Tensor& t, const char* fn) {
  if (!t.defined()) detail::fail("{}: the tensor is undefined (default-constructed)", fn);
  return t;
}

// split(t, sections) beyond the axis size makes empty pieces (like np.array_split); this
// bounds the list so a huge count throws instead of exhausting memory.
constexpr std::int64_t kMaxEmptySections = std::int64_t{1} << 24;

// torch.cat's legacy rule: 1-D tensors of shape [0] take no part in the shape check.
bool legacy_empty(const Tensor& t) { return t.dim() == 1 && t.shape()[0] == 0; }

// One input's run of elements inside each row of the output (a row spans the axis and
// everything after it).
struct Piece {
  const char* src;
  std::int64_t begin;  // element offset within an output row
  std::int64_t len;    // elements per row
};

// Copies the memcpy-able pieces into the contiguous out, splitting the output's flat
// element range over threads so that a few huge blocks parallelize as well as many
// small ones.
void copy_pieces(const std::vector<Piece>& pieces, const Tensor& out, std::int64_t row_len) {
  if (pieces.empty()) return;
  const auto isz = static_cast<std::int64_t>(out.itemsize());
  char* dst = static_cast<char*>(out.raw_data());
  detail::parallel_for(0, out.numel(), detail::kGrainElements, [&](std::int64_t b, std::int64_t e) {
    for (std::int64_t row = b / row_len; row * row_len < e; ++row) {
      for (const Piece& p : pieces) {
        const std::int64_t pb = row * row_len + p.begin;
        const std::int64_t lo = std::max(pb, b), hi = std::min(pb + p.len, e);
        if (lo < hi)
          std::memcpy(dst + lo * isz, p.src + (row * p.len + lo - pb) * isz, static_cast<std::size_t>((hi - lo) * isz));
      }
    }
  });
}

Tensor concatenate_impl(const std::vector<Tensor>& tensors, std::int64_t axis, const char* fn) {
  if (tensors.empty()) detail::fail("{}: expected a non-empty list of tensors", fn);
  DType dtype = defined(tensors[0], fn).dtype();
  std::size_t ref = tensors.size();  // first tensor that takes part in the shape check
  for (std::size_t i = 0; i < tensors.size(); ++i) {
    const Tensor& t = defined(tensors[i], fn);
    if (t.dim() == 0) detail::fail("{}: zero-dimensional tensor (at position {}) cannot be concatenated", fn, i);
    dtype = promote_types(dtype, t.dtype());
    if (ref == tensors.size() && !legacy_empty(t)) ref = i;
  }
  if (ref == tensors.size()) {  // only [0]-shaped tensors
    normalize_axis(axis, 1, fn);
    return detail::empty_unchecked(Shape{0}, dtype);
  }
  const Shape& ref_shape = tensors[ref].shape();
  const std::int64_t rank = tensors[ref].dim();
  const std::size_t a = static_cast<std::size_t>(normalize_axis(axis, rank, fn));
  std::int64_t total = 0;
  for (std::size_t i = 0; i < tensors.size(); ++i) {
    const Tensor& t = tensors[i];
    if (legacy_empty(t) && i != ref) continue;
    if (t.dim() != rank)
      detail::fail("{}: tensors must have the same rank, got shapes {} (tensor {}) and {} (tensor {}), axis {}", fn,
                   ref_shape, ref, t.shape(), i, axis);
    for (std::size_t d = 0; d < ref_shape.size(); ++d)
      if (d != a && t.shape()[d] != ref_shape[d])
        detail::fail("{}: shapes {} (tensor {}) and {} (tensor {}) differ in dim {}, not only on axis {}", fn,
                     ref_shape, ref, t.shape(), i, d, axis);
    total += t.shape()[a];
  }
  Shape shape = ref_shape;
  shape[a] = total;
  checked_numel(shape, fn);
  Tensor out = detail::empty_unchecked(shape, dtype);
  if (out.numel() == 0) return out;

  std::int64_t inner = 1;
  for (std::size_t d = a + 1; d < shape.size(); ++d) inner *= shape[d];
  std::vector<Piece> pieces;
  std::int64_t offset = 0;
  for (std::size_t i = 0; i < tensors.size(); ++i) {
    const Tensor& t = tensors[i];
    if (legacy_empty(t) && i != ref) continue;
    const std::int64_t n = t.shape()[a];
    if (n == 0) continue;
    if (t.dtype() == dtype && t.is_contiguous())
      pieces.push_back({static_cast<const char*>(t.raw_data()), offset * inner, n * inner});
    else
      detail::copy_convert(t, out.slice(static_cast<std::int64_t>(a), offset, offset + n));
    offset += n;
  }
  copy_pieces(pieces, out, total * inner);
  return out;
}

}  // namespace

Tensor reshape(const Tensor& t, const Shape& shape) { return defined(t, "reshape").reshape(shape); }
Tensor flatten(const Tensor& t, std::int64_t start_axis, std::int64_t end_axis) {
  return defined(t, "flatten").flatten(start_axis, end_axis);
}
Tensor squeeze(const Tensor& t) { return defined(t, "squeeze").squeeze(); }
Tensor squeeze(const Tensor& t, std::int64_t axis) { return defined(t, "squeeze").squeeze(axis); }
Tensor unsqueeze(const Tensor& t, std::int64_t axis) { return defined(t, "unsqueeze").unsqueeze(axis); }
Tensor transpose(const Tensor& t, std::int64_t axis0, std::int64_t axis1) {
  return defined(t, "transpose").transpose(axis0, axis1);
}
Tensor transpose(const Tensor& t) {
  std::vector<std::int64_t> dims(static_cast<std::size_t>(defined(t, "transpose").dim()));
  for (std::size_t i = 0; i < dims.size(); ++i) dims[i] = static_cast<std::int64_t>(dims.size() - 1 - i);
  return t.permute(dims);
}
Tensor permute(const Tensor& t, const std::vector<std::int64_t>& dims) { return defined(t, "permute").permute(dims); }
Tensor slice(const Tensor& t, std::int64_t axis, std::int64_t start, std::int64_t stop, std::int64_t step) {
  return defined(t, "slice").slice(axis, start, stop, step);
}
Tensor broadcast_to(const Tensor& t, const Shape& shape) { return defined(t, "broadcast_to").broadcast_to(shape); }

std::vector<Tensor> split(const Tensor& t, const std::vector<std::int64_t>& sizes, std::int64_t axis) {
  const auto a = normalize_axis(axis, defined(t, "split").dim(), "split");
  const std::int64_t n = t.shape()[static_cast<std::size_t>(a)];
  std::int64_t sum = 0;
  for (const std::int64_t s : sizes) {
    if (s < 0 || s > n)
      detail::fail("split: invalid size {} in sizes [{}] (axis {} of shape {})", s, fmt::join(sizes, ", "), axis,
                   t.shape());
    sum += s;  // each s <= n <= 2^62 and we stop past n, so no overflow
    if (sum > n) break;
  }
  if (sum != n)
    detail::fail("split: sizes [{}] do not sum to the size {} of axis {} (shape {})", fmt::join(sizes, ", "), n, axis,
                 t.shape());
  std::vector<Tensor> parts;
  parts.reserve(sizes.size());
  std::int64_t begin = 0;
  for (const std::int64_t s : sizes) {
    parts.push_back(t.slice(a, begin, begin + s));
    begin += s;
  }
  return parts;
}

std::vector<Tensor> split(const Tensor& t, std::int64_t sections, std::int64_t axis) {
  const auto a = normalize_axis(axis, defined(t, "split").dim(), "split");
  const std::int64_t n = t.shape()[static_cast<std::size_t>(a)];
  if (sections < 1) detail::fail("split: sections must be at least 1, got {} (shape {})", sections, t.shape());
  if (sections > n && sections > kMaxEmptySections)
    detail::fail("split: {} sections for an axis of size {} (shape {}) would be mostly empty; at most {} allowed",
                 sections, n, t.shape(), kMaxEmptySections);
  std::vector<std::int64_t> sizes(static_cast<std::size_t>(sections), n / sections);
  for (std::int64_t i = 0; i < n % sections; ++i) ++sizes[static_cast<std::size_t>(i)];
  return split(t, sizes, a);
}

Tensor concatenate(const std::vector<Tensor>& tensors, std::int64_t axis) {
  return concatenate_impl(tensors, axis, "concatenate");
}

Tensor stack(const std::vector<Tensor>& tensors, std::int64_t axis) {
  if (tensors.empty()) detail::fail("stack: expected a non-empty list of tensors");
  const Shape& shape = defined(tensors[0], "stack").shape();
  const auto a = normalize_axis(axis, tensors[0].dim() + 1, "stack");
  std::vector<Tensor> expanded;
  expanded.reserve(tensors.size());
  for (std::size_t i = 0; i < tensors.size(); ++i) {
    if (!(defined(tensors[i], "stack").shape() == shape))
      detail::fail("stack: tensors must have the same shape, got {} (tensor 0) and {} (tensor {})", shape,
                   tensors[i].shape(), i);
    expanded.push_back(tensors[i].unsqueeze(a));
  }
  return concatenate_impl(expanded, a, "stack");
}

}  // namespace ex::kernels
