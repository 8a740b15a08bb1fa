// Reductions: sum, mean, max/min over axes (the engine is in reduction_engine.hpp),
// argmax/argmin, and their backward kernels.

#include "extensor/core/kernels/reduction.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <type_traits>
#include <utility>
#include <vector>

#include "common/check.hpp"
#include "core/src/kernels/forward.hpp"
#include "core/src/kernels/reduction_engine.hpp"
#include "core/src/parallel.hpp"
#include "core/src/strided_loop.hpp"
#include "extensor/core/creation.hpp"

namespace ex::kernels {
namespace {

using namespace detail::reduction;  // NOLINT: the engine's ops, geometry and kernels

// Which axes a reduction covers.
std::vector<bool> parse_axes(std::int64_t rank, const std::vector<std::int64_t>& axes, const char* fn) {
  std::vector<bool> mask(static_cast<std::size_t>(rank), axes.empty());
  std::vector<bool> seen(static_cast<std::size_t>(std::max<std::int64_t>(rank, 1)), false);
  for (const std::int64_t axis : axes) {
    std::int64_t a;
    if (rank == 0) {
      if (axis < -1 || axis > 0) detail::fail("{}: axis {} is out of range for a tensor of rank 0", fn, axis);
      a = 0;
    } else {
      a = normalize_axis(axis, rank, fn);
    }
    if (seen[a]) detail::fail("{}: axis {} appears more than once in the axes {}", fn, axis, axes);
    seen[a] = true;
    if (rank > 0) mask[a] = true;
  }
  return mask;
}
// The same for the axes of x, which must be defined.
std::vector<bool> parse_axes(const Tensor& x, const std::vector<std::int64_t>& axes, const char* fn) {
  return parse_axes(detail::defined(fn, x).dim(), axes, fn);
}

// The shapes of a reduction of `in` over mask: with keepdims (reduced dims 1), without,
// and the number of elements reduced into each output.
struct ReducedShapes {
  Shape keep;
  Shape out;
  std::int64_t count = 1;
};
ReducedShapes reduced_shapes(const Shape& in, const std::vector<bool>& mask) {
  ReducedShapes r;
  for (std::size_t d = 0; d < in.size(); ++d) {
    if (mask[d]) {
      r.count *= in[d];
      r.keep.push_back(1);
    } else {
      r.keep.push_back(in[d]);
      r.out.push_back(in[d]);
    }
  }
  return r;
}

enum class Kind { Sum, Mean, Max, Min };

const char* kind_name(Kind k) {
  switch (k) {
    case Kind::Sum:
      return "sum";
    case Kind::Mean:
      return "mean";
    case Kind::Max:
      return "max_reduce";
    case Kind::Min:
      return "min_reduce";
  }
  return "";
}

Tensor reduce(const Tensor& x, const std::vector<bool>& mask, bool keepdims, Kind kind) {
  const char* fn = kind_name(kind);
  const ReducedShapes shapes = reduced_shapes(x.shape(), mask);
  const Shape& keep_shape = shapes.keep;
  const Shape& out_shape = shapes.out;
  const std::int64_t count = shapes.count;
  if ((kind == Kind::Max || kind == Kind::Min) && count == 0)
    detail::fail("{}: cannot reduce over an empty extent (input shape {}, reducing {} elements per output)", fn,
                 x.shape(), count);
  if (kind == Kind::Mean && !is_floating(x.dtype()))
    detail::fail("mean: input dtype {} is not floating point; convert it first, e.g. x.to(ex::DType::Float32)",
                 x.dtype());
  DType out_dtype = x.dtype();
  if (kind == Kind::Sum && !is_floating(x.dtype()))
    out_dtype = x.dtype() == DType::UInt64 ? DType::UInt64 : DType::Int64;
  Tensor out = detail::allocate(out_shape, out_dtype, fn);
  dispatch(x.dtype(), [&]<class T>() {
    switch (kind) {
      case Kind::Sum:
        run_reduce<SumOp<T>, T>(x, mask, out, count);
        break;
      case Kind::Mean:
        if constexpr (is_float_v<T>) run_reduce<MeanOp<T>, T>(x, mask, out, count);
        break;
      case Kind::Max:
        run_reduce<ExtremeOp<T, true>, T>(x, mask, out, count);
        break;
      case Kind::Min:
        run_reduce<ExtremeOp<T, false>, T>(x, mask, out, count);
        break;
    }
  });
  return keepdims ? out.view(keep_shape) : out;
}

// ---- argmax / argmin ----

template <bool Max>
Tensor arg_extreme(const Tensor& x, std::int64_t axis, bool keepdims, const char* fn) {
  const std::int64_t rank = detail::defined(fn, x).dim();
  if (rank == 0) {
    parse_axes(x.dim(), {axis}, fn);
    return zeros({}, DType::Int64);
  }
  const std::int64_t a = normalize_axis(axis, rank, fn);
  const std::int64_t k = x.shape()[a];
  if (k == 0) detail::fail("{}: cannot reduce over axis {} of size 0 (input shape {})", fn, axis, x.shape());
  Shape out_shape, in_strides, keep_shape = x.shape();
  keep_shape[a] = 1;
  for (std::int64_t d = 0; d < rank; ++d) {
    if (d == a) continue;
    out_shape.push_back(x.shape()[d]);
    in_strides.push_back(x.strides()[d]);
  }
  Tensor out = detail::allocate(out_shape, DType::Int64, fn);
  dispatch(x.dtype(), [&]<class T>() {
    using C = compute_t<T>;
    const std::int64_t step = x.strides()[a] * static_cast<std::int64_t>(sizeof(T));
    const Strides& out_strides = out.strides();
    detail::StridedLoop<2> loop(out_shape, {&out_strides, &in_strides}, {sizeof(std::int64_t), sizeof(T)});
    loop.run(
        {static_cast<char*>(out.raw_data()), static_cast<char*>(x.raw_data())},
        [&](const detail::Ptrs<2>& p, const detail::ByteStrides<2>& s, std::int64_t n) {
          for (std::int64_t i = 0; i < n; ++i) {
            const char* q = p[1] + i * s[1];
            C best = static_cast<C>(*reinterpret_cast<const T*>(q));
            std::int64_t best_i = 0;
            for (std::int64_t j = 1; j < k && !is_nan(best); ++j) {
              const C v = static_cast<C>(*reinterpret_cast<const T*>(q + j * step));
              if ((Max ? v > best : v < best) || is_nan(v)) {
                best = v;
                best_i = j;
              }
            }
            *reinterpret_cast<std::int64_t*>(p[0] + i * s[0]) = best_i;
          }
        },
        std::max<std::int64_t>(1, detail::kGrainElements / k));
  });
  return keepdims ? out.view(keep_shape) : out;
}

template <bool Max>
Tensor arg_extreme_all(const Tensor& x, const char* fn) {
  if (detail::defined(fn, x).numel() == 0) detail::fail("{}: cannot reduce an empty tensor (shape {})", fn, x.shape());
  return arg_extreme<Max>(x.reshape({-1}), 0, false, fn);
}

// ---- backward ----

void check_grad_defined(const char* fn, const Tensor& t, const char* what) {
  if (!t.defined()) detail::fail("{}: {} is undefined (a default-constructed Tensor)", fn, what);
}

// The input shape (validated), reduced axes and shapes of a backward call.
struct BackwardGeometry {
  Shape input;
  std::vector<bool> mask;
  ReducedShapes shapes;
};
BackwardGeometry backward_geometry(const char* fn, const Shape& input_shape, const std::vector<std::int64_t>& axes) {
  checked_numel(input_shape, fn);
  BackwardGeometry b{input_shape, parse_axes(static_cast<std::int64_t>(input_shape.size()), axes, fn), {}};
  b.shapes = reduced_shapes(input_shape, b.mask);
  return b;
}
// Checks that t (grad, or y) has the forward output's shape and returns it viewed with
// keepdims (reduced dims as size 1), so it broadcasts against the input.
Tensor as_kept(const char* fn, const char* what, const Tensor& t, const BackwardGeometry& b, bool keepdims) {
  const Shape& expected = keepdims ? b.shapes.keep : b.shapes.out;
  if (!(t.shape() == expected))
    detail::fail("{}: {} has shape {} but the forward output has shape {} (input shape {}, keepdims {})", fn, what,
                 t.shape(), expected, b.input, keepdims);
  if (keepdims) return t;
  Tensor kept = t;
  for (std::size_t d = 0; d < b.mask.size(); ++d)
    if (b.mask[d]) kept = kept.unsqueeze(static_cast<std::int64_t>(d));
  return kept;
}

// sum_backward / mean_backward: grad broadcast back over the reduced dims into a new
// contiguous tensor, divided by the count for the mean.
Tensor spread_back(const char* fn, bool mean, const Tensor& grad, const Shape& input_shape,
                   const std::vector<std::int64_t>& axes, bool keepdims) {
  check_grad_defined(fn, grad, "grad");
  const BackwardGeometry b = backward_geometry(fn, input_shape, axes);
  if (mean && !is_floating(grad.dtype()))
    detail::fail("{}: grad has dtype {}; the mean's gradient needs a floating dtype", fn, grad.dtype());
  const Tensor g = as_kept(fn, "grad", grad, b, keepdims);
  Tensor out = detail::allocate(input_shape, grad.dtype(), fn);
  const Strides gs = detail::broadcast_strides(g, input_shape);
  dispatch(grad.dtype(), [&]<class T>() {
    using C = compute_t<T>;
    // The mean divides like PyTorch's grad.expand(shape) / count, in the compute type.
    auto value = [&](T v) {
      if constexpr (is_float_v<T>)
        return mean ? T(static_cast<C>(v) / static_cast<C>(b.shapes.count)) : v;
      else
        return v;
    };
    constexpr std::int64_t sz = sizeof(T);
    detail::StridedLoop<2> loop(input_shape, {&out.strides(), &gs}, {sz, sz});
    loop.run({static_cast<char*>(out.raw_data()), static_cast<char*>(g.raw_data())},
             [&](const detail::Ptrs<2>& p, const detail::ByteStrides<2>& s, std::int64_t n) {
               T* o = reinterpret_cast<T*>(p[0]);
               const T* gp = reinterpret_cast<const T*>(p[1]);
               if (s[0] == sz && s[1] == 0) {
                 std::fill(o, o + n, value(*gp));
               } else if (s[0] == sz && s[1] == sz) {
                 for (std::int64_t i = 0; i < n; ++i) o[i] = value(gp[i]);
               } else {
                 for (std::int64_t i = 0; i < n; ++i)
                   *reinterpret_cast<T*>(p[0] + i * s[0]) = value(*reinterpret_cast<const T*>(p[1] + i * s[1]));
               }
             });
  });
  return out;
}

// Whether x is one of the extremes equal to y: equal, or both NaN (a NaN extreme came
// from the NaN elements). Written without branches so the loops vectorize.
template <class C>
inline bool is_tie(C x, C y) {
  return (x == y) | ((x != x) & (y != y));
}

// One row of columns: o = g where x ties y, else 0; cnt counts the ties per column.
// Restrict-qualified so the loop vectorizes without runtime alias checks, and kept out
// of line: inlined into the big kernel it spilled a vector register every iteration.
template <class T>
[[gnu::noinline]] void tie_row(const T* __restrict x, const T* __restrict y, const T* __restrict g, T* __restrict o,
                               std::int32_t* __restrict cnt, std::int64_t w) {
  using C = compute_t<T>;
  for (std::int64_t c = 0; c < w; ++c) {
    const bool tie = is_tie(static_cast<C>(x[c]), static_cast<C>(y[c]));
    o[c] = tie ? g[c] : T(C(0));
    cnt[c] += tie;
  }
}

[[noreturn]] void fail_no_tie(const char* fn) {
  detail::fail("{}: an element of y equals no element of x along the reduced axes; y must be the forward output for x",
               fn);
}

// Where the elements of one max/min backward live: x and gx (contiguous, of the input
// shape) split into the kept dims, the reduced dims and the innermost dim `last`; y and
// g (contiguous, of the kept shape) are reached through the kept dims' output offsets.
struct ExtremeGeometry {
  Group kept, red;
  Dim last{};
  std::int64_t m_count = 0;  // outputs (kept indices)
  std::int64_t r_count = 0;  // reduced rows per output, `last` excluded
  const char* xb = nullptr;
  char* ob = nullptr;  // gx
  const char* yb = nullptr;
  const char* gb = nullptr;
};

template <class T>
ExtremeGeometry extreme_geometry(const Tensor& x, const Tensor& y, const Tensor& g, const Tensor& gx,
                                 const std::vector<bool>& mask) {
  ExtremeGeometry e;
  std::vector<Dim> merged = coalesce_dims(x.shape(), x.strides(), mask, sizeof(T), sizeof(T));
  if (merged.empty()) merged.push_back({1, sizeof(T), sizeof(T), true});  // one element
  e.last = merged.back();
  merged.pop_back();
  for (const Dim& d : merged) (d.reduced ? e.red : e.kept).dims.push_back(d);
  e.m_count = e.kept.count();
  e.r_count = e.red.count();
  e.xb = static_cast<const char*>(x.raw_data());
  e.ob = static_cast<char*>(gx.raw_data());
  e.yb = static_cast<const char*>(y.raw_data());
  e.gb = static_cast<const char*>(g.raw_data());
  return e;
}

// The innermost dim reduced: each output owns r_count rows of k contiguous elements,
// cut into segments of at most kChunk; per-segment tie counts say which segments to
// revisit.
template <class T>
class RowTies {
 public:
  using C = compute_t<T>;

