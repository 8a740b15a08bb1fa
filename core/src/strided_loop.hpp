#pragma once
// Private: iteration over N operands that share one logical shape but have arbitrary
// strides (views, broadcasts with stride 0). Dims are coalesced first, so contiguous
// operands become one long row and kernels see plain pointer loops they can vectorize.

#include <array>
#include <cstdint>

#include "core/src/convert.hpp"
#include "core/src/parallel.hpp"
#include "extensor/core/dtype.hpp"
#include "extensor/core/shape.hpp"
#include "extensor/core/tensor.hpp"

namespace ex::detail {

template <std::size_t N>
using Ptrs = std::array<char*, N>;
template <std::size_t N>
using ByteStrides = std::array<std::int64_t, N>;

// The coalesced geometry of an N-operand loop: sizes[d] and byte strides[k][d], with
// the innermost dim last.
template <std::size_t N>
class StridedLoop {
 public:
  // shape: the common iteration shape. strides[k]: operand k's element strides, of
  // the same rank as shape (0 where operand k is broadcast). itemsize[k]: its bytes.
  StridedLoop(const Shape& shape, const std::array<const Strides*, N>& strides,
              const std::array<std::int64_t, N>& itemsize) {
    numel_ = shape.numel();
    if (numel_ == 0) return;  // an empty tensor's strides address nothing (and may be huge)
    // Walk from the innermost dim outwards, dropping size-1 dims and merging a dim
    // into the one inside it when every operand steps through both uniformly.
    Shape rev_sizes;
    std::array<Strides, N> rev_strides;
    for (std::size_t i = shape.size(); i-- > 0;) {
      const std::int64_t size = shape[i];
      if (size == 1) continue;
      const std::size_t last = rev_sizes.size();
      bool merge = last > 0;
      for (std::size_t k = 0; merge && k < N; ++k)
        merge = (*strides[k])[i] * itemsize[k] == rev_strides[k][last - 1] * rev_sizes[last - 1];
      if (merge) {
        rev_sizes[last - 1] *= size;
        continue;
      }
      rev_sizes.push_back(size);
      for (std::size_t k = 0; k < N; ++k) rev_strides[k].push_back((*strides[k])[i] * itemsize[k]);
    }
    const std::size_t nd = rev_sizes.size();
    sizes_.resize(nd);
    for (std::size_t k = 0; k < N; ++k) strides_[k].resize(nd);
    for (std::size_t d = 0; d < nd; ++d) {
      sizes_[d] = rev_sizes[nd - 1 - d];
      for (std::size_t k = 0; k < N; ++k) strides_[k][d] = rev_strides[k][nd - 1 - d];
    }
  }

  std::int64_t numel() const noexcept { return numel_; }
  std::size_t ndim() const noexcept { return sizes_.size(); }
  // Byte stride of operand k along the innermost coalesced dim (0 for a scalar loop).
  std::int64_t inner_stride(std::size_t k) const noexcept { return ndim() ? strides_[k].back() : 0; }
  // Size of coalesced dim d and operand k's byte stride along it (innermost dim last).
  std::int64_t size(std::size_t d) const noexcept { return sizes_[d]; }
  std::int64_t stride(std::size_t k, std::size_t d) const noexcept { return strides_[k][d]; }

  // Calls row(ptrs, inner_byte_strides, n) for runs of n elements covering the linear
  // element range [begin, end) in row-major order.
  template <class Row>
  void run_range(const Ptrs<N>& base, std::int64_t begin, std::int64_t end, Row&& row) const {
    ByteStrides<N> inner{};
    const std::size_t nd = ndim();
    if (nd == 0) {
      if (begin < end) row(base, inner, std::int64_t{1});
      return;
    }
    for (std::size_t k = 0; k < N; ++k) inner[k] = strides_[k][nd - 1];
    const std::int64_t inner_size = sizes_[nd - 1];
    // Decompose begin into a multi-index over the dims.
    Shape index(nd, 0);
    std::int64_t rem = begin;
    for (std::size_t d = nd; d-- > 0;) {
      index[d] = rem % sizes_[d];
      rem /= sizes_[d];
    }
    Ptrs<N> ptrs = base;
    for (std::size_t k = 0; k < N; ++k)
      for (std::size_t d = 0; d < nd; ++d) ptrs[k] += index[d] * strides_[k][d];
    std::int64_t pos = begin;
    while (pos < end) {
      const std::int64_t n = std::min(inner_size - index[nd - 1], end - pos);
      row(ptrs, inner, n);
      pos += n;
      if (pos >= end) break;
      // Step to the start of the next row: carry through the outer dims.
      for (std::size_t k = 0; k < N; ++k) ptrs[k] += n * inner[k];
      index[nd - 1] += n;
      for (std::size_t d = nd - 1; d > 0 && index[d] == sizes_[d]; --d) {
        for (std::size_t k = 0; k < N; ++k) ptrs[k] += strides_[k][d - 1] - sizes_[d] * strides_[k][d];
        index[d] = 0;
        ++index[d - 1];
      }
    }
  }

  // Runs the whole loop, split over threads when it is large enough.
  template <class Row>
  void run(const Ptrs<N>& base, Row&& row, std::int64_t grain = kGrainElements) const {
    parallel_for(0, numel_, grain, [&](std::int64_t b, std::int64_t e) { run_range(base, b, e, row); });
  }

 private:
  std::int64_t numel_ = 0;
  Shape sizes_;
  std::array<Strides, N> strides_;
};

// Strides of t as seen from a broadcast shape `to` (t's shape must broadcast to it):
// leading new dims and stretched size-1 dims get stride 0.
Strides broadcast_strides(const Tensor& t, const Shape& to);

// out[i] = fn(in[i]) elementwise over same-shaped tensors of any strides; In/Out are
// the C++ element types of in and out. Contiguous rows get a plain vectorizable loop.
template <class Out, class In, class F>
void map_unary(const Tensor& in, const Tensor& out, F&& fn) {
  const Strides& si = in.strides();
  const Strides& so = out.strides();
  StridedLoop<2> loop(out.shape(), {&so, &si}, {sizeof(Out), sizeof(In)});
  loop.run({static_cast<char*>(out.raw_data()), static_cast<char*>(in.raw_data())},
           [&](const Ptrs<2>& p, const ByteStrides<2>& s, std::int64_t n) {
             Out* o = reinterpret_cast<Out*>(p[0]);
             const In* a = reinterpret_cast<const In*>(p[1]);
             if (s[0] == sizeof(Out) && s[1] == sizeof(In)) {
               for (std::int64_t i = 0; i < n; ++i) o[i] = fn(a[i]);
             } else {
               for (std::int64_t i = 0; i < n; ++i)
                 *reinterpret_cast<Out*>(p[0] + i * s[0]) = fn(*reinterpret_cast<const In*>(p[1] + i * s[1]));
             }
           });
}

}  // namespace ex::detail
