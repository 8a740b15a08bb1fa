// bench_ops: extensor ops against PyTorch (Debian's libtorch 1.13) in one process, on the
// same inputs (torch reads extensor's buffers through from_blob) at the same thread count
// (ex::set_num_threads and torch's set_num_threads; one libgomp pool serves both).
//
//   bench_ops [--threads T] [--reps R] [--min-ms M] [--torch-alloc] [--only TEXT]
//
// --only TEXT runs only the rows whose name contains TEXT (a quick check of one kernel;
// the verdict then covers those rows alone).
//
// 0. ex::matmul against a bare oneDNN primitive, float32 and bfloat16 1024^3: GFLOP/s
//    and ours / oneDNN; matmul_baseline.cpp, shared with bench_matmul.
// 1. Memory-bound rows against memcpy of the same number of bytes (read + written):
//    GB/s and ours / memcpy.
// 2. Softmax and common ops against torch: time per call and torch / ours.
// 3. Per-call cost of ex::add on two 16-element tensors.
// 4. Raw backward kernels against memcpy of the same bytes (4a) and against ATen's (4b).
//
// Each row's target is printed beside it and listed in BENCHMARKS.md.
//
// Timing: every case is warmed up, then timed over repetitions of at least --min-ms
// (default 20; a repetition repeats the call as often as needed), best (minimum) of
// --reps (default 7), with ours, torch and memcpy interleaved within each repetition so
// all see the same machine load. Our ops return a new tensor per call; the previous
// call's result is released first, as in a loop whose step results die before the next
// step, so the block cache hands its block back and, like torch's out= form, every call
// writes one output buffer (keeping the old result alive while the next is computed
// made ours alternate between two buffers: 64 MiB touched per [4096,1024] add against
// torch's 48, a gap that came from the buffers, not the kernel). torch writes into a
// preallocated output through its out= overloads unless --torch-alloc asks for its
// out-of-place calls. Each row checks that both libraries computed the same values. Exit
// status 1 when a target is missed or results differ.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <extensor/extensor.hpp>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "bench_options.hpp"
#include "bench_timing.hpp"
#include "matmul_baseline.hpp"
#include "torch_side.hpp"