  RowTies(const char* fn, const ExtremeGeometry& e)
      : fn_(fn), e_(e), k_(e.last.size), chunks_((k_ + kChunk - 1) / kChunk), segments_(e.r_count * chunks_) {}

  std::int64_t segments() const { return segments_; }

  // Output m's y and g; in_off receives m's byte offset in x and gx.
  std::pair<C, T> output(std::int64_t m, std::int64_t& in_off) const {
    std::int64_t out_off;
    e_.kept.offsets(m, in_off, out_off);
    return {static_cast<C>(*reinterpret_cast<const T*>(e_.yb + out_off)), *reinterpret_cast<const T*>(e_.gb + out_off)};
  }

  // Writes gv at the ties of yv in segment s (0 elsewhere); returns how many there are.
  std::int32_t sweep(std::int64_t in_off, std::int64_t s, C yv, T gv) const {
    std::int64_t off, n;
    locate(s, off, n);
    const T* xp = reinterpret_cast<const T*>(e_.xb + in_off + off);
    T* op = reinterpret_cast<T*>(e_.ob + in_off + off);
    std::int32_t ties = 0;
    for (std::int64_t i = 0; i < n; ++i) {
      const bool t = is_tie(static_cast<C>(xp[i]), yv);
      op[i] = t ? gv : T(C(0));
      ties += t;
    }
    return ties;
  }

