// bench_autograd: extensor's autograd against libtorch 1.13's (Debian's libtorch-dev) at
// the same thread count (ex::set_num_threads and torch's).
//
//   bench_autograd [--threads T] [--reps R] [--min-ms M] [--mlp-steps N] [--no-mlp]
//
// 1. A chain of 1000 elementwise ops (y = y * 1.0001; y = y + 0.0001, 500 times) on a
//    16-element float32 leaf, forward + backward: time per op, ours and torch's, and
//    their ratio. Also, for the profile, the chain recorded but dropped without backward.
// 2. The same chain with recording off (NoGradGuard on both sides): time per op.
// 3. Peak resident memory (VmHWM) of N (default 1000) forward + backward + SGD steps of a
//    784-512-256-10 MLP on a batch of 64, each library in its own child process (this
//    program re-executed with --mode=ours or --mode=torch), with the resident memory
//    before the loop: ours against torch's.
//
// Each row's target is printed beside it and listed in BENCHMARKS.md.
//
// Timing (sections 1-2): every case is warmed up, then timed in repetitions of at least
// --min-ms (default 20; the case is repeated as often as needed), ours and torch
// interleaved within each repetition so both see the same load; the figure is the median
// over --reps (default 7) repetitions of the process's CPU time (the targets are judged
// on it), printed with the fastest repetition and the median wall-clock time. Exit status
// 1 when a target is missed or the two libraries' results differ.
#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <extensor/extensor.hpp>
#include <fstream>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include <unistd.h>

#include "bench_options.hpp"
#include "torch_autograd_side.hpp"
#include "torch_side.hpp"

namespace {

using Clock = std::chrono::steady_clock;
using Fn = std::function<void()>;

constexpr int kPairs = 500;  // the chain: 2 * kPairs elementwise ops

struct Options : bench::CommonOptions {
  int mlp_steps = 1000;
  bool mlp = true;
  std::string mode;  // "ours" or "torch": run one MLP child and print its memory line
};

int g_missed = 0, g_differ = 0;

const char* verdict(bool pass) {
  if (!pass) ++g_missed;
  return pass ? "PASS" : "MISS";
}

void check_same(const char* what, double ours, double theirs, double rtol) {
  if (!(std::abs(ours - theirs) <= rtol * std::max(1.0, std::abs(theirs)))) {
    std::fprintf(stderr, "bench_autograd: %s: results differ (%.9g ours, %.9g torch)\n", what, ours, theirs);
    ++g_differ;
  }
}

// Seconds spent by `calls` calls of fn: CPU time of this process (what the targets are
// judged on: the machine is shared, so the wall clock mostly measures the other jobs)
// and wall-clock time.
struct Seconds {
  double cpu, wall;
};
double process_cpu_seconds() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}
Seconds seconds_of(const Fn& fn, long calls) {
  const double cpu0 = process_cpu_seconds();
  const auto t0 = Clock::now();
  for (long i = 0; i < calls; ++i) fn();
  return {process_cpu_seconds() - cpu0, std::chrono::duration<double>(Clock::now() - t0).count()};
}

// Seconds per call of one function over the repetitions.
struct Timing {
  double cpu_median, cpu_min, wall_median;
};

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.size() % 2 ? v[v.size() / 2] : (v[v.size() / 2 - 1] + v[v.size() / 2]) / 2;
}

// The timing of each function. After a warm-up call, each function gets a call count
// that makes one repetition take at least opt.min_seconds of CPU time; then opt.reps
// rounds time every function once, in turn.
std::vector<Timing> time_interleaved(const std::vector<Fn>& fns, const Options& opt) {
  std::vector<long> calls(fns.size());
  for (std::size_t f = 0; f < fns.size(); ++f) {
    fns[f]();
    long n = 1;
    for (double t = seconds_of(fns[f], n).cpu; t < opt.min_seconds; t = seconds_of(fns[f], n).cpu)
      n = t <= 0 ? n * 16 : std::max(n + 1, static_cast<long>(std::ceil(n * 1.2 * opt.min_seconds / t)));
    calls[f] = n;
  }
  std::vector<std::vector<double>> cpu(fns.size()), wall(fns.size());
  for (int r = 0; r < opt.reps; ++r)
    for (std::size_t f = 0; f < fns.size(); ++f) {
      const Seconds s = seconds_of(fns[f], calls[f]);
      cpu[f].push_back(s.cpu / static_cast<double>(calls[f]));
      wall[f].push_back(s.wall / static_cast<double>(calls[f]));
    }
  std::vector<Timing> out;
  for (std::size_t f = 0; f < fns.size(); ++f)
    out.push_back({median(cpu[f]), *std::min_element(cpu[f].begin(), cpu[f].end()), median(wall[f])});
  return out;
}

