// softmax and log_softmax along one axis, forward and backward: our two-pass loops,
// or oneDNN's softmax primitive where it is faster.

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>

#include <fmt/format.h>

#include "common/check.hpp"
#include "core/src/dispatch_floating.hpp"
#include "core/src/kernels/forward.hpp"
#include "core/src/onednn_eltwise.hpp"
#include "core/src/parallel.hpp"
#include "core/src/strided_loop.hpp"
#include "extensor/core/kernels/activation.hpp"

namespace ex {
namespace {

namespace on = detail::onednn;

// A rank-0 tensor has one implicit axis (0 or -1), like PyTorch.
std::int64_t softmax_axis(const Tensor& x, std::int64_t axis, const char* op) {
  return normalize_axis(axis, std::max<std::int64_t>(x.dim(), 1), op);
}

// A contiguous tensor seen as [outer, n, inner] with n the size of axis ax.
struct AxisGeometry {
  std::int64_t outer = 1, n = 1, inner = 1;
};
AxisGeometry axis_geometry(const Shape& shape, std::int64_t ax) {
  AxisGeometry g;
  for (std::size_t d = 0; d < shape.size(); ++d) {
    const std::int64_t size = shape[d];
    if (static_cast<std::int64_t>(d) < ax)
      g.outer *= size;
    else if (static_cast<std::int64_t>(d) == ax)
      g.n = size;
    else
      g.inner *= size;
  }
  return g;
}

// The traversal the softmax kernels share over contiguous [outer, n, inner] data,
// split over threads: row(offset) for each of the outer rows of n contiguous elements
// when inner == 1 (simd reductions along the row); otherwise block(offset, w) for each
// block of w <= kSoftmaxLanes lanes along inner, which reduces those lanes together
// while striding over n, so a middle axis needs no transposing copy.
constexpr std::int64_t kSoftmaxLanes = 256;
template <class Row, class Block>
void softmax_traverse(std::int64_t outer, std::int64_t n, std::int64_t inner, Row&& row, Block&& block) {
  if (inner == 1) {
    const std::int64_t grain = std::max<std::int64_t>(1, detail::kGrainElements / std::max<std::int64_t>(n, 1));
    detail::parallel_for(0, outer, grain, [&](std::int64_t b, std::int64_t e) {
      for (std::int64_t r = b; r < e; ++r) row(r * n);
    });
    return;
  }
  const std::int64_t blocks = (inner + kSoftmaxLanes - 1) / kSoftmaxLanes;
  const std::int64_t per_unit = std::max<std::int64_t>(n * std::min(inner, kSoftmaxLanes), 1);
  const std::int64_t grain = std::max<std::int64_t>(1, detail::kGrainElements / per_unit);
  detail::parallel_for(0, outer * blocks, grain, [&](std::int64_t b, std::int64_t e) {
    for (std::int64_t u = b; u < e; ++u) {
      const std::int64_t o = u / blocks, i0 = (u % blocks) * kSoftmaxLanes;
      block(o * n * inner + i0, std::min(kSoftmaxLanes, inner - i0));
    }
  });
}

// softmax / log_softmax along the middle dim of a contiguous [outer, n, inner] tensor.
template <bool Log, class T>
void softmax_own(const T* x, T* y, std::int64_t outer, std::int64_t n, std::int64_t inner) {
  using C = compute_t<T>;
  constexpr bool kDirect = std::is_same_v<T, C>;  // exps can be staged in the output
  const auto row = [&](std::int64_t offset) {
    const T* xr = x + offset;
    T* yr = y + offset;
    C m = -std::numeric_limits<C>::infinity();
#pragma omp simd reduction(max : m)
    for (std::int64_t j = 0; j < n; ++j) m = std::max(m, static_cast<C>(xr[j]));
    C s = 0;
    if constexpr (kDirect && !Log) {
#pragma omp simd reduction(+ : s)
      for (std::int64_t j = 0; j < n; ++j) {
        const C ev = std::exp(xr[j] - m);
        yr[j] = ev;
        s += ev;
      }
      const C inv = C(1) / s;
#pragma omp simd
      for (std::int64_t j = 0; j < n; ++j) yr[j] *= inv;
    } else {
#pragma omp simd reduction(+ : s)
      for (std::int64_t j = 0; j < n; ++j) s += std::exp(static_cast<C>(xr[j]) - m);
      if constexpr (Log) {
        const C shift = m + std::log(s);
#pragma omp simd
        for (std::int64_t j = 0; j < n; ++j) yr[j] = detail::convert<T>(static_cast<C>(xr[j]) - shift);
      } else {
        const C inv = C(1) / s;
#pragma omp simd
        for (std::int64_t j = 0; j < n; ++j) yr[j] = detail::convert<T>(std::exp(static_cast<C>(xr[j]) - m) * inv);
      }
    }
  };
  const auto block = [&](std::int64_t offset, std::int64_t w) {
    C m[kSoftmaxLanes], s[kSoftmaxLanes];
    const T* xb = x + offset;
    T* yb = y + offset;
    std::fill(m, m + w, -std::numeric_limits<C>::infinity());
    std::fill(s, s + w, C(0));
    for (std::int64_t j = 0; j < n; ++j) {
      const T* xr = xb + j * inner;
#pragma omp simd
      for (std::int64_t i = 0; i < w; ++i) m[i] = std::max(m[i], static_cast<C>(xr[i]));
    }
    for (std::int64_t j = 0; j < n; ++j) {
      const T* xr = xb + j * inner;
      T* yr = yb + j * inner;
#pragma omp simd
      for (std::int64_t i = 0; i < w; ++i) {
        const C ev = std::exp(static_cast<C>(xr[i]) - m[i]);
        if constexpr (kDirect && !Log) yr[i] = ev;
        s[i] += ev;
      }
    }
    if constexpr (Log) {
      for (std::int64_t i = 0; i < w; ++i) s[i] = m[i] + std::log(s[i]);
    } else {
      for (std::int64_t i = 0; i < w; ++i) s[i] = C(1) / s[i];
    }
    for (std::int64_t j = 0; j < n; ++j) {
      const T* xr = xb + j * inner;
      T* yr = yb + j * inner;
#pragma omp simd
      for (std::int64_t i = 0; i < w; ++i) {
        if constexpr (Log)
          yr[i] = detail::convert<T>(static_cast<C>(xr[i]) - s[i]);
        else if constexpr (kDirect)
          yr[i] *= s[i];
        else
          yr[i] = detail::convert<T>(std::exp(static_cast<C>(xr[i]) - m[i]) * s[i]);
      }
    }
  };
  softmax_traverse(outer, n, inner, row, block);
}

// The oneDNN softmax descriptors over a dense [outer, n, inner] tensor along dim 1: the
// forward, or the backward with the forward as its hint.
void make_softmax(on::CachedPrimitive& c, bool log, dnnl::memory::data_type type, std::int64_t outer, std::int64_t n,
                  std::int64_t inner, bool backward) {
  const dnnl::algorithm alg = log ? dnnl::algorithm::softmax_log : dnnl::algorithm::softmax_accurate;
  c.md = dnnl::memory::desc({outer, n, inner}, type, dnnl::memory::format_tag::abc);
  const dnnl::prop_kind prop = backward ? dnnl::prop_kind::forward_training : dnnl::prop_kind::forward_inference;
  dnnl::softmax_v2_forward::primitive_desc fwd(dnnl::softmax_v2_forward::desc(prop, alg, c.md, c.md, 1),
                                               on::default_attr(), on::engine());
  if (!backward) {
    c.pd = fwd;
    c.prim = dnnl::softmax_v2_forward(fwd);
    return;
  }
  dnnl::softmax_v2_backward::primitive_desc bwd(dnnl::softmax_v2_backward::desc(alg, c.md, c.md, c.md, 1),
                                                on::default_attr(), on::engine(), fwd);
  c.pd = bwd;
  c.prim = dnnl::softmax_v2_backward(bwd);
}

bool softmax_onednn(const char* op, bool log, const Tensor& src, const Tensor& out, std::int64_t outer, std::int64_t n,
                    std::int64_t inner) {
  const dnnl::memory::data_type type = *detail::onednn::data_type(src.dtype());
  const std::string key = fmt::format("smx:{}:{}:{}:{}:{}", log, static_cast<int>(type), outer, n, inner);
  return on::run_cached(key, op, {{DNNL_ARG_SRC, &src}, {DNNL_ARG_DST, &out}},
                        [&](on::CachedPrimitive& c) { make_softmax(c, log, type, outer, n, inner, false); });
}

Tensor softmax_impl(const char* op, bool log, const Tensor& x, std::int64_t axis) {
  detail::floating(op, x);
  const std::int64_t ax = softmax_axis(x, axis, op);
  Tensor out = detail::allocate(x.shape(), x.dtype(), op);
  if (x.numel() == 0) return out;
  const Tensor src = x.contiguous();
  // Plain variables, not a structured binding: the lambdas below capture them, which
  // clang accepts for bindings only from version 16.
  const AxisGeometry geometry = axis_geometry(x.shape(), ax);
  const std::int64_t outer = geometry.outer, n = geometry.n, inner = geometry.inner;
  // oneDNN's jit softmax needs the axis innermost; elsewhere it picks ref:any.
  if (inner == 1 && on::use_for_activation(x) && softmax_onednn(op, log, src, out, outer, n, inner)) return out;
  detail::dispatch_floating(x.dtype(), [&]<class T>() {
    const T* xp = static_cast<const T*>(src.raw_data());
    T* yp = static_cast<T*>(out.raw_data());
    if (log)
      softmax_own<true>(xp, yp, outer, n, inner);
    else
      softmax_own<false>(xp, yp, outer, n, inner);
  });
  on::set_own_activation_impl();
  return out;
}

// softmax / log_softmax backward along the middle dim of contiguous [outer, n, inner]
// tensors g (upstream gradient) and y (forward output): per row, s = sum(g * y) and
// gx = y * (g - s) for softmax; s = sum(g) and gx = g - exp(y) * s for log_softmax.
template <bool Log, class T>
void softmax_backward_own(const T* g, const T* y, T* gx, std::int64_t outer, std::int64_t n, std::int64_t inner) {
  using C = compute_t<T>;
  const auto term = [](C gv, C yv) {
    if constexpr (Log)
      return gv;
    else
      return gv * yv;
  };
  const auto result = [](C gv, C yv, C s) {
    if constexpr (Log)
      return detail::convert<T>(gv - std::exp(yv) * s);
    else
      return detail::convert<T>(yv * (gv - s));
  };
  const auto row = [&](std::int64_t offset) {
    const T* gr = g + offset;
    const T* yr = y + offset;
    T* outr = gx + offset;
    C s = 0;
#pragma omp simd reduction(+ : s)
    for (std::int64_t j = 0; j < n; ++j) s += term(static_cast<C>(gr[j]), static_cast<C>(yr[j]));
#pragma omp simd
    for (std::int64_t j = 0; j < n; ++j) outr[j] = result(static_cast<C>(gr[j]), static_cast<C>(yr[j]), s);
  };
  const auto block = [&](std::int64_t offset, std::int64_t w) {
    C s[kSoftmaxLanes];
    std::fill(s, s + w, C(0));
    for (std::int64_t j = 0; j < n; ++j) {
      const T* gr = g + offset + j * inner;
      const T* yr = y + offset + j * inner;
#pragma omp simd
      for (std::int64_t i = 0; i < w; ++i) s[i] += term(static_cast<C>(gr[i]), static_cast<C>(yr[i]));
    }
    for (std::int64_t j = 0; j < n; ++j) {
      const T* gr = g + offset + j * inner;
      const T* yr = y + offset + j * inner;
      T* outr = gx + offset + j * inner;
#pragma omp simd
      for (std::int64_t i = 0; i < w; ++i) outr[i] = result(static_cast<C>(gr[i]), static_cast<C>(yr[i]), s[i]);
    }
  };
  softmax_traverse(outer, n, inner, row, block);
}

Tensor softmax_backward_impl(const char* op, bool log, const Tensor& grad, const Tensor& y, std::int64_t axis) {
  detail::floating(op, y, "y");
  detail::matches(op, grad, y, "y");
  const std::int64_t ax = softmax_axis(y, axis, op);
  Tensor out = detail::allocate(y.shape(), y.dtype(), op);
  if (y.numel() == 0) return out;
  const Tensor g = grad.contiguous(), yc = y.contiguous();
  const AxisGeometry geometry = axis_geometry(y.shape(), ax);  // not a binding: captured below
  const std::int64_t outer = geometry.outer, n = geometry.n, inner = geometry.inner;
  // oneDNN needs the axis innermost (ref:any elsewhere). Measured on one thread (figures
  // in BENCHMARKS.md): log_softmax's exp is vectorized there and beats our loop from
  // 1024 elements up; softmax's backward is memory-bound, where our loop ties or wins
  // for float32 and loses for bfloat16 from about 16K elements.
  const bool onednn = log ? on::use_for_activation(y) : y.dtype() == DType::BFloat16 && on::use_for_activation(y, true);
  if (inner == 1 && onednn) {
    const dnnl::memory::data_type type = *detail::onednn::data_type(y.dtype());
    const std::string key = fmt::format("smxb:{}:{}:{}:{}", log, static_cast<int>(type), outer, n);
    if (on::run_cached(key, op, {{DNNL_ARG_DST, &yc}, {DNNL_ARG_DIFF_DST, &g}, {DNNL_ARG_DIFF_SRC, &out}},
                       [&](on::CachedPrimitive& c) { make_softmax(c, log, type, outer, n, inner, true); }))
      return out;
  }
  detail::dispatch_floating(y.dtype(), [&]<class T>() {
    const T* gp = static_cast<const T*>(g.raw_data());
    const T* yp = static_cast<const T*>(yc.raw_data());
    T* gxp = static_cast<T*>(out.raw_data());
    if (log)
      softmax_backward_own<true>(gp, yp, gxp, outer, n, inner);
    else
      softmax_backward_own<false>(gp, yp, gxp, outer, n, inner);
  });
  on::set_own_activation_impl();
  return out;
}

}  // namespace

Tensor kernels::softmax(const Tensor& x, std::int64_t axis) { return softmax_impl("softmax", false, x, axis); }

Tensor softmax_backward(const Tensor& grad, const Tensor& y, std::int64_t axis) {
  return softmax_backward_impl("softmax_backward", false, grad, y, axis);
}

Tensor kernels::log_softmax(const Tensor& x, std::int64_t axis) { return softmax_impl("log_softmax", true, x, axis); }

Tensor log_softmax_backward(const Tensor& grad, const Tensor& y, std::int64_t axis) {
  return softmax_backward_impl("log_softmax_backward", true, grad, y, axis);
}

}  // namespace ex