  // After the sweeps of one output: its total count of ties must be at least 1; above 1,
  // the segments holding ties are divided by it (over threads when `parallel`).
  void finish(const std::vector<std::int32_t>& ties, std::int64_t in_off, bool parallel) const {
    std::int64_t total = 0;
    for (const std::int32_t t : ties) total += t;
    if (total == 0) fail_no_tie(fn_);
    if (total == 1) return;
    const std::int64_t grain = parallel ? segment_grain() : std::numeric_limits<std::int64_t>::max();
    detail::parallel_for(0, segments_, grain, [&](std::int64_t b, std::int64_t e) {
      for (std::int64_t s = b; s < e; ++s)
        if (ties[s] > 0) divide(in_off, s, static_cast<C>(total));
    });
  }

  // Segments per task when one output's segments are split over threads.
  std::int64_t segment_grain() const {
    return std::max<std::int64_t>(1, detail::kGrainElements / std::min(k_, kChunk));
  }

 private:
  // Byte offset (from the output's base) and length of segment s.
  void locate(std::int64_t s, std::int64_t& off, std::int64_t& n) const {
    std::int64_t r_in, r_out;
    e_.red.offsets(s / chunks_, r_in, r_out);
    const std::int64_t c = s % chunks_;
    off = r_in + c * kChunk * static_cast<std::int64_t>(sizeof(T));
    n = std::min(kChunk, k_ - c * kChunk);
  }

