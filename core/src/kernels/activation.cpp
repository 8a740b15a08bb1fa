#include "extensor/core/kernels/activation.hpp"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <initializer_list>
#include <limits>
#include <mutex>
#include <numbers>
#include <type_traits>
#include <unordered_map>
#include <utility>
#include <vector>

#include "common/check.hpp"
#include "core/src/dispatch_floating.hpp"
#include "core/src/kernels/elementwise.hpp"
#include "core/src/kernels/math_vec.hpp"
#include "core/src/onednn.hpp"
#include "core/src/parallel.hpp"
#include "core/src/strided_loop.hpp"
#include "extensor/core/creation.hpp"

namespace ex {
namespace {

using kernels::kActivationOneDnnMinElements;

thread_local std::string last_impl;
std::atomic<std::int64_t> onednn_min_elements{kActivationOneDnnMinElements};
constexpr const char* kOwnImpl = "extensor";

enum class Act { Relu, Leaky, Sigmoid, Tanh, GeluErf, GeluTanh };

void check_defined(const Tensor& x, const char* op, const char* what = "input") {
  if (!x.defined()) detail::fail("{}: the {} tensor is undefined", op, what);
}

void require_floating(const Tensor& x, const char* op) {
  check_defined(x, op);
  if (!is_floating(x.dtype()))
    detail::fail("{}: expected a floating-point tensor (float16, bfloat16, float32, float64), got {} with shape {}", op,
                 x.dtype(), x.shape());
}

// Checks prelu's operands and returns x's channel count.
std::int64_t check_prelu(const char* op, const Tensor& x, const Tensor& alpha) {
  require_floating(x, op);
  check_defined(alpha, op, "alpha");
  if (alpha.dtype() != x.dtype())
    detail::fail("{}: alpha has dtype {} but x has dtype {}", op, alpha.dtype(), x.dtype());
  if (alpha.dim() > 1) detail::fail("{}: alpha must be a scalar or 1-D tensor, got shape {}", op, alpha.shape());
  // PyTorch: the channel axis is 1; rank-0 and rank-1 inputs have one channel.
  const std::int64_t channels = x.dim() >= 2 ? x.shape()[1] : 1;
  if (alpha.numel() != 1 && alpha.numel() != channels)
    detail::fail("{}: alpha has {} elements (shape {}) but x of shape {} has {} channels on axis 1; expected 1 or {}",
                 op, alpha.numel(), alpha.shape(), x.shape(), channels, channels);
  return channels;
}

// Checks the upstream gradient against the forward tensor v it pairs with (the input x,
// or the output y): same shape and dtype.
void check_grad(const char* op, const Tensor& grad, const Tensor& v, const char* what) {
  check_defined(v, op, what);
  check_defined(grad, op, "grad");
  if (grad.shape() != v.shape())
    detail::fail("{}: grad has shape {} but {} has shape {}; they must match", op, grad.shape(), what, v.shape());
  if (grad.dtype() != v.dtype())
    detail::fail("{}: grad has dtype {} but {} has dtype {}", op, grad.dtype(), what, v.dtype());
}

// erf and exp of a float or double: float takes the vectorizable polynomials.
constexpr auto erf_of =
    detail::split_precision([](float v) { return detail::erf_f32(v); }, [](double v) { return std::erf(v); });
constexpr auto exp_of =
    detail::split_precision([](float v) { return detail::exp_f32(v); }, [](double v) { return std::exp(v); });

// One activation on one value, in the compute type C.
template <Act A, class C>
inline C activate(C x, C slope) {
  if constexpr (A == Act::Relu) {
    if constexpr (std::is_unsigned_v<C>) {
      return x;
    } else {
      return x < C(0) ? C(0) : x;  // NaN stays NaN like PyTorch
    }
  } else if constexpr (A == Act::Leaky) {
    return x < C(0) ? x * slope : x;
  } else if constexpr (A == Act::Sigmoid) {
    // One exp of a non-positive argument: never overflows, exact 0/1 limits.
    const C e = std::exp(-std::fabs(x));
    const C r = C(1) / (C(1) + e);
    return x >= C(0) ? r : e * r;
  } else if constexpr (A == Act::Tanh) {
    return std::tanh(x);
  } else if constexpr (A == Act::GeluErf) {
    return C(0.5) * x * (C(1) + erf_of(x * C(std::numbers::sqrt2 / 2)));
  } else {
    const C k = C(std::numbers::sqrt2 * std::numbers::inv_sqrtpi);  // sqrt(2 / pi)
    return C(0.5) * x * (C(1) + std::tanh(k * (x + C(0.044715) * x * x * x)));
  }
}

dnnl::algorithm onednn_algorithm(Act act) {
  switch (act) {
    case Act::Relu:
    case Act::Leaky:
      return dnnl::algorithm::eltwise_relu;  // alpha is the negative slope
    case Act::Sigmoid:
      return dnnl::algorithm::eltwise_logistic;
    case Act::Tanh:
      return dnnl::algorithm::eltwise_tanh;
    case Act::GeluErf:
      return dnnl::algorithm::eltwise_gelu_erf;
    case Act::GeluTanh:
      break;
  }
  return dnnl::algorithm::eltwise_gelu_tanh;
}

// Relu-like ops are a compare and a multiply: our loop keeps up with oneDNN longer
// (also bfloat16 softmax_backward, memory-bound too).
constexpr std::int64_t kCheapOpFactor = 16;

bool use_onednn(const Tensor& x, bool cheap = false) {
  const std::int64_t elements = cheap ? x.numel() / kCheapOpFactor : x.numel();
  return (x.dtype() == DType::Float32 || x.dtype() == DType::BFloat16) &&
         elements >= onednn_min_elements.load(std::memory_order_relaxed);
}

struct Cached {
  bool ok = false;
  dnnl::primitive prim;
  dnnl::memory::desc md;  // every argument of our primitives is one dense layout
  dnnl::primitive_desc pd;
  std::string impl;
};

// Runs a cached primitive whose arguments (oneDNN argument id, dense tensor) all share
// one memory descriptor. Returns false (and writes nothing) when oneDNN cannot build it
// or would only run its reference path.
template <class Make>
bool run_cached(const std::string& key, const char* op, std::initializer_list<std::pair<int, const Tensor*>> args,
                Make&& make) {
  thread_local detail::onednn::PrimitiveCache<Cached> cache;
  Cached& entry = cache.get(key, [&] {
    Cached c;
    try {
      make(c);
      c.impl = detail::onednn::impl_name(c.pd, op);
      c.ok = c.impl.rfind("ref", 0) != 0;  // the reference path is far slower than ours
    } catch (const dnnl::error&) {
      c.ok = false;
    }
    return c;
  });
  if (!entry.ok) return false;
  namespace on = detail::onednn;
  std::unordered_map<int, dnnl::memory> mems{{DNNL_ARG_SCRATCHPAD, on::scratchpad(entry.pd)}};
  for (const auto& [arg, t] : args) mems.emplace(arg, dnnl::memory(entry.md, on::engine(), t->raw_data()));
  entry.prim.execute(on::stream(), mems);
  on::stream().wait();
  last_impl = entry.impl;
  return true;
}

// The oneDNN eltwise descriptors for one activation over numel dense elements: the
// forward (also the hint a backward needs) and, with backward, the backward primitive.
void make_eltwise(Cached& c, dnnl::algorithm alg, dnnl::memory::data_type type, std::int64_t numel, float alpha,
                  bool backward) {
  namespace on = detail::onednn;
  c.md = dnnl::memory::desc({numel}, type, dnnl::memory::format_tag::a);
  const dnnl::prop_kind prop = backward ? dnnl::prop_kind::forward_training : dnnl::prop_kind::forward_inference;
  dnnl::eltwise_forward::primitive_desc fwd(dnnl::eltwise_forward::desc(prop, alg, c.md, alpha, 0.f),
                                            on::default_attr(), on::engine());
  if (!backward) {
    c.pd = fwd;
    c.prim = dnnl::eltwise_forward(fwd);
    return;
  }
  dnnl::eltwise_backward::primitive_desc bwd(dnnl::eltwise_backward::desc(alg, c.md, c.md, alpha, 0.f),
                                             on::default_attr(), on::engine(), fwd);
  c.pd = bwd;
  c.prim = dnnl::eltwise_backward(bwd);
}

bool eltwise_onednn(const char* op, Act act, const Tensor& x, const Tensor& out, float alpha) {
  const Tensor src = x.contiguous();  // eltwise on a non-dense view lands on ref:any
  const dnnl::memory::data_type type = *detail::onednn::data_type(x.dtype());
  const std::string key =
      fmt::format("elt:{}:{}:{}:{}", static_cast<int>(act), static_cast<int>(type), x.numel(), alpha);
  return run_cached(key, op, {{DNNL_ARG_SRC, &src}, {DNNL_ARG_DST, &out}},
                    [&](Cached& c) { make_eltwise(c, onednn_algorithm(act), type, x.numel(), alpha, false); });
}

// Calls fn.template operator()<A>() with the activation act names.
template <class F>
void visit_act(Act act, F&& fn) {
  switch (act) {
    case Act::Relu:
      return fn.template operator()<Act::Relu>();
    case Act::Leaky:
      return fn.template operator()<Act::Leaky>();
    case Act::Sigmoid:
      return fn.template operator()<Act::Sigmoid>();
    case Act::Tanh:
      return fn.template operator()<Act::Tanh>();
    case Act::GeluErf:
      return fn.template operator()<Act::GeluErf>();
    case Act::GeluTanh:
      return fn.template operator()<Act::GeluTanh>();
  }
}

// Our own elementwise loop: In is x's element type, the result has out's dtype.
template <Act A>
void eltwise_own(const Tensor& x, const Tensor& out, double slope) {
  dispatch(x.dtype(), [&]<class In>() {
    if constexpr (std::is_same_v<In, bool>) {
      // Bool only reaches sigmoid/tanh, which compute in float like other integers.
      detail::map_unary<float, bool>(x, out, [](bool v) { return activate<A, float>(v ? 1.f : 0.f, 0.f); });
    } else if constexpr (std::is_integral_v<In> && A == Act::Relu) {
      detail::map_unary<In, In>(x, out, [](In v) { return activate<A, In>(v, In(0)); });
    } else if constexpr (std::is_integral_v<In>) {
      detail::map_unary<float, In>(x, out, [](In v) { return activate<A, float>(static_cast<float>(v), 0.f); });
    } else {
      using C = compute_t<In>;
      const C s = static_cast<C>(slope);
      detail::map_unary<In, In>(x, out,
                                [s](In v) { return detail::convert<In>(activate<A, C>(static_cast<C>(v), s)); });
    }
  });
  last_impl = kOwnImpl;
}

Tensor eltwise(const char* op, Act act, const Tensor& x, DType out_dtype, double slope = 0.0) {
  Tensor out = detail::allocate(x.shape(), out_dtype, op);
  if (x.numel() == 0) return out;
  // float32 gelu (erf form) always runs our loop over the vectorized erf_f32: it beat
  // oneDNN 2.6's jit eltwise on [4096, 1024] at 1 thread (see BENCHMARKS.md).
  const bool own_erf = act == Act::GeluErf && x.dtype() == DType::Float32;
  if (!own_erf && out_dtype == x.dtype() && use_onednn(x, act == Act::Relu || act == Act::Leaky) &&
      eltwise_onednn(op, act, x, out, static_cast<float>(slope)))
    return out;
  visit_act(act, [&]<Act A>() { eltwise_own<A>(x, out, slope); });
  return out;
}

// The gelu variant an approximate string names.
Act gelu_act(const char* op, std::string_view approximate) {
  if (approximate == "none") return Act::GeluErf;
  if (approximate == "tanh") return Act::GeluTanh;
  detail::fail("{}: approximate must be \"none\" or \"tanh\", got \"{}\"", op, approximate);
}

// Result dtype of sigmoid/tanh: floats keep theirs, bool/integers give float32.
DType float_result(const Tensor& x) { return is_floating(x.dtype()) ? x.dtype() : kDefaultFloat; }

// ---- softmax ----

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
void make_softmax(Cached& c, bool log, dnnl::memory::data_type type, std::int64_t outer, std::int64_t n,
                  std::int64_t inner, bool backward) {
  namespace on = detail::onednn;
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
  return run_cached(key, op, {{DNNL_ARG_SRC, &src}, {DNNL_ARG_DST, &out}},
                    [&](Cached& c) { make_softmax(c, log, type, outer, n, inner, false); });
}

Tensor softmax_impl(const char* op, bool log, const Tensor& x, std::int64_t axis) {
  require_floating(x, op);
  const std::int64_t ax = softmax_axis(x, axis, op);
  Tensor out = detail::allocate(x.shape(), x.dtype(), op);
  if (x.numel() == 0) return out;
  const Tensor src = x.contiguous();
  // Plain variables, not a structured binding: the lambdas below capture them, which
  // clang accepts for bindings only from version 16.
  const AxisGeometry geometry = axis_geometry(x.shape(), ax);
  const std::int64_t outer = geometry.outer, n = geometry.n, inner = geometry.inner;
  // oneDNN's jit softmax needs the axis innermost; elsewhere it picks ref:any.
  if (inner == 1 && use_onednn(x) && softmax_onednn(op, log, src, out, outer, n, inner)) return out;
  detail::dispatch_floating(x.dtype(), [&]<class T>() {
    const T* xp = static_cast<const T*>(src.raw_data());
    T* yp = static_cast<T*>(out.raw_data());
    if (log)
      softmax_own<true>(xp, yp, outer, n, inner);
    else
      softmax_own<false>(xp, yp, outer, n, inner);
  });
  last_impl = kOwnImpl;
  return out;
}

// ---- backward ----

// grad times the derivative of activation A at v, in the compute type C: v is the
// input x, except for sigmoid and tanh, whose derivative comes from the output y. V is
// C, or for relu, leaky_relu, sigmoid and tanh also a simd vector of C (the same
// expression lane by lane).
template <Act A, class C, class V = C>
inline V backprop(V g, V v, C slope) {
  if constexpr (A == Act::Relu) {
    return v <= C(0) ? V{} : g;  // relu'(0) = 0; a NaN x passes g, like PyTorch
  } else if constexpr (A == Act::Leaky) {
    return v > C(0) ? g : g * slope;
  } else if constexpr (A == Act::Sigmoid) {
    return g * (C(1) - v) * v;
  } else if constexpr (A == Act::Tanh) {
    return g * (C(1) - v * v);
  } else if constexpr (A == Act::GeluErf) {
    const C cdf = C(0.5) * (C(1) + erf_of(v * C(std::numbers::sqrt2 / 2)));
    const C pdf = exp_of(C(-0.5) * v * v) * C(std::numbers::inv_sqrtpi / std::numbers::sqrt2);  // 1/sqrt(2 pi)
    return g * detail::mul_add(v, pdf, cdf);  // spelled out: see mul_add
  } else {
    const C k = C(std::numbers::sqrt2 * std::numbers::inv_sqrtpi);  // sqrt(2 / pi)
    const C kappa = C(0.044715);
    // Every multiply-add through mul_add: GCC contracts them differently in the dense
    // and the strided loop otherwise (see math_vec.hpp).
    const C t = std::tanh(k * detail::mul_add(kappa * v * v, v, v));
    const C dt = detail::mul_add(-t, t, C(1));
    // A saturated tanh contributes exactly 0 (PyTorch's 0 * inf is NaN for huge |x|).
    const C chain = dt == C(0) ? C(0) : C(0.5) * v * dt * k * detail::mul_add(C(3) * kappa * v, v, C(1));
    return g * detail::mul_add(C(0.5), C(1) + t, chain);
  }
}

// The functor the elementwise engine runs: (grad, v) -> backprop. kLanewise lets large
// dense float inputs take its streaming loop (non-temporal stores): relu_backward of
// 2^24 float32 went from 0.83-0.97 to 1.25-1.45 of ATen's speed (bench_ops, 1 thread).
// gelu's erf and tanh stay scalar.
template <Act A, class C>
struct Backprop {
  static constexpr bool kLanewise = A == Act::Relu || A == Act::Leaky || A == Act::Sigmoid || A == Act::Tanh;
  C slope;
  template <class V>
  V operator()(V g, V v) const {
    return backprop<A, C, V>(g, v, slope);
  }
};

template <Act A>
void eltwise_backward_own(const Tensor& grad, const Tensor& v, const Tensor& out, double slope) {
  dispatch(v.dtype(), [&]<class T>() {
    using C = compute_t<T>;
    // Integers reach relu only; bool nothing.
    if constexpr (!std::is_same_v<T, bool> && (A == Act::Relu || std::is_floating_point_v<C>)) {
      Backprop<A, C> fn{static_cast<C>(slope)};
      detail::binary_run<C, T, T, T>(out, grad.raw_data(), grad.strides(), v.raw_data(), v.strides(), fn);
    }
  });
  last_impl = kOwnImpl;
}

bool eltwise_backward_onednn(const char* op, Act act, const Tensor& grad, const Tensor& x, const Tensor& out) {
  const Tensor g = grad.contiguous(), src = x.contiguous();
  const dnnl::memory::data_type type = *detail::onednn::data_type(x.dtype());
  const std::string key = fmt::format("eltb:{}:{}:{}", static_cast<int>(act), static_cast<int>(type), x.numel());
  return run_cached(key, op, {{DNNL_ARG_SRC, &src}, {DNNL_ARG_DIFF_DST, &g}, {DNNL_ARG_DIFF_SRC, &out}},
                    [&](Cached& c) { make_eltwise(c, onednn_algorithm(act), type, x.numel(), 0.f, true); });
}

// The backward of an elementwise activation: grad and v (x, or y for sigmoid/tanh)
// already validated; the result has v's shape and dtype. Only gelu goes to oneDNN:
// the other backwards are a few flops per element, memory-bound, and our loop was as
// fast as oneDNN's eltwise backward at every size for relu and faster for
// sigmoid/tanh (use_dst_for_bwd forms, 1 thread, from 1024 to 2^22 float32), while
// oneDNN's erf/exp/tanh are vectorized and beat our scalar gelu loop by far at every
// size (figures in BENCHMARKS.md, "Measurements behind the code").
Tensor eltwise_backward(const char* op, Act act, const Tensor& grad, const Tensor& v, double slope = 0.0) {
  Tensor out = detail::allocate(v.shape(), v.dtype(), op);
  if (v.numel() == 0) return out;
  if ((act == Act::GeluErf || act == Act::GeluTanh) && use_onednn(v) && eltwise_backward_onednn(op, act, grad, v, out))
    return out;
  visit_act(act, [&]<Act A>() { eltwise_backward_own<A>(grad, v, out, slope); });
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
  require_floating(y, op);
  check_grad(op, grad, y, "y");
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
  const bool onednn = log ? use_onednn(y) : y.dtype() == DType::BFloat16 && use_onednn(y, true);
  if (inner == 1 && onednn) {
    const dnnl::memory::data_type type = *detail::onednn::data_type(y.dtype());
    const std::string key = fmt::format("smxb:{}:{}:{}:{}", log, static_cast<int>(type), outer, n);
    if (run_cached(key, op, {{DNNL_ARG_DST, &yc}, {DNNL_ARG_DIFF_DST, &g}, {DNNL_ARG_DIFF_SRC, &out}},
                   [&](Cached& c) { make_softmax(c, log, type, outer, n, inner, true); }))
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
  last_impl = kOwnImpl;
  return out;
}

}  // namespace

Tensor kernels::relu(const Tensor& x) {
  check_defined(x, "relu");
  if (x.dtype() == DType::Bool) detail::fail("relu: bool tensors are not supported (shape {})", x.shape());
  return eltwise("relu", Act::Relu, x, x.dtype());
}

Tensor relu_backward(const Tensor& grad, const Tensor& x) {
  check_grad("relu_backward", grad, x, "x");
  if (x.dtype() == DType::Bool) detail::fail("relu_backward: bool tensors are not supported (shape {})", x.shape());
  return eltwise_backward("relu_backward", Act::Relu, grad, x);
}

Tensor kernels::leaky_relu(const Tensor& x, double negative_slope) {
  require_floating(x, "leaky_relu");
  if (!std::isfinite(negative_slope)) detail::fail("leaky_relu: negative_slope must be finite, got {}", negative_slope);
  return eltwise("leaky_relu", Act::Leaky, x, x.dtype(), negative_slope);
}

Tensor leaky_relu_backward(const Tensor& grad, const Tensor& x, double negative_slope) {
  require_floating(x, "leaky_relu_backward");
  check_grad("leaky_relu_backward", grad, x, "x");
  if (!std::isfinite(negative_slope))
    detail::fail("leaky_relu_backward: negative_slope must be finite, got {}", negative_slope);
  return eltwise_backward("leaky_relu_backward", Act::Leaky, grad, x, negative_slope);
}

Tensor kernels::prelu(const Tensor& x, const Tensor& alpha) {
  check_prelu("prelu", x, alpha);
  Tensor out = detail::allocate(x.shape(), x.dtype(), "prelu");
  if (x.numel() == 0) return out;
  // alpha seen as a tensor of x's shape: stride 0 everywhere except on axis 1.
  Strides astrides(static_cast<std::size_t>(x.dim()), 0);
  if (alpha.numel() > 1) astrides[1] = alpha.strides()[0];
  detail::dispatch_floating(x.dtype(), [&]<class T>() {
    using C = compute_t<T>;
    constexpr std::int64_t sz = sizeof(T);
    detail::StridedLoop<3> loop(x.shape(), {&out.strides(), &x.strides(), &astrides}, {sz, sz, sz});
    loop.run(
        {static_cast<char*>(out.raw_data()), static_cast<char*>(x.raw_data()), static_cast<char*>(alpha.raw_data())},
        [&](const detail::Ptrs<3>& p, const detail::ByteStrides<3>& s, std::int64_t len) {
          T* o = reinterpret_cast<T*>(p[0]);
          const T* a = reinterpret_cast<const T*>(p[1]);
          const T* w = reinterpret_cast<const T*>(p[2]);
          if (s[0] == sz && s[1] == sz && s[2] == 0) {
            const C wv = static_cast<C>(*w);
            for (std::int64_t i = 0; i < len; ++i) o[i] = detail::convert<T>(activate<Act::Leaky, C>(a[i], wv));
          } else if (s[0] == sz && s[1] == sz && s[2] == sz) {
            for (std::int64_t i = 0; i < len; ++i)
              o[i] = detail::convert<T>(activate<Act::Leaky, C>(a[i], static_cast<C>(w[i])));
          } else {
            for (std::int64_t i = 0; i < len; ++i) {
              const C v = static_cast<C>(*reinterpret_cast<const T*>(p[1] + i * s[1]));
              const C wv = static_cast<C>(*reinterpret_cast<const T*>(p[2] + i * s[2]));
              *reinterpret_cast<T*>(p[0] + i * s[0]) = detail::convert<T>(activate<Act::Leaky, C>(v, wv));
            }
          }
        });
  });
  last_impl = kOwnImpl;
  return out;
}

std::pair<Tensor, Tensor> prelu_backward(const Tensor& grad, const Tensor& x, const Tensor& alpha,
                                         OutputMask output_mask) {
  constexpr const char* op = "prelu_backward";
  check_prelu(op, x, alpha);
  check_grad(op, grad, x, "x");
  Tensor grad_x = detail::allocate(x.shape(), x.dtype(), "prelu_backward");
  Tensor grad_alpha = zeros(alpha.shape(), alpha.dtype());
  if (x.numel() == 0) return {output_mask[0] ? grad_x : Tensor(), output_mask[1] ? grad_alpha : Tensor()};
  // Element i (row-major) uses alpha[(i / inner) % channels]: one alpha covers
  // everything, C alphas one channel of axis 1 each.
  const std::int64_t channels = alpha.numel();
  std::int64_t inner = x.numel();
  if (channels > 1) {
    inner = 1;
    for (std::size_t d = 2; d < x.shape().size(); ++d) inner *= x.shape()[d];
  }
  const Tensor xc = x.contiguous(), gc = grad.contiguous(), ac = alpha.contiguous();
  // Per-chunk sums of grad_alpha, added in chunk order so the result is deterministic.
  std::vector<std::pair<std::int64_t, std::vector<double>>> partials;
  std::mutex partials_mutex;
  detail::dispatch_floating(x.dtype(), [&]<class T>() {
    using C = compute_t<T>;
    const T* xp = static_cast<const T*>(xc.raw_data());
    const T* gp = static_cast<const T*>(gc.raw_data());
    const T* ap = static_cast<const T*>(ac.raw_data());
    T* out = static_cast<T*>(grad_x.raw_data());
    detail::parallel_for(0, x.numel(), detail::kGrainElements, [&](std::int64_t b, std::int64_t e) {
      std::vector<double> local(static_cast<std::size_t>(channels), 0.0);
      for (std::int64_t i = b; i < e;) {
        const std::int64_t row = i / inner, end = std::min(e, (row + 1) * inner);
        const std::int64_t c = row % channels;
        const C a = static_cast<C>(ap[c]);
        double acc = 0;
#pragma omp simd reduction(+ : acc)
        for (std::int64_t j = i; j < end; ++j) {
          const C xv = static_cast<C>(xp[j]), gv = static_cast<C>(gp[j]);
          const bool positive = xv > C(0);
          out[j] = detail::convert<T>(positive ? gv : a * gv);
          acc += positive ? 0.0 : static_cast<double>(xv) * static_cast<double>(gv);
        }
        local[static_cast<std::size_t>(c)] += acc;
        i = end;
      }
      const std::lock_guard<std::mutex> lock(partials_mutex);
      partials.emplace_back(b, std::move(local));
    });
    std::sort(partials.begin(), partials.end());
    std::vector<double> total(static_cast<std::size_t>(channels), 0.0);
    for (const auto& part : partials)
      for (std::size_t c = 0; c < total.size(); ++c) total[c] += part.second[c];
    // grad_alpha is a fresh contiguous tensor of alpha's shape.
    T* ga = static_cast<T*>(grad_alpha.raw_data());
    for (std::size_t c = 0; c < total.size(); ++c) ga[c] = detail::convert<T>(total[c]);
  });
  last_impl = kOwnImpl;
  if (!output_mask[0]) grad_x = Tensor();
  if (!output_mask[1]) grad_alpha = Tensor();
  return {grad_x, grad_alpha};
}

Tensor kernels::sigmoid(const Tensor& x) {
  check_defined(x, "sigmoid");
  return eltwise("sigmoid", Act::Sigmoid, x, float_result(x));
}

Tensor sigmoid_backward(const Tensor& grad, const Tensor& y) {
  require_floating(y, "sigmoid_backward");
  check_grad("sigmoid_backward", grad, y, "y");
  return eltwise_backward("sigmoid_backward", Act::Sigmoid, grad, y);
}

Tensor kernels::tanh(const Tensor& x) {
  check_defined(x, "tanh");
  return eltwise("tanh", Act::Tanh, x, float_result(x));
}

Tensor tanh_backward(const Tensor& grad, const Tensor& y) {
  require_floating(y, "tanh_backward");
  check_grad("tanh_backward", grad, y, "y");
  return eltwise_backward("tanh_backward", Act::Tanh, grad, y);
}

Tensor kernels::softmax(const Tensor& x, std::int64_t axis) { return softmax_impl("softmax", false, x, axis); }

Tensor softmax_backward(const Tensor& grad, const Tensor& y, std::int64_t axis) {
  return softmax_backward_impl("softmax_backward", false, grad, y, axis);
}

Tensor kernels::log_softmax(const Tensor& x, std::int64_t axis) { return softmax_impl("log_softmax", true, x, axis); }

Tensor log_softmax_backward(const Tensor& grad, const Tensor& y, std::int64_t axis) {
  return softmax_backward_impl("log_softmax_backward", true, grad, y, axis);
}

Tensor kernels::gelu(const Tensor& x, std::string_view approximate) {
  require_floating(x, "gelu");
  return eltwise("gelu", gelu_act("gelu", approximate), x, x.dtype());
}

Tensor gelu_backward(const Tensor& grad, const Tensor& x, std::string_view approximate) {
  require_floating(x, "gelu_backward");
  check_grad("gelu_backward", grad, x, "x");
  return eltwise_backward("gelu_backward", gelu_act("gelu_backward", approximate), grad, x);
}

std::string kernels::last_activation_impl() { return last_impl; }

std::int64_t kernels::activation_onednn_min_elements() { return onednn_min_elements.load(); }

std::int64_t kernels::set_activation_onednn_min_elements(std::int64_t elements) {
  return onednn_min_elements.exchange(std::max<std::int64_t>(elements, 0));
}

}  // namespace ex
