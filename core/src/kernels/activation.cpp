#include "extensor/core/kernels/activation.hpp"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <limits>
#include <numbers>
#include <type_traits>

#include "core/src/check.hpp"
#include "core/src/onednn.hpp"
#include "core/src/parallel.hpp"
#include "core/src/strided_loop.hpp"
#include "extensor/core/creation.hpp"

namespace ex::kernels {
namespace {

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
    return C(0.5) * x * (C(1) + std::erf(x * C(std::numbers::sqrt2 / 2)));
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

// Relu-like ops are a compare and a multiply: our loop keeps up with oneDNN longer.
constexpr std::int64_t kCheapOpFactor = 16;

bool use_onednn(const Tensor& x, bool cheap = false) {
  const std::int64_t elements = cheap ? x.numel() / kCheapOpFactor : x.numel();
  return (x.dtype() == DType::Float32 || x.dtype() == DType::BFloat16) &&
         elements >= onednn_min_elements.load(std::memory_order_relaxed);
}

struct Cached {
  bool ok = false;
  dnnl::primitive prim;
  dnnl::memory::desc src_md, dst_md;
  dnnl::primitive_desc pd;
  std::string impl;
};

// Runs a cached single-input primitive from dense src into dense out. Returns false
// (and leaves out untouched) when oneDNN cannot build it.
template <class Make>
bool run_cached(const std::string& key, const char* op, const Tensor& src, const Tensor& out, Make&& make) {
  thread_local detail::onednn::PrimitiveCache<Cached> cache;
  Cached& entry = cache.get(key, [&] {
    Cached c;
    try {
      make(c);
      c.impl = detail::onednn::impl_name(c.pd, op);
      c.ok = c.impl.rfind("ref", 0) != 0;  // the reference path is 100x slower than ours
    } catch (const dnnl::error&) {
      c.ok = false;
    }
    return c;
  });
  if (!entry.ok) return false;
  namespace on = detail::onednn;
  dnnl::memory src_mem(entry.src_md, on::engine(), src.raw_data());
  dnnl::memory dst_mem(entry.dst_md, on::engine(), out.raw_data());
  entry.prim.execute(
      on::stream(),
      {{DNNL_ARG_SRC, src_mem}, {DNNL_ARG_DST, dst_mem}, {DNNL_ARG_SCRATCHPAD, on::scratchpad(entry.pd)}});
  on::stream().wait();
  last_impl = entry.impl;
  return true;
}

bool eltwise_onednn(const char* op, Act act, const Tensor& x, const Tensor& out, float alpha) {
  const Tensor src = x.contiguous();  // eltwise on a non-dense view lands on ref:any
  const dnnl::memory::data_type type = *detail::onednn::data_type(x.dtype());
  const std::string key =
      fmt::format("elt:{}:{}:{}:{}", static_cast<int>(act), static_cast<int>(type), x.numel(), alpha);
  return run_cached(key, op, src, out, [&](Cached& c) {
    c.src_md = dnnl::memory::desc({x.numel()}, type, dnnl::memory::format_tag::a);
    c.dst_md = c.src_md;
    dnnl::eltwise_forward::desc desc(dnnl::prop_kind::forward_inference, onednn_algorithm(act), c.src_md, alpha, 0.f);
    dnnl::eltwise_forward::primitive_desc pd(desc, detail::onednn::default_attr(), detail::onednn::engine());
    c.pd = pd;
    c.prim = dnnl::eltwise_forward(pd);
  });
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
  Tensor out = empty(x.shape(), out_dtype);
  if (x.numel() == 0) return out;
  if (out_dtype == x.dtype() && use_onednn(x, act == Act::Relu || act == Act::Leaky) &&
      eltwise_onednn(op, act, x, out, static_cast<float>(slope)))
    return out;
  switch (act) {
    case Act::Relu:
      eltwise_own<Act::Relu>(x, out, slope);
      break;
    case Act::Leaky:
      eltwise_own<Act::Leaky>(x, out, slope);
      break;
    case Act::Sigmoid:
      eltwise_own<Act::Sigmoid>(x, out, slope);
      break;
    case Act::Tanh:
      eltwise_own<Act::Tanh>(x, out, slope);
      break;
    case Act::GeluErf:
      eltwise_own<Act::GeluErf>(x, out, slope);
      break;
    case Act::GeluTanh:
      eltwise_own<Act::GeluTanh>(x, out, slope);
      break;
  }
  return out;
}

// Result dtype of sigmoid/tanh: floats keep theirs, bool/integers give float32.
DType float_result(const Tensor& x) { return is_floating(x.dtype()) ? x.dtype() : kDefaultFloat; }

// ---- softmax ----

// softmax / log_softmax along the middle dim of a contiguous [outer, n, inner] tensor.
// Rows (inner == 1) are reduced with simd reductions; for inner > 1 a block of lanes
// along inner is reduced together, so a middle axis needs no transposing copy.
template <bool Log, class T>
void softmax_own(const T* x, T* y, std::int64_t outer, std::int64_t n, std::int64_t inner) {
  using C = compute_t<T>;
  constexpr bool kDirect = std::is_same_v<T, C>;  // exps can be staged in the output
  if (inner == 1) {
    const std::int64_t grain = std::max<std::int64_t>(1, detail::kGrainElements / std::max<std::int64_t>(n, 1));
    detail::parallel_for(0, outer, grain, [&](std::int64_t b, std::int64_t e) {
      for (std::int64_t r = b; r < e; ++r) {
        const T* xr = x + r * n;
        T* yr = y + r * n;
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
      }
    });
    return;
  }
  constexpr std::int64_t kLanes = 256;
  const std::int64_t blocks = (inner + kLanes - 1) / kLanes;
  const std::int64_t per_unit = std::max<std::int64_t>(n * std::min(inner, kLanes), 1);
  const std::int64_t grain = std::max<std::int64_t>(1, detail::kGrainElements / per_unit);
  detail::parallel_for(0, outer * blocks, grain, [&](std::int64_t b, std::int64_t e) {
    C m[kLanes], s[kLanes];
    for (std::int64_t u = b; u < e; ++u) {
      const std::int64_t o = u / blocks, i0 = (u % blocks) * kLanes;
      const std::int64_t w = std::min(kLanes, inner - i0);
      const T* xb = x + o * n * inner + i0;
      T* yb = y + o * n * inner + i0;
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
    }
  });
}

bool softmax_onednn(const char* op, bool log, const Tensor& src, const Tensor& out, std::int64_t outer, std::int64_t n,
                    std::int64_t inner) {
  const dnnl::memory::data_type type = *detail::onednn::data_type(src.dtype());
  const std::string key = fmt::format("smx:{}:{}:{}:{}:{}", log, static_cast<int>(type), outer, n, inner);
  return run_cached(key, op, src, out, [&](Cached& c) {
    c.src_md = dnnl::memory::desc({outer, n, inner}, type, dnnl::memory::format_tag::abc);
    c.dst_md = c.src_md;
    dnnl::softmax_v2_forward::desc desc(dnnl::prop_kind::forward_inference,
                                        log ? dnnl::algorithm::softmax_log : dnnl::algorithm::softmax_accurate,
                                        c.src_md, c.dst_md, 1);
    dnnl::softmax_v2_forward::primitive_desc pd(desc, detail::onednn::default_attr(), detail::onednn::engine());
    c.pd = pd;
    c.prim = dnnl::softmax_v2_forward(pd);
  });
}

Tensor softmax_impl(const char* op, bool log, const Tensor& x, std::int64_t axis) {
  require_floating(x, op);
  const std::int64_t rank = x.dim();
  // A rank-0 tensor has one implicit axis (0 or -1), like PyTorch.
  const std::int64_t ax = normalize_axis(axis, std::max<std::int64_t>(rank, 1), op);
  Tensor out = empty(x.shape(), x.dtype());
  if (x.numel() == 0) return out;
  const Tensor src = x.contiguous();
  std::int64_t outer = 1, inner = 1;
  const std::int64_t n = rank == 0 ? 1 : x.shape()[static_cast<std::size_t>(ax)];
  for (std::int64_t d = 0; d < ax; ++d) outer *= x.shape()[static_cast<std::size_t>(d)];
  for (std::int64_t d = ax + 1; d < rank; ++d) inner *= x.shape()[static_cast<std::size_t>(d)];
  // oneDNN's jit softmax needs the axis innermost; elsewhere it picks ref:any.
  if (inner == 1 && use_onednn(x) && softmax_onednn(op, log, src, out, outer, n, inner)) return out;
  dispatch(x.dtype(), [&]<class T>() {
    if constexpr (std::is_floating_point_v<compute_t<T>> && !std::is_same_v<T, bool>) {
      const T* xp = static_cast<const T*>(src.raw_data());
      T* yp = static_cast<T*>(out.raw_data());
      if (log)
        softmax_own<true>(xp, yp, outer, n, inner);
      else
        softmax_own<false>(xp, yp, outer, n, inner);
    }
  });
  last_impl = kOwnImpl;
  return out;
}

}  // namespace

Tensor relu(const Tensor& x) {
  check_defined(x, "relu");
  if (x.dtype() == DType::Bool) detail::fail("relu: bool tensors are not supported (shape {})", x.shape());
  return eltwise("relu", Act::Relu, x, x.dtype());
}

Tensor leaky_relu(const Tensor& x, double negative_slope) {
  require_floating(x, "leaky_relu");
  if (!std::isfinite(negative_slope)) detail::fail("leaky_relu: negative_slope must be finite, got {}", negative_slope);
  return eltwise("leaky_relu", Act::Leaky, x, x.dtype(), negative_slope);
}

Tensor prelu(const Tensor& x, const Tensor& alpha) {
  require_floating(x, "prelu");
  check_defined(alpha, "prelu", "alpha");
  if (alpha.dtype() != x.dtype())
    detail::fail("prelu: alpha has dtype {} but x has dtype {}", alpha.dtype(), x.dtype());
  if (alpha.dim() > 1) detail::fail("prelu: alpha must be a scalar or 1-D tensor, got shape {}", alpha.shape());
  // PyTorch: the channel axis is 1; rank-0 and rank-1 inputs have one channel.
  const std::int64_t channels = x.dim() >= 2 ? x.shape()[1] : 1;
  if (alpha.numel() != 1 && alpha.numel() != channels)
    detail::fail(
        "prelu: alpha has {} elements (shape {}) but x of shape {} has {} channels on axis 1; expected 1 or {}",
        alpha.numel(), alpha.shape(), x.shape(), channels, channels);
  Tensor out = empty(x.shape(), x.dtype());
  if (x.numel() == 0) return out;
  // alpha seen as a tensor of x's shape: stride 0 everywhere except on axis 1.
  Strides astrides(static_cast<std::size_t>(x.dim()), 0);
  if (alpha.numel() > 1) astrides[1] = alpha.strides()[0];
  dispatch(x.dtype(), [&]<class T>() {
    if constexpr (std::is_floating_point_v<compute_t<T>> && !std::is_same_v<T, bool>) {
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
    }
  });
  last_impl = kOwnImpl;
  return out;
}

Tensor sigmoid(const Tensor& x) {
  check_defined(x, "sigmoid");
  return eltwise("sigmoid", Act::Sigmoid, x, float_result(x));
}

Tensor tanh(const Tensor& x) {
  check_defined(x, "tanh");
  return eltwise("tanh", Act::Tanh, x, float_result(x));
}

Tensor softmax(const Tensor& x, std::int64_t axis) { return softmax_impl("softmax", false, x, axis); }

Tensor log_softmax(const Tensor& x, std::int64_t axis) { return softmax_impl("log_softmax", true, x, axis); }

Tensor gelu(const Tensor& x, std::string_view approximate) {
  require_floating(x, "gelu");
  if (approximate == "none") return eltwise("gelu", Act::GeluErf, x, x.dtype());
  if (approximate == "tanh") return eltwise("gelu", Act::GeluTanh, x, x.dtype());
  detail::fail("gelu: approximate must be \"none\" or \"tanh\", got \"{}\"", approximate);
}

std::string last_activation_impl() { return last_impl; }

std::int64_t activation_onednn_min_elements() { return onednn_min_elements.load(); }

std::int64_t set_activation_onednn_min_elements(std::int64_t elements) {
  return onednn_min_elements.exchange(std::max<std::int64_t>(elements, 0));
}

}  // namespace ex::kernels