std::string load_average() {
  std::ifstream in("/proc/loadavg");
  std::string line;
  std::getline(in, line);
  return line;
}

// --- 1. and 2. the chain ----------------------------------------------------------------

// Our side of torch_autograd_side::Chain.
class OurChain {
 public:
  OurChain() : x_(ex::ones({16})), ones_(ex::ones({16})) { x_.requires_grad_(); }
  void forward_backward() {
    x_.set_grad(ex::Tensor());
    run().backward(ones_);
    last_ = x_.grad().data<float>()[0];
  }
  void forward_recording() { last_ = run().data<float>()[0]; }
  void forward_no_grad() {
    ex::NoGradGuard no_grad;
    last_ = run().data<float>()[0];
  }
  double checksum() const { return last_; }

 private:
  ex::Tensor run() const {
    ex::Tensor y = x_;
    for (int i = 0; i < kPairs; ++i) {
      y = y * 1.0001;
      y = y + 0.0001;
    }
    return y;
  }

  ex::Tensor x_, ones_;
  double last_ = 0;
};

// One row: us per op of each side (median CPU time; then the fastest repetition and the
// median wall-clock time) and the ratio. `pass` is null for rows without a target.
void print_chain_row(const char* name, const std::vector<Timing>& t, const char* target,
                     bool (*pass)(double ours_us, double ratio)) {
  const double per_op = 1e6 / (2.0 * kPairs), ours = t[0].cpu_median * per_op, torch = t[1].cpu_median * per_op;
  std::printf("%-30s %7.3f %7.3f %6.3f %16s %4s | %7.3f %7.3f | %7.3f %7.3f\n", name, ours, torch, ours / torch, target,
              pass ? verdict(pass(ours, ours / torch)) : "", t[0].cpu_min * per_op, t[1].cpu_min * per_op,
              t[0].wall_median * per_op, t[1].wall_median * per_op);
}

void print_chain_header() {
  std::printf("%-30s %7s %7s %6s %16s %4s | %15s | %15s\n", "us per op (CPU time, median)", "ours", "torch", "ours/t",
              "target", "", "min ours, torch", "wall ours, torch");
}

void chain_sections(const Options& opt) {
  OurChain ours;
  const auto theirs = torch_autograd_side::make_chain(kPairs);
  std::printf("\n1. Chain of %d elementwise ops on a 16-element float32 leaf (y * 1.0001, y + 0.0001)\n", 2 * kPairs);
  print_chain_header();
  const auto both = time_interleaved({[&] { ours.forward_backward(); }, [&] { theirs->forward_backward(); }}, opt);
  check_same("chain forward + backward: x.grad[0]", ours.checksum(), theirs->checksum(), 1e-4);
  print_chain_row("forward + backward", both, "<= 0.4, <= 0.12x",
                  [](double us, double ratio) { return us <= 0.4 && ratio <= 0.12; });
  const auto fwd = time_interleaved({[&] { ours.forward_recording(); }, [&] { theirs->forward_recording(); }}, opt);
  check_same("chain forward (recording): y[0]", ours.checksum(), theirs->checksum(), 1e-4);
  print_chain_row("forward recorded, no backward", fwd, "(profile only)", nullptr);

  std::printf("\n2. The same chain with recording off (NoGradGuard on both sides)\n");
  print_chain_header();
  const auto off = time_interleaved({[&] { ours.forward_no_grad(); }, [&] { theirs->forward_no_grad(); }}, opt);
  check_same("chain no-grad: y[0]", ours.checksum(), theirs->checksum(), 1e-4);
  print_chain_row("forward, no grad", off, "<= 0.15", [](double us, double) { return us <= 0.15; });
}

// --- 3. MLP memory, one child process per library -----------------------------------------

constexpr std::int64_t kBatch = 64;
constexpr std::array<std::int64_t, 4> kSizes = {784, 512, 256, 10};
constexpr float kLr = 0.01f;

