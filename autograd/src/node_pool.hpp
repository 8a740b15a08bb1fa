#pragma once
// Private: where graph nodes and autograd states are allocated. Recording allocates one
// node and one AutogradMeta per op, and a backward frees them all again, so the same
// few block sizes go back and forth between malloc and the graph thousands of times a
// step; glibc keeps only 7 blocks of a size per thread before it falls back to its
// (much slower) bins. Instead each thread keeps its own free lists of such blocks.
//
// Blocks are ordinary operator-new memory: a block freed on another thread (a graph
// built on one thread and released on another) simply joins that thread's list. Each
// list is bounded, so a thread that only frees cannot hoard memory; a thread's lists
// are returned to the heap when it exits. AddressSanitizer builds use plain
// new/delete, so ASan still sees every use after free.

#include <cstddef>
#include <memory>
#include <utility>

namespace ex::autograd::detail {

// A block of at least `bytes` (aligned for any object), from the calling thread's free
// lists when one of that size class is there.
void* pool_allocate(std::size_t bytes);
// Returns a block from pool_allocate of the same `bytes`; any thread may call it.
void pool_deallocate(void* block, std::size_t bytes) noexcept;

// The allocator std::allocate_shared uses for nodes and autograd states: the object
// and its reference counts share one pooled block.
template <class T>
struct PoolAllocator {
  using value_type = T;
  PoolAllocator() noexcept = default;
  template <class U>
  PoolAllocator(const PoolAllocator<U>&) noexcept {}  // NOLINT: rebinding is implicit
  T* allocate(std::size_t n) {
    static_assert(alignof(T) <= __STDCPP_DEFAULT_NEW_ALIGNMENT__, "pooled blocks have operator new's alignment");
    return static_cast<T*>(pool_allocate(n * sizeof(T)));
  }
  void deallocate(T* p, std::size_t n) noexcept { pool_deallocate(p, n * sizeof(T)); }
  template <class U>
  bool operator==(const PoolAllocator<U>&) const noexcept {
    return true;
  }
};

// std::make_shared<T>(args...) with the block from the pool.
template <class T, class... Args>
std::shared_ptr<T> make_pooled(Args&&... args) {
  return std::allocate_shared<T>(PoolAllocator<T>(), std::forward<Args>(args)...);
}

}  // namespace ex::autograd::detail
