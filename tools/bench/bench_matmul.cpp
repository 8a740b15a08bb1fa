// bench_matmul: ex::matmul against a bare oneDNN matmul primitive (created once, timed
// over repeated executes) on n x n x n float32 and bfloat16 products, best of N runs
// each, interleaved so both see the same machine load. Prints GFLOP/s and the ratio
// ex / oneDNN (the target is >= 0.95; the exit status is 1 when a ratio falls below).
//
//   bench_matmul [--threads T] [--size N] [--reps R]
//
// Threads: --threads, else the environment variable EXTENSOR_NUM_THREADS, else
// ex::get_num_threads() (OMP_NUM_THREADS or the core count).
#include <dnnl.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <extensor/extensor.hpp>
#include <string>

namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point start) { return std::chrono::duration<double>(Clock::now() - start).count(); }

struct Result {
  double ex_best = 1e30, dnnl_best = 1e30;
};

Result run(ex::DType dtype, std::int64_t n, int reps) {
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
  std::printf("  %s: oneDNN baseline implementation %s\n", ex::dtype_name(dtype), pd.impl_info_str());

  auto bare = [&] {
    prim.execute(stream, {{DNNL_ARG_SRC, ma}, {DNNL_ARG_WEIGHTS, mb}, {DNNL_ARG_DST, mc}});
    stream.wait();
  };
  // Warm up both paths (primitive caches, page faults, thread pool).
  ex::Tensor out = ex::matmul(a, b);
  bare();
  std::printf("  %s: ex::matmul backend %s\n", ex::dtype_name(dtype),
              ex::kernels::detail::last_matmul_trace().backend.c_str());

  Result r;
  for (int i = 0; i < reps; ++i) {
    auto t0 = Clock::now();
    out = ex::matmul(a, b);
    r.ex_best = std::min(r.ex_best, seconds_since(t0));
    t0 = Clock::now();
    bare();
    r.dnnl_best = std::min(r.dnnl_best, seconds_since(t0));
  }
  // Same inputs, same library: the results must agree (up to summation order).
  const double got = out.to(ex::DType::Float64).to_vector<double>()[static_cast<std::size_t>(n + 1)];
  const double want = c.to(ex::DType::Float64).to_vector<double>()[static_cast<std::size_t>(n + 1)];
  if (std::abs(got - want) > 1e-2 * std::abs(want)) {
    std::fprintf(stderr, "bench_matmul: results differ (%g vs %g)\n", got, want);
    std::exit(1);
  }
  return r;
}

}  // namespace

int main(int argc, char** argv) {
  int threads = 0, reps = 10;
  std::int64_t n = 1024;
  if (const char* env = std::getenv("EXTENSOR_NUM_THREADS")) threads = std::atoi(env);
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (i + 1 < argc && arg == "--threads") {
      threads = std::atoi(argv[++i]);
    } else if (i + 1 < argc && arg == "--size") {
      n = std::atoll(argv[++i]);
    } else if (i + 1 < argc && arg == "--reps") {
      reps = std::atoi(argv[++i]);
    } else {
      std::fprintf(stderr, "usage: %s [--threads T] [--size N] [--reps R]\n", argv[0]);
      return 2;
    }
  }
  if (n < 1 || reps < 1) {
    std::fprintf(stderr, "bench_matmul: --size and --reps must be positive\n");
    return 2;
  }
  if (threads > 0) ex::set_num_threads(threads);
  threads = ex::get_num_threads();
  std::printf("matmul %lld^3, %d thread(s), best of %d\n", static_cast<long long>(n), threads, reps);
  const double flops = 2.0 * static_cast<double>(n) * static_cast<double>(n) * static_cast<double>(n);
  bool ok = true;
  for (ex::DType dtype : {ex::DType::Float32, ex::DType::BFloat16}) {
    const Result r = run(dtype, n, reps);
    const double ex_gf = flops / r.ex_best / 1e9, dnnl_gf = flops / r.dnnl_best / 1e9;
    const double ratio = ex_gf / dnnl_gf;
    std::printf("%-8s ex::matmul %8.1f GFLOP/s   oneDNN %8.1f GFLOP/s   ratio %.3f%s\n", ex::dtype_name(dtype), ex_gf,
                dnnl_gf, ratio, ratio >= 0.95 ? "" : "  (below 0.95)");
    ok = ok && ratio >= 0.95;
  }
  return ok ? 0 : 1;
}
