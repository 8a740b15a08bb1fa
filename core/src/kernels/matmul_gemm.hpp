#pragma once
// Private: our own matrix-multiply kernels for the dtypes oneDNN lacks (float64, the
// integers, small float16) and for products too small to be worth a oneDNN call.
//
// Every batch is C[m, n] = A[m, k] B[k, n] with arbitrary element strides for A and B
// (views, stride-0 broadcasts) and a dense row-major C. Values are converted to an
// accumulator type on the way in: the float type that compute_t gives for floats, and
// uint64 for every integer type, so integer products and sums wrap modulo 2^64 without
// undefined behaviour; the low bits, cast back to the input dtype, are what PyTorch's
// int64 accumulation gives.

#include <algorithm>
#include <cstdint>
#include <type_traits>
#include <vector>

#include "core/src/parallel.hpp"
#include "extensor/core/dtype.hpp"

namespace ex::detail::gemm {

template <class T>
using acc_t = std::conditional_t<std::is_integral_v<T>, std::uint64_t, compute_t<T>>;

template <class T>
inline acc_t<T> to_acc(T v) {
  return static_cast<acc_t<T>>(v);
}
template <class T>
inline T from_acc(acc_t<T> v) {
  if constexpr (std::is_integral_v<T>) {
    return static_cast<T>(v);  // modulo 2^bits (C++20)
  } else {
    return T(v);
  }
}

// The geometry of a (batched) product: sizes, strides within one matrix, and the
// element offset of each batch's A and B (C batches are dense, m * n apart).
struct Geometry {
  std::int64_t m = 0, n = 0, k = 0;
  std::int64_t a_rs = 0, a_cs = 0, b_rs = 0, b_cs = 0;
  std::vector<std::int64_t> a_off, b_off;
  std::int64_t batches() const { return static_cast<std::int64_t>(a_off.size()); }
};

// Below this many multiply-adds a product runs on one thread.
inline constexpr std::int64_t kParallelFlops = std::int64_t{1} << 18;

// Rows [i0, i1) of one batch, in i-k-j order over a row of accumulators: the inner
// loop runs along a row of B and vectorizes when B's rows are dense. Used for small
// products and for vector shapes (m == 1 or n == 1), where packing would waste work.
template <class T>
void simple_rows(const Geometry& g, const T* a, const T* b, T* c, std::int64_t i0, std::int64_t i1) {
  using Acc = acc_t<T>;
  thread_local std::vector<Acc> row;
  row.resize(static_cast<std::size_t>(g.n));
  Acc* acc = row.data();
  for (std::int64_t i = i0; i < i1; ++i) {
    std::fill(row.begin(), row.end(), Acc(0));
    for (std::int64_t p = 0; p < g.k; ++p) {
      const Acc av = to_acc(a[i * g.a_rs + p * g.a_cs]);
      const T* brow = b + p * g.b_rs;
      if (g.b_cs == 1) {
        for (std::int64_t j = 0; j < g.n; ++j) acc[j] += av * to_acc(brow[j]);
      } else {
        for (std::int64_t j = 0; j < g.n; ++j) acc[j] += av * to_acc(brow[j * g.b_cs]);
      }
    }
    T* crow = c + i * g.n;
    for (std::int64_t j = 0; j < g.n; ++j) crow[j] = from_acc<T>(acc[j]);
  }
}

// The packed kernel: blocks of kMC x kNC of C, k in slices of kKC; A and B slices are
// copied (converted to Acc, zero-padded) into panels of kMR rows and NR columns, and a
// register-blocked micro-kernel multiplies one A panel by one B panel, holding its
// kMR x NR block of C in 2 * kMR vector registers (GCC/Clang vector extensions, so the
// code stays portable: without AVX-512 a 64-byte vector becomes several narrower ones).
inline constexpr std::int64_t kMR = 8;
inline constexpr std::int64_t kKC = 256;
inline constexpr std::int64_t kMC = 64;
inline constexpr std::int64_t kNC = 256;
inline constexpr std::int64_t kVecBytes = 64;
template <class Acc>
inline constexpr std::int64_t kLanes = kVecBytes / static_cast<std::int64_t>(sizeof(Acc));
template <class Acc>
inline constexpr std::int64_t kNR = 2 * kLanes<Acc>;

template <class Acc>
inline void micro_kernel(const Acc* __restrict ap, const Acc* __restrict bp, std::int64_t kc, Acc* __restrict c,
                         std::int64_t ldc) {
  typedef Acc Vec __attribute__((vector_size(kVecBytes)));
  constexpr std::int64_t L = kLanes<Acc>;
  Vec acc0[kMR] = {}, acc1[kMR] = {};
  for (std::int64_t p = 0; p < kc; ++p) {
    Vec b0, b1;
    __builtin_memcpy(&b0, bp + p * 2 * L, sizeof(Vec));
    __builtin_memcpy(&b1, bp + p * 2 * L + L, sizeof(Vec));
    const Acc* a = ap + p * kMR;
    for (std::int64_t r = 0; r < kMR; ++r) {
      acc0[r] += a[r] * b0;
      acc1[r] += a[r] * b1;
    }
  }
  for (std::int64_t r = 0; r < kMR; ++r) {
    Vec c0, c1;
    __builtin_memcpy(&c0, c + r * ldc, sizeof(Vec));
    __builtin_memcpy(&c1, c + r * ldc + L, sizeof(Vec));
    c0 += acc0[r];
    c1 += acc1[r];
    __builtin_memcpy(c + r * ldc, &c0, sizeof(Vec));
    __builtin_memcpy(c + r * ldc + L, &c1, sizeof(Vec));
  }
}

// C[i0 : i0 + mc, j0 : j0 + nc] of one batch.
template <class T>
void packed_block(const Geometry& g, const T* a, const T* b, T* c, std::int64_t i0, std::int64_t mc, std::int64_t j0,
                  std::int64_t nc) {
  using Acc = acc_t<T>;
  constexpr std::int64_t NR = kNR<Acc>;
  const std::int64_t mp = (mc + kMR - 1) / kMR, np = (nc + NR - 1) / NR, ldc = np * NR;
  thread_local std::vector<Acc> apack, bpack, cacc;
  cacc.assign(static_cast<std::size_t>(mp * kMR * ldc), Acc(0));
  for (std::int64_t p0 = 0; p0 < g.k; p0 += kKC) {
    const std::int64_t kc = std::min(kKC, g.k - p0);
    apack.resize(static_cast<std::size_t>(mp * kMR * kc));
    bpack.resize(static_cast<std::size_t>(np * NR * kc));
    for (std::int64_t ip = 0; ip < mp; ++ip) {
      Acc* dst = apack.data() + ip * kMR * kc;
      for (std::int64_t r = 0; r < kMR; ++r) {
        const std::int64_t i = ip * kMR + r;
        const T* src = a + (i0 + i) * g.a_rs + p0 * g.a_cs;
        for (std::int64_t p = 0; p < kc; ++p) dst[p * kMR + r] = i < mc ? to_acc(src[p * g.a_cs]) : Acc(0);
      }
    }
    for (std::int64_t jp = 0; jp < np; ++jp) {
      Acc* dst = bpack.data() + jp * NR * kc;
      const std::int64_t width = std::min(NR, nc - jp * NR);
      for (std::int64_t p = 0; p < kc; ++p) {
        const T* src = b + (p0 + p) * g.b_rs + (j0 + jp * NR) * g.b_cs;
        Acc* out = dst + p * NR;
        for (std::int64_t j = 0; j < width; ++j) out[j] = to_acc(src[j * g.b_cs]);
        for (std::int64_t j = width; j < NR; ++j) out[j] = Acc(0);
      }
    }
    for (std::int64_t jp = 0; jp < np; ++jp)
      for (std::int64_t ip = 0; ip < mp; ++ip)
        micro_kernel<Acc>(apack.data() + ip * kMR * kc, bpack.data() + jp * NR * kc, kc,
                          cacc.data() + ip * kMR * ldc + jp * NR, ldc);
  }
  for (std::int64_t i = 0; i < mc; ++i) {
    T* crow = c + (i0 + i) * g.n + j0;
    const Acc* arow = cacc.data() + i * ldc;
    for (std::int64_t j = 0; j < nc; ++j) crow[j] = from_acc<T>(arow[j]);
  }
}

// Runs every batch: packed when `packed`, else the simple loop; tasks are batches x
// row blocks (x column blocks) spread over the thread pool for large products.
template <class T>
void run(const Geometry& g, const T* a, const T* b, T* c, bool packed) {
  const std::int64_t mb = (g.m + kMC - 1) / kMC;
  const std::int64_t nb = packed ? (g.n + kNC - 1) / kNC : 1;
  const std::int64_t tasks = g.batches() * mb * nb;
  const double flops =
      static_cast<double>(g.batches()) * static_cast<double>(g.m) * static_cast<double>(g.n) * static_cast<double>(g.k);
  const std::int64_t grain = flops < static_cast<double>(kParallelFlops) ? tasks : 1;
  parallel_for(0, tasks, grain, [&](std::int64_t begin, std::int64_t end) {
    for (std::int64_t t = begin; t < end; ++t) {
      const std::int64_t batch = t / (mb * nb), ib = t / nb % mb, jb = t % nb;
      const T* ab = a + g.a_off[static_cast<std::size_t>(batch)];
      const T* bb = b + g.b_off[static_cast<std::size_t>(batch)];
      T* cb = c + batch * g.m * g.n;
      const std::int64_t i0 = ib * kMC, mc = std::min(kMC, g.m - i0);
      if (packed) {
        const std::int64_t j0 = jb * kNC;
        packed_block(g, ab, bb, cb, i0, mc, j0, std::min(kNC, g.n - j0));
      } else {
        simple_rows(g, ab, bb, cb, i0, i0 + mc);
      }
    }
  });
}

}  // namespace ex::detail::gemm
