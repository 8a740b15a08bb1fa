// Per-thread free lists of node-sized blocks; see node_pool.hpp.

#include "autograd/src/node_pool.hpp"

#include <new>

// AddressSanitizer must see each node's memory freed to catch a use after free. Under
// ThreadSanitizer the lists stay on: its CI job then checks nodes freed across threads.
#if defined(__SANITIZE_ADDRESS__)
#define EXTENSOR_NO_NODE_POOL 1
#endif

namespace ex::autograd::detail {

namespace {

constexpr std::size_t kGranule = 64;                           // size classes: 64, 128, ... bytes
constexpr std::size_t kClasses = 16;                           // pooled up to 1 KiB; larger blocks use new
constexpr std::size_t kMaxPooledBytes = std::size_t{2} << 20;  // per thread, over all classes

struct FreeBlock {
  FreeBlock* next;
};

// One thread's lists: heads[c] holds blocks of (c + 1) * kGranule bytes.
struct FreeLists {
  FreeBlock* heads[kClasses] = {};
  std::size_t pooled_bytes = 0;

  ~FreeLists() {
    for (std::size_t c = 0; c < kClasses; ++c)
      while (FreeBlock* block = heads[c]) {
        heads[c] = block->next;
        ::operator delete(block);
      }
  }
};

// The lists live in a thread_local object with a destructor, reached through a plain
// pointer: nodes freed by other thread_locals' destructors after this thread's lists
// are gone (or at program exit) fall back to delete instead of touching a dead object.
thread_local FreeLists* current_lists = nullptr;
thread_local bool lists_destroyed = false;

struct ListsOwner {
  FreeLists lists;
  ListsOwner() noexcept { current_lists = &lists; }
  ~ListsOwner() {
    current_lists = nullptr;
    lists_destroyed = true;
  }
};

FreeLists* thread_lists() noexcept {
  if (current_lists || lists_destroyed) return current_lists;
  thread_local ListsOwner owner;
  return current_lists;
}

// The size class of a block of `bytes`, or kClasses when it is too large to pool.
std::size_t size_class(std::size_t bytes) noexcept {
  const std::size_t c = (bytes + kGranule - 1) / kGranule;
  return c == 0 ? 0 : c - 1 < kClasses ? c - 1 : kClasses;
}

}  // namespace

void* pool_allocate(std::size_t bytes) {
#ifdef EXTENSOR_NO_NODE_POOL
  return ::operator new(bytes);  // the exact size, so ASan also sees overflows into the slack
#endif
  const std::size_t c = size_class(bytes);
  if (c == kClasses) return ::operator new(bytes);
  if (FreeLists* lists = thread_lists(); lists && lists->heads[c]) {
    FreeBlock* block = lists->heads[c];
    lists->heads[c] = block->next;
    lists->pooled_bytes -= (c + 1) * kGranule;
    return block;
  }
  // Always the full class size, so any block of the class can serve any request in it.
  return ::operator new((c + 1) * kGranule);
}

void pool_deallocate(void* block, std::size_t bytes) noexcept {
#ifdef EXTENSOR_NO_NODE_POOL
  ::operator delete(block);
  return;
#endif
  const std::size_t c = size_class(bytes);
  FreeLists* lists = c == kClasses ? nullptr : thread_lists();
  if (!lists || lists->pooled_bytes + (c + 1) * kGranule > kMaxPooledBytes) {
    ::operator delete(block);
    return;
  }
  auto* free_block = ::new (block) FreeBlock{lists->heads[c]};
  lists->heads[c] = free_block;
  lists->pooled_bytes += (c + 1) * kGranule;
}

}  // namespace ex::autograd::detail
