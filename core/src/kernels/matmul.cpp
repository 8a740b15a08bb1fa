// matmul, dot and outer. float32 and bfloat16 products go to oneDNN's matmul primitive
// (float16 through float32, which oneDNN 2.6 cannot multiply in f16); float64, the
// integers and tiny products of any dtype use our own kernels (matmul_gemm.hpp).
#include "extensor/core/kernels/matmul.hpp"

#include <fmt/ranges.h>

#include <algorithm>
#include <cstdint>
#include <optional>
#include <utility>
#include <vector>

#include "common/check.hpp"
#include "core/src/kernels/forward.hpp"
#include "core/src/kernels/matmul_gemm.hpp"
#include "core/src/onednn.hpp"
#include "core/src/strided_loop.hpp"
#include "extensor/core/backend.hpp"
#include "extensor/core/creation.hpp"
#include "extensor/core/kernels/reduction.hpp"

namespace ex::kernels {

namespace detail {
namespace {
thread_local MatmulTrace trace;
}
const MatmulTrace& last_matmul_trace() { return trace; }
}  // namespace detail

namespace {

using ex::detail::fail;
namespace onednn = ex::detail::onednn;

// Up to this many multiply-adds (batches x m x n x k) a float32 product runs in our own
// kernel: below it oneDNN's per-call cost (cache lookup, memory objects, stream) wins
// (measured crossover near 40^3; the 16-bit types, which pay for conversions in our
// kernel, cross over earlier; figures in BENCHMARKS.md, "Measurements behind the code").
constexpr double kSmallFlopsF32 = 32 * 32 * 32;
constexpr double kSmallFlopsHalf = 16384;
// oneDNN's limit on tensor rank; higher-rank products use our own kernel.
constexpr std::int64_t kMaxOnednnRank = DNNL_MAX_NDIMS;

void set_trace(std::string backend, bool copied_a = false, bool copied_b = false) {
  detail::trace = {std::move(backend), copied_a, copied_b, detail::trace.calls + 1};
}

// The validated problem: a and b as rank-R batched matrices [batch..., m, k] and
// [batch..., k, n] (1-D operands promoted, missing batch dims added as size 1), the
// broadcast output [batch..., m, n] and the shape of the result the caller sees.
struct Problem {
  Tensor a, b;
  Shape out_shape, result_shape;
  std::int64_t m, n, k;
};

// fn names the caller in error messages (matmul or matmul_backward).
Problem validate(const Tensor& a0, const Tensor& b0, const char* fn) {
  if (!a0.defined() || !b0.defined()) fail("{}: an argument is an undefined tensor", fn);
  if (a0.dim() == 0 || b0.dim() == 0)
    fail("{}: both arguments need at least 1 dimension, got shapes {} and {}", fn, a0.shape(), b0.shape());
  if (a0.dtype() != b0.dtype())
    fail("{}: expected both operands to have the same dtype, got {} and {}", fn, a0.dtype(), b0.dtype());
  if (a0.dtype() == DType::Bool) fail("{}: dtype bool is not supported (shapes {} and {})", fn, a0.shape(), b0.shape());
  Problem p;
  p.a = a0.dim() == 1 ? a0.unsqueeze(0) : a0;
  p.b = b0.dim() == 1 ? b0.unsqueeze(1) : b0;
  p.m = p.a.size(-2);
  p.k = p.a.size(-1);
  p.n = p.b.size(-1);
  if (p.b.size(-2) != p.k)
    fail("{}: shapes {} and {} are not aligned ({} != {})", fn, a0.shape(), b0.shape(), p.k, p.b.size(-2));
  const std::int64_t rank = std::max(p.a.dim(), p.b.dim());
  while (p.a.dim() < rank) p.a = p.a.unsqueeze(0);
  while (p.b.dim() < rank) p.b = p.b.unsqueeze(0);
  for (std::int64_t d = 0; d < rank - 2; ++d) {
    const std::int64_t sa = p.a.size(d), sb = p.b.size(d);
    if (sa != sb && sa != 1 && sb != 1)
      fail("{}: batch dims of shapes {} and {} cannot be broadcast ({} vs {})", fn, a0.shape(), b0.shape(), sa, sb);
    p.out_shape.push_back(sa == 1 ? sb : sa);
  }
  p.result_shape = p.out_shape;
  if (a0.dim() > 1) p.result_shape.push_back(p.m);
  if (b0.dim() > 1) p.result_shape.push_back(p.n);
  p.out_shape.push_back(p.m);
  p.out_shape.push_back(p.n);
  checked_numel(p.out_shape, fn, a0.itemsize());
  return p;
}

// ---- our own kernels ----

template <class T>
void own_matmul(const Tensor& a, const Tensor& b, const Tensor& out, std::int64_t m, std::int64_t n, std::int64_t k) {
  ex::detail::gemm::Geometry g;
  g.m = m;
  g.n = n;
  g.k = k;
  const std::int64_t rank = out.dim();
  g.a_rs = a.stride(-2);
  g.a_cs = a.stride(-1);
  g.b_rs = b.stride(-2);
  g.b_cs = b.stride(-1);
  // Element offsets of every batch, walking the broadcast batch index in row-major order.
  const std::int64_t batches = out.numel() / (m * n);
  g.a_off.resize(static_cast<std::size_t>(batches));
  g.b_off.resize(static_cast<std::size_t>(batches));
  Shape index(static_cast<std::size_t>(rank - 2), 0);
  for (std::int64_t t = 0; t < batches; ++t) {
    std::int64_t ao = 0, bo = 0;
    for (std::int64_t d = 0; d < rank - 2; ++d) {
      const auto du = static_cast<std::size_t>(d);
      if (a.size(d) != 1) ao += index[du] * a.stride(d);
      if (b.size(d) != 1) bo += index[du] * b.stride(d);
    }
    g.a_off[static_cast<std::size_t>(t)] = ao;
    g.b_off[static_cast<std::size_t>(t)] = bo;
    for (std::int64_t d = rank - 3; d >= 0; --d) {
      const auto du = static_cast<std::size_t>(d);
      if (++index[du] < out.size(d)) break;
      index[du] = 0;
    }
  }
  // Vector shapes skip packing, which would pad the 1-wide side to a whole register
  // panel; every other shape, however small, measured faster packed.
  const bool packed = m > 1 && n > 1;
  set_trace(packed ? "own:packed" : "own:simple");
  ex::detail::gemm::run<T>(g, static_cast<const T*>(a.raw_data()), static_cast<const T*>(b.raw_data()),
                           static_cast<T*>(out.raw_data()), packed);
}

// ---- oneDNN ----

// Batch dims expanded with stride 0 hold the same matrix over and over: view them as
// size 1 instead, which oneDNN broadcasts natively (a stride-0 dim sends it to ref:any).
Tensor unexpand(const Tensor& t) {
  Shape shape = t.shape();
  bool changed = false;
  for (std::int64_t d = 0; d + 2 < t.dim(); ++d) {
    const auto du = static_cast<std::size_t>(d);
    if (shape[du] > 1 && t.strides()[du] == 0) {
      shape[du] = 1;
      changed = true;
    }
  }
  return changed ? make_view(t, shape, t.strides(), t.storage_offset()) : t;
}

// oneDNN strides for t, or nothing when oneDNN cannot take its layout as is: the
// matrix must be row-major or column-major with a unit stride (size-1 dims get the
// stride that makes them look dense, which changes no address).
std::optional<dnnl::memory::dims> dnnl_strides(const Tensor& t) {
  dnnl::memory::dims st(t.strides().begin(), t.strides().end());
  const std::size_t rank = st.size();
  const std::int64_t r = t.size(-2), c = t.size(-1);
  std::int64_t& sr = st[rank - 2];
  std::int64_t& sc = st[rank - 1];
  if ((c == 1 || sc == 1) && (r == 1 || sr >= c)) {
    sc = 1;
    if (r == 1) sr = c;
  } else if ((r == 1 || sr == 1) && (c == 1 || sc >= r)) {
    sr = 1;
    if (c == 1) sc = r;
  } else {
    return std::nullopt;
  }
  for (std::size_t d = rank - 2; d-- > 0;) {
    if (t.shape()[d] != 1) continue;
    std::int64_t span = 1;
    for (std::size_t e = d + 1; e < rank; ++e) span = std::max(span, st[e] * t.shape()[e]);
    st[d] = span;
  }
  return st;
}

struct DnnlEntry {
  dnnl::matmul::primitive_desc pd;
  dnnl::matmul prim;
  bool copy_a = false, copy_b = false;
};

dnnl::memory::desc make_desc(const Tensor& t, dnnl::memory::data_type type, const dnnl::memory::dims& strides) {
  return {dnnl::memory::dims(t.shape().begin(), t.shape().end()), type, strides};
}
dnnl::memory::dims dense_strides(const Tensor& t) {
  const Strides s = contiguous_strides(t.shape());
  return {s.begin(), s.end()};
}

// C = A B for float32/bfloat16 operands of rank <= 12 (batch dims broadcast where one
// side is 1), written into out (same rank; its dtype may differ, e.g. float16).
void onednn_matmul(Tensor a, Tensor b, const Tensor& out) {
  a = unexpand(a);
  b = unexpand(b);
  const auto type = *onednn::data_type(a.dtype());
  // The oneDNN result: batch dims where both operands are size 1 stay 1 and are
  // broadcast into out afterwards.
  Shape c_shape = out.shape();
  for (std::int64_t d = 0; d + 2 < out.dim(); ++d) {
    const auto du = static_cast<std::size_t>(d);
    c_shape[du] = std::max(a.shape()[du], b.shape()[du]);
  }
  const bool direct = c_shape == out.shape() && out.dtype() == a.dtype();
  const Tensor c = direct ? out : ex::detail::allocate(c_shape, a.dtype(), "matmul");

  auto a_strides = dnnl_strides(a);
  auto b_strides = dnnl_strides(b);
  const std::string key = fmt::format("{}|{}|{}|{}|{}|{}", static_cast<int>(type), a.shape().vec(),
                                      a_strides ? *a_strides : dnnl::memory::dims{}, b.shape().vec(),
                                      b_strides ? *b_strides : dnnl::memory::dims{}, c_shape.vec());
  thread_local onednn::PrimitiveCache<DnnlEntry> cache;
  DnnlEntry& entry = cache.get(key, [&] {
    const dnnl::memory::desc c_md(dnnl::memory::dims(c_shape.begin(), c_shape.end()), type, dense_strides(c));
    auto make_pd = [&](bool copy_a, bool copy_b) {
      const auto amd = make_desc(a, type, copy_a ? dense_strides(a) : *a_strides);
      const auto bmd = make_desc(b, type, copy_b ? dense_strides(b) : *b_strides);
      return dnnl::matmul::primitive_desc(dnnl::matmul::desc(amd, bmd, c_md), onednn::default_attr(), onednn::engine());
    };
    DnnlEntry e;
    e.copy_a = !a_strides;
    e.copy_b = !b_strides;
    bool ok = false;
    if (!e.copy_a || !e.copy_b) {
      // Try the layouts as they are; oneDNN may still only offer its slow reference
      // implementation (e.g. for some batch strides) or refuse: then copy.
      try {
        e.pd = make_pd(e.copy_a, e.copy_b);
        ok = std::string(e.pd.impl_info_str()).rfind("ref", 0) != 0;
      } catch (const dnnl::error&) {
      }
    }
    if (!ok) {
      e.copy_a = e.copy_a || !a.is_contiguous();
      e.copy_b = e.copy_b || !b.is_contiguous();
      try {
        e.pd = make_pd(e.copy_a, e.copy_b);
      } catch (const dnnl::error& err) {
        fail("matmul: oneDNN cannot multiply shapes {} and {}: {}", a.shape(), b.shape(), err.what());
      }
    }
    e.prim = dnnl::matmul(e.pd);
    return e;
  });
  const Tensor ad = entry.copy_a ? a.contiguous() : a;
  const Tensor bd = entry.copy_b ? b.contiguous() : b;
  set_trace("onednn:" + onednn::impl_name(entry.pd, "matmul"), entry.copy_a, entry.copy_b);
  dnnl::stream& s = onednn::stream();
  entry.prim.execute(s, {{DNNL_ARG_SRC, onednn::memory(ad, entry.pd.src_desc())},
                         {DNNL_ARG_WEIGHTS, onednn::memory(bd, entry.pd.weights_desc())},
                         {DNNL_ARG_DST, onednn::memory(c, entry.pd.dst_desc())},
                         {DNNL_ARG_SCRATCHPAD, onednn::scratchpad(entry.pd)}});
  s.wait();
  if (!direct) ex::detail::copy_convert(c.expand(out.shape()), out);
}

}  // namespace

Tensor matmul(const Tensor& a0, const Tensor& b0) {
  Problem p = validate(a0, b0, "matmul");
  const DType dtype = a0.dtype();
  Tensor out = ex::detail::allocate(p.out_shape, dtype, "matmul");
  if (out.numel() == 0 || p.k == 0) {
    set_trace("empty");
    if (out.numel() != 0) std::memset(out.raw_data(), 0, out.nbytes());
    return out.view(p.result_shape);
  }
  const double flops = static_cast<double>(out.numel()) * static_cast<double>(p.k);  // multiply-adds, all batches
  const bool onednn_type = dtype == DType::Float32 || dtype == DType::BFloat16 || dtype == DType::Float16;
  const double small = dtype == DType::Float32 ? kSmallFlopsF32 : kSmallFlopsHalf;
  if (onednn_type && flops > small && out.dim() <= kMaxOnednnRank) {
    if (dtype == DType::Float16 || (dtype == DType::BFloat16 && !onednn_supports_bf16())) {
      // oneDNN 2.6 has no f16 matmul on CPU, nor bf16 without AVX-512: multiply in
      // float32, round once at the end.
      onednn_matmul(unexpand(p.a).to(DType::Float32), unexpand(p.b).to(DType::Float32), out);
      detail::trace.copied_a = detail::trace.copied_b = true;
    } else {
      onednn_matmul(p.a, p.b, out);
    }
  } else {
    dispatch(dtype, [&]<class T>() {
      if constexpr (!std::is_same_v<T, bool>) own_matmul<T>(p.a, p.b, out, p.m, p.n, p.k);
    });
  }
  return out.view(p.result_shape);
}

Tensor dot(const Tensor& a, const Tensor& b) {
  if (!a.defined() || !b.defined()) fail("dot: an argument is an undefined tensor");
  if (a.dim() != 1 || b.dim() != 1) fail("dot: expected two 1-D tensors, got shapes {} and {}", a.shape(), b.shape());
  if (a.dtype() != b.dtype())
    fail("dot: expected both operands to have the same dtype, got {} and {}", a.dtype(), b.dtype());
  if (a.dtype() == DType::Bool) fail("dot: dtype bool is not supported");
  if (a.numel() != b.numel())
    fail("dot: shapes {} and {} have different lengths ({} != {})", a.shape(), b.shape(), a.numel(), b.numel());
  return matmul(a, b);
}

Tensor outer(const Tensor& a, const Tensor& b) {
  if (!a.defined() || !b.defined()) fail("outer: an argument is an undefined tensor");
  if (a.dim() != 1 || b.dim() != 1) fail("outer: expected two 1-D tensors, got shapes {} and {}", a.shape(), b.shape());
  const DType dtype = promote_types(a.dtype(), b.dtype());
  const Shape shape{a.numel(), b.numel()};
  Tensor out = ex::detail::allocate(shape, dtype, "outer");
  const Tensor ac = ex::detail::to_dtype(a, dtype, "outer"), bc = ex::detail::to_dtype(b, dtype, "outer");
  dispatch(dtype, [&]<class T>() {
    const Strides so = out.strides(), sa{ac.stride(0), 0}, sb{0, bc.stride(0)};
    const auto size = static_cast<std::int64_t>(sizeof(T));
    ex::detail::StridedLoop<3> loop(shape, {&so, &sa, &sb}, {size, size, size});
    auto mul = [](T x, T y) -> T {
      if constexpr (std::is_same_v<T, bool>) {
        return x && y;
      } else if constexpr (std::is_integral_v<T>) {  // wraps like PyTorch, without signed overflow
        return static_cast<T>(static_cast<std::uint64_t>(x) * static_cast<std::uint64_t>(y));
      } else {
        return T(static_cast<compute_t<T>>(x) * static_cast<compute_t<T>>(y));
      }
    };
    loop.run({static_cast<char*>(out.raw_data()), static_cast<char*>(ac.raw_data()), static_cast<char*>(bc.raw_data())},
             [&](const ex::detail::Ptrs<3>& ptr, const ex::detail::ByteStrides<3>& st, std::int64_t n) {
               T* o = reinterpret_cast<T*>(ptr[0]);
               const T* x = reinterpret_cast<const T*>(ptr[1]);
               const T* y = reinterpret_cast<const T*>(ptr[2]);
               if (st[0] == size && st[1] == 0 && st[2] == size) {
                 const T xv = *x;
                 for (std::int64_t i = 0; i < n; ++i) o[i] = mul(xv, y[i]);
               } else {
                 for (std::int64_t i = 0; i < n; ++i)
                   o[i * st[0] / size] = mul(x[i * st[1] / size], y[i * st[2] / size]);
               }
             });
  });
  return out;
}

}  // namespace ex::kernels

