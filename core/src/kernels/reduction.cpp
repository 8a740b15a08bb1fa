// Reductions: sum, mean, max/min over axes, argmax/argmin.
//
// sum/mean/max/min share one engine. The reduced tensor's dims are sorted by input
// stride and coalesced; then one of two kernels runs:
//  - inner: the innermost memory dim is reduced and contiguous (rows, a full sum). Each
//    output is the pairwise combination of partials over fixed chunks of kChunk
//    elements; each chunk is itself summed pairwise over 16 lanes. Many outputs are
//    split over threads by output, few outputs by chunk.
//  - column: the innermost memory dim is kept and contiguous (column sums). A block of
//    columns accumulates kColBlock rows at a time in a vector-wide buffer, and the
//    blocks combine through a binary-counter cascade (pairwise over blocks). Threads
//    split the columns.
// Anything else (stride-0 or stepped innermost dims) is first copied to a contiguous
// tensor. The order of accumulation depends only on shape and strides, never on the
// thread count, so results are reproducible.

#include "extensor/core/kernels/reduction.hpp"

#include <algorithm>
#include <bit>
#include <cmath>
#include <limits>
#include <type_traits>
#include <vector>

#include "core/src/check.hpp"
#include "core/src/parallel.hpp"
#include "core/src/strided_loop.hpp"
#include "extensor/core/creation.hpp"

