// conv2d on oneDNN: convolution_forward, convolution_backward_data and
// convolution_backward_weights (which gives the bias gradient too). The primitives choose
// their own layouts (format_tag::any, typically blocked nChw16c / OIhw16i16o); our dense
// NCHW / OIHW tensors are reordered into them and results reordered back, since the
// blocked implementations are several times faster than oneDNN's plain-layout ones.
// Primitive descriptors are cached per thread by everything they depend on. The weight
// is reordered into the primitive's layout on every call: caching that reorder per
// weight version would save one weight-sized copy per call, but only once every writer
// of a parameter bumps its version counter (copy_convert and the safetensors loader
// write storage without bumping it, and a stale cached weight would be silently wrong).
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <string>

#include "common/check.hpp"
#include "core/src/kernels/conv.hpp"
#include "core/src/onednn.hpp"

namespace ex::kernels::conv {

namespace {

namespace onednn = ex::detail::onednn;
using dnnl::memory;
using tag = dnnl::memory::format_tag;

// The descriptors every primitive of one problem shares: user (dense) layouts and
// "any" layouts for the primitive to choose, plus the convolution's attributes.
struct Descs {
  memory::data_type type;
  memory::dims src, weights, dst, bias, strides, dilates, pad;
  memory::desc user_src, user_weights, user_dst, user_bias;
  memory::desc any_src, any_weights, any_dst;
};

Descs descs(const Geometry& g, const Tensor& x) {
  Descs d;
  d.type = *onednn::data_type(x.dtype());
  d.src = {g.n, g.c, g.h, g.w};
  d.dst = {g.n, g.o, g.oh, g.ow};
  d.bias = {g.o};
  // Grouped weights are 5-D for oneDNN: [groups, O / groups, C / groups, kH, kW], the
  // same memory as our [O, C / groups, kH, kW].
  d.weights = g.groups > 1 ? memory::dims{g.groups, g.group_out(), g.group_in(), g.kh, g.kw}
                           : memory::dims{g.o, g.group_in(), g.kh, g.kw};
  d.strides = {g.stride[0], g.stride[1]};
  d.dilates = {g.dilation[0] - 1, g.dilation[1] - 1};  // oneDNN counts the gaps
  d.pad = {g.padding[0], g.padding[1]};
  d.user_src = memory::desc(d.src, d.type, tag::nchw);
  d.user_dst = memory::desc(d.dst, d.type, tag::nchw);
  d.user_weights = memory::desc(d.weights, d.type, g.groups > 1 ? tag::goihw : tag::oihw);
  d.user_bias = memory::desc(d.bias, d.type, tag::x);
  d.any_src = memory::desc(d.src, d.type, tag::any);
  d.any_dst = memory::desc(d.dst, d.type, tag::any);
  d.any_weights = memory::desc(d.weights, d.type, tag::any);
  return d;
}

std::string key(const Geometry& g, const Tensor& x, bool bias) {
  return fmt::format("{}|{}|{}", static_cast<int>(x.dtype()),
                     std::vector<std::int64_t>{g.n, g.c, g.h, g.w, g.o, g.kh, g.kw, g.groups, g.stride[0], g.stride[1],
                                               g.padding[0], g.padding[1], g.dilation[0], g.dilation[1]},
                     bias);
}

dnnl::convolution_forward::primitive_desc forward_pd(const Descs& d, bool bias) {
  using dnnl::algorithm;
  using dnnl::prop_kind;
  const auto desc =
      bias ? dnnl::convolution_forward::desc(prop_kind::forward_training, algorithm::convolution_direct, d.any_src,
                                             d.any_weights, d.user_bias, d.any_dst, d.strides, d.dilates, d.pad, d.pad)
           : dnnl::convolution_forward::desc(prop_kind::forward_training, algorithm::convolution_direct, d.any_src,
                                             d.any_weights, d.any_dst, d.strides, d.dilates, d.pad, d.pad);
  return {desc, onednn::default_attr(), onednn::engine()};
}

// A memory over t's data in the user layout, or a copy reordered into want.
memory input_memory(const Tensor& t, const memory::desc& user, const memory::desc& want) {
  memory mem(user, onednn::engine(), t.raw_data());
  if (user == want) return mem;
  memory out(want, onednn::engine());
  dnnl::reorder(mem, out).execute(onednn::stream(), mem, out);
  return out;
}

// Where a primitive writes a result destined for t: t itself when the layouts agree.
memory output_memory(const Tensor& t, const memory::desc& user, const memory::desc& have) {
  if (user == have) return memory(user, onednn::engine(), t.raw_data());
  return memory(have, onednn::engine());
}
void finish_output(const Tensor& t, const memory::desc& user, memory mem) {
  if (mem.get_desc() == user) return;
  memory dst(user, onednn::engine(), t.raw_data());
  dnnl::reorder(mem, dst).execute(onednn::stream(), mem, dst);
}

template <class Make>
auto make_or_fail(const char* fn, const Geometry& g, Make&& make) {
  try {
    return make();
  } catch (const dnnl::error& e) {
    ex::detail::fail(
        "{}: oneDNN cannot build the convolution of input [{}, {}, {}, {}] with weight [{}, {}, {}, {}]: {}", fn, g.n,
        g.c, g.h, g.w, g.o, g.group_in(), g.kh, g.kw, e.what());
  }
}

struct ForwardEntry {
  dnnl::convolution_forward::primitive_desc pd;
  dnnl::convolution_forward prim;
};
struct BackwardEntry {
  dnnl::convolution_backward_data::primitive_desc data_pd;
  dnnl::convolution_backward_data data;
  dnnl::convolution_backward_weights::primitive_desc weights_pd;
  dnnl::convolution_backward_weights weights;
};

}  // namespace

void onednn_forward(const Geometry& g, const Tensor& x, const Tensor& w, const Tensor& b, const Tensor& out) {
  const Descs d = descs(g, x);
  thread_local onednn::PrimitiveCache<ForwardEntry> cache;
  ForwardEntry& e = cache.get(key(g, x, b.defined()), [&] {
    return make_or_fail("conv2d", g, [&] {
      ForwardEntry made{forward_pd(d, b.defined()), {}};
      made.prim = dnnl::convolution_forward(made.pd);
      return made;
    });
  });
  (void)onednn::impl_name(e.pd, "conv2d");
  memory src = input_memory(x, d.user_src, e.pd.src_desc());
  memory wts = input_memory(w, d.user_weights, e.pd.weights_desc());
  memory dst = output_memory(out, d.user_dst, e.pd.dst_desc());
  std::unordered_map<int, memory> args{{DNNL_ARG_SRC, src},
                                       {DNNL_ARG_WEIGHTS, wts},
                                       {DNNL_ARG_DST, dst},
                                       {DNNL_ARG_SCRATCHPAD, onednn::scratchpad(e.pd)}};
  if (b.defined()) args.emplace(DNNL_ARG_BIAS, memory(d.user_bias, onednn::engine(), b.raw_data()));
  dnnl::stream& s = onednn::stream();
  e.prim.execute(s, args);
  finish_output(out, d.user_dst, dst);
  s.wait();
}

Conv2dGradients onednn_backward(const Geometry& g, const Tensor& grad, const Tensor& x, const Tensor& w,
                                Conv2dMask mask) {
  const Descs d = descs(g, x);
  const bool bias = mask[2];
  thread_local onednn::PrimitiveCache<BackwardEntry> cache;
  BackwardEntry& e = cache.get(key(g, x, bias), [&] {
    return make_or_fail("conv2d_backward", g, [&] {
      using dnnl::algorithm;
      const auto hint = forward_pd(d, bias);
      BackwardEntry made;
      made.data_pd = {
          {algorithm::convolution_direct, d.any_src, d.any_weights, d.any_dst, d.strides, d.dilates, d.pad, d.pad},
          onednn::default_attr(),
          onednn::engine(),
          hint};
      made.data = dnnl::convolution_backward_data(made.data_pd);
      const auto weights_desc =
          bias ? dnnl::convolution_backward_weights::desc(algorithm::convolution_direct, d.any_src, d.any_weights,
                                                          d.user_bias, d.any_dst, d.strides, d.dilates, d.pad, d.pad)
               : dnnl::convolution_backward_weights::desc(algorithm::convolution_direct, d.any_src, d.any_weights,
                                                          d.any_dst, d.strides, d.dilates, d.pad, d.pad);
      made.weights_pd = {weights_desc, onednn::default_attr(), onednn::engine(), hint};
      made.weights = dnnl::convolution_backward_weights(made.weights_pd);
      return made;
    });
  });
  Conv2dGradients out;
  dnnl::stream& s = onednn::stream();
  if (mask[0]) {
    (void)onednn::impl_name(e.data_pd, "conv2d_backward");
    out.input = ex::detail::allocate({g.n, g.c, g.h, g.w}, x.dtype(), "conv2d_backward");
    memory diff_dst = input_memory(grad, d.user_dst, e.data_pd.diff_dst_desc());
    memory wts = input_memory(w, d.user_weights, e.data_pd.weights_desc());
    memory diff_src = output_memory(out.input, d.user_src, e.data_pd.diff_src_desc());
    e.data.execute(s, {{DNNL_ARG_DIFF_DST, diff_dst},
                       {DNNL_ARG_WEIGHTS, wts},
                       {DNNL_ARG_DIFF_SRC, diff_src},
                       {DNNL_ARG_SCRATCHPAD, onednn::scratchpad(e.data_pd)}});
    finish_output(out.input, d.user_src, diff_src);
    s.wait();
  }
  if (mask[1] || mask[2]) {
    (void)onednn::impl_name(e.weights_pd, "conv2d_backward");
    // The weight gradient is computed with the bias's whenever either is asked for.
    out.weight = ex::detail::allocate(w.shape(), x.dtype(), "conv2d_backward");
    memory diff_dst = input_memory(grad, d.user_dst, e.weights_pd.diff_dst_desc());
    memory src = input_memory(x, d.user_src, e.weights_pd.src_desc());
    memory diff_w = output_memory(out.weight, d.user_weights, e.weights_pd.diff_weights_desc());
    std::unordered_map<int, memory> args{{DNNL_ARG_DIFF_DST, diff_dst},
                                         {DNNL_ARG_SRC, src},
                                         {DNNL_ARG_DIFF_WEIGHTS, diff_w},
                                         {DNNL_ARG_SCRATCHPAD, onednn::scratchpad(e.weights_pd)}};
    if (bias) {
      out.bias = ex::detail::allocate({g.o}, x.dtype(), "conv2d_backward");
      args.emplace(DNNL_ARG_DIFF_BIAS, memory(d.user_bias, onednn::engine(), out.bias.raw_data()));
    }
    e.weights.execute(s, args);
    finish_output(out.weight, d.user_weights, diff_w);
    s.wait();
  }
  return out;
}

}  // namespace ex::kernels::conv
