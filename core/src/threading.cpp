#include "extensor/core/threading.hpp"

#include <omp.h>

#include <atomic>

#include "common/check.hpp"

namespace ex {

namespace {
std::atomic<int> g_num_threads{0};  // 0: not set, follow OpenMP's default
}

void set_num_threads(int n) {
  if (n < 1) detail::fail("set_num_threads: thread count must be at least 1, got {}", n);
  g_num_threads.store(n, std::memory_order_relaxed);
  // oneDNN sizes its parallel regions from omp_get_max_threads() of the calling thread.
  omp_set_num_threads(n);
}

int get_num_threads() noexcept {
  const int n = g_num_threads.load(std::memory_order_relaxed);
  return n > 0 ? n : omp_get_max_threads();
}

}  // namespace ex