namespace ex::kernels {
namespace {

constexpr std::int64_t kChunk = 16384;   // elements per independent partial of a long row
constexpr std::int64_t kColBlock = 16;   // rows accumulated plainly before the cascade
constexpr std::int64_t kColGroup = 256;  // rows per independent partial of a column sum
constexpr std::int64_t kColTile = 4096;  // columns streamed together
constexpr std::int64_t kRowLanes = 16;   // independent accumulators of a contiguous row
constexpr std::int64_t kRowBase = 256;   // row length summed without splitting

template <class T>
inline constexpr bool is_float_v = std::is_floating_point_v<compute_t<T>>;

template <class A>
inline bool is_nan(A v) {
  if constexpr (std::is_floating_point_v<A>)
    return v != v;
  else
    return false;
}

// ---- the reduction operations ----

template <class T>
struct SumOp {
  using Acc = std::conditional_t<is_float_v<T>, compute_t<T>,
                                 std::conditional_t<std::is_same_v<T, std::uint64_t>, std::uint64_t, std::int64_t>>;
  using Out = std::conditional_t<is_float_v<T>, T, Acc>;
  static Acc identity() { return Acc(0); }
  static Acc load(T v) { return static_cast<Acc>(static_cast<compute_t<T>>(v)); }
  static Acc combine(Acc a, Acc b) {
    if constexpr (std::is_integral_v<Acc>)  // wraps on overflow instead of UB
      return static_cast<Acc>(static_cast<std::uint64_t>(a) + static_cast<std::uint64_t>(b));
    else
      return a + b;
  }
  static Out finish(Acc a, std::int64_t) { return static_cast<Out>(a); }
};

template <class T>
struct MeanOp : SumOp<T> {
  using Acc = typename SumOp<T>::Acc;
  using Out = T;
  static Out finish(Acc a, std::int64_t count) { return static_cast<Out>(a / static_cast<Acc>(count)); }
};

// NaN-propagating max (Max = true) or min.
template <class T, bool Max>
struct ExtremeOp {
  using Acc = std::conditional_t<std::is_same_v<T, bool>, std::uint8_t, compute_t<T>>;  // no vector<bool>
  using Out = T;
  static Acc identity() {
    if constexpr (std::is_floating_point_v<Acc>)
      return Max ? -std::numeric_limits<Acc>::infinity() : std::numeric_limits<Acc>::infinity();
    else
      return Max ? std::numeric_limits<Acc>::lowest() : std::numeric_limits<Acc>::max();
  }
  static Acc load(T v) { return static_cast<Acc>(v); }
  static Acc combine(Acc a, Acc b) {
    if constexpr (Max)
      return (a >= b || is_nan(a)) ? a : b;
    else
      return (a <= b || is_nan(a)) ? a : b;
  }
  static Out finish(Acc a, std::int64_t) { return static_cast<Out>(a); }
};

// ---- building blocks ----

// Reduces n contiguous elements: kRowLanes lanes over blocks of at most kRowBase,
// blocks combined pairwise.
template <class Op, class T>
typename Op::Acc row_reduce(const T* p, std::int64_t n) {
  using Acc = typename Op::Acc;
  if (n > kRowBase) {
    const std::int64_t half = (n / 2) & ~(kRowLanes - 1);
    return Op::combine(row_reduce<Op>(p, half), row_reduce<Op>(p + half, n - half));
  }
  Acc acc[kRowLanes];
  for (auto& a : acc) a = Op::identity();
  std::int64_t i = 0;
  for (; i + kRowLanes <= n; i += kRowLanes)
    for (std::int64_t j = 0; j < kRowLanes; ++j) acc[j] = Op::combine(acc[j], Op::load(p[i + j]));
  for (std::int64_t w = kRowLanes / 2; w >= 1; w /= 2)
    for (std::int64_t j = 0; j < w; ++j) acc[j] = Op::combine(acc[j], acc[j + w]);
  Acc r = acc[0];
  for (; i < n; ++i) r = Op::combine(r, Op::load(p[i]));
  return r;
}

template <class Op>
typename Op::Acc pairwise(const typename Op::Acc* a, std::int64_t n) {
  if (n == 1) return a[0];
  const std::int64_t half = n / 2;
  return Op::combine(pairwise<Op>(a, half), pairwise<Op>(a + half, n - half));
}

// One dim of the reduction geometry; strides in bytes.
struct Dim {
  std::int64_t size;
  std::int64_t in;
  std::int64_t out;
  bool reduced;
};

// A group of dims walked as one linear index (row-major, last dim fastest).
struct Group {
  std::vector<Dim> dims;
  std::int64_t count() const {
    std::int64_t n = 1;
    for (const Dim& d : dims) n *= d.size;
    return n;
  }
  // Byte offsets into input and output of linear index i.
  void offsets(std::int64_t i, std::int64_t& in, std::int64_t& out) const {
    in = 0;
    out = 0;
    for (std::size_t k = dims.size(); k-- > 0;) {
      const std::int64_t idx = i % dims[k].size;
      i /= dims[k].size;
      in += idx * dims[k].in;
      out += idx * dims[k].out;
    }
  }
};

// Binary-counter cascade of w-wide partials: pushing blocks b0, b1, ... keeps the
// pairwise sums of aligned runs of 1, 2, 4, ... blocks, so the final value is a
// pairwise combination over blocks.
template <class Op>
class Cascade {
 public:
  using Acc = typename Op::Acc;
  Cascade(std::int64_t blocks, std::int64_t w)
      : w_(w), levels_(std::bit_width(static_cast<std::uint64_t>(blocks)) + 1), buf_(levels_ * w) {}
  void push(Acc* block) {
    std::size_t level = 0;
    for (; (count_ >> level) & 1u; ++level) {
      const Acc* l = &buf_[level * w_];
      for (std::int64_t c = 0; c < w_; ++c) block[c] = Op::combine(l[c], block[c]);
    }
    std::copy(block, block + w_, &buf_[level * w_]);
    ++count_;
  }
  // Combines what is left, newest (smallest) level into the older ones.
  void finish(Acc* out) {
    std::fill(out, out + w_, Op::identity());
    bool first = true;
    for (std::size_t level = 0; level < levels_; ++level) {
      if (!((count_ >> level) & 1u)) continue;
      const Acc* l = &buf_[level * w_];
      for (std::int64_t c = 0; c < w_; ++c) out[c] = first ? l[c] : Op::combine(l[c], out[c]);
      first = false;
    }
  }