namespace {

using Clock = std::chrono::steady_clock;
using Fn = std::function<void()>;

struct Options : bench::CommonOptions {
  bool torch_out = true;
  std::string only;  // run only rows whose name contains this
};

bool selected(const Options& opt, const char* row) { return std::string(row).find(opt.only) != std::string::npos; }

int g_missed = 0, g_differ = 0;  // targets missed, rows whose results differ

double time_calls(const Fn& fn, long iters) {
  const auto t0 = Clock::now();
  for (long i = 0; i < iters; ++i) fn();
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

// Best seconds per call of each function, measured interleaved: warm-up, then per
// function a call count that makes one repetition last at least opt.min_seconds, then
// opt.reps rounds that each time every function once.
std::vector<double> best_per_call(const std::vector<Fn>& fns, const Options& opt) {
  std::vector<long> iters(fns.size(), 1);
  for (std::size_t f = 0; f < fns.size(); ++f) {
    fns[f]();  // warm-up: caches, pages, primitive creation, thread pool
    long n = 1;
    double t = time_calls(fns[f], n);
    while (t < opt.min_seconds) {
      n = t <= 0 ? n * 16 : std::max(n + 1, static_cast<long>(std::ceil(n * 1.2 * opt.min_seconds / t)));
      t = time_calls(fns[f], n);
    }
    iters[f] = n;
  }
  std::vector<double> best(fns.size(), 1e30);
  for (int r = 0; r < opt.reps; ++r) {
    for (std::size_t f = 0; f < fns.size(); ++f) {
      best[f] = std::min(best[f], time_calls(fns[f], iters[f]) / static_cast<double>(iters[f]));
    }
  }
  return best;
}

// out = ours(inputs), releasing the previous result first (see Timing above): the
// block cache hands its block back, so every call writes one output buffer.
void recompute(ex::Tensor& out, const std::function<ex::Tensor(const std::vector<ex::Tensor>&)>& ours,
               const std::vector<ex::Tensor>& inputs) {
  out = ex::Tensor();
  out = ours(inputs);
}

torch_side::Input as_input(const ex::Tensor& t) {
  std::vector<std::int64_t> shape;
  for (std::int64_t d = 0; d < t.dim(); ++d) shape.push_back(t.size(d));
  return {t.data<float>(), shape};
}

// Sum of |t| in float64: the row check compares it with torch's.
double abs_sum(const ex::Tensor& t) { return ex::sum(ex::abs(t).to(ex::DType::Float64)).item<double>(); }

void check_same(const char* row, double ours, double theirs) {
  if (!(std::abs(ours - theirs) <= 1e-3 * std::max(1.0, std::abs(theirs)))) {
    std::fprintf(stderr, "bench_ops: %s: results differ (sum |out| %.9g ours, %.9g torch)\n", row, ours, theirs);
    ++g_differ;
  }
}

const char* verdict(bool pass) {
  if (!pass) ++g_missed;
  return pass ? "PASS" : "MISS";
}

// --- 0. matmul against bare oneDNN ---------------------------------------------------

void matmul_section(const Options& opt) {
  const std::int64_t n = 1024;
  const int reps = 4 * opt.reps;  // one call a repetition: a 1024^3 call is long enough to time alone
  bool header = false;
  for (ex::DType dtype : {ex::DType::Float32, ex::DType::BFloat16}) {
    const std::string row = "matmul 1024^3 " + std::string(ex::dtype_name(dtype));
    if (!selected(opt, row.c_str())) continue;
    if (!header) {
      std::printf("\n0. ex::matmul against a bare oneDNN primitive (best of %d single calls)\n", reps);
      std::printf("%-34s %10s %10s %11s %6s  %s\n", "row", "ours GF/s", "oneDNN", "ours/oneDNN", ">=0.95",
                  "oneDNN impl / ours");
      header = true;
    }
    const bench::MatmulTiming t = bench::time_matmul_against_onednn(dtype, n, reps);
    if (!t.same) {
      std::fprintf(stderr, "bench_ops: %s: results differ from oneDNN's\n", row.c_str());
      ++g_differ;
    }
    const double flops = 2.0 * static_cast<double>(n * n * n);
    const double ours = flops / t.ex_seconds / 1e9, theirs = flops / t.dnnl_seconds / 1e9;
    std::printf("%-34s %10.1f %10.1f %11.3f %6s  %s / %s\n", row.c_str(), ours, theirs, ours / theirs,
                verdict(ours / theirs >= 0.95), t.dnnl_impl.c_str(), t.ex_backend.c_str());
  }
}

// --- 1. memory-bound rows against memcpy --------------------------------------------

struct MemRow {
  const char* name;
  const char* torch_op;
  std::vector<ex::Tensor> inputs;
  std::function<ex::Tensor(const std::vector<ex::Tensor>&)> ours;
  double bytes;  // read + written by one call
};

// Times each row against a memcpy of the same bytes; a row passes at ours/memcpy >= target.
void memory_rows(const std::vector<MemRow>& rows, double target, const Options& opt) {
  // memcpy of half the bytes moves the same bytes (it reads and writes each once).
  double most = 0;
  for (const MemRow& r : rows) most = std::max(most, r.bytes);
  const auto copy_bytes = static_cast<std::size_t>(most / 2) + 64;
  std::unique_ptr<char[]> src(new char[copy_bytes]), dst(new char[copy_bytes]);
  std::memset(src.get(), 1, copy_bytes);
  std::memset(dst.get(), 0, copy_bytes);

  std::printf("%-26s %8s %9s %9s %8s %6s %9s %8s\n", "row", "MB", "memcpy", "ours", "ours/mc", "target", "torch",
              "torch/mc");
  const char* form = "";
  for (const MemRow& r : rows) {
    if (!selected(opt, r.name)) continue;
    ex::Tensor out;
    std::vector<torch_side::Input> in;
    for (const ex::Tensor& t : r.inputs) in.push_back(as_input(t));
    const auto theirs = torch_side::make(r.torch_op, in, opt.torch_out);
    form = theirs->form();
    const auto half = static_cast<std::size_t>(r.bytes / 2);
    const std::vector<double> best =
        best_per_call({[&] { bench::parallel_memcpy(dst.get(), src.get(), half, opt.threads); },
                       [&] { recompute(out, r.ours, r.inputs); }, [&] { theirs->run(); }},
                      opt);
    check_same(r.name, abs_sum(out), theirs->checksum());
    const double memcpy_gbs = 2.0 * static_cast<double>(half) / best[0] / 1e9;
    const double ours_gbs = r.bytes / best[1] / 1e9, torch_gbs = r.bytes / best[2] / 1e9;
    std::printf("%-26s %8.1f %9.2f %9.2f %8.3f %6s %9.2f %8.3f\n", r.name, r.bytes / 1e6, memcpy_gbs, ours_gbs,
                ours_gbs / memcpy_gbs, verdict(ours_gbs / memcpy_gbs >= target), torch_gbs, torch_gbs / memcpy_gbs);
  }
  std::printf("(ours: out-of-place, steady state; torch: %s)\n", form);
}

void memory_section(const Options& opt) {
  const std::int64_t n = std::int64_t{1} << 24, m = 4096;
  const ex::Tensor a = ex::rand({n}), b = ex::rand({n});
  const ex::Tensor big = ex::rand({m, m}), row = ex::rand({m});
  const double f = sizeof(float);
  std::vector<MemRow> rows = {
      {"add [2^24] + [2^24]", "add", {a, b}, [](const auto& x) { return ex::add(x[0], x[1]); }, 3.0 * n * f},
      {"add [4096,4096] + [4096]",
       "add",
       {big, row},
       [](const auto& x) { return ex::add(x[0], x[1]); },
       (2.0 * m * m + m) * f},
      {"sum [4096,4096] axis -1",
       "sum_lastaxis",
       {big},
       [](const auto& x) { return ex::sum(x[0], -1); },
       (1.0 * m * m + m) * f},
      {"sum [4096,4096] axis 0",
       "sum_axis0",
       {big},
       [](const auto& x) { return ex::sum(x[0], 0); },
       (1.0 * m * m + m) * f},
  };

  std::printf("\n1. Memory-bound ops against memcpy of the same bytes (read + written), GB/s = 1e9 B/s\n");
  memory_rows(rows, 0.7, opt);
}

// --- 2. and 4. ops against torch ------------------------------------------------------

struct OpRow {
  const char* name;
  const char* torch_op;
  std::vector<ex::Tensor> inputs;
  std::function<ex::Tensor(const std::vector<ex::Tensor>&)> ours;
};

void compare_section(const std::vector<OpRow>& rows, const Options& opt) {
  std::printf("%-34s %10s %10s %11s %5s %6s\n", "op", "ours ms", "torch ms", "torch/ours", ">1", "torch");
  for (const OpRow& r : rows) {
    if (!selected(opt, r.name)) continue;
    ex::Tensor out;
    std::vector<torch_side::Input> in;
    for (const ex::Tensor& t : r.inputs) in.push_back(as_input(t));
    const auto theirs = torch_side::make(r.torch_op, in, opt.torch_out);
    const std::vector<double> best =
        best_per_call({[&] { recompute(out, r.ours, r.inputs); }, [&] { theirs->run(); }}, opt);
    check_same(r.name, abs_sum(out), theirs->checksum());
    const double ratio = best[1] / best[0];
    std::printf("%-34s %10.3f %10.3f %11.2f %5s %6s\n", r.name, best[0] * 1e3, best[1] * 1e3, ratio,
                verdict(ratio > 1.0), theirs->form());
  }
}

void ops_section(const Options& opt) {
  const std::int64_t rows = 4096, cols = 1024, k = 512;
  const ex::Tensor x = ex::randn({rows, cols}), y = ex::randn({rows, cols}), u = ex::rand({rows, cols});
  const ex::Tensor p = ex::randn({k, k}), q = ex::randn({k, k});
  using V = std::vector<ex::Tensor>;
  std::printf("\n2. Ops against torch, float32 (x, y: randn [4096,1024]; u: rand [4096,1024])\n");
  compare_section(
      {
          {"softmax(x, -1)", "softmax_lastaxis", {x}, [](const V& v) { return ex::softmax(v[0], -1); }},
          {"add x + y", "add", {x, y}, [](const V& v) { return ex::add(v[0], v[1]); }},
          {"mul x * y", "mul", {x, y}, [](const V& v) { return ex::multiply(v[0], v[1]); }},
          {"relu(x)", "relu", {x}, [](const V& v) { return ex::relu(v[0]); }},
          {"sigmoid(x)", "sigmoid", {x}, [](const V& v) { return ex::sigmoid(v[0]); }},
          {"tanh(x)", "tanh", {x}, [](const V& v) { return ex::tanh(v[0]); }},
          {"exp(x)", "exp", {x}, [](const V& v) { return ex::exp(v[0]); }},
          {"gelu(x) (erf)", "gelu", {x}, [](const V& v) { return ex::gelu(v[0]); }},
          {"sum(u) (all)", "sum", {u}, [](const V& v) { return ex::sum(v[0]); }},
          {"mean(u, 0)", "mean_axis0", {u}, [](const V& v) { return ex::mean(v[0], 0); }},
          {"matmul 512^3", "matmul", {p, q}, [](const V& v) { return ex::matmul(v[0], v[1]); }},
          {"transpose(x).contiguous()",
           "transpose_contiguous",
           {x},
           [](const V& v) { return ex::transpose(v[0], 0, 1).contiguous(); }},
      },
      opt);
}

void backward_section(const Options& opt) {
  const std::int64_t n = std::int64_t{1} << 24, m = 4096, rows = 4096, cols = 1024, k = 1024;
  const ex::Tensor g = ex::randn({n}), x = ex::randn({n}), y = ex::sigmoid(x);
  const ex::Tensor gm = ex::randn({m, m});
  const ex::Tensor gs = ex::randn({rows, cols}), s = ex::softmax(ex::randn({rows, cols}), -1);
  const ex::Tensor ga = ex::randn({k, k}), a = ex::randn({k, k}), b = ex::randn({k, k});
  const double f = sizeof(float);
  using V = std::vector<ex::Tensor>;
  std::printf("\n4a. Raw backward kernels against memcpy of the same bytes (target >= 0.6)\n");
  memory_rows(
      {
          {"relu_backward [2^24]",
           "relu_backward",
           {g, x},
           [](const V& v) { return ex::relu_backward(v[0], v[1]); },
           3.0 * n * f},
          {"sigmoid_backward [2^24]",
           "sigmoid_backward",
           {g, y},
           [](const V& v) { return ex::sigmoid_backward(v[0], v[1]); },
           3.0 * n * f},
          // The bias gradient of [4096,4096] + [4096]: ga is grad itself (no copy), gb a
          // column sum, so the bytes are one read of grad and the [4096] write.
          {"add_backward bias [4096,4096]",
           "sum_axis0",
           {gm},
           [m](const V& v) {
             return ex::add_backward(v[0], {m, m}, {m}).second;
           },
           (1.0 * m * m + m) * f},
      },
      0.6, opt);
  std::printf("\n4b. Raw backward kernels against ATen's (target > 1)\n");
  compare_section(
      {
          {"relu_backward(g, x) [2^24]",
           "relu_backward",
           {g, x},
           [](const V& v) { return ex::relu_backward(v[0], v[1]); }},
          {"sigmoid_backward(g, y) [2^24]",
           "sigmoid_backward",
           {g, y},
           [](const V& v) { return ex::sigmoid_backward(v[0], v[1]); }},
          {"softmax_backward(g, y, -1)",
           "softmax_lastaxis_backward",
           {gs, s},
           [](const V& v) { return ex::softmax_backward(v[0], v[1], -1); }},
          {"matmul_backward 1024^3",
           "matmul_backward",
           {ga, a, b},
           [](const V& v) {
             auto [da, db] = ex::matmul_backward(v[0], v[1], v[2]);
             return ex::concatenate({da.flatten(), db.flatten()});
           }},
      },
      opt);
}

// --- 3. per-call cost ----------------------------------------------------------------

void overhead_section(const Options& opt) {
  if (!selected(opt, "ex::add 16")) return;
  const ex::Tensor a = ex::rand({16}), b = ex::rand({16});
  ex::Tensor out;
  const auto theirs = torch_side::make("add", {as_input(a), as_input(b)}, /*out_variant=*/false);
  const std::vector<double> best = best_per_call({[&] { out = ex::add(a, b); }, [&] { theirs->run(); }}, opt);
  check_same("add 16", abs_sum(out), theirs->checksum());
  std::printf("\n3. Per-call cost, add of two 16-element float32 tensors (both out-of-place)\n");
  std::printf("%-34s %10s %10s %7s\n", "call", "us/call", "target", "");
  std::printf("%-34s %10.3f %10s %7s\n", "ex::add", best[0] * 1e6, "<= 0.15", verdict(best[0] * 1e6 <= 0.15));
  std::printf("%-34s %10.3f %10s %7s\n", "torch::add", best[1] * 1e6, "", "");
}

}  // namespace

int main(int argc, char** argv) {
  Options opt;
  for (int i = 1; i < argc; ++i) {
    if (bench::parse_common(i, argc, argv, opt)) continue;
    const std::string arg = argv[i];
    if (arg == "--torch-alloc") {
      opt.torch_out = false;
    } else if (i + 1 < argc && arg == "--only") {
      opt.only = argv[++i];
    } else {
      std::fprintf(stderr, "usage: %s [--threads T] [--reps R] [--min-ms M] [--torch-alloc] [--only TEXT]\n", argv[0]);
      return 2;
    }
  }
  if (opt.threads < 1 || opt.reps < 1 || !(opt.min_seconds > 0)) {
    std::fprintf(stderr, "bench_ops: --threads, --reps and --min-ms must be positive\n");
    return 2;
  }
  ex::set_num_threads(opt.threads);
  torch_side::set_num_threads(opt.threads);
  std::printf(
      "bench_ops: %d thread(s) (ex::get_num_threads %d, torch get_num_threads %d), best of %d reps of >= %g ms\n",
      opt.threads, ex::get_num_threads(), torch_side::get_num_threads(), opt.reps, opt.min_seconds * 1e3);
  std::printf("torch %s; torch timed with %s\n%s", torch_side::version().c_str(),
              opt.torch_out ? "out= overloads (preallocated output)" : "out-of-place calls",
              torch_side::parallel_info().c_str());

  matmul_section(opt);
  memory_section(opt);
  ops_section(opt);
  overhead_section(opt);
  backward_section(opt);
  std::printf("\n%d target(s) missed; results differ on %d row(s)\n", g_missed, g_differ);
  return g_missed == 0 && g_differ == 0 ? 0 : 1;
}
