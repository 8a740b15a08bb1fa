#pragma once
// Private: the engine behind sum, mean, max_reduce and min_reduce.
//
//   run_reduce<Op, T>(x, mask, out, count)   out = Op over x's dims in mask
//
// The reduced tensor's dims are sorted by input stride and coalesced; then one of two
// kernels runs:
//  - inner: the innermost memory dim is reduced and contiguous (rows, a full sum). Each
//    output is the pairwise combination of partials over fixed chunks of kChunk
//    elements. A chunk is read by kRowVectors independent vector accumulators (32
//    sequential steps each, at most), their blocks combined pairwise, the lanes folded
//    pairwise at the end. Many outputs are split over threads by output, few outputs
//    by chunk.
//  - column: the innermost memory dim is kept and contiguous (column sums). Blocks of
//    kColBlock rows are combined pairwise in registers, one vector of columns at a
//    time; kColRun blocks are added in sequence into a run partial held in L1; runs
//    combine through a binary-counter cascade (pairwise over runs) per group of
//    kColGroup rows, and the groups pairwise at the end. Threads split column tiles
//    and row groups. Four rows at a time: the rows are read as concurrent streams, and
//    16 streams reached 0.6 of the memory bandwidth where 4 reached 0.8.
// Anything else (stride-0 or stepped innermost dims) is first copied to a contiguous
// tensor. The order of accumulation depends only on shape and strides, never on the
// thread count or on the data's address, so results are reproducible bit for bit.
//
// The kernels use GCC vector extensions (core/src/simd.hpp): written as arrays of
// lanes, GCC kept the accumulators in memory and every step waited on a store
// (measured: a row sum at half the memory bandwidth).

#include <algorithm>
#include <bit>
#include <cstdint>
#include <cstring>
#include <limits>
#include <type_traits>
#include <vector>

#include "core/src/parallel.hpp"
#include "core/src/simd.hpp"
#include "extensor/core/dtype.hpp"
#include "extensor/core/shape.hpp"
#include "extensor/core/tensor.hpp"

