// Resolving an index list against a shape (PyTorch's applySlicing): the basic indices
// become view steps, the tensor and bool indices checked int64 index tensors.
#include <algorithm>
#include <type_traits>

#include "common/check.hpp"
#include "core/src/kernels/indexing.hpp"

namespace ex::kernels {

namespace {

using Kind = TensorIndex::Kind;

bool is_mask(const Tensor& t) { return t.dtype() == DType::Bool || t.dtype() == DType::UInt8; }
bool is_integer(DType dtype) { return !is_floating(dtype) && dtype != DType::Bool; }

// Axes of x that an index consumes (None, bool and Ellipsis consume none).
std::int64_t axes_consumed(const TensorIndex& index, const char* fn) {
  switch (index.kind()) {
    case Kind::Integer:
    case Kind::Slice:
      return 1;
    case Kind::Tensor: {
      const Tensor& t = detail::defined(fn, index.tensor(), "index tensor");
      if (is_mask(t)) return t.dim();
      if (!is_integer(t.dtype()))
        detail::fail("{}: tensors used as indices must be Bool or integer tensors, got {} with shape {}", fn, t.dtype(),
                     t.shape());
      return 1;
    }
    default:
      return 0;
  }
}

[[noreturn]] void out_of_range(const char* fn, auto index, std::int64_t axis, std::int64_t size) {
  detail::fail("{}: index {} is out of range for axis {} of size {}", fn, index, axis, size);
}

// index in [-size, size) wrapped into [0, size).
std::int64_t wrapped(std::int64_t index, std::int64_t axis, std::int64_t size, const char* fn) {
  if (index < -size || index >= size) out_of_range(fn, index, axis, size);
  return index < 0 ? index + size : index;
}

// An integer index tensor as a new int64 tensor of wrapped values.
Tensor wrapped(const Tensor& t, std::int64_t axis, std::int64_t size, const char* fn) {
  Tensor out = detail::allocate(t.shape(), DType::Int64, fn);
  std::int64_t* o = out.data<std::int64_t>();
  dispatch(t.dtype(), [&]<class T>() {
    if constexpr (std::is_integral_v<T> && !std::is_same_v<T, bool>) {
      const Tensor c = t.contiguous();
      const T* v = c.data<T>();
      for (std::int64_t i = 0; i < t.numel(); ++i) {
        if constexpr (std::is_unsigned_v<T>) {
          if (static_cast<std::uint64_t>(v[i]) >= static_cast<std::uint64_t>(size))
            out_of_range(fn, static_cast<std::uint64_t>(v[i]), axis, size);
          o[i] = static_cast<std::int64_t>(v[i]);
        } else {
          o[i] = wrapped(static_cast<std::int64_t>(v[i]), axis, size, fn);
        }
      }
    }
  });
  return out;
}

// The coordinates of a mask's true elements: one int64 tensor of shape [count] per axis.
std::vector<Tensor> true_positions(const Tensor& mask, const char* fn) {
  const Tensor m = detail::to_dtype(mask, DType::Bool, fn).contiguous();
  const bool* v = m.data<bool>();
  std::int64_t count = 0;
  for (std::int64_t i = 0; i < m.numel(); ++i) count += v[i] ? 1 : 0;
  const auto rank = static_cast<std::size_t>(m.dim());
  std::vector<Tensor> out;
  std::vector<std::int64_t*> dst;
  for (std::size_t a = 0; a < rank; ++a) {
    out.push_back(detail::allocate(Shape{count}, DType::Int64, fn));
    dst.push_back(out.back().data<std::int64_t>());
  }
  std::vector<std::int64_t> coord(rank, 0);
  std::int64_t k = 0;
  for (std::int64_t i = 0; i < m.numel(); ++i) {
    if (v[i]) {
      for (std::size_t a = 0; a < rank; ++a) dst[a][k] = coord[a];
      ++k;
    }
    for (std::size_t a = rank; a-- > 0;) {  // the next row-major coordinate
      if (++coord[a] < m.shape()[a]) break;
      coord[a] = 0;
    }
  }
  return out;
}

// The index tensor of a bool index: [0] for true, empty for false.
Tensor single_index(bool present, const char* fn) {
  Tensor t = detail::allocate(Shape{present ? 1 : 0}, DType::Int64, fn);
  if (present) *t.data<std::int64_t>() = 0;
  return t;
}

// Walks the indices, growing the plan; `shape` is the basic result so far.
class Planner {
 public:
  Planner(const Shape& shape, std::int64_t specified, const char* fn)
      : shape_(shape.vec()), specified_(specified), fn_(fn) {}

  void add(const TensorIndex& index) {
    switch (index.kind()) {
      case Kind::Integer:
        select(index.integer());
        return;
      case Kind::Slice:
        slice(index.slice());
        return;
      case Kind::None:
        unsqueeze();
        return;
      case Kind::Ellipsis: {
        // The axes of x that no other index consumes.
        const std::int64_t skipped = static_cast<std::int64_t>(shape_.size()) - axis_ - (specified_ - consumed_);
        axis_ += skipped;
        input_axis_ += skipped;
        return;
      }
      case Kind::Boolean:
        unsqueeze();
        advanced(axis_ - 1, single_index(index.integer() != 0, fn_));
        return;
      case Kind::Tensor:
        tensor(index.tensor());
        return;
    }
  }

