#pragma once
// Seeded, reproducible random numbers.

#include <array>
#include <cstdint>
#include <mutex>

namespace ex {

// A counter-based generator (Philox-4x32-10). Element i of a request draws from
// counter (offset + i), so results depend only on the seed and the order of requests,
// never on the number of threads. Thread-safe: requests lock the generator briefly.
class Generator {
 public:
  explicit Generator(std::uint64_t seed = 0x5eed) noexcept : seed_(seed) {}
  void manual_seed(std::uint64_t seed) noexcept;
  std::uint64_t seed() const noexcept { return seed_; }
  // Reserves n consecutive counters and returns the first one; used by kernels that
  // fill n elements in parallel.
  std::uint64_t reserve(std::uint64_t n) noexcept;
  // State for checkpointing: (seed, counter).
  std::array<std::uint64_t, 2> state() const noexcept;
  void set_state(std::array<std::uint64_t, 2> state) noexcept;

  // The four 32-bit words Philox produces for a counter under this generator's key.
  static std::array<std::uint32_t, 4> philox(std::uint64_t key, std::uint64_t counter) noexcept;

 private:
  mutable std::mutex mutex_;
  std::uint64_t seed_;
  std::uint64_t counter_ = 0;
};

// The process-wide generator used when a function is given none.
Generator& default_generator() noexcept;
// Re-seeds the default generator: the same seed gives the same numbers on every run.
void manual_seed(std::uint64_t seed) noexcept;

}  // namespace ex
