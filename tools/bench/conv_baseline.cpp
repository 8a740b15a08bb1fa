#include "conv_baseline.hpp"

#include <dnnl.hpp>

#include <unordered_map>
#include <vector>

namespace bench {
namespace {

using dnnl::memory;
using tag = memory::format_tag;
constexpr auto f32 = memory::data_type::f32;

dnnl::engine& engine() {
  static dnnl::engine e(dnnl::engine::kind::cpu, 0);
  return e;
}

// A memory of desc filled with small fixed values.
memory filled(const memory::desc& d) {
  memory m(d, engine());
  auto* p = static_cast<float*>(m.get_data_handle());
  const std::size_t n = d.get_size() / sizeof(float);
  for (std::size_t i = 0; i < n; ++i) p[i] = static_cast<float>(static_cast<int>(i % 17) - 8) * 0.01f;
  return m;
}

class Conv final : public BareConv {
 public:
  explicit Conv(const ConvShape& s) : stream_(engine()) {
    const memory::dims src{s.n, s.c, s.h, s.w}, wts{s.o, s.c, s.k, s.k}, dst{s.n, s.o, s.h, s.w}, bias{s.o};
    const memory::dims strides{1, 1}, dil{0, 0}, pad{s.pad, s.pad};
    const memory::desc any_src(src, f32, tag::any), any_w(wts, f32, tag::any), any_dst(dst, f32, tag::any);
    const memory::desc bias_d(bias, f32, tag::x);
    using dnnl::algorithm;
    using dnnl::prop_kind;
    bias_ = s.bias;
    fwd_pd_ =
        s.bias ? dnnl::convolution_forward::primitive_desc({prop_kind::forward_training, algorithm::convolution_direct,
                                                            any_src, any_w, bias_d, any_dst, strides, dil, pad, pad},
                                                           engine())
               : dnnl::convolution_forward::primitive_desc({prop_kind::forward_training, algorithm::convolution_direct,
                                                            any_src, any_w, any_dst, strides, dil, pad, pad},
                                                           engine());
    bwd_d_pd_ = {{algorithm::convolution_direct, any_src, any_w, any_dst, strides, dil, pad, pad}, engine(), fwd_pd_};
    bwd_w_pd_ = s.bias ? dnnl::convolution_backward_weights::primitive_desc(
                             {algorithm::convolution_direct, any_src, any_w, bias_d, any_dst, strides, dil, pad, pad},
                             engine(), fwd_pd_)
                       : dnnl::convolution_backward_weights::primitive_desc(
                             {algorithm::convolution_direct, any_src, any_w, any_dst, strides, dil, pad, pad}, engine(),
                             fwd_pd_);
    fwd_ = dnnl::convolution_forward(fwd_pd_);
    bwd_d_ = dnnl::convolution_backward_data(bwd_d_pd_);
    bwd_w_ = dnnl::convolution_backward_weights(bwd_w_pd_);
    // Plain user buffers.
    u_src_ = filled({src, f32, tag::nchw});
    u_w_ = filled({wts, f32, tag::oihw});
    u_dst_ = filled({dst, f32, tag::nchw});
    u_ddst_ = filled({dst, f32, tag::nchw});
    u_dsrc_ = memory({src, f32, tag::nchw}, engine());
    u_dw_ = memory({wts, f32, tag::oihw}, engine());
    b_ = filled(bias_d);
    db_ = memory(bias_d, engine());
    // The primitives' own layouts.
    f_src_ = filled(fwd_pd_.src_desc());
    f_w_ = filled(fwd_pd_.weights_desc());
    f_dst_ = memory(fwd_pd_.dst_desc(), engine());
    d_ddst_ = filled(bwd_d_pd_.diff_dst_desc());
    d_w_ = filled(bwd_d_pd_.weights_desc());
    d_dsrc_ = memory(bwd_d_pd_.diff_src_desc(), engine());
    w_ddst_ = filled(bwd_w_pd_.diff_dst_desc());
    w_src_ = filled(bwd_w_pd_.src_desc());
    w_dw_ = memory(bwd_w_pd_.diff_weights_desc(), engine());
    sp_f_ = memory(fwd_pd_.scratchpad_desc(), engine());
    sp_d_ = memory(bwd_d_pd_.scratchpad_desc(), engine());
    sp_w_ = memory(bwd_w_pd_.scratchpad_desc(), engine());
  }