  void divide(std::int64_t in_off, std::int64_t s, C total) const {
    std::int64_t off, n;
    locate(s, off, n);
    T* op = reinterpret_cast<T*>(e_.ob + in_off + off);
    for (std::int64_t i = 0; i < n; ++i) op[i] = T(static_cast<C>(op[i]) / total);
  }

  const char* fn_;
  const ExtremeGeometry& e_;
  std::int64_t k_, chunks_, segments_;
};

// Many outputs (or one segment each): threads split the outputs, each output swept and
// finished by one thread.
template <class T>
void row_ties_by_output(const RowTies<T>& rows, const ExtremeGeometry& e) {
  const std::int64_t grain =
      std::max<std::int64_t>(1, detail::kGrainElements / std::max<std::int64_t>(1, e.r_count * e.last.size));
  detail::parallel_for(0, e.m_count, grain, [&](std::int64_t b, std::int64_t end) {
    std::vector<std::int32_t> ties(static_cast<std::size_t>(rows.segments()));
    for (std::int64_t m = b; m < end; ++m) {
      std::int64_t in_off;
      const auto [yv, gv] = rows.output(m, in_off);
      for (std::int64_t s = 0; s < rows.segments(); ++s) ties[s] = rows.sweep(in_off, s, yv, gv);
      rows.finish(ties, in_off, false);
    }
  });
}

// Few outputs with long reductions: one output at a time, its segments split over
// threads.
template <class T>
void row_ties_by_segment(const RowTies<T>& rows, const ExtremeGeometry& e) {
  std::vector<std::int32_t> ties(static_cast<std::size_t>(rows.segments()));
  for (std::int64_t m = 0; m < e.m_count; ++m) {
    std::int64_t in_off;
    const auto values = rows.output(m, in_off);  // captured below: no structured binding (clang 14)
    const auto yv = values.first;
    const auto gv = values.second;
    detail::parallel_for(0, rows.segments(), rows.segment_grain(), [&](std::int64_t b, std::int64_t end) {
      for (std::int64_t s = b; s < end; ++s) ties[s] = rows.sweep(in_off, s, yv, gv);
    });
    rows.finish(ties, in_off, true);
  }
}

template <class T>
void extreme_backward_rows(const char* fn, const ExtremeGeometry& e) {
  const RowTies<T> rows(fn, e);
  if (e.m_count >= get_num_threads() || rows.segments() == 1)
    row_ties_by_output(rows, e);
  else
    row_ties_by_segment(rows, e);
}

// The innermost dim kept: it is contiguous in x, gx, y and g. Work units (kept index,
// tile of columns, group of kColGroup rows) stream whole row segments and count ties
// per column; the counts of a column's groups are summed afterwards.
template <class T>
class ColumnTies {
 public:
  using C = compute_t<T>;