namespace ex::detail::reduction {

inline constexpr std::int64_t kChunk = 16384;   // elements per independent partial of a long row
inline constexpr std::int64_t kRowVectors = 4;  // independent vector accumulators along a row
inline constexpr std::int64_t kRowSteps = 32;   // sequential steps of an accumulator per leaf block
inline constexpr std::int64_t kColBlock = 4;    // rows combined pairwise in registers
inline constexpr std::int64_t kColRun = 16;     // blocks added in sequence into one partial
inline constexpr std::int64_t kColGroup = 256;  // rows per independent partial of a column sum
inline constexpr std::int64_t kColTile = 4096;  // columns streamed together

template <class T>
inline constexpr bool is_float_v = std::is_floating_point_v<compute_t<T>>;

template <class A>
inline bool is_nan(A v) {
  if constexpr (std::is_floating_point_v<A>)
    return v != v;
  else
    return false;
}

using simd::kLanes;
using simd::Vec;  // the unit the kernels load, combine and keep in registers

// ---- the reduction operations ----
// Each has identity, load (an element to the accumulator type Acc), combine (on Acc
// and on Vec<Acc>; it must be the same function lane by lane) and finish.

template <class T>
struct SumOp {
  using Acc = std::conditional_t<is_float_v<T>, compute_t<T>,
                                 std::conditional_t<std::is_same_v<T, std::uint64_t>, std::uint64_t, std::int64_t>>;
  using Out = std::conditional_t<is_float_v<T>, T, Acc>;
  static Acc identity() { return Acc(0); }
  static Acc load(T v) { return static_cast<Acc>(static_cast<compute_t<T>>(v)); }
  template <class V>
  static V combine(V a, V b) {
    if constexpr (std::is_integral_v<Acc> && std::is_same_v<V, Acc>) {  // wraps on overflow instead of UB
      return static_cast<Acc>(static_cast<std::uint64_t>(a) + static_cast<std::uint64_t>(b));
    } else if constexpr (std::is_integral_v<Acc>) {
      using U = Vec<std::uint64_t>;
      return __builtin_convertvector(__builtin_convertvector(a, U) + __builtin_convertvector(b, U), V);
    } else {
      return a + b;
    }
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
  template <class V>
  static V combine(V a, V b) {
    if constexpr (std::is_same_v<V, Acc>) {
      if constexpr (Max)
        return (a >= b || is_nan(a)) ? a : b;
      else
        return (a <= b || is_nan(a)) ? a : b;
    } else {  // the same select, lane by lane
      if constexpr (Max)
        return ((a >= b) | (a != a)) ? a : b;
      else
        return ((a <= b) | (a != a)) ? a : b;
    }
  }
  static Out finish(Acc a, std::int64_t) { return static_cast<Out>(a); }
};

// ---- vector loads ----

template <class Op>
inline Vec<typename Op::Acc> splat_identity() {
  using Acc = typename Op::Acc;
  return Vec<Acc>{} + Op::identity();
}

// kLanes<Acc> elements of T from p (any alignment), loaded through Op.
template <class Op, class T>
inline Vec<typename Op::Acc> vload(const T* p) {
  using Acc = typename Op::Acc;
  using V = Vec<Acc>;
  constexpr std::int64_t L = kLanes<Acc>;
  V v{};
  if constexpr (std::is_same_v<T, Acc>) {
    v = simd::load(p);
  } else if constexpr (std::is_arithmetic_v<T>) {  // integers widen lane by lane; bool is a 0/1 byte
    using Raw = std::conditional_t<std::is_same_v<T, bool>, std::uint8_t, T>;
    typedef Raw Narrow __attribute__((vector_size(L * sizeof(Raw))));
    Narrow n;
    std::memcpy(&n, p, sizeof n);
    v = __builtin_convertvector(n, V);
  } else {  // Half, BFloat16
    for (std::int64_t j = 0; j < L; ++j) v[j] = Op::load(p[j]);
  }
  return v;
}

// The first n < kLanes<Acc> elements of p, the other lanes the identity.
template <class Op, class T>
inline Vec<typename Op::Acc> vload_partial(const T* p, std::int64_t n) {
  Vec<typename Op::Acc> v = splat_identity<Op>();
  for (std::int64_t j = 0; j < n; ++j) v[j] = Op::load(p[j]);
  return v;
}

// The lanes of v combined pairwise (halves first).
template <class Op>
inline typename Op::Acc fold_lanes(Vec<typename Op::Acc> v) {
  using Acc = typename Op::Acc;
  Acc lanes[kLanes<Acc>];
  std::memcpy(lanes, &v, sizeof v);
  for (std::int64_t w = kLanes<Acc> / 2; w >= 1; w /= 2)
    for (std::int64_t j = 0; j < w; ++j) lanes[j] = Op::combine(lanes[j], lanes[j + w]);
  return lanes[0];
}

// ---- rows ----

// kRowVectors accumulators combined pairwise into one vector.
template <class Op>
inline Vec<typename Op::Acc> fold_accumulators(const Vec<typename Op::Acc>* a) {
  static_assert(kRowVectors == 4, "the fold below is written out");
  return Op::combine(Op::combine(a[0], a[2]), Op::combine(a[1], a[3]));
}

// The lane partials of one leaf block of kRowSteps * kRowVectors vectors: kRowVectors
// accumulators, each kRowSteps sequential steps, combined pairwise. Fully unrolled when
// the loads are plain vector loads: with a loop, the leaf's set-up and exit made a
// [4096, 1024] float32 sum measurably slower.
template <class Op, class T>
inline Vec<typename Op::Acc> leaf_lanes(const T* p) {
  using Acc = typename Op::Acc;
  constexpr std::int64_t L = kLanes<Acc>, step = kRowVectors * L;
  Vec<Acc> a[kRowVectors];
  for (Vec<Acc>& v : a) v = splat_identity<Op>();
  if constexpr (std::is_same_v<T, Acc>) {
#pragma GCC unroll 32
    for (std::int64_t s = 0; s < kRowSteps; ++s) {
#pragma GCC unroll 8
      for (std::int64_t u = 0; u < kRowVectors; ++u) a[u] = Op::combine(a[u], vload<Op>(p + s * step + u * L));
    }
  } else {  // widening loads: a loop keeps the code small
    for (std::int64_t s = 0; s < kRowSteps; ++s) {
#pragma GCC unroll 8
      for (std::int64_t u = 0; u < kRowVectors; ++u) a[u] = Op::combine(a[u], vload<Op>(p + s * step + u * L));
    }
  }
  return fold_accumulators<Op>(a);
}

// Lane partials of n >= kLanes contiguous elements. Whole leaf blocks (see leaf_lanes)
// are read in memory order and combined through a binary counter (level l holds the
// pairwise combination of an aligned group of 2^l leaves), so the leaves combine
// pairwise; the ragged rest (less than a leaf) goes through kRowVectors accumulators
// for its whole steps, then into one accumulator a vector (or a partial vector) at a
// time, and is combined last. Leaves of 2048 floats: in a standalone loop over
// [4096, 4096] rows, 1024-float leaves read below the bandwidth of one long stream,
// 2048-float leaves matched it. Four accumulators of 32 steps rather than eight of 16:
// faster on a 16 MiB float32 sum held in the last-level cache (bench_ops, 1 thread),
// the same speed on rows from memory.
template <class Op, class T>
Vec<typename Op::Acc> row_lanes(const T* p, std::int64_t n) {
  using Acc = typename Op::Acc;
  constexpr std::int64_t L = kLanes<Acc>, step = kRowVectors * L, leaf = kRowSteps * step;
  const std::int64_t leaves = n / leaf;
  Vec<Acc> level[64];
  for (std::int64_t j = 0; j < leaves; ++j) {
    Vec<Acc> r = leaf_lanes<Op>(p + j * leaf);
    int l = 0;
    for (; (j >> l) & 1; ++l) r = Op::combine(level[l], r);
    level[l] = r;
  }
  std::int64_t i = leaves * leaf;
  const bool has_rest = i < n;
  Vec<Acc> r = splat_identity<Op>();
  if (has_rest) {
    Vec<Acc> a[kRowVectors];
    for (Vec<Acc>& v : a) v = splat_identity<Op>();
    for (; i + step <= n; i += step) {
#pragma GCC unroll 8
      for (std::int64_t u = 0; u < kRowVectors; ++u) a[u] = Op::combine(a[u], vload<Op>(p + i + u * L));
    }
    r = fold_accumulators<Op>(a);
    for (; i + L <= n; i += L) r = Op::combine(r, vload<Op>(p + i));
    if (i < n) r = Op::combine(r, vload_partial<Op>(p + i, n - i));
  }
  // The counter's levels, smallest (newest) first, each older one on the left.
  bool first = !has_rest;  // r holds nothing yet: start from the smallest level
  for (int l = 0; l < 64 && (leaves >> l) != 0; ++l) {
    if (!((leaves >> l) & 1)) continue;
    r = first ? level[l] : Op::combine(level[l], r);
    first = false;
  }
  return r;
}

// Reduces n contiguous elements; short rows sequentially.
template <class Op, class T>
typename Op::Acc row_reduce(const T* p, std::int64_t n) {
  using Acc = typename Op::Acc;
  if (n >= kLanes<Acc>) return fold_lanes<Op>(row_lanes<Op>(p, n));
  Acc r = Op::identity();
  for (std::int64_t i = 0; i < n; ++i) r = Op::combine(r, Op::load(p[i]));
  return r;
}

template <class Op>
typename Op::Acc pairwise(const typename Op::Acc* a, std::int64_t n) {
  if (n == 1) return a[0];
  const std::int64_t half = n / 2;
  return Op::combine(pairwise<Op>(a, half), pairwise<Op>(a + half, n - half));
}

// ---- geometry ----

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

// The input byte offsets of the linear indices [begin, begin + n) of g, in order.
inline void row_offsets(const Group& g, std::int64_t begin, std::int64_t n, std::int64_t* offs) {
  std::int64_t off, unused, rem = begin;
  g.offsets(begin, off, unused);
  Shape index(g.dims.size(), 0);  // inline storage: no allocation below rank 7
  for (std::size_t d = g.dims.size(); d-- > 0;) {
    index[d] = rem % g.dims[d].size;
    rem /= g.dims[d].size;
  }
  for (std::int64_t r = 0; r < n; ++r) {
    offs[r] = off;
    for (std::size_t d = g.dims.size(); d-- > 0;) {
      off += g.dims[d].in;
      if (++index[d] < g.dims[d].size) break;
      off -= g.dims[d].in * g.dims[d].size;
      index[d] = 0;
    }
  }
}

// The dims of a reduction over mask of a tensor with `shape` and element `strides`,
// with byte strides into the input (in_item bytes an element) and into a contiguous
// output over the kept dims (out_item bytes), sorted by input stride (innermost last),
// size-1 dims dropped and neighbours that step uniformly merged.
inline std::vector<Dim> coalesce_dims(const Shape& shape, const Strides& strides, const std::vector<bool>& mask,
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

// ---- the inner kernel ----

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
    const std::int64_t grain = std::max<std::int64_t>(1, kGrainElements / std::max<std::int64_t>(1, r_count * k));
    parallel_for(0, m_count, grain, [&](std::int64_t b, std::int64_t e) {
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
  const std::int64_t grain = std::max<std::int64_t>(1, kGrainElements / std::min(k, kChunk));
  for (std::int64_t m = 0; m < m_count; ++m) {
    std::int64_t in_off, out_off;
    kept.offsets(m, in_off, out_off);
    parallel_for(0, segments, grain, [&](std::int64_t b, std::int64_t e) {
      for (std::int64_t s = b; s < e; ++s) partial[s] = segment(in_off, s);
    });
    store(out_off, pairwise<Op>(partial.data(), segments));
  }
}

// ---- the column kernel ----

// load(first), ..., load(first + n - 1) combined pairwise; R = n known at compile time.
// (Halves are named so that they load in order; see row_lanes.)
template <class Op, std::int64_t R, class Load>
inline auto tree(const Load& load, std::int64_t first) {
  if constexpr (R == 1) {
    return load(first);
  } else {
    const auto lo = tree<Op, R / 2>(load, first);
    const auto hi = tree<Op, R - R / 2>(load, first + R / 2);
    return Op::combine(lo, hi);
  }
}
template <class Op, class Load>
auto tree(const Load& load, std::int64_t first, std::int64_t n) {
  if (n == 1) return load(first);
  const auto lo = tree<Op>(load, first, n / 2);
  const auto hi = tree<Op>(load, first + n / 2, n - n / 2);
  return Op::combine(lo, hi);
}

// A binary-counter cascade of partials over w columns: pushing runs p0, p1, ... keeps
// the pairwise combinations of aligned groups of 1, 2, 4, ... runs (level l holds 2^l
// runs), so the final value is a pairwise combination over runs. A push folds the new
// run into the levels it completes and stores the result once.
template <class Op>
class Cascade {
 public:
  using Acc = typename Op::Acc;
  Cascade(std::int64_t runs, std::int64_t w)
      : w_(w), levels_(std::bit_width(static_cast<std::uint64_t>(runs)) + 1), buf_(levels_ * w) {}
  void push(const Acc* run) {
    const int target = std::countr_one(count_);
    Acc* dst = level(target);
    std::copy(run, run + w_, dst);
    for (int l = 0; l < target; ++l) {  // level by level, so the column loops vectorize
      const Acc* older = level(l);
      for (std::int64_t c = 0; c < w_; ++c) dst[c] = Op::combine(older[c], dst[c]);
    }
    ++count_;
  }
  // Combines what is left, newest (smallest) level into the older ones.
  void finish(Acc* out) {
    std::fill(out, out + w_, Op::identity());
    bool first = true;
    for (std::size_t l = 0; l < levels_; ++l) {
      if (!((count_ >> l) & 1u)) continue;
      const Acc* p = level(static_cast<int>(l));
      for (std::int64_t c = 0; c < w_; ++c) out[c] = first ? p[c] : Op::combine(p[c], out[c]);
      first = false;
    }
  }

 private:
  Acc* level(int l) { return &buf_[static_cast<std::size_t>(l) * w_]; }
  std::int64_t w_;
  std::size_t levels_;
  std::vector<Acc> buf_;
  std::uint64_t count_ = 0;
};

// Adds a block of n <= kColBlock rows (pointers at the first column) over w columns
// into run: per column the rows combined pairwise, then into run (stored when first).
template <class Op, class T>
void add_block(typename Op::Acc* run, const T* const* rows, std::int64_t n, std::int64_t w, bool first) {
  using Acc = typename Op::Acc;
  constexpr std::int64_t L = kLanes<Acc>;
  auto put = [&](std::int64_t c, auto v) {
    if (!first) {
      decltype(v) old;
      std::memcpy(&old, run + c, sizeof v);
      v = Op::combine(old, v);
    }
    std::memcpy(run + c, &v, sizeof v);
  };
  std::int64_t c = 0;
  if (n == kColBlock) {
    for (; c + L <= w; c += L) put(c, tree<Op, kColBlock>([&](std::int64_t r) { return vload<Op>(rows[r] + c); }, 0));
  } else {
    for (; c + L <= w; c += L) put(c, tree<Op>([&](std::int64_t r) { return vload<Op>(rows[r] + c); }, 0, n));
  }
  for (; c < w; ++c) put(c, tree<Op>([&](std::int64_t r) { return Op::load(rows[r][c]); }, 0, n));
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
  const std::int64_t grain =
      std::max<std::int64_t>(1, kGrainElements / std::max<std::int64_t>(1, std::min(r_count, kColGroup) * tile));
  parallel_for(0, units, grain, [&](std::int64_t b, std::int64_t e) {
    std::vector<Acc> result(static_cast<std::size_t>(tile));
    std::int64_t offs[kColBlock];
    const T* rows[kColBlock];
    for (std::int64_t u = b; u < e; ++u) {
      const std::int64_t m = u / (tiles * groups);
      const std::int64_t c0 = (u / groups % tiles) * tile;
      const std::int64_t g = u % groups;
      const std::int64_t w = std::min(tile, c_count - c0);
      const std::int64_t r_begin = g * kColGroup, r_end = std::min(r_count, r_begin + kColGroup);
      std::int64_t in_off, out_off;
      kept.offsets(m, in_off, out_off);
      const char* base = in + in_off + c0 * static_cast<std::int64_t>(sizeof(T));
      constexpr std::int64_t run_rows = kColBlock * kColRun;
      Cascade<Op> cascade((r_end - r_begin + run_rows - 1) / run_rows, w);
      Acc* t = result.data();
      for (std::int64_t r0 = r_begin; r0 < r_end; r0 += run_rows) {
        const std::int64_t r1 = std::min(r_end, r0 + run_rows);
        for (std::int64_t b = r0; b < r1; b += kColBlock) {
          const std::int64_t n = std::min(kColBlock, r1 - b);
          row_offsets(red, b, n, offs);
          for (std::int64_t r = 0; r < n; ++r) rows[r] = reinterpret_cast<const T*>(base + offs[r]);
          add_block<Op>(t, rows, n, w, b == r0);
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
  parallel_for(0, m_count, std::max<std::int64_t>(1, kGrainElements / (groups * c_count)),
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

// ---- entry point ----

// Runs Op over x's reduced dims (mask) into the contiguous out (shape of the kept
// dims); count is the number of elements reduced into each output.
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

}  // namespace ex::detail::reduction
