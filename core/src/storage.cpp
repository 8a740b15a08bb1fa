#include "extensor/core/storage.hpp"

#include <sys/mman.h>
#include <sys/sysinfo.h>

#include <cstdint>
#include <cstdlib>
#include <iterator>
#include <limits>
#include <map>
#include <mutex>
#include <new>
#include <string_view>

#include "common/check.hpp"

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define EXTENSOR_NO_BLOCK_CACHE 1
#endif

namespace ex {

namespace {

constexpr std::size_t kAlignment = 64;
// Blocks from 64 KiB up are cached. Below the cache glibc's malloc would serve them from
// its heap and trim the heap top on free, so a training step re-faulted its activations'
// pages every time: page faults are costly in a VM, and the first epoch of the main job
// ran several times slower than the next (tens of thousands of faults per 10k images)
// until glibc's heap happened to stop trimming.
constexpr std::size_t kCachedBlock = std::size_t{64} << 10;
constexpr std::size_t kHugePage = std::size_t{2} << 20;
constexpr std::size_t kLargeBlock = std::size_t{1} << 20;  // from here: 2 MiB pages

// The size a cached block really has: a multiple of 64 KiB, or of 2 MiB for large blocks,
// so the few sizes a training loop uses map to few exact cache keys.
std::size_t cached_block_size(std::size_t nbytes) {
  const std::size_t granule = nbytes >= kLargeBlock ? kHugePage : kCachedBlock;
  return (nbytes + granule - 1) / granule * granule;
}

// Freed blocks of kCachedBlock bytes and more, by exact (rounded) size. Training loops allocate the same sizes
// every step, so exact matches hit; the total is bounded so memory cannot grow.
class BlockCache {
 public:
  BlockCache() {
#ifndef EXTENSOR_NO_BLOCK_CACHE
    limit_ = std::size_t{1} << 30;
    if (const char* env = std::getenv("EXTENSOR_CACHE_BYTES")) limit_ = std::strtoull(env, nullptr, 10);
#endif
  }
  ~BlockCache() { clear(); }

  void* take(std::size_t size) {
    std::lock_guard lock(mutex_);
    // The most recently freed block of this size: its lines and TLB entries are the
    // likeliest to still be warm (a loop's result freed just before the next step's).
    const auto [first, last] = blocks_.equal_range(size);
    if (first == last) return nullptr;
    const auto it = std::prev(last);
    void* p = it->second;
    blocks_.erase(it);
    bytes_ -= size;
    return p;
  }
  // Keeps the block if it fits under the limit; otherwise the caller frees it.
  bool give(void* p, std::size_t size) {
    std::lock_guard lock(mutex_);
    if (bytes_ + size > limit_) return false;
    blocks_.emplace(size, p);
    bytes_ += size;
    return true;
  }
  void clear() {
    std::lock_guard lock(mutex_);
    for (auto& [size, p] : blocks_) std::free(p);
    blocks_.clear();
    bytes_ = 0;
  }
  std::size_t bytes() {
    std::lock_guard lock(mutex_);
    return bytes_;
  }