  ColumnTies(const char* fn, const ExtremeGeometry& e)
      : fn_(fn),
        e_(e),
        c_count_(e.last.size),
        tile_(std::min(c_count_, kColTile)),
        tiles_((c_count_ + tile_ - 1) / tile_),
        groups_((e.r_count + kColGroup - 1) / kColGroup),
        ties_(static_cast<std::size_t>(e.m_count * groups_ * c_count_)) {}

  std::int64_t units() const { return e_.m_count * tiles_ * groups_; }
  // Units per task.
  std::int64_t grain() const {
    return std::max<std::int64_t>(
        1, detail::kGrainElements / std::max<std::int64_t>(1, std::min(e_.r_count, kColGroup) * tile_));
  }

  // Units [b, end): g written at the ties (0 elsewhere), ties counted per column into
  // the unit's row group.
  void mark(std::int64_t b, std::int64_t end) {
    std::vector<std::int64_t> index(e_.red.dims.size());
    for (std::int64_t u = b; u < end; ++u) {
      const Unit t = unit(u);
      const T* yp = reinterpret_cast<const T*>(e_.yb + t.out_off) + t.c0;
      const T* gp = reinterpret_cast<const T*>(e_.gb + t.out_off) + t.c0;
      std::int32_t* cnt = &ties_[(t.m * groups_ + t.g) * c_count_ + t.c0];
      for_rows(t, index, [&](std::int64_t off) {
        const T* xp = reinterpret_cast<const T*>(e_.xb + off);
        T* op = reinterpret_cast<T*>(e_.ob + off);
        tie_row<T>(xp, yp, gp, op, cnt, t.w);
      });
    }
  }

  // Sums each (kept index, column)'s counts into its first group's slot; fails where a
  // total is 0. Returns whether any total is above 1 (a gradient to share).
  bool sum_counts() {
    bool shared = false;
    for (std::int64_t m = 0; m < e_.m_count; ++m) {
      std::int32_t* first = &ties_[m * groups_ * c_count_];
      for (std::int64_t g = 1; g < groups_; ++g) {
        const std::int32_t* p = first + g * c_count_;
        for (std::int64_t c = 0; c < c_count_; ++c) first[c] += p[c];
      }
      for (std::int64_t c = 0; c < c_count_; ++c) {
        if (first[c] == 0) fail_no_tie(fn_);
        shared = shared || first[c] > 1;
      }
    }
    return shared;
  }

