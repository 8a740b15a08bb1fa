// Philox-4x32-10 (Salmon et al., "Parallel random numbers: as easy as 1, 2, 3").
#include "extensor/core/random.hpp"

namespace ex {

std::array<std::uint32_t, 4> Generator::philox(std::uint64_t key, std::uint64_t counter) noexcept {
  constexpr std::uint32_t kMul0 = 0xD2511F53u, kMul1 = 0xCD9E8D57u;
  constexpr std::uint32_t kWeyl0 = 0x9E3779B9u, kWeyl1 = 0xBB67AE85u;
  std::array<std::uint32_t, 4> c = {static_cast<std::uint32_t>(counter), static_cast<std::uint32_t>(counter >> 32), 0u,
                                    0u};
  std::uint32_t k0 = static_cast<std::uint32_t>(key), k1 = static_cast<std::uint32_t>(key >> 32);
  for (int round = 0; round < 10; ++round) {
    const std::uint64_t p0 = static_cast<std::uint64_t>(kMul0) * c[0];
    const std::uint64_t p1 = static_cast<std::uint64_t>(kMul1) * c[2];
    c = {static_cast<std::uint32_t>(p1 >> 32) ^ c[1] ^ k0, static_cast<std::uint32_t>(p1),
         static_cast<std::uint32_t>(p0 >> 32) ^ c[3] ^ k1, static_cast<std::uint32_t>(p0)};
    k0 += kWeyl0;
    k1 += kWeyl1;
  }
  return c;
}

void Generator::manual_seed(std::uint64_t seed) noexcept {
  std::lock_guard lock(mutex_);
  seed_ = seed;
  counter_ = 0;
}

std::uint64_t Generator::reserve(std::uint64_t n) noexcept {
  std::lock_guard lock(mutex_);
  const std::uint64_t first = counter_;
  counter_ += n;
  return first;
}

std::array<std::uint64_t, 2> Generator::state() const noexcept {
  std::lock_guard lock(mutex_);
  return {seed_, counter_};
}

void Generator::set_state(std::array<std::uint64_t, 2> state) noexcept {
  std::lock_guard lock(mutex_);
  seed_ = state[0];
  counter_ = state[1];
}

Generator& default_generator() noexcept {
  static Generator gen;
  return gen;
}

void manual_seed(std::uint64_t seed) noexcept { default_generator().manual_seed(seed); }

}  // namespace ex