 private:
  std::int64_t w_;
  std::size_t levels_;
  std::vector<Acc> buf_;
  std::uint64_t count_ = 0;
};

template <class Op, class T>
void reduce_inner(const char* in, char* out, const Group& kept, const Group& outer_red, std::int64_t k,
                  std::int64_t count) {
  using Acc = typename Op::Acc;
  using Out = typename Op::Out;
  const std::int64_t chunks = (k + kChunk - 1) / kChunk;
  const std::int64_t r_count = outer_red.count();
  const std::int64_t segments = r_count * chunks;
  const std::int64_t m_count = kept.count();
  auto segment = [&](std::int64_t in_off, std::int64_t s) {
    std::int64_t r_in, r_out;
    outer_red.offsets(s / chunks, r_in, r_out);
    const std::int64_t c = s % chunks;
    const T* p = reinterpret_cast<const T*>(in + in_off + r_in) + c * kChunk;
    return row_reduce<Op>(p, std::min(kChunk, k - c * kChunk));
  };
  auto store = [&](std::int64_t out_off, Acc acc) { *reinterpret_cast<Out*>(out + out_off) = Op::finish(acc, count); };
  if (m_count >= get_num_threads() || segments == 1) {
    const std::int64_t grain =
        std::max<std::int64_t>(1, detail::kGrainElements / std::max<std::int64_t>(1, r_count * k));
    detail::parallel_for(0, m_count, grain, [&](std::int64_t b, std::int64_t e) {
      std::vector<Acc> partial(static_cast<std::size_t>(segments));
      for (std::int64_t m = b; m < e; ++m) {
        std::int64_t in_off, out_off;
        kept.offsets(m, in_off, out_off);
        for (std::int64_t s = 0; s < segments; ++s) partial[s] = segment(in_off, s);
        store(out_off, pairwise<Op>(partial.data(), segments));
      }
    });
    return;
  }
  // Few outputs, long reductions: split each output's segments over threads.
  std::vector<Acc> partial(static_cast<std::size_t>(segments));
  const std::int64_t grain = std::max<std::int64_t>(1, detail::kGrainElements / std::min(k, kChunk));
  for (std::int64_t m = 0; m < m_count; ++m) {
    std::int64_t in_off, out_off;
    kept.offsets(m, in_off, out_off);
    detail::parallel_for(0, segments, grain, [&](std::int64_t b, std::int64_t e) {
      for (std::int64_t s = b; s < e; ++s) partial[s] = segment(in_off, s);
    });
    store(out_off, pairwise<Op>(partial.data(), segments));
  }
}

template <class Op, class T>
void reduce_columns(const char* in, char* out, const Group& kept, const Group& red, const Dim& col,
                    std::int64_t count) {
  using Acc = typename Op::Acc;
  using Out = typename Op::Out;
  const std::int64_t r_count = red.count();
  const std::int64_t c_count = col.size;
  const std::int64_t m_count = kept.count();
  // Work units: (kept index, column tile, group of kColGroup rows). A unit streams whole
  // row segments of up to kColTile elements. Tiles never change a column's result;
  // the row groups are fixed, so the result does not depend on the thread count.
  const std::int64_t tile = std::min(c_count, kColTile);
  const std::int64_t tiles = (c_count + tile - 1) / tile;
  const std::int64_t groups = (r_count + kColGroup - 1) / kColGroup;
  const std::int64_t units = m_count * tiles * groups;
  // Per-group partials when there is more than one group, combined pairwise below.
  std::vector<Acc> part(groups > 1 ? static_cast<std::size_t>(m_count * groups * c_count) : 0);
  const std::int64_t grain = std::max<std::int64_t>(
      1, detail::kGrainElements / std::max<std::int64_t>(1, std::min(r_count, kColGroup) * tile));
  detail::parallel_for(0, units, grain, [&](std::int64_t b, std::int64_t e) {
    std::vector<Acc> tmp(static_cast<std::size_t>(tile));
    std::vector<std::int64_t> index(red.dims.size());
    for (std::int64_t u = b; u < e; ++u) {
      const std::int64_t m = u / (tiles * groups);
      const std::int64_t c0 = (u / groups % tiles) * tile;
      const std::int64_t g = u % groups;
      const std::int64_t w = std::min(tile, c_count - c0);
      const std::int64_t r_begin = g * kColGroup, r_end = std::min(r_count, r_begin + kColGroup);
      std::int64_t in_off, out_off, r_off, unused;
      kept.offsets(m, in_off, out_off);
      red.offsets(r_begin, r_off, unused);
      std::int64_t rem = r_begin;
      for (std::size_t d = red.dims.size(); d-- > 0;) {
        index[d] = rem % red.dims[d].size;
        rem /= red.dims[d].size;
      }
      const char* base = in + in_off + c0 * static_cast<std::int64_t>(sizeof(T));
      Cascade<Op> cascade((r_end - r_begin + kColBlock - 1) / kColBlock, w);
      Acc* t = tmp.data();
      for (std::int64_t r0 = r_begin; r0 < r_end; r0 += kColBlock) {
        std::fill(t, t + w, Op::identity());
        for (std::int64_t r = r0; r < std::min(r_end, r0 + kColBlock); ++r) {
          const T* p = reinterpret_cast<const T*>(base + r_off);
          for (std::int64_t c = 0; c < w; ++c) t[c] = Op::combine(t[c], Op::load(p[c]));
          // Step the multi-index over the reduced dims.
          for (std::size_t d = red.dims.size(); d-- > 0;) {
            r_off += red.dims[d].in;
            if (++index[d] < red.dims[d].size) break;
            r_off -= red.dims[d].in * red.dims[d].size;
            index[d] = 0;
          }
        }
        cascade.push(t);
      }
      cascade.finish(t);
      if (groups > 1) {
        std::copy(t, t + w, &part[(m * groups + g) * c_count + c0]);
      } else {
        for (std::int64_t c = 0; c < w; ++c)
          *reinterpret_cast<Out*>(out + out_off + (c0 + c) * col.out) = Op::finish(t[c], count);
      }
    }
  });
  if (groups == 1) return;
  // Pairwise tree over the row groups of each kept index, vectorized across columns.
  detail::parallel_for(0, m_count, std::max<std::int64_t>(1, detail::kGrainElements / (groups * c_count)),
                       [&](std::int64_t b, std::int64_t e) {
                         for (std::int64_t m = b; m < e; ++m) {
                           Acc* p = &part[m * groups * c_count];
                           for (std::int64_t step = 1; step < groups; step *= 2)
                             for (std::int64_t g = 0; g + step < groups; g += 2 * step) {
                               Acc* dst = p + g * c_count;
                               const Acc* src = p + (g + step) * c_count;
                               for (std::int64_t c = 0; c < c_count; ++c) dst[c] = Op::combine(dst[c], src[c]);
                             }
                           std::int64_t in_off, out_off;
                           kept.offsets(m, in_off, out_off);
                           for (std::int64_t c = 0; c < c_count; ++c)
                             *reinterpret_cast<Out*>(out + out_off + c * col.out) = Op::finish(p[c], count);
                         }
                       });
}

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

// The dims of a reduction over mask of a tensor with `shape` and element `strides`,
// with byte strides into the input (in_item bytes an element) and into a contiguous
// output over the kept dims (out_item bytes), sorted by input stride (innermost last),
// size-1 dims dropped and neighbours that step uniformly merged.
std::vector<Dim> coalesce_dims(const Shape& shape, const Strides& strides, const std::vector<bool>& mask,
                               std::int64_t in_item, std::int64_t out_item) {
  const std::size_t rank = shape.size();
  std::vector<std::int64_t> out_strides(rank, 0);
  std::int64_t out_stride = out_item;
  for (std::size_t d = rank; d-- > 0;) {
    if (mask[d]) continue;
    out_strides[d] = out_stride;
    out_stride *= shape[d];
  }
  std::vector<Dim> dims;
  for (std::size_t d = 0; d < rank; ++d) dims.push_back({shape[d], strides[d] * in_item, out_strides[d], mask[d]});
  std::stable_sort(dims.begin(), dims.end(), [](const Dim& a, const Dim& b) { return a.in > b.in; });
  std::vector<Dim> merged;
  for (const Dim& d : dims) {
    if (d.size == 1) continue;
    if (!merged.empty()) {
      Dim& p = merged.back();
      if (p.reduced == d.reduced && p.in == d.in * d.size && p.out == d.out * d.size) {
        p = {p.size * d.size, d.in, d.out, d.reduced};
        continue;
      }
    }
    merged.push_back(d);
  }
  return merged;
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

// Runs Op over x's reduced dims into the contiguous out (shape of the kept dims).
template <class Op, class T>
void run_reduce(const Tensor& x, const std::vector<bool>& mask, const Tensor& out, std::int64_t count) {
  using Out = typename Op::Out;
  char* out_data = static_cast<char*>(out.raw_data());
  if (x.numel() == 0) {  // nothing to read: every output is the empty reduction
    const Out v = Op::finish(Op::identity(), 0);
    for (std::int64_t i = 0; i < out.numel(); ++i) reinterpret_cast<Out*>(out_data)[i] = v;
    return;
  }
  std::vector<Dim> merged = coalesce_dims(x.shape(), x.strides(), mask, sizeof(T), sizeof(Out));
  const char* in = static_cast<const char*>(x.raw_data());
  if (merged.empty()) {  // a single element
    *reinterpret_cast<Out*>(out_data) = Op::finish(Op::load(*reinterpret_cast<const T*>(in)), count);
    return;
  }
  const Dim last = merged.back();
  if (last.in != static_cast<std::int64_t>(sizeof(T))) {  // no contiguous innermost dim: copy
    run_reduce<Op, T>(x.contiguous(), mask, out, count);
    return;
  }
  merged.pop_back();
  Group kept, red;
  for (const Dim& d : merged) (d.reduced ? red : kept).dims.push_back(d);
  if (last.reduced)
    reduce_inner<Op, T>(in, out_data, kept, red, last.size, count);
  else
    reduce_columns<Op, T>(in, out_data, kept, red, last, count);
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
  Tensor out = detail::empty_unchecked(out_shape, out_dtype);
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

Tensor reduce_axis(const Tensor& x, std::int64_t axis, bool keepdims, Kind kind) {
  return reduce(x, parse_axes(x.dim(), {axis}, kind_name(kind)), keepdims, kind);
}

// ---- argmax / argmin ----

template <bool Max>
Tensor arg_extreme(const Tensor& x, std::int64_t axis, bool keepdims, const char* fn) {
  const std::int64_t rank = x.dim();
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
  Tensor out = detail::empty_unchecked(out_shape, DType::Int64);
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
  if (x.numel() == 0) detail::fail("{}: cannot reduce an empty tensor (shape {})", fn, x.shape());
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
  Tensor out = detail::empty_unchecked(input_shape, grad.dtype());
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

// The gradient of max_reduce / min_reduce given the forward output y: each output's
// grad goes to the elements of x equal to y, shared equally between ties. x, gx
// contiguous of the input shape; y, g contiguous of the kept shape; all of type T.
// One sweep over x per output writes g at the ties (0 elsewhere) and counts them; only
// the parts of gx holding ties are revisited, to divide by the count, when an output
// has more than one.
template <class T>
void extreme_backward(const char* fn, const Tensor& x, const Tensor& y, const Tensor& g, const Tensor& gx,
                      const std::vector<bool>& mask) {
  using C = compute_t<T>;
  std::vector<Dim> merged = coalesce_dims(x.shape(), x.strides(), mask, sizeof(T), sizeof(T));
  if (merged.empty()) merged.push_back({1, sizeof(T), sizeof(T), true});  // one element
  const Dim last = merged.back();
  merged.pop_back();
  Group kept, red;
  for (const Dim& d : merged) (d.reduced ? red : kept).dims.push_back(d);
  const char* xb = static_cast<const char*>(x.raw_data());
  char* ob = static_cast<char*>(gx.raw_data());
  const char* yb = static_cast<const char*>(y.raw_data());
  const char* gb = static_cast<const char*>(g.raw_data());
  const std::int64_t m_count = kept.count();
  const std::int64_t r_count = red.count();

  if (last.reduced) {
    // Inner: each output owns rows of k contiguous elements, cut into segments of at
    // most kChunk; per-segment tie counts say which segments to revisit.
    const std::int64_t k = last.size;
    const std::int64_t chunks = (k + kChunk - 1) / kChunk;
    const std::int64_t segments = r_count * chunks;
    // Byte offset (from the output's base) and length of segment s.
    auto locate = [&](std::int64_t s, std::int64_t& off, std::int64_t& n) {
      std::int64_t r_in, r_out;
      red.offsets(s / chunks, r_in, r_out);
      const std::int64_t c = s % chunks;
      off = r_in + c * kChunk * static_cast<std::int64_t>(sizeof(T));
      n = std::min(kChunk, k - c * kChunk);
    };
    auto sweep = [&](std::int64_t in_off, std::int64_t s, C yv, T gv) {
      std::int64_t off, n;
      locate(s, off, n);
      const T* xp = reinterpret_cast<const T*>(xb + in_off + off);
      T* op = reinterpret_cast<T*>(ob + in_off + off);
      std::int32_t ties = 0;
      for (std::int64_t i = 0; i < n; ++i) {
        const bool t = is_tie(static_cast<C>(xp[i]), yv);
        op[i] = t ? gv : T(C(0));
        ties += t;
      }
      return ties;
    };
    auto divide = [&](std::int64_t in_off, std::int64_t s, C total) {
      std::int64_t off, n;
      locate(s, off, n);
      T* op = reinterpret_cast<T*>(ob + in_off + off);
      for (std::int64_t i = 0; i < n; ++i) op[i] = T(static_cast<C>(op[i]) / total);
    };
    auto finish = [&](const std::vector<std::int32_t>& ties, std::int64_t in_off, bool parallel) {
      std::int64_t total = 0;
      for (const std::int32_t t : ties) total += t;
      if (total == 0) fail_no_tie(fn);
      if (total == 1) return;
      const std::int64_t grain = parallel ? std::max<std::int64_t>(1, detail::kGrainElements / std::min(k, kChunk))
                                          : std::numeric_limits<std::int64_t>::max();
      detail::parallel_for(0, segments, grain, [&](std::int64_t b, std::int64_t e) {
        for (std::int64_t s = b; s < e; ++s)
          if (ties[s] > 0) divide(in_off, s, static_cast<C>(total));
      });
    };
    auto output = [&](std::int64_t m, std::int64_t& in_off) {
      std::int64_t out_off;
      kept.offsets(m, in_off, out_off);
      return std::pair{static_cast<C>(*reinterpret_cast<const T*>(yb + out_off)),
                       *reinterpret_cast<const T*>(gb + out_off)};
    };
    if (m_count >= get_num_threads() || segments == 1) {
      const std::int64_t grain =
          std::max<std::int64_t>(1, detail::kGrainElements / std::max<std::int64_t>(1, r_count * k));
      detail::parallel_for(0, m_count, grain, [&](std::int64_t b, std::int64_t e) {
        std::vector<std::int32_t> ties(static_cast<std::size_t>(segments));
        for (std::int64_t m = b; m < e; ++m) {
          std::int64_t in_off;
          const auto [yv, gv] = output(m, in_off);
          for (std::int64_t s = 0; s < segments; ++s) ties[s] = sweep(in_off, s, yv, gv);
          finish(ties, in_off, false);
        }
      });
      return;
    }
    // Few outputs with long reductions: split each output's segments over threads.
    std::vector<std::int32_t> ties(static_cast<std::size_t>(segments));
    const std::int64_t grain = std::max<std::int64_t>(1, detail::kGrainElements / std::min(k, kChunk));
    for (std::int64_t m = 0; m < m_count; ++m) {
      std::int64_t in_off;
      const auto [yv, gv] = output(m, in_off);
      detail::parallel_for(0, segments, grain, [&](std::int64_t b, std::int64_t e) {
        for (std::int64_t s = b; s < e; ++s) ties[s] = sweep(in_off, s, yv, gv);
      });
      finish(ties, in_off, true);
    }
    return;
  }

  // Columns: the innermost dim is kept and contiguous in x, gx, y and g. Work units
  // (kept index, tile of columns, group of kColGroup rows) stream whole row segments
  // and count ties per column; the counts of a column's groups are summed afterwards.
  const Dim& col = last;
  const std::int64_t c_count = col.size;
  const std::int64_t tile = std::min(c_count, kColTile);
  const std::int64_t tiles = (c_count + tile - 1) / tile;
  const std::int64_t groups = (r_count + kColGroup - 1) / kColGroup;
  const std::int64_t units = m_count * tiles * groups;
  std::vector<std::int32_t> ties(static_cast<std::size_t>(m_count * groups * c_count));
  // A unit: kept index m, columns [c0, c0 + w), row group g, and the byte offsets of
  // m in x/gx and in y/g.
  struct Unit {
    std::int64_t m, c0, w, g, in_off, out_off;
  };
  auto unit_of = [&](std::int64_t u) {
    Unit t;
    t.m = u / (tiles * groups);
    t.c0 = (u / groups % tiles) * tile;
    t.g = u % groups;
    t.w = std::min(tile, c_count - t.c0);
    kept.offsets(t.m, t.in_off, t.out_off);
    return t;
  };
  // Calls body(off) for each row of unit t, off the row's byte offset from the bases of
  // x and gx (column c0 included).
  auto for_rows = [&](const Unit& t, std::vector<std::int64_t>& index, auto&& body) {
    const std::int64_t r_begin = t.g * kColGroup, r_end = std::min(r_count, r_begin + kColGroup);
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
  };
  const std::int64_t grain = std::max<std::int64_t>(
      1, detail::kGrainElements / std::max<std::int64_t>(1, std::min(r_count, kColGroup) * tile));
  detail::parallel_for(0, units, grain, [&](std::int64_t b, std::int64_t e) {
    std::vector<std::int64_t> index(red.dims.size());
    for (std::int64_t u = b; u < e; ++u) {
      const Unit t = unit_of(u);
      const T* yp = reinterpret_cast<const T*>(yb + t.out_off) + t.c0;
      const T* gp = reinterpret_cast<const T*>(gb + t.out_off) + t.c0;
      std::int32_t* cnt = &ties[(t.m * groups + t.g) * c_count + t.c0];
      for_rows(t, index, [&](std::int64_t off) {
        const T* xp = reinterpret_cast<const T*>(xb + off);
        T* op = reinterpret_cast<T*>(ob + off);
        tie_row<T>(xp, yp, gp, op, cnt, t.w);
      });
    }
  });
  // Totals per (kept index, column), into the first group's slot.
  bool shared = false;
  for (std::int64_t m = 0; m < m_count; ++m) {
    std::int32_t* first = &ties[m * groups * c_count];
    for (std::int64_t g = 1; g < groups; ++g) {
      const std::int32_t* p = first + g * c_count;
      for (std::int64_t c = 0; c < c_count; ++c) first[c] += p[c];
    }
    for (std::int64_t c = 0; c < c_count; ++c) {
      if (first[c] == 0) fail_no_tie(fn);
      shared = shared || first[c] > 1;
    }
  }
  if (!shared) return;
  // Divide the units of columns whose total is above 1.
  detail::parallel_for(0, units, grain, [&](std::int64_t b, std::int64_t e) {
    std::vector<std::int64_t> index(red.dims.size());
    std::vector<C> div(static_cast<std::size_t>(tile));
    for (std::int64_t u = b; u < e; ++u) {
      const Unit t = unit_of(u);
      const std::int32_t* total = &ties[t.m * groups * c_count + t.c0];
      bool any = false;
      for (std::int64_t c = 0; c < t.w; ++c) {
        div[c] = static_cast<C>(total[c]);
        any = any || total[c] > 1;
      }
      if (!any) continue;
      for_rows(t, index, [&](std::int64_t off) {
        T* op = reinterpret_cast<T*>(ob + off);
        for (std::int64_t c = 0; c < t.w; ++c) op[c] = T(static_cast<C>(op[c]) / div[c]);
      });
    }
  });
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
  Tensor gx = detail::empty_unchecked(x.shape(), x.dtype());
  if (x.numel() == 0) return gx;
  const Tensor xc = x.contiguous();
  dispatch(x.dtype(), [&]<class T>() {
    if constexpr (is_float_v<T>) extreme_backward<T>(fn, xc, yk, g, gx, b.mask);
  });
  return gx;
}

}  // namespace

Tensor sum(const Tensor& x) { return reduce(x, parse_axes(x.dim(), {}, "sum"), false, Kind::Sum); }
Tensor sum(const Tensor& x, std::int64_t axis, bool keepdims) { return reduce_axis(x, axis, keepdims, Kind::Sum); }
Tensor sum(const Tensor& x, const std::vector<std::int64_t>& axes, bool keepdims) {
  return reduce(x, parse_axes(x.dim(), axes, "sum"), keepdims, Kind::Sum);
}
Tensor mean(const Tensor& x) { return reduce(x, parse_axes(x.dim(), {}, "mean"), false, Kind::Mean); }
Tensor mean(const Tensor& x, std::int64_t axis, bool keepdims) { return reduce_axis(x, axis, keepdims, Kind::Mean); }
Tensor mean(const Tensor& x, const std::vector<std::int64_t>& axes, bool keepdims) {
  return reduce(x, parse_axes(x.dim(), axes, "mean"), keepdims, Kind::Mean);
}
Tensor max_reduce(const Tensor& x) { return reduce(x, parse_axes(x.dim(), {}, "max_reduce"), false, Kind::Max); }
Tensor max_reduce(const Tensor& x, std::int64_t axis, bool keepdims) {
  return reduce_axis(x, axis, keepdims, Kind::Max);
}
Tensor max_reduce(const Tensor& x, const std::vector<std::int64_t>& axes, bool keepdims) {
  return reduce(x, parse_axes(x.dim(), axes, "max_reduce"), keepdims, Kind::Max);
}
Tensor min_reduce(const Tensor& x) { return reduce(x, parse_axes(x.dim(), {}, "min_reduce"), false, Kind::Min); }
Tensor min_reduce(const Tensor& x, std::int64_t axis, bool keepdims) {
  return reduce_axis(x, axis, keepdims, Kind::Min);
}
Tensor min_reduce(const Tensor& x, const std::vector<std::int64_t>& axes, bool keepdims) {
  return reduce(x, parse_axes(x.dim(), axes, "min_reduce"), keepdims, Kind::Min);
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

Tensor sum_backward(const Tensor& grad, const Shape& input_shape) {
  return kernels::spread_back("sum_backward", false, grad, input_shape, {}, false);
}
Tensor sum_backward(const Tensor& grad, const Shape& input_shape, std::int64_t axis, bool keepdims) {
  return kernels::spread_back("sum_backward", false, grad, input_shape, {axis}, keepdims);
}
Tensor sum_backward(const Tensor& grad, const Shape& input_shape, const std::vector<std::int64_t>& axes,
                    bool keepdims) {
  return kernels::spread_back("sum_backward", false, grad, input_shape, axes, keepdims);
}
Tensor mean_backward(const Tensor& grad, const Shape& input_shape) {
  return kernels::spread_back("mean_backward", true, grad, input_shape, {}, false);
}
Tensor mean_backward(const Tensor& grad, const Shape& input_shape, std::int64_t axis, bool keepdims) {
  return kernels::spread_back("mean_backward", true, grad, input_shape, {axis}, keepdims);
}
Tensor mean_backward(const Tensor& grad, const Shape& input_shape, const std::vector<std::int64_t>& axes,
                     bool keepdims) {
  return kernels::spread_back("mean_backward", true, grad, input_shape, axes, keepdims);
}
Tensor max_reduce_backward(const Tensor& grad, const Tensor& x, const Tensor& y) {
  return kernels::extreme_back("max_reduce_backward", grad, x, y, {}, false);
}
Tensor max_reduce_backward(const Tensor& grad, const Tensor& x, const Tensor& y, std::int64_t axis, bool keepdims) {
  return kernels::extreme_back("max_reduce_backward", grad, x, y, {axis}, keepdims);
}
Tensor max_reduce_backward(const Tensor& grad, const Tensor& x, const Tensor& y, const std::vector<std::int64_t>& axes,
                           bool keepdims) {
  return kernels::extreme_back("max_reduce_backward", grad, x, y, axes, keepdims);
}
Tensor min_reduce_backward(const Tensor& grad, const Tensor& x, const Tensor& y) {
  return kernels::extreme_back("min_reduce_backward", grad, x, y, {}, false);
}
Tensor min_reduce_backward(const Tensor& grad, const Tensor& x, const Tensor& y, std::int64_t axis, bool keepdims) {
  return kernels::extreme_back("min_reduce_backward", grad, x, y, {axis}, keepdims);
}
Tensor min_reduce_backward(const Tensor& grad, const Tensor& x, const Tensor& y, const std::vector<std::int64_t>& axes,
                           bool keepdims) {
  return kernels::extreme_back("min_reduce_backward", grad, x, y, axes, keepdims);
}

}  // namespace ex
