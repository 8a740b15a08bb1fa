#pragma once
// ex::Storage: the reference-counted, 64-byte-aligned buffer that tensors view.

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>

namespace ex {

// A block of bytes shared by a tensor and all its views. Owns (or, for from_blob,
// borrows) the memory, and carries the version counter that in-place operations bump
// so autograd can tell a saved tensor was modified, through any of its views.
class Storage {
  struct Private {  // a key only Storage can make: construction goes through its factories
    explicit Private() = default;
  };

 public:
  // Allocates nbytes (zero allowed) aligned to 64 bytes, uninitialized. Blocks of 64 KiB
  // and more are kept in a bounded cache when freed (see empty_cache), because first-touch
  // page faults on a fresh buffer cost far more than the op that fills it; blocks of
  // 1 MiB and more are also 2 MiB aligned and backed by transparent huge pages where the
  // kernel allows.
  // Throws ex::Error naming fn ("fn: cannot allocate N bytes (out of memory)") if the
  // allocation fails; a request the machine cannot hold fails at once, before any work.
  static std::shared_ptr<Storage> allocate(std::size_t nbytes, const char* fn = "Storage::allocate");
  // Wraps memory the caller owns. deleter (may be empty) runs when the last tensor
  // viewing the memory goes away.
  static std::shared_ptr<Storage> borrow(void* data, std::size_t nbytes, std::function<void(void*)> deleter);

  Storage(const Storage&) = delete;
  Storage& operator=(const Storage&) = delete;
  ~Storage();

  void* data() const noexcept { return data_; }
  std::size_t nbytes() const noexcept { return nbytes_; }
  std::uint64_t version() const noexcept { return version_.load(std::memory_order_relaxed); }
  void bump_version() noexcept { version_.fetch_add(1, std::memory_order_relaxed); }

  // Public only so make_shared can reach it; the Private key keeps it internal.
  Storage(Private, void* data, std::size_t nbytes, std::function<void(void*)> deleter) noexcept
      : data_(data), nbytes_(nbytes), deleter_(std::move(deleter)) {}

 private:
  void* data_;
  std::size_t nbytes_;
  std::function<void(void*)> deleter_;
  std::atomic<std::uint64_t> version_{0};
};

// Returns every cached block to the system. The cache holds at most 1 GiB (or
// EXTENSOR_CACHE_BYTES bytes, read once at start; 0 disables it); it is disabled under
// AddressSanitizer so use-after-free stays detectable.
void empty_cache();
// Bytes currently held in the block cache.
std::size_t cached_bytes();

}  // namespace ex