  // Units [b, end), after sum_counts(): divides the columns whose total is above 1.
  void divide(std::int64_t b, std::int64_t end) const {
    std::vector<std::int64_t> index(e_.red.dims.size());
    std::vector<C> div(static_cast<std::size_t>(tile_));
    for (std::int64_t u = b; u < end; ++u) {
      const Unit t = unit(u);
      const std::int32_t* total = &ties_[t.m * groups_ * c_count_ + t.c0];
      bool any = false;
      for (std::int64_t c = 0; c < t.w; ++c) {
        div[c] = static_cast<C>(total[c]);
        any = any || total[c] > 1;
      }
      if (!any) continue;
      for_rows(t, index, [&](std::int64_t off) {
        T* op = reinterpret_cast<T*>(e_.ob + off);
        for (std::int64_t c = 0; c < t.w; ++c) op[c] = T(static_cast<C>(op[c]) / div[c]);
      });
    }
  }

 private:
  // A unit: kept index m, columns [c0, c0 + w), row group g, and the byte offsets of m
  // in x/gx and in y/g.
  struct Unit {
    std::int64_t m, c0, w, g, in_off, out_off;
  };

  Unit unit(std::int64_t u) const {
    Unit t;
    t.m = u / (tiles_ * groups_);
    t.c0 = (u / groups_ % tiles_) * tile_;
    t.g = u % groups_;
    t.w = std::min(tile_, c_count_ - t.c0);
    e_.kept.offsets(t.m, t.in_off, t.out_off);
    return t;
  }

  // Calls body(off) for each row of unit t, off the row's byte offset from the bases of
  // x and gx (column c0 included); index is scratch of the reduced rank.
  template <class Body>
  void for_rows(const Unit& t, std::vector<std::int64_t>& index, Body&& body) const {
    const Group& red = e_.red;
    const std::int64_t r_begin = t.g * kColGroup, r_end = std::min(e_.r_count, r_begin + kColGroup);
    std::int64_t r_off, unused;
    red.offsets(r_begin, r_off, unused);
    std::int64_t rem = r_begin;
    for (std::size_t d = red.dims.size(); d-- > 0;) {
      index[d] = rem % red.dims[d].size;
      rem /= red.dims[d].size;
    }
    const std::int64_t base = t.in_off + t.c0 * static_cast<std::int64_t>(sizeof(T));
    for (std::int64_t r = r_begin; r < r_end; ++r) {
      body(base + r_off);
      for (std::size_t d = red.dims.size(); d-- > 0;) {
        r_off += red.dims[d].in;
        if (++index[d] < red.dims[d].size) break;
        r_off -= red.dims[d].in * red.dims[d].size;
        index[d] = 0;
      }
    }
  }

