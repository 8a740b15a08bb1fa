// bench_optim: one optimizer step, ours against a memcpy of the same bytes and against
// libtorch 1.13's torch::optim::Adam at the same thread count (ex::set_num_threads and
// at::set_num_threads; one libgomp pool serves both), over float32 parameters:
// 1. the weights and biases of a 784-512-256-10 MLP (535,818 elements in 6 tensors);
// 2. one [2048, 4096] tensor, whose state does not fit the caches.
//
//   bench_optim [--threads T] [--reps R] [--min-ms M]
//
// An Adam step reads param, grad, exp_avg and exp_avg_sq and writes param, exp_avg and
// exp_avg_sq: 28 bytes per float32 element, the least any implementation moves. The
// memcpy row copies half as many bytes (reading and writing each, the same traffic), so
// ours / memcpy is the fraction of the copy bandwidth a step reaches; torch / ours is the
// speed-up over libtorch's step. Targets: Adam ours / memcpy >= 0.7 and torch / ours > 1.
// AdamW, RMSprop and Adagrad rows are printed against memcpy for reference (RMSprop and
// Adagrad with their default options move 20 bytes per element).
//
// Timing: each function is warmed up, then timed in repetitions of at least --min-ms
// (default 20; the step is repeated as often as needed), all functions interleaved within
// each repetition so they see the same load; the figures are medians over --reps
// (default 7), wall clock. Before timing, ours and torch run five steps from the same
// parameters and gradients and must agree. Exit status 1 when a target is missed or the
// results differ.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <extensor/extensor.hpp>
#include <fstream>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "bench_options.hpp"
#include "bench_timing.hpp"
#include "torch_optim_side.hpp"
#include "torch_side.hpp"

namespace {

bench::Targets g_targets;
int g_differ = 0;

const char* verdict(bool pass) { return g_targets.verdict(pass); }

// Parameters in [-0.05, 0.05) and fixed gradients in [-0.01, 0.01), the same for every
// instance.
struct Parameters {
  std::vector<ex::Tensor> params, grads;
  std::int64_t elements = 0;