// ---- backward ----

namespace ex {

namespace {

using ex::detail::fail;

// Dims [begin, end) of t merged into one, as a view of t; nothing when the strides cannot
// express it without a copy.
std::optional<Tensor> merged_view(const Tensor& t, std::int64_t begin, std::int64_t end) {
  Shape shape;
  Strides strides;
  for (std::int64_t d = 0; d < begin; ++d) {
    shape.push_back(t.size(d));
    strides.push_back(t.stride(d));
  }
  std::int64_t size = 1, stride = 1, next = 0;  // next: the stride the next outer dim needs
  bool first = true;
  for (std::int64_t d = end - 1; d >= begin; --d) {
    if (t.size(d) == 1) continue;
    if (first) {
      stride = t.stride(d);
      first = false;
    } else if (t.stride(d) != next) {
      return std::nullopt;
    }
    next = t.stride(d) * t.size(d);
    size *= t.size(d);
  }
  shape.push_back(size);
  strides.push_back(stride);
  for (std::int64_t d = end; d < t.dim(); ++d) {
    shape.push_back(t.size(d));
    strides.push_back(t.stride(d));
  }
  if (t.numel() == 0) return ex::detail::allocate(shape, t.dtype(), "matmul");
  return make_view(t, shape, strides, t.storage_offset());
}

// The gradient of one matmul operand: lhs [batch..., r, i] @ rhs [batch..., i, c] (batch
// dims broadcasting against each other) summed over the batch dims where the operand,
// whose promoted shape is target [batch'..., r, c], was broadcast. When the strides allow,
// the batch sum folds into the contraction: lhs viewed as [kept..., r, (summed..., i)] and
// rhs as [kept..., (summed..., i), c] make one matmul that sums as it multiplies (the
// weight gradient of a linear layer, a^T [k, batch * m] @ g [batch * m, n], is the
// common case; contiguous operands fold for the second operand, and for the first only
// when m == 1). Otherwise the batched product is reduced with reduce_to_shape, in float32
// for the 16-bit types so that the sum is rounded once.
Tensor summed_product(const Tensor& lhs, const Tensor& rhs, const Shape& target) {
  const std::int64_t rank = lhs.dim();
  std::vector<std::int64_t> kept, summed;
  for (std::int64_t d = 0; d + 2 < rank; ++d) {
    const std::int64_t out = lhs.size(d) == 1 ? rhs.size(d) : lhs.size(d);
    (target[static_cast<std::size_t>(d)] == 1 && out != 1 ? summed : kept).push_back(d);
  }
  if (summed.empty()) return kernels::matmul(lhs, rhs);
  std::vector<std::int64_t> lhs_dims = kept, rhs_dims = kept;
  lhs_dims.push_back(rank - 2);
  lhs_dims.insert(lhs_dims.end(), summed.begin(), summed.end());
  lhs_dims.push_back(rank - 1);
  rhs_dims.insert(rhs_dims.end(), summed.begin(), summed.end());
  rhs_dims.push_back(rank - 2);
  rhs_dims.push_back(rank - 1);
  const auto nk = static_cast<std::int64_t>(kept.size()), ns = static_cast<std::int64_t>(summed.size());
  const auto l = merged_view(lhs.permute(lhs_dims), nk + 1, rank);
  const auto r = merged_view(rhs.permute(rhs_dims), nk, nk + ns + 1);
  if (l && r) return kernels::matmul(*l, *r).view(target);
  const DType dtype = lhs.dtype();
  if (dtype == DType::Float16 || dtype == DType::BFloat16)
    return reduce_to_shape(kernels::matmul(lhs.to(DType::Float32), rhs.to(DType::Float32)), target).to(dtype);
  return reduce_to_shape(kernels::matmul(lhs, rhs), target);
}

// Whether t's matrices are stored column by column: a transposed view of contiguous
// matrices, like the weight W of a linear layer used as W^T.
bool is_column_major(const Tensor& t) {
  return t.dim() >= 2 && t.size(-2) > 1 && t.size(-1) > 1 && t.stride(-2) == 1 && t.stride(-1) == t.size(-2);
}

// The gradient of operand (whose promoted shape target is) as lhs @ rhs summed over
// broadcast batch dims, in the operand's layout: for a column-major operand the
// transposed product (rhs^T @ lhs^T) is computed and returned transposed, so the
// gradient of W^T comes back as a transposed view of a contiguous buffer and reaches W
// contiguous, without the transposing copy a row-major result would need (PyTorch's
// mm_mat2_backward does the same).
Tensor operand_grad(const Tensor& lhs, const Tensor& rhs, const Tensor& operand, const Shape& target) {
  if (!is_column_major(operand)) return summed_product(lhs, rhs, target);
  Shape transposed = target;
  std::swap(transposed[transposed.size() - 1], transposed[transposed.size() - 2]);
  return summed_product(rhs.transpose(-1, -2), lhs.transpose(-1, -2), transposed).transpose(-1, -2);
}

void check_grad(const Tensor& grad, const Shape& shape, DType dtype, const char* fn, const char* forward) {
  if (!grad.defined()) fail("{}: grad is an undefined tensor", fn);
  if (grad.shape() != shape)
    fail("{}: grad has shape {}, but the result of {} has shape {}", fn, grad.shape(), forward, shape);
  if (grad.dtype() != dtype)
    fail("{}: grad has dtype {}, but the result of {} has dtype {}", fn, grad.dtype(), forward, dtype);
}

}  // namespace

std::pair<Tensor, Tensor> matmul_backward(const Tensor& grad, const Tensor& a, const Tensor& b,
                                          OutputMask output_mask) {
  const kernels::Problem p = kernels::validate(a, b, "matmul_backward");
  check_grad(grad, p.result_shape, a.dtype(), "matmul_backward", "matmul");
  const Tensor g = grad.view(p.out_shape);  // puts back the dims a 1-D operand dropped
  Tensor ga, gb;
  if (output_mask[0]) ga = operand_grad(g, p.b.transpose(-1, -2), a, p.a.shape()).view(a.shape());
  if (output_mask[1]) gb = operand_grad(p.a.transpose(-1, -2), g, b, p.b.shape()).view(b.shape());
  return {std::move(ga), std::move(gb)};
}

std::pair<Tensor, Tensor> dot_backward(const Tensor& grad, const Tensor& a, const Tensor& b, OutputMask output_mask) {
  if (!a.defined() || !b.defined()) fail("dot_backward: an argument is an undefined tensor");
  if (a.dim() != 1 || b.dim() != 1)
    fail("dot_backward: expected two 1-D tensors, got shapes {} and {}", a.shape(), b.shape());
  if (a.numel() != b.numel())
    fail("dot_backward: shapes {} and {} have different lengths ({} != {})", a.shape(), b.shape(), a.numel(),
         b.numel());
  if (a.dtype() != b.dtype())
    fail("dot_backward: expected both operands to have the same dtype, got {} and {}", a.dtype(), b.dtype());
  if (a.dtype() == DType::Bool) fail("dot_backward: dtype bool is not supported");
  check_grad(grad, Shape{}, a.dtype(), "dot_backward", "dot");
  return matmul_backward(grad, a, b, output_mask);
}

std::pair<Tensor, Tensor> outer_backward(const Tensor& grad, const Tensor& a, const Tensor& b, OutputMask output_mask) {
  if (!a.defined() || !b.defined()) fail("outer_backward: an argument is an undefined tensor");
  if (a.dim() != 1 || b.dim() != 1)
    fail("outer_backward: expected two 1-D tensors, got shapes {} and {}", a.shape(), b.shape());
  const DType dtype = promote_types(a.dtype(), b.dtype());
  if (dtype == DType::Bool) fail("outer_backward: dtype bool is not differentiable");
  check_grad(grad, Shape{a.numel(), b.numel()}, dtype, "outer_backward", "outer");
  // ga[i] = sum_j grad[i, j] b[j], gb[j] = sum_i a[i] grad[i, j], in the result dtype.
  Tensor ga, gb;
  if (output_mask[0]) ga = kernels::matmul(grad, b.to(dtype)).to(a.dtype());
  if (output_mask[1]) gb = kernels::matmul(a.to(dtype), grad).to(b.dtype());
  return {std::move(ga), std::move(gb)};
}

}  // namespace ex