  void forward_blocked() override {
    run_forward();
    stream_.wait();
  }
  void backward_data_blocked() override {
    run_backward_data();
    stream_.wait();
  }
  void backward_weights_blocked() override {
    run_backward_weights();
    stream_.wait();
  }
  void forward_plain() override {
    reorder(u_src_, f_src_);
    reorder(u_w_, f_w_);
    run_forward();
    reorder(f_dst_, u_dst_);
    stream_.wait();
  }
  void backward_data_plain() override {
    reorder(u_ddst_, d_ddst_);
    reorder(u_w_, d_w_);
    run_backward_data();
    reorder(d_dsrc_, u_dsrc_);
    stream_.wait();
  }
  void backward_weights_plain() override {
    reorder(u_ddst_, w_ddst_);
    reorder(u_src_, w_src_);
    run_backward_weights();
    reorder(w_dw_, u_dw_);
    stream_.wait();
  }
  std::string describe() const override {
    return std::string("fwd ") + fwd_pd_.impl_info_str() + ", bwd-data " + bwd_d_pd_.impl_info_str() +
           ", bwd-weights " + bwd_w_pd_.impl_info_str();
  }

 private:
  // A reorder between two memories, skipped when they share a layout (the user would
  // hand the primitive its buffer directly).
  void reorder(const memory& from, const memory& to) {
    if (from.get_desc() == to.get_desc()) return;
    dnnl::reorder(from, to).execute(stream_, const_cast<memory&>(from), const_cast<memory&>(to));
  }
  void run_forward() {
    std::unordered_map<int, memory> args{
        {DNNL_ARG_SRC, f_src_}, {DNNL_ARG_WEIGHTS, f_w_}, {DNNL_ARG_DST, f_dst_}, {DNNL_ARG_SCRATCHPAD, sp_f_}};
    if (bias_) args.emplace(DNNL_ARG_BIAS, b_);
    fwd_.execute(stream_, args);
  }
  void run_backward_data() {
    bwd_d_.execute(stream_, {{DNNL_ARG_DIFF_DST, d_ddst_},
                             {DNNL_ARG_WEIGHTS, d_w_},
                             {DNNL_ARG_DIFF_SRC, d_dsrc_},
                             {DNNL_ARG_SCRATCHPAD, sp_d_}});
  }
  void run_backward_weights() {
    std::unordered_map<int, memory> args{{DNNL_ARG_DIFF_DST, w_ddst_},
                                         {DNNL_ARG_SRC, w_src_},
                                         {DNNL_ARG_DIFF_WEIGHTS, w_dw_},
                                         {DNNL_ARG_SCRATCHPAD, sp_w_}};
    if (bias_) args.emplace(DNNL_ARG_DIFF_BIAS, db_);
    bwd_w_.execute(stream_, args);
  }

  dnnl::stream stream_;
  bool bias_ = false;
  dnnl::convolution_forward::primitive_desc fwd_pd_;
  dnnl::convolution_backward_data::primitive_desc bwd_d_pd_;
  dnnl::convolution_backward_weights::primitive_desc bwd_w_pd_;
  dnnl::convolution_forward fwd_;
  dnnl::convolution_backward_data bwd_d_;
  dnnl::convolution_backward_weights bwd_w_;
  memory u_src_, u_w_, u_dst_, u_ddst_, u_dsrc_, u_dw_, b_, db_;
  memory f_src_, f_w_, f_dst_, d_ddst_, d_w_, d_dsrc_, w_ddst_, w_src_, w_dw_, sp_f_, sp_d_, sp_w_;
};

class Matmul final : public BareMatmul {
 public:
  Matmul(std::int64_t m, std::int64_t k, std::int64_t n)
      : stream_(engine()),
        a_(filled({{m, k}, f32, tag::ab})),
        b_(filled({{k, n}, f32, tag::ab})),
        c_(memory({{m, n}, f32, tag::ab}, engine())),
        pd_(dnnl::matmul::desc(a_.get_desc(), b_.get_desc(), c_.get_desc()), engine()),
        prim_(pd_) {}
  void run() override {
    prim_.execute(stream_, {{DNNL_ARG_SRC, a_}, {DNNL_ARG_WEIGHTS, b_}, {DNNL_ARG_DST, c_}});
    stream_.wait();
  }

 private:
  dnnl::stream stream_;
  memory a_, b_, c_;
  dnnl::matmul::primitive_desc pd_;
  dnnl::matmul prim_;
};

}  // namespace

std::unique_ptr<BareConv> make_bare_conv(const ConvShape& s) { return std::make_unique<Conv>(s); }
std::unique_ptr<BareMatmul> make_bare_matmul(std::int64_t m, std::int64_t k, std::int64_t n) {
  return std::make_unique<Matmul>(m, k, n);
}

}  // namespace bench
