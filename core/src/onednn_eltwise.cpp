#include "core/src/onednn_eltwise.hpp"

#include <algorithm>
#include <atomic>

#include <fmt/format.h>

#include "extensor/core/kernels/activation.hpp"

namespace ex::detail::onednn {
namespace {

thread_local std::string last_impl;
std::atomic<std::int64_t> min_elements{kernels::kActivationOneDnnMinElements};

// Relu-like ops are a compare and a multiply: our loop keeps up with oneDNN longer.
constexpr std::int64_t kCheapOpFactor = 16;

// The eltwise descriptors for alg over numel dense elements: the forward (also the hint
// a backward needs) and, with backward, the backward primitive.
void make_eltwise(CachedPrimitive& c, dnnl::algorithm alg, dnnl::memory::data_type type, std::int64_t numel,
                  float alpha, bool backward) {
  c.md = dnnl::memory::desc({numel}, type, dnnl::memory::format_tag::a);
  const dnnl::prop_kind prop = backward ? dnnl::prop_kind::forward_training : dnnl::prop_kind::forward_inference;
  dnnl::eltwise_forward::primitive_desc fwd(dnnl::eltwise_forward::desc(prop, alg, c.md, alpha, 0.f), default_attr(),
                                            engine());
  if (!backward) {
    c.pd = fwd;
    c.prim = dnnl::eltwise_forward(fwd);
    return;
  }
  dnnl::eltwise_backward::primitive_desc bwd(dnnl::eltwise_backward::desc(alg, c.md, c.md, alpha, 0.f), default_attr(),
                                             engine(), fwd);
  c.pd = bwd;
  c.prim = dnnl::eltwise_backward(bwd);
}

}  // namespace

void set_last_activation_impl(std::string impl) { last_impl = std::move(impl); }

bool use_for_activation(const Tensor& x, bool cheap) {
  const std::int64_t elements = cheap ? x.numel() / kCheapOpFactor : x.numel();
  return (x.dtype() == DType::Float32 || x.dtype() == DType::BFloat16) &&
         elements >= min_elements.load(std::memory_order_relaxed);
}

bool eltwise_forward(const char* op, dnnl::algorithm alg, const Tensor& x, const Tensor& out, float alpha) {
  const Tensor src = x.contiguous();  // eltwise on a non-dense view lands on ref:any
  const dnnl::memory::data_type type = *data_type(x.dtype());
  const std::string key =
      fmt::format("elt:{}:{}:{}:{}", static_cast<int>(alg), static_cast<int>(type), x.numel(), alpha);
  return run_cached(key, op, {{DNNL_ARG_SRC, &src}, {DNNL_ARG_DST, &out}},
                    [&](CachedPrimitive& c) { make_eltwise(c, alg, type, x.numel(), alpha, false); });
}

bool eltwise_backward(const char* op, dnnl::algorithm alg, const Tensor& grad, const Tensor& x, const Tensor& out,
                      float alpha) {
  const Tensor g = grad.contiguous(), src = x.contiguous();
  const dnnl::memory::data_type type = *data_type(x.dtype());
  const std::string key =
      fmt::format("eltb:{}:{}:{}:{}", static_cast<int>(alg), static_cast<int>(type), x.numel(), alpha);
  return run_cached(key, op, {{DNNL_ARG_SRC, &src}, {DNNL_ARG_DIFF_DST, &g}, {DNNL_ARG_DIFF_SRC, &out}},
                    [&](CachedPrimitive& c) { make_eltwise(c, alg, type, x.numel(), alpha, true); });
}

}  // namespace ex::detail::onednn

namespace ex::kernels {

std::string last_activation_impl() { return detail::onednn::last_impl; }

std::int64_t activation_onednn_min_elements() { return detail::onednn::min_elements.load(); }

std::int64_t set_activation_onednn_min_elements(std::int64_t elements) {
  return detail::onednn::min_elements.exchange(std::max<std::int64_t>(elements, 0));
}

}  // namespace ex::kernels
