// bench_matmul: ex::matmul against a bare oneDNN matmul primitive (created once, timed
// over repeated executes) on n x n x n float32 and bfloat16 products, best of N runs
// each, interleaved so both see the same machine load. Prints GFLOP/s and the ratio
// ex / oneDNN (the target is >= 0.95; the exit status is 1 when a ratio falls below).
//
//   bench_matmul [--threads T] [--size N] [--reps R]
//
// Threads: --threads, else the environment variable EXTENSOR_NUM_THREADS, else
// ex::get_num_threads() (OMP_NUM_THREADS or the core count).
#include <cstdio>
#include <cstdlib>
#include <extensor/extensor.hpp>
#include <string>

#include "matmul_baseline.hpp"

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
    const bench::MatmulTiming t = bench::time_matmul_against_onednn(dtype, n, reps);
    std::printf("  %s: oneDNN baseline implementation %s; ex::matmul backend %s\n", ex::dtype_name(dtype),
                t.dnnl_impl.c_str(), t.ex_backend.c_str());
    if (!t.same) {
      std::fprintf(stderr, "bench_matmul: %s results differ\n", ex::dtype_name(dtype));
      return 1;
    }
    const double ex_gf = flops / t.ex_seconds / 1e9, dnnl_gf = flops / t.dnnl_seconds / 1e9;
    const double ratio = ex_gf / dnnl_gf;
    std::printf("%-8s ex::matmul %8.1f GFLOP/s   oneDNN %8.1f GFLOP/s   ratio %.3f%s\n", ex::dtype_name(dtype), ex_gf,
                dnnl_gf, ratio, ratio >= 0.95 ? "" : "  (below 0.95)");
    ok = ok && ratio >= 0.95;
  }
  return ok ? 0 : 1;
}