 private:
  std::mutex mutex_;
  std::multimap<std::size_t, void*> blocks_;
  std::size_t bytes_ = 0, limit_ = 0;
};

BlockCache& block_cache() {
  static BlockCache* cache = new BlockCache;  // never destroyed: storages may outlive statics
  return *cache;
}

void* allocate_cached(std::size_t rounded) {
  if (void* p = block_cache().take(rounded)) return p;
  if (rounded < kHugePage) return std::aligned_alloc(kAlignment, rounded);
  void* p = std::aligned_alloc(kHugePage, rounded);
  if (p) madvise(p, rounded, MADV_HUGEPAGE);  // a hint: failure just means 4 KiB pages
  return p;
}

// Physical memory plus swap, read once. A larger request can never be satisfied: it fails
// at once here, also under the sanitizers, whose allocators abort on such requests
// instead of returning null.
std::size_t machine_bytes() {
  static const std::size_t bytes = [] {
    struct sysinfo info {};
    if (sysinfo(&info) != 0) return std::numeric_limits<std::size_t>::max();
    return (static_cast<std::size_t>(info.totalram) + info.totalswap) * info.mem_unit;
  }();
  return bytes;
}

[[noreturn]] void fail_cannot_allocate(const char* fn, std::size_t nbytes, std::string_view why) {
  detail::fail("{}: cannot allocate {} bytes ({:.3g} GiB): {}", fn, nbytes, static_cast<double>(nbytes) / 0x1p30, why);
}
[[noreturn]] void fail_out_of_memory(const char* fn, std::size_t nbytes) {
  fail_cannot_allocate(fn, nbytes, "out of memory");
}

// An allocator for std::allocate_shared that adds `extra` bytes after the object it
// allocates (the control block holding the Storage), so a small tensor's data shares
// the Storage's allocation.
template <class T>
struct TrailingBytes {
  using value_type = T;
  std::size_t extra;
  explicit TrailingBytes(std::size_t e) noexcept : extra(e) {}
  template <class U>
  TrailingBytes(const TrailingBytes<U>& other) noexcept : extra(other.extra) {}  // NOLINT: rebinding
  T* allocate(std::size_t n) { return static_cast<T*>(::operator new(n * sizeof(T) + extra)); }
  void deallocate(T* p, std::size_t) noexcept { ::operator delete(p); }
  template <class U>
  bool operator==(const TrailingBytes<U>& other) const noexcept {
    return extra == other.extra;
  }
};

}  // namespace

std::shared_ptr<Storage> Storage::allocate(std::size_t nbytes, const char* fn) {
  if (nbytes >= kCachedBlock) {  // only large requests can pass the limits: small ones skip the checks
    if (nbytes > static_cast<std::size_t>(kMaxTensorBytes))
      fail_cannot_allocate(fn, nbytes, "above the limit of 2^62 bytes per tensor");
    if (nbytes > machine_bytes())
      fail_cannot_allocate(fn, nbytes,
                           fmt::format("more than the machine's memory and swap ({:.3g} GiB)",
                                       static_cast<double>(machine_bytes()) / 0x1p30));
    const std::size_t rounded = cached_block_size(nbytes);
    void* data = allocate_cached(rounded);
    if (!data) fail_out_of_memory(fn, nbytes);
    return std::make_shared<Storage>(Private{}, data, nbytes, [rounded](void* p) {
      if (!block_cache().give(p, rounded)) std::free(p);
    });
  }
  // One allocation holds the control block, the Storage and the data (placed at the
  // first 64-byte boundary after them), freed together with no deleter. Half the cost
  // of a 16-element ex::add was malloc: aligned_alloc splits a larger chunk and frees
  // the rest, and a second block plus a std::function deleter came on top.
  std::shared_ptr<Storage> s;
  try {
    s = std::allocate_shared<Storage>(TrailingBytes<Storage>(nbytes + kAlignment), Private{}, nullptr, nbytes,
                                      std::function<void(void*)>());
  } catch (const std::bad_alloc&) {
    fail_out_of_memory(fn, nbytes);
  }
  const auto end = reinterpret_cast<std::uintptr_t>(s.get() + 1);
  s->data_ = reinterpret_cast<void*>((end + kAlignment - 1) / kAlignment * kAlignment);
  return s;
}

std::shared_ptr<Storage> Storage::borrow(void* data, std::size_t nbytes, std::function<void(void*)> deleter) {
  return std::make_shared<Storage>(Private{}, data, nbytes, std::move(deleter));
}

Storage::~Storage() {
  if (deleter_) deleter_(data_);
}

void empty_cache() { block_cache().clear(); }
std::size_t cached_bytes() { return block_cache().bytes(); }

}  // namespace ex