// Resident memory of this process in kB: VmRSS (now) or VmHWM (peak since start).
long proc_status_kb(const std::string& field) {
  std::ifstream in("/proc/self/status");
  for (std::string line; std::getline(in, line);)
    if (line.rfind(field + ":", 0) == 0) return std::atol(line.c_str() + field.size() + 1);
  return -1;
}

// The batch and initial weights, the same in both children: a fixed-seed LCG, weights
// uniform in +-1/sqrt(fan_in) (PyTorch's Linear default), inputs in [0, 1).
struct MlpData {
  std::vector<float> x, w[3], b[3];
  std::vector<std::int64_t> labels;

  MlpData() {
    std::uint64_t state = 42;
    auto uniform = [&state](float scale) {
      state = state * 6364136223846793005ULL + 1442695040888963407ULL;
      return scale * (static_cast<float>(state >> 40) / static_cast<float>(1 << 24) * 2 - 1);
    };
    for (std::int64_t i = 0; i < kBatch * kSizes[0]; ++i) x.push_back(0.5f + uniform(0.5f));
    for (std::int64_t i = 0; i < kBatch; ++i) labels.push_back(i % kSizes[3]);
    for (int l = 0; l < 3; ++l) {
      const float bound = 1.0f / std::sqrt(static_cast<float>(kSizes[l]));
      for (std::int64_t i = 0; i < kSizes[l] * kSizes[l + 1]; ++i) w[l].push_back(uniform(bound));
      for (std::int64_t i = 0; i < kSizes[l + 1]; ++i) b[l].push_back(uniform(bound));
    }
  }
};

ex::Tensor copy_of(const std::vector<float>& data, const ex::Shape& shape) {
  return ex::from_blob(const_cast<float*>(data.data()), shape, ex::DType::Float32).clone();
}

// Our side of torch_autograd_side::train_mlp, op for op.
double train_our_mlp(const MlpData& data, int steps) {
  const ex::Tensor x = copy_of(data.x, {kBatch, kSizes[0]});
  const ex::Tensor labels =
      ex::from_blob(const_cast<std::int64_t*>(data.labels.data()), {kBatch}, ex::DType::Int64).clone();
  std::vector<ex::Tensor> params;
  for (int l = 0; l < 3; ++l) {
    params.push_back(copy_of(data.w[l], {kSizes[l], kSizes[l + 1]}));
    params.push_back(copy_of(data.b[l], {kSizes[l + 1]}));
  }
  for (const ex::Tensor& p : params) p.requires_grad_();
  double loss_value = 0;
  for (int step = 0; step < steps; ++step) {
    ex::Tensor h = x;
    for (int l = 0; l < 3; ++l) {
      h = ex::matmul(h, params[2 * l]) + params[2 * l + 1];
      if (l < 2) h = ex::relu(h);
    }
    const ex::Tensor loss = ex::cross_entropy(h, labels);
    loss.backward();
    loss_value = loss.item<float>();
    ex::NoGradGuard no_grad;
    for (const ex::Tensor& p : params) {
      ex::sub_(p, p.grad() * kLr);
      ex::zero_(p.grad());
    }
  }
  return loss_value;
}

// The child: trains one library's MLP and prints "baseline_kb peak_kb loss seconds".
int mlp_child(const Options& opt) {
  const MlpData data;
  const long baseline_kb = proc_status_kb("VmRSS");
  const auto t0 = Clock::now();
  double loss = 0;
  if (opt.mode == "ours") {
    loss = train_our_mlp(data, opt.mlp_steps);
  } else {
    torch_autograd_side::MlpSetup setup{kBatch,
                                        {kSizes[0], kSizes[1], kSizes[2], kSizes[3]},
                                        data.x.data(),
                                        data.labels.data(),
                                        {data.w[0].data(), data.w[1].data(), data.w[2].data()},
                                        {data.b[0].data(), data.b[1].data(), data.b[2].data()},
                                        kLr};
    loss = torch_autograd_side::train_mlp(setup, opt.mlp_steps);
  }
  const double seconds = std::chrono::duration<double>(Clock::now() - t0).count();
  std::printf("%ld %ld %.9g %.6f\n", baseline_kb, proc_status_kb("VmHWM"), loss, seconds);
  return 0;
}

