#pragma once
// Private: the library's one way to split work across the OpenMP pool.

#include <omp.h>

#include <algorithm>
#include <cstdint>
#include <exception>

#include "extensor/core/threading.hpp"

namespace ex::detail {

// Below this many elements an elementwise loop stays on one thread: waking the pool
// costs more than it saves.
inline constexpr std::int64_t kGrainElements = 32768;

// Calls fn(begin, end) over disjoint chunks covering [begin, end), in parallel when the
// range exceeds grain and more than one thread is configured. Runs serially inside an
// existing parallel region. The first exception thrown by a chunk is rethrown here.
template <class F>
void parallel_for(std::int64_t begin, std::int64_t end, std::int64_t grain, F&& fn) {
  const std::int64_t n = end - begin;
  if (n <= 0) return;
  const int threads = get_num_threads();
  if (threads <= 1 || n <= grain || omp_in_parallel()) {
    fn(begin, end);
    return;
  }
  const std::int64_t chunks = std::min<std::int64_t>(threads, (n + grain - 1) / grain);
  const std::int64_t chunk = (n + chunks - 1) / chunks;
  std::exception_ptr error;
#pragma omp parallel num_threads(static_cast <int>(chunks))
  {
    const std::int64_t b = begin + omp_get_thread_num() * chunk;
    const std::int64_t e = std::min(end, b + chunk);
    if (b < e) {
      try {
        fn(b, e);
      } catch (...) {
#pragma omp critical(ex_parallel_for_error)
        if (!error) error = std::current_exception();
      }
    }
  }
  if (error) std::rethrow_exception(error);
}

}  // namespace ex::detail
