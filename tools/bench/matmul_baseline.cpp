#include "matmul_baseline.hpp"

#include <dnnl.hpp>

#include <algorithm>
#include <chrono>
#include <cmath>

namespace bench {
namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point start) { return std::chrono::duration<double>(Clock::now() - start).count(); }

}  // namespace

MatmulTiming time_matmul_against_onednn(ex::DType dtype, std::int64_t n, int reps) {
  const ex::Tensor a = ex::rand({n, n}, dtype), b = ex::rand({n, n}, dtype);

  // The baseline: one primitive over dense row-major buffers, created once.
  const auto type = dtype == ex::DType::BFloat16 ? dnnl::memory::data_type::bf16 : dnnl::memory::data_type::f32;
  dnnl::engine engine(dnnl::engine::kind::cpu, 0);
  dnnl::stream stream(engine);
  const dnnl::memory::desc md({n, n}, type, dnnl::memory::format_tag::ab);
  const dnnl::matmul::primitive_desc pd(dnnl::matmul::desc(md, md, md), engine);
  const dnnl::matmul prim(pd);
  const ex::Tensor c = ex::empty({n, n}, dtype);
  dnnl::memory ma(md, engine, a.raw_data()), mb(md, engine, b.raw_data()), mc(md, engine, c.raw_data());
  auto bare = [&] {
    prim.execute(stream, {{DNNL_ARG_SRC, ma}, {DNNL_ARG_WEIGHTS, mb}, {DNNL_ARG_DST, mc}});
    stream.wait();
  };

  MatmulTiming t;
  t.dnnl_impl = pd.impl_info_str();
  // Warm up both paths (primitive caches, page faults, thread pool).
  ex::Tensor out = ex::matmul(a, b);
  bare();
  t.ex_backend = ex::kernels::detail::last_matmul_trace().backend;
  for (int i = 0; i < reps; ++i) {
    auto t0 = Clock::now();
    out = ex::Tensor();  // one output block, reused, like the primitive's one buffer
    out = ex::matmul(a, b);
    t.ex_seconds = std::min(t.ex_seconds, seconds_since(t0));
    t0 = Clock::now();
    bare();
    t.dnnl_seconds = std::min(t.dnnl_seconds, seconds_since(t0));
  }
  // Same inputs, same library: the results must agree (up to summation order).
  const double got = out.to(ex::DType::Float64).to_vector<double>()[static_cast<std::size_t>(n + 1)];
  const double want = c.to(ex::DType::Float64).to_vector<double>()[static_cast<std::size_t>(n + 1)];
  t.same = std::abs(got - want) <= 1e-2 * std::abs(want);
  return t;
}

}  // namespace bench