  IndexPlan finish() && {
    plan_.basic_shape = Shape(shape_);
    if (!plan_.advanced()) {
      plan_.result_shape = plan_.basic_shape;
      return std::move(plan_);
    }
    for (const Tensor& t : plan_.indices) plan_.index_shape = broadcast_shapes(plan_.index_shape, t.shape(), fn_);
    bool adjacent = true;
    for (std::size_t k = 0; k < plan_.axes.size(); ++k)
      adjacent = adjacent && plan_.axes[k] == plan_.axes[0] + static_cast<std::int64_t>(k);
    // Adjacent advanced axes are replaced in place by the index shape; separated ones
    // move to the front (NumPy's rule).
    std::vector<std::int64_t> result;
    const auto is_advanced = [&](std::size_t a) {
      for (const std::int64_t x : plan_.axes)
        if (x == static_cast<std::int64_t>(a)) return true;
      return false;
    };
    if (!adjacent) result = plan_.index_shape.vec();
    for (std::size_t a = 0; a < shape_.size(); ++a) {
      if (adjacent && static_cast<std::int64_t>(a) == plan_.axes[0])
        result.insert(result.end(), plan_.index_shape.begin(), plan_.index_shape.end());
      if (!is_advanced(a)) result.push_back(shape_[a]);
    }
    plan_.result_shape = Shape(result);
    return std::move(plan_);
  }

 private:
  std::int64_t size() const { return shape_[static_cast<std::size_t>(axis_)]; }

  void select(std::int64_t index) {
    const std::int64_t i = wrapped(index, input_axis_, size(), fn_);
    plan_.steps.push_back({ViewStep::Kind::Select, axis_, i});
    shape_.erase(shape_.begin() + axis_);
    ++input_axis_;
    ++consumed_;
  }

  void slice(const indexing::Slice& s) {
    const std::int64_t step = s.step.value_or(1);
    if (step < 1) detail::fail("{}: slice step must be at least 1, got {} (for axis {})", fn_, step, input_axis_);
    const std::int64_t n = size();
    const auto clamp = [n](std::int64_t v) { return v < 0 ? std::max<std::int64_t>(v + n, 0) : std::min(v, n); };
    const std::int64_t start = clamp(s.start.value_or(0));
    const std::int64_t stop = std::max(start, clamp(s.stop.value_or(n)));
    plan_.steps.push_back({ViewStep::Kind::Slice, axis_, start, stop, step});
    shape_[static_cast<std::size_t>(axis_)] = stop == start ? 0 : (stop - start - 1) / step + 1;
    ++axis_;
    ++input_axis_;
    ++consumed_;
  }

  void unsqueeze() {
    plan_.steps.push_back({ViewStep::Kind::Unsqueeze, axis_});
    shape_.insert(shape_.begin() + axis_, 1);
    ++axis_;
  }

  void advanced(std::int64_t axis, Tensor index) {
    plan_.axes.push_back(axis);
    plan_.indices.push_back(std::move(index));
  }

  void tensor(const Tensor& t) {
    if (t.dim() == 0) {  // a 0-dim tensor acts as the number it holds
      if (is_mask(t)) {
        unsqueeze();
        advanced(axis_ - 1, single_index(t.item<bool>(), fn_));
      } else {
        select(t.item<std::int64_t>());
      }
      return;
    }
    if (is_mask(t)) {
      const auto k = static_cast<std::size_t>(t.dim());
      const auto first = static_cast<std::size_t>(axis_);
      for (std::size_t j = 0; j < k; ++j)
        if (t.shape()[j] != shape_[first + j])
          detail::fail("{}: the mask of shape {} does not match the indexed axes {}..{} of shape {} (tensor shape {})",
                       fn_, t.shape(), input_axis_, input_axis_ + t.dim() - 1,
                       Shape(std::vector<std::int64_t>(shape_.begin() + axis_, shape_.begin() + axis_ + t.dim())),
                       Shape(shape_));
      for (Tensor& positions : true_positions(t, fn_)) advanced(axis_++, std::move(positions));
      input_axis_ += t.dim();
      consumed_ += t.dim();
      return;
    }
    advanced(axis_, wrapped(t, input_axis_, size(), fn_));
    ++axis_;
    ++input_axis_;
    ++consumed_;
  }

  std::vector<std::int64_t> shape_;
  std::int64_t specified_;       // axes of x the whole list consumes
  std::int64_t consumed_ = 0;    // of those, by the indices seen so far
  std::int64_t axis_ = 0;        // the next axis of the basic result
  std::int64_t input_axis_ = 0;  // the next axis of x, for messages
  const char* fn_;
  IndexPlan plan_;
};

}  // namespace

IndexPlan plan_index(const Shape& shape, const std::vector<TensorIndex>& indices, const char* fn) {
  std::int64_t specified = 0, ellipses = 0;
  for (const TensorIndex& index : indices) {
    specified += axes_consumed(index, fn);
    ellipses += index.kind() == Kind::Ellipsis ? 1 : 0;
  }
  if (ellipses > 1) detail::fail("{}: an index list can hold at most one Ellipsis, got {}", fn, ellipses);
  const auto rank = static_cast<std::int64_t>(shape.size());
  if (specified > rank)
    detail::fail("{}: too many indices for a tensor of dimension {} (shape {}): the indices address {} axes", fn, rank,
                 shape, specified);
  Planner planner(shape, specified, fn);
  for (const TensorIndex& index : indices) planner.add(index);
  return std::move(planner).finish();
}

Tensor apply_view_steps(const Tensor& t, const IndexPlan& plan) {
  Tensor r = t;
  for (const ViewStep& s : plan.steps) {
    switch (s.kind) {
      case ViewStep::Kind::Select:
        r = r.slice(s.axis, s.start, s.start + 1).squeeze(s.axis);
        break;
      case ViewStep::Kind::Slice:
        r = r.slice(s.axis, s.start, s.stop, s.step);
        break;
      case ViewStep::Kind::Unsqueeze:
        r = r.unsqueeze(s.axis);
        break;
    }
  }
  return r;
}

}  // namespace ex::kernels