  const char* fn_;
  const ExtremeGeometry& e_;
  std::int64_t c_count_, tile_, tiles_, groups_;
  std::vector<std::int32_t> ties_;  // per (kept index, row group, column)
};

template <class T>
void extreme_backward_columns(const char* fn, const ExtremeGeometry& e) {
  ColumnTies<T> columns(fn, e);
  detail::parallel_for(0, columns.units(), columns.grain(),
                       [&](std::int64_t b, std::int64_t end) { columns.mark(b, end); });
  if (!columns.sum_counts()) return;
  detail::parallel_for(0, columns.units(), columns.grain(),
                       [&](std::int64_t b, std::int64_t end) { columns.divide(b, end); });
}

// The gradient of max_reduce / min_reduce given the forward output y: each output's
// grad goes to the elements of x equal to y, shared equally between ties. x, gx
// contiguous of the input shape; y, g contiguous of the kept shape; all of type T.
// One sweep over x per output writes g at the ties (0 elsewhere) and counts them; only
// the parts of gx holding ties are revisited, to divide by the count, when an output
// has more than one.
template <class T>
void extreme_backward(const char* fn, const Tensor& x, const Tensor& y, const Tensor& g, const Tensor& gx,
                      const std::vector<bool>& mask) {
  const ExtremeGeometry e = extreme_geometry<T>(x, y, g, gx, mask);
  if (e.last.reduced)
    extreme_backward_rows<T>(fn, e);
  else
    extreme_backward_columns<T>(fn, e);
}

Tensor extreme_back(const char* fn, const Tensor& grad, const Tensor& x, const Tensor& y,
                    const std::vector<std::int64_t>& axes, bool keepdims) {
  check_grad_defined(fn, grad, "grad");
  check_grad_defined(fn, x, "x");
  check_grad_defined(fn, y, "y");
  if (!is_floating(x.dtype()))
    detail::fail("{}: x has dtype {}; gradients exist only for floating dtypes", fn, x.dtype());
  if (grad.dtype() != x.dtype() || y.dtype() != x.dtype())
    detail::fail("{}: grad, x and y must have one dtype, got {}, {} and {}", fn, grad.dtype(), x.dtype(), y.dtype());
  const BackwardGeometry b = backward_geometry(fn, x.shape(), axes);
  const Tensor g = as_kept(fn, "grad", grad, b, keepdims).contiguous();
  const Tensor yk = as_kept(fn, "y", y, b, keepdims).contiguous();
  if (b.shapes.count == 0 && b.shapes.out.numel() > 0)
    detail::fail("{}: cannot reduce over an empty extent (input shape {})", fn, x.shape());
  Tensor gx = detail::allocate(x.shape(), x.dtype(), fn);
  if (x.numel() == 0) return gx;
  const Tensor xc = x.contiguous();
  dispatch(x.dtype(), [&]<class T>() {
    if constexpr (is_float_v<T>) extreme_backward<T>(fn, xc, yk, g, gx, b.mask);
  });
  return gx;
}

}  // namespace

Tensor sum(const Tensor& x, const Axes& axes, bool keepdims) {
  return reduce(x, parse_axes(x, axes.list(), "sum"), keepdims, Kind::Sum);
}
Tensor mean(const Tensor& x, const Axes& axes, bool keepdims) {
  return reduce(x, parse_axes(x, axes.list(), "mean"), keepdims, Kind::Mean);
}
Tensor max_reduce(const Tensor& x, const Axes& axes, bool keepdims) {
  return reduce(x, parse_axes(x, axes.list(), "max_reduce"), keepdims, Kind::Max);
}
Tensor min_reduce(const Tensor& x, const Axes& axes, bool keepdims) {
  return reduce(x, parse_axes(x, axes.list(), "min_reduce"), keepdims, Kind::Min);
}
Tensor argmax(const Tensor& x) { return arg_extreme_all<true>(x, "argmax"); }
Tensor argmax(const Tensor& x, std::int64_t axis, bool keepdims) {
  return arg_extreme<true>(x, axis, keepdims, "argmax");
}
Tensor argmin(const Tensor& x) { return arg_extreme_all<false>(x, "argmin"); }
Tensor argmin(const Tensor& x, std::int64_t axis, bool keepdims) {
  return arg_extreme<false>(x, axis, keepdims, "argmin");
}

}  // namespace ex::kernels

namespace ex {

Tensor reduce_to_shape(const Tensor& grad, const Shape& shape) {
  if (grad.shape() == shape) return grad;
  const Shape& from = grad.shape();
  if (shape.size() > from.size() || !(broadcast_shapes(shape, from, "reduce_to_shape") == from))
    detail::fail("reduce_to_shape: shape {} does not broadcast to the gradient's shape {}", shape, from);
  const std::size_t lead = from.size() - shape.size();
  std::vector<std::int64_t> axes;
  for (std::size_t i = 0; i < from.size(); ++i)
    if (i < lead || (shape[i - lead] == 1 && from[i] != 1)) axes.push_back(static_cast<std::int64_t>(i));
  Tensor summed = kernels::sum(grad, axes, /*keepdims=*/true);
  if (summed.dtype() != grad.dtype()) summed = summed.to(grad.dtype());  // int sums come back int64
  return summed.reshape(shape);
}

Tensor sum_backward(const Tensor& grad, const Shape& input_shape, const Axes& axes, bool keepdims) {
  return kernels::spread_back("sum_backward", false, grad, input_shape, axes.list(), keepdims);
}
Tensor mean_backward(const Tensor& grad, const Shape& input_shape, const Axes& axes, bool keepdims) {
  return kernels::spread_back("mean_backward", true, grad, input_shape, axes.list(), keepdims);
}
Tensor max_reduce_backward(const Tensor& grad, const Tensor& x, const Tensor& y, const Axes& axes, bool keepdims) {
  return kernels::extreme_back("max_reduce_backward", grad, x, y, axes.list(), keepdims);
}
Tensor min_reduce_backward(const Tensor& grad, const Tensor& x, const Tensor& y, const Axes& axes, bool keepdims) {
  return kernels::extreme_back("min_reduce_backward", grad, x, y, axes.list(), keepdims);
}

}  // namespace ex