  explicit Parameters(const std::vector<ex::Shape>& shapes) {
    ex::Generator gen(1);
    for (const ex::Shape& shape : shapes) {
      params.push_back(((ex::rand(shape, ex::DType::Float32, gen) * 2.0 - 1.0) * 0.05).requires_grad_());
      grads.push_back((ex::rand(shape, ex::DType::Float32, gen) * 2.0 - 1.0) * 0.01);
      params.back().set_grad(grads.back());
      elements += shape.numel();
    }
  }
};

// Largest relative difference between our parameters and torch's.
double max_difference(const Parameters& ours, const torch_optim_side::AdamRun& theirs) {
  double worst = 0;
  for (std::size_t i = 0; i < ours.params.size(); ++i) {
    const std::vector<double> a = ours.params[i].to_vector<double>();
    const std::vector<float> b = theirs.values(i);
    for (std::size_t k = 0; k < a.size(); ++k)
      worst = std::max(worst, std::abs(a[k] - b[k]) / std::max(1e-3, std::abs(static_cast<double>(b[k]))));
  }
  return worst;
}

void print_row(const char* name, double seconds, double min_seconds, double bytes, double memcpy_gbs,
               const char* target) {
  const double gbs = bytes / seconds / 1e9;
  std::printf("%-22s %10.1f %10.1f %9.2f %9.3f  %s\n", name, seconds * 1e6, min_seconds * 1e6, gbs, gbs / memcpy_gbs,
              target);
}

// One section: every optimizer over parameters of the given shapes.
void section(const char* title, const std::vector<ex::Shape>& shapes, const bench::CommonOptions& opt) {
  constexpr double kLr = 1e-3;
  Parameters ours(shapes);
  std::vector<torch_optim_side::Param> torch_params;
  for (std::size_t i = 0; i < ours.params.size(); ++i) {
    std::vector<std::int64_t> shape;
    for (std::int64_t d = 0; d < ours.params[i].dim(); ++d) shape.push_back(ours.params[i].size(d));
    torch_params.push_back({ours.params[i].data<float>(), ours.grads[i].data<float>(), shape});
  }
  const std::unique_ptr<torch_optim_side::AdamRun> theirs = torch_optim_side::make_adam(torch_params, kLr);
  ex::optim::Adam adam(ours.params, kLr);
  for (int step = 0; step < 5; ++step) {
    adam.step();
    theirs->step();
  }
  const double difference = max_difference(ours, *theirs);
  if (!(difference <= 1e-5)) {
    std::fprintf(stderr, "bench_optim: %s: ours and torch differ after 5 steps (relative %.3g)\n", title, difference);
    ++g_differ;
  }

  // The other optimizers over copies of the same parameters, for the reference rows.
  Parameters w(shapes), r(shapes), g(shapes);
  ex::optim::AdamW adamw(w.params, kLr);
  ex::optim::RMSprop rmsprop(r.params);
  ex::optim::Adagrad adagrad(g.params);

  const double n = static_cast<double>(ours.elements), f = sizeof(float);
  const double adam_bytes = 7 * n * f, small_bytes = 5 * n * f;
  const auto half = static_cast<std::size_t>(adam_bytes / 2);
  std::vector<char> src(half + 64, 1), dst(half + 64, 0);
  const auto small = static_cast<std::size_t>(small_bytes / 2);
  const std::vector<bench::Timing> t = bench::time_interleaved(
      {[&] { bench::parallel_memcpy(dst.data(), src.data(), half, opt.threads); },
       [&] { bench::parallel_memcpy(dst.data(), src.data(), small, opt.threads); }, [&] { adam.step(); },
       [&] { theirs->step(); }, [&] { adamw.step(); }, [&] { rmsprop.step(); }, [&] { adagrad.step(); }},
      opt);
  const double memcpy_gbs = adam_bytes / t[0].median / 1e9, small_memcpy_gbs = small_bytes / t[1].median / 1e9;

  std::printf("\n%s: %lld float32 elements; Adam moves %.1f MB per step\n", title,
              static_cast<long long>(ours.elements), adam_bytes / 1e6);
  std::printf("%-22s %10s %10s %9s %9s  %s\n", "row", "us (med)", "us (min)", "GB/s", "/memcpy", "target");
  print_row("memcpy, Adam's bytes", t[0].median, t[0].min, adam_bytes, memcpy_gbs, "");
  print_row("ours Adam", t[2].median, t[2].min, adam_bytes, memcpy_gbs, verdict(t[2].median * 0.7 <= t[0].median));
  print_row("torch::optim::Adam", t[3].median, t[3].min, adam_bytes, memcpy_gbs, "");
  print_row("ours AdamW", t[4].median, t[4].min, adam_bytes, memcpy_gbs, "(reference)");
  print_row("memcpy, 20 B/element", t[1].median, t[1].min, small_bytes, small_memcpy_gbs, "");
  print_row("ours RMSprop", t[5].median, t[5].min, small_bytes, small_memcpy_gbs, "(reference)");
  print_row("ours Adagrad", t[6].median, t[6].min, small_bytes, small_memcpy_gbs, "(reference)");
  const double speedup = t[3].median / t[2].median;
  std::printf("torch / ours (Adam)    %.2f  (target > 1)  %s\n", speedup, verdict(speedup > 1));
  std::printf("ours and torch after 5 steps: largest relative difference %.3g\n", difference);
}

}  // namespace

int main(int argc, char** argv) {
  bench::CommonOptions opt;
  if (!bench::parse_common_only(argc, argv, "bench_optim", opt)) return 2;
  ex::set_num_threads(opt.threads);
  torch_side::set_num_threads(opt.threads);
  std::printf(
      "bench_optim: %d thread(s) (ex::get_num_threads %d, torch get_num_threads %d), median of %d reps of "
      ">= %g ms\n",
      opt.threads, ex::get_num_threads(), torch_side::get_num_threads(), opt.reps, opt.min_seconds * 1e3);
  const std::string blas = bench::loaded_blas();
  const bool openblas = blas.find("openblas") != std::string::npos;
  std::printf("torch %s; torch's BLAS: %s (%s)\n%s", torch_side::version().c_str(),
              blas.empty() ? "none mapped" : blas.c_str(),
              openblas ? "OpenBLAS" : "not OpenBLAS; an optimizer step calls no BLAS routine",
              torch_side::parallel_info().c_str());
  section("1. One step over the parameters of a 784-512-256-10 MLP",
          {{784, 512}, {512}, {512, 256}, {256}, {256, 10}, {10}}, opt);
  // The MLP's state fits the last-level cache, where the in-place update's smaller
  // footprint (param, grad and moments, against memcpy's source and destination) helps it;
  // this one does not.
  section("2. One step over a [2048, 4096] parameter (larger than the caches)", {{2048, 4096}}, opt);
  std::printf("\n%d target(s) missed; results differ on %d check(s)\n", g_targets.missed, g_differ);
  return g_targets.missed == 0 && g_differ == 0 ? 0 : 1;
}
