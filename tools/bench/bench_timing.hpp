#pragma once
// Timing helpers the benchmarks share: memcpy over the OpenMP threads (the bandwidth
// floor of the memory-bound rows) and the median over interleaved repetitions.

#include <omp.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstddef>
#include <cstring>
#include <functional>
#include <vector>

#include "bench_options.hpp"

namespace bench {

// A memcpy over `threads` OpenMP threads (each copies one contiguous chunk), so the
// baseline uses the thread count the kernels use.
inline void parallel_memcpy(char* dst, const char* src, std::size_t bytes, int threads) {
  if (threads <= 1) {
    std::memcpy(dst, src, bytes);
    return;
  }
  const std::size_t chunk = (bytes / static_cast<std::size_t>(threads) + 63) / 64 * 64;
#pragma omp parallel for num_threads(threads) schedule(static, 1)
  for (int t = 0; t < threads; ++t) {
    const std::size_t begin = std::min(bytes, chunk * static_cast<std::size_t>(t));
    const std::size_t end = std::min(bytes, begin + chunk);
    std::memcpy(dst + begin, src + begin, end - begin);
  }
}

// Wall-clock seconds per call of one function over the repetitions.
struct Timing {
  double median, min;
};

// Times each function: a warm-up call, then a call count that makes one repetition last
// at least opt.min_seconds, then opt.reps rounds that each time every function once, in
// turn, so all see the same machine load.
inline std::vector<Timing> time_interleaved(const std::vector<std::function<void()>>& fns, const CommonOptions& opt) {
  using Clock = std::chrono::steady_clock;
  const auto seconds = [](const std::function<void()>& fn, long calls) {
    const auto t0 = Clock::now();
    for (long i = 0; i < calls; ++i) fn();
    return std::chrono::duration<double>(Clock::now() - t0).count();
  };
  std::vector<long> calls(fns.size(), 1);
  for (std::size_t f = 0; f < fns.size(); ++f) {
    fns[f]();
    for (double t = seconds(fns[f], calls[f]); t < opt.min_seconds; t = seconds(fns[f], calls[f]))
      calls[f] = t <= 0 ? calls[f] * 16
                        : std::max(calls[f] + 1, static_cast<long>(std::ceil(calls[f] * 1.2 * opt.min_seconds / t)));
  }
  std::vector<std::vector<double>> per_call(fns.size());
  for (int r = 0; r < opt.reps; ++r)
    for (std::size_t f = 0; f < fns.size(); ++f)
      per_call[f].push_back(seconds(fns[f], calls[f]) / static_cast<double>(calls[f]));
  std::vector<Timing> out;
  for (std::vector<double>& v : per_call) {
    std::sort(v.begin(), v.end());
    const std::size_t n = v.size();
    out.push_back({n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2, v.front()});
  }
  return out;
}

}  // namespace bench