struct ChildResult {
  long baseline_kb = -1, peak_kb = -1;
  double loss = 0, seconds = 0;
};

// Re-executes this program as an MLP child for one library and reads its line.
ChildResult run_child(const char* mode, const Options& opt) {
  const std::string cmd = "/proc/" + std::to_string(getpid()) + "/exe --mode=" + mode + " --threads " +
                          std::to_string(opt.threads) + " --mlp-steps " + std::to_string(opt.mlp_steps);
  ChildResult r;
  FILE* pipe = popen(cmd.c_str(), "r");
  if (!pipe || std::fscanf(pipe, "%ld %ld %lf %lf", &r.baseline_kb, &r.peak_kb, &r.loss, &r.seconds) != 4)
    std::fprintf(stderr, "bench_autograd: the %s MLP child failed (%s)\n", mode, cmd.c_str());
  if (pipe && pclose(pipe) != 0) r.peak_kb = -1;
  return r;
}

void mlp_section(const Options& opt) {
  std::printf("\n3. Peak resident memory, %d forward + backward + SGD steps of a 784-512-256-10 MLP (batch %lld)\n",
              opt.mlp_steps, static_cast<long long>(kBatch));
  const ChildResult ours = run_child("ours", opt), torch = run_child("torch", opt);
  std::printf("network: matmul + bias, relu, matmul + bias, relu, matmul + bias, cross_entropy (mean); SGD lr %g\n",
              static_cast<double>(kLr));
  std::printf("%-8s %12s %12s %14s %10s %12s\n", "side", "before MB", "peak MB", "peak-before MB", "ms/step",
              "last loss");
  for (const auto& [name, r] : {std::pair{"ours", ours}, std::pair{"torch", torch}})
    std::printf("%-8s %12.1f %12.1f %14.1f %10.2f %12.6f\n", name, r.baseline_kb / 1024.0, r.peak_kb / 1024.0,
                (r.peak_kb - r.baseline_kb) / 1024.0, r.seconds * 1e3 / opt.mlp_steps, r.loss);
  const bool ran = ours.peak_kb > 0 && torch.peak_kb > 0;
  if (!ran) ++g_differ;
  check_same("MLP last loss", ours.loss, torch.loss, 1e-3);
  std::printf("peak ours / torch %.3f  (target <= 1)  %s\n", ran ? double(ours.peak_kb) / torch.peak_kb : 0.0,
              verdict(ran && ours.peak_kb <= torch.peak_kb));
}

bool parse(int argc, char** argv, Options& opt) {
  for (int i = 1; i < argc; ++i) {
    if (bench::parse_common(i, argc, argv, opt)) continue;
    const std::string arg = argv[i];
    if (i + 1 < argc && arg == "--mlp-steps") {
      opt.mlp_steps = std::atoi(argv[++i]);
    } else if (arg == "--no-mlp") {
      opt.mlp = false;
    } else if (arg == "--mode=ours" || arg == "--mode=torch") {
      opt.mode = arg.substr(7);
    } else {
      return false;
    }
  }
  return opt.threads >= 1 && opt.reps >= 1 && opt.min_seconds > 0 && opt.mlp_steps >= 1;
}

}  // namespace

int main(int argc, char** argv) {
  Options opt;
  if (!parse(argc, argv, opt)) {
    std::fprintf(stderr,
                 "usage: %s [--threads T >= 1] [--reps R >= 1] [--min-ms M > 0] [--mlp-steps N >= 1] [--no-mlp]\n",
                 argv[0]);
    return 2;
  }
  ex::set_num_threads(opt.threads);
  torch_side::set_num_threads(opt.threads);
  if (!opt.mode.empty()) return mlp_child(opt);

  std::printf("bench_autograd: %d thread(s) (ex %d, torch %d), median of %d reps of >= %g ms; torch %s\n", opt.threads,
              ex::get_num_threads(), torch_side::get_num_threads(), opt.reps, opt.min_seconds * 1e3,
              torch_side::version().c_str());
  std::printf("load average before: %s\n", load_average().c_str());
  chain_sections(opt);
  if (opt.mlp) mlp_section(opt);
  std::printf("\nload average after: %s\n", load_average().c_str());
  std::printf("%d target(s) missed; results differ on %d check(s)\n", g_missed, g_differ);
  return g_missed == 0 && g_differ == 0 ? 0 : 1;
}
