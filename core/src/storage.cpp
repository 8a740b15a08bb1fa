#include "extensor/core/storage.hpp"

#include <cstdlib>

#include "core/src/check.hpp"

namespace ex {

namespace {
constexpr std::size_t kAlignment = 64;
}

std::shared_ptr<Storage> Storage::allocate(std::size_t nbytes) {
  // aligned_alloc needs a size that is a multiple of the alignment; round up, and
  // allocate at least one line so data() is never null.
  const std::size_t rounded = (std::max<std::size_t>(nbytes, 1) + kAlignment - 1) / kAlignment * kAlignment;
  void* data = std::aligned_alloc(kAlignment, rounded);
  if (!data) detail::fail("Storage::allocate: out of memory allocating {} bytes", nbytes);
  return std::make_shared<Storage>(Private{}, data, nbytes, [](void* p) { std::free(p); });
}

std::shared_ptr<Storage> Storage::borrow(void* data, std::size_t nbytes, std::function<void(void*)> deleter) {
  return std::make_shared<Storage>(Private{}, data, nbytes, std::move(deleter));
}

Storage::~Storage() {
  if (deleter_) deleter_(data_);
}

}  // namespace ex
