// Shape kernels: views delegate to the Tensor members (core/src/tensor.cpp); concatenate
// and stack copy, with one memcpy per block for contiguous inputs of the result dtype.
#include "extensor/core/kernels/shape.hpp"

#include <algorithm>
#include <cstring>

#include "common/check.hpp"
#include "core/src/kernels/forward.hpp"
#include "core/src/parallel.hpp"
#include "extensor/core/creation.hpp"
#include "extensor/core/kernels/reduction.hpp"

namespace ex::kernels {

namespace {

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
  DType dtype = detail::defined(fn, tensors[0]).dtype();
  std::size_t ref = tensors.size();  // first tensor that takes part in the shape check
  for (std::size_t i = 0; i < tensors.size(); ++i) {
    const Tensor& t = detail::defined(fn, tensors[i]);
    if (t.dim() == 0) detail::fail("{}: zero-dimensional tensor (at position {}) cannot be concatenated", fn, i);
    dtype = promote_types(dtype, t.dtype());
    if (ref == tensors.size() && !legacy_empty(t)) ref = i;
  }
  if (ref == tensors.size()) {  // only [0]-shaped tensors
    normalize_axis(axis, 1, fn);
    return detail::allocate(Shape{0}, dtype, fn);
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
    if (__builtin_add_overflow(total, t.shape()[a], &total))
      detail::fail("{}: the sizes along axis {} add up to more elements than a tensor can hold", fn, axis);
  }
  Shape shape = ref_shape;
  shape[a] = total;
  Tensor out = detail::allocate(shape, dtype, fn);
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

Tensor reshape(const Tensor& t, const Shape& shape) { return detail::defined("reshape", t).reshape(shape); }
Tensor flatten(const Tensor& t, std::int64_t start_axis, std::int64_t end_axis) {
  return detail::defined("flatten", t).flatten(start_axis, end_axis);
}
Tensor squeeze(const Tensor& t) { return detail::defined("squeeze", t).squeeze(); }
Tensor squeeze(const Tensor& t, std::int64_t axis) { return detail::defined("squeeze", t).squeeze(axis); }
Tensor unsqueeze(const Tensor& t, std::int64_t axis) { return detail::defined("unsqueeze", t).unsqueeze(axis); }
Tensor transpose(const Tensor& t, std::int64_t axis0, std::int64_t axis1) {
  return detail::defined("transpose", t).transpose(axis0, axis1);
}
Tensor transpose(const Tensor& t) {
  std::vector<std::int64_t> dims(static_cast<std::size_t>(detail::defined("transpose", t).dim()));
  for (std::size_t i = 0; i < dims.size(); ++i) dims[i] = static_cast<std::int64_t>(dims.size() - 1 - i);
  return t.permute(dims);
}
Tensor permute(const Tensor& t, const std::vector<std::int64_t>& dims) {
  return detail::defined("permute", t).permute(dims);
}
Tensor slice(const Tensor& t, std::int64_t axis, std::int64_t start, std::int64_t stop, std::int64_t step) {
  return detail::defined("slice", t).slice(axis, start, stop, step);
}
Tensor broadcast_to(const Tensor& t, const Shape& shape) {
  return detail::defined("broadcast_to", t).broadcast_to(shape);
}

std::vector<Tensor> split(const Tensor& t, const std::vector<std::int64_t>& sizes, std::int64_t axis) {
  const auto a = normalize_axis(axis, detail::defined("split", t).dim(), "split");
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
  const auto a = normalize_axis(axis, detail::defined("split", t).dim(), "split");
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
  const Shape& shape = detail::defined("stack", tensors[0]).shape();
  const auto a = normalize_axis(axis, tensors[0].dim() + 1, "stack");
  std::vector<Tensor> expanded;
  expanded.reserve(tensors.size());
  for (std::size_t i = 0; i < tensors.size(); ++i) {
    if (!(detail::defined("stack", tensors[i]).shape() == shape))
      detail::fail("stack: tensors must have the same shape, got {} (tensor 0) and {} (tensor {})", shape,
                   tensors[i].shape(), i);
    expanded.push_back(tensors[i].unsqueeze(a));
  }
  return concatenate_impl(expanded, a, "stack");
}

}  // namespace ex::kernels

// ---- backward ----

namespace ex {

namespace {

using detail::fail;

const Tensor& grad_of(const Tensor& grad, const char* fn) {
  if (!grad.defined()) fail("{}: grad is an undefined tensor", fn);
  return grad;
}

Tensor reshape_backward_impl(const Tensor& grad, const Shape& input_shape, const char* fn) {
  checked_numel(input_shape, fn);
  if (grad_of(grad, fn).numel() != input_shape.numel())
    fail("{}: grad of shape {} has {} elements, the input shape {} has {}", fn, grad.shape(), grad.numel(), input_shape,
         input_shape.numel());
  return grad.reshape(input_shape);
}

// Each input's gradient converted to its dtype; dtypes empty means grad's dtype for all.
std::vector<Tensor> to_input_dtypes(std::vector<Tensor> grads, const std::vector<DType>& dtypes) {
  for (std::size_t i = 0; i < dtypes.size(); ++i) grads[i] = grads[i].to(dtypes[i]);
  return grads;
}

void check_dtypes(const Tensor& grad, const std::vector<DType>& dtypes, std::size_t count, const char* fn) {
  if (dtypes.empty()) return;
  if (dtypes.size() != count) fail("{}: {} input dtypes given for {} inputs", fn, dtypes.size(), count);
  DType promoted = dtypes[0];
  for (const DType d : dtypes) promoted = promote_types(promoted, d);
  if (grad.dtype() != promoted)
    fail("{}: grad has dtype {}, but the inputs' dtypes promote to {}", fn, grad.dtype(), promoted);
}

}  // namespace

Tensor reshape_backward(const Tensor& grad, const Shape& input_shape) {
  return reshape_backward_impl(grad, input_shape, "reshape_backward");
}
Tensor flatten_backward(const Tensor& grad, const Shape& input_shape) {
  return reshape_backward_impl(grad, input_shape, "flatten_backward");
}

Tensor squeeze_backward(const Tensor& grad, const Shape& input_shape) {
  const Shape& from = grad_of(grad, "squeeze_backward").shape();
  checked_numel(input_shape, "squeeze_backward");
  std::size_t j = 0;  // grad's shape must be input_shape with some size-1 dims left out
  bool fits = true;
  for (std::size_t d = 0; d < input_shape.size() && fits; ++d) {
    if (j < from.size() && from[j] == input_shape[d])
      ++j;
    else
      fits = input_shape[d] == 1;
  }
  if (!fits || j != from.size())
    fail("squeeze_backward: grad of shape {} is not the input shape {} without size-1 dims", from, input_shape);
  return grad.view(input_shape);
}

Tensor unsqueeze_backward(const Tensor& grad, std::int64_t axis) {
  const auto a = normalize_axis(axis, grad_of(grad, "unsqueeze_backward").dim(), "unsqueeze_backward");
  if (grad.size(a) != 1)
    fail("unsqueeze_backward: grad of shape {} has size {} on axis {}, not 1", grad.shape(), grad.size(a), axis);
  return grad.squeeze(a);
}

Tensor transpose_backward(const Tensor& grad, std::int64_t axis0, std::int64_t axis1) {
  if (grad_of(grad, "transpose_backward").dim() == 0 && (axis0 == 0 || axis0 == -1) && (axis1 == 0 || axis1 == -1))
    return grad;
  return grad.transpose(normalize_axis(axis0, grad.dim(), "transpose_backward"),
                        normalize_axis(axis1, grad.dim(), "transpose_backward"));
}
Tensor transpose_backward(const Tensor& grad) { return kernels::transpose(grad_of(grad, "transpose_backward")); }

Tensor permute_backward(const Tensor& grad, const std::vector<std::int64_t>& dims) {
  const std::int64_t rank = grad_of(grad, "permute_backward").dim();
  if (static_cast<std::int64_t>(dims.size()) != rank)
    fail("permute_backward: {} dims given for a grad of rank {} (shape {})", dims.size(), rank, grad.shape());
  std::vector<std::int64_t> inverse(dims.size(), -1);
  for (std::size_t i = 0; i < dims.size(); ++i) {
    auto& slot = inverse[static_cast<std::size_t>(normalize_axis(dims[i], rank, "permute_backward"))];
    if (slot != -1) fail("permute_backward: axis {} repeats in dims [{}]", dims[i], fmt::join(dims, ", "));
    slot = static_cast<std::int64_t>(i);
  }
  return grad.permute(inverse);
}

std::vector<Tensor> concatenate_backward(const Tensor& grad, const std::vector<Shape>& input_shapes, std::int64_t axis,
                                         const std::vector<DType>& input_dtypes) {
  constexpr const char* fn = "concatenate_backward";
  grad_of(grad, fn);
  if (input_shapes.empty()) fail("{}: expected a non-empty list of input shapes", fn);
  check_dtypes(grad, input_dtypes, input_shapes.size(), fn);
  auto legacy_empty = [](const Shape& s) { return s.size() == 1 && s[0] == 0; };
  std::size_t ref = input_shapes.size();  // first input that takes part in the shape check
  for (std::size_t i = 0; i < input_shapes.size(); ++i) {
    checked_numel(input_shapes[i], fn);
    if (input_shapes[i].empty()) fail("{}: input {} has rank 0, which concatenate rejects", fn, i);
    if (ref == input_shapes.size() && !legacy_empty(input_shapes[i])) ref = i;
  }
  const Shape& ref_shape = input_shapes[ref == input_shapes.size() ? 0 : ref];
  const auto a = static_cast<std::size_t>(normalize_axis(axis, static_cast<std::int64_t>(ref_shape.size()), fn));
  Shape expected = ref_shape;
  expected[a] = 0;
  for (std::size_t i = 0; i < input_shapes.size(); ++i) {
    const Shape& s = input_shapes[i];
    if (legacy_empty(s) && i != ref) continue;
    for (std::size_t d = 0; d < s.size(); ++d)
      if (s.size() != ref_shape.size() || (d != a && s[d] != ref_shape[d]))
        fail("{}: input shapes {} (input {}) and {} (input {}) do not concatenate on axis {}", fn, ref_shape, ref, s, i,
             axis);
    expected[a] += s[a];
  }
  if (grad.shape() != expected)
    fail("{}: grad has shape {}, but the concatenation has shape {}", fn, grad.shape(), expected);
  std::vector<Tensor> grads;
  grads.reserve(input_shapes.size());
  std::int64_t offset = 0;
  for (std::size_t i = 0; i < input_shapes.size(); ++i) {
    if (legacy_empty(input_shapes[i]) && i != ref) {
      grads.push_back(detail::allocate(Shape{0}, grad.dtype(), fn));
      continue;
    }
    const std::int64_t n = input_shapes[i][a];
    grads.push_back(grad.slice(static_cast<std::int64_t>(a), offset, offset + n));
    offset += n;
  }
  return to_input_dtypes(std::move(grads), input_dtypes);
}

std::vector<Tensor> stack_backward(const Tensor& grad, std::int64_t count, std::int64_t axis,
                                   const std::vector<DType>& input_dtypes) {
  constexpr const char* fn = "stack_backward";
  if (count < 1) fail("{}: count must be at least 1, got {}", fn, count);
  const auto a = normalize_axis(axis, grad_of(grad, fn).dim(), fn);
  if (grad.size(a) != count)
    fail("{}: grad of shape {} has size {} on axis {}, expected the count {}", fn, grad.shape(), grad.size(a), axis,
         count);
  check_dtypes(grad, input_dtypes, static_cast<std::size_t>(count), fn);
  std::vector<Tensor> grads;
  grads.reserve(static_cast<std::size_t>(count));
  for (std::int64_t i = 0; i < count; ++i) grads.push_back(grad.slice(a, i, i + 1).squeeze(a));
  return to_input_dtypes(std::move(grads), input_dtypes);
}

Tensor split_backward(const std::vector<Tensor>& grads, const Shape& input_shape, std::int64_t axis,
                      const std::vector<std::int64_t>& sizes) {
  constexpr const char* fn = "split_backward";
  if (grads.empty()) fail("{}: expected a non-empty list of gradients", fn);
  checked_numel(input_shape, fn);
  const auto rank = static_cast<std::int64_t>(input_shape.size());
  const auto a = static_cast<std::size_t>(normalize_axis(axis, rank, fn));
  const Tensor* first = nullptr;  // the first defined gradient
  for (const Tensor& g : grads) {
    if (!g.defined()) continue;
    if (first == nullptr) first = &g;
    if (g.dtype() != first->dtype())
      fail("{}: gradients have different dtypes {} and {}", fn, first->dtype(), g.dtype());
    if (g.dim() != rank) fail("{}: gradient of shape {} does not fit the input shape {}", fn, g.shape(), input_shape);
  }
  if (first == nullptr) fail("{}: every gradient is undefined (the result's dtype is unknown)", fn);
  std::vector<std::int64_t> n = sizes;
  if (n.empty()) {
    std::int64_t known = 0, missing = -1;
    for (std::size_t i = 0; i < grads.size(); ++i) {
      if (!grads[i].defined()) {
        if (missing != -1) fail("{}: more than one gradient is undefined; pass the pieces' sizes", fn);
        missing = static_cast<std::int64_t>(i);
        n.push_back(0);
      } else {
        n.push_back(grads[i].shape()[a]);
        known += n.back();
      }
    }
    if (missing != -1) n[static_cast<std::size_t>(missing)] = std::max<std::int64_t>(input_shape[a] - known, 0);
  } else if (n.size() != grads.size()) {
    fail("{}: {} sizes given for {} gradients", fn, n.size(), grads.size());
  }
  std::int64_t total = 0;
  for (const std::int64_t s : n) {
    if (s < 0) fail("{}: negative piece size {}", fn, s);
    if (__builtin_add_overflow(total, s, &total)) fail("{}: the pieces' sizes [{}] overflow", fn, fmt::join(n, ", "));
  }
  if (total != input_shape[a])
    fail("{}: the pieces' sizes [{}] do not sum to the size {} of axis {} (input shape {})", fn, fmt::join(n, ", "),
         input_shape[a], axis, input_shape);
  std::vector<Tensor> pieces;
  pieces.reserve(grads.size());
  for (std::size_t i = 0; i < grads.size(); ++i) {
    Shape shape = input_shape;
    shape[a] = n[i];
    if (!grads[i].defined()) {
      pieces.push_back(zeros(shape, first->dtype()));
    } else if (grads[i].shape() != shape) {
      fail("{}: gradient {} has shape {}, expected {}", fn, i, grads[i].shape(), shape);
    } else {
      pieces.push_back(grads[i]);
    }
  }
  return kernels::concatenate(pieces, static_cast<std::int64_t>(a));
}

Tensor slice_backward(const Tensor& grad, const Shape& input_shape, std::int64_t axis, std::int64_t start,
                      std::int64_t stop, std::int64_t step) {
  constexpr const char* fn = "slice_backward";
  grad_of(grad, fn);
  checked_numel(input_shape, fn);
  const auto a = normalize_axis(axis, static_cast<std::int64_t>(input_shape.size()), fn);
  if (step < 1) fail("{}: step must be at least 1, got {}", fn, step);
  Tensor out = zeros(input_shape, grad.dtype());
  const Tensor window = out.slice(a, start, stop, step);
  if (window.shape() != grad.shape())
    fail("{}: grad has shape {}, but slicing {} on axis {} with {}:{}:{} gives {}", fn, grad.shape(), input_shape, axis,
         start, stop, step, window.shape());
  detail::copy_convert(grad, window);
  return out;
}

Tensor broadcast_to_backward(const Tensor& grad, const Shape& input_shape) {
  const Shape& to = grad_of(grad, "broadcast_to_backward").shape();
  checked_numel(input_shape, "broadcast_to_backward");
  bool fits = input_shape.size() <= to.size();
  for (std::size_t d = 0; fits && d < input_shape.size(); ++d) {
    const std::int64_t s = input_shape[d], t = to[d + to.size() - input_shape.size()];
    fits = s == t || s == 1;
  }
  if (!fits) fail("broadcast_to_backward: input shape {} does not broadcast to grad's shape {}", input_shape, to);
  return reduce_to_shape(grad, input_shape);
}

}  // namespace ex
