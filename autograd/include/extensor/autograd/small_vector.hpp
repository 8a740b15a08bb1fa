#pragma once
// ex::autograd::SmallVector: the per-input and per-output lists a graph node keeps.

#include <array>
#include <cstddef>
#include <span>
#include <utility>
#include <vector>

namespace ex::autograd {

// A list that keeps up to N elements inside the object and moves them all to the heap
// once it grows beyond N. Nodes hold one or two inputs and one output almost always,
// so recording an op allocates nothing for its edges, input shapes or gradient slots.
// T must be default-constructible and cheap to construct empty (unused inline slots
// hold default values).
template <class T, std::size_t N>
class SmallVector {
 public:
  std::size_t size() const noexcept { return size_; }
  bool empty() const noexcept { return size_ == 0; }
  T* data() noexcept { return heap_.empty() ? inline_.data() : heap_.data(); }
  const T* data() const noexcept { return heap_.empty() ? inline_.data() : heap_.data(); }
  T& operator[](std::size_t i) noexcept { return data()[i]; }
  const T& operator[](std::size_t i) const noexcept { return data()[i]; }
  T* begin() noexcept { return data(); }
  T* end() noexcept { return data() + size_; }
  const T* begin() const noexcept { return data(); }
  const T* end() const noexcept { return data() + size_; }
  std::span<const T> span() const noexcept { return {data(), size_}; }

  void push_back(const T& value) { emplace(value); }
  void push_back(T&& value) { emplace(std::move(value)); }
  // Makes room for n elements without reallocating (a no-op while n fits inline).
  void reserve(std::size_t n) {
    if (n <= N) return;
    if (heap_.empty()) spill(n);
    heap_.reserve(n);
  }
  // n copies of value.
  void assign(std::size_t n, const T& value) {
    clear();
    reserve(n);
    for (std::size_t i = 0; i < n; ++i) push_back(value);
  }
  // Empties the list; inline slots go back to default values, heap capacity is freed.
  void clear() noexcept {
    for (std::size_t i = 0; i < size_ && i < N; ++i) inline_[i] = T();
    heap_ = std::vector<T>();
    size_ = 0;
  }

 private:
  template <class V>
  void emplace(V&& value) {
    if (heap_.empty() && size_ < N) {
      inline_[size_++] = std::forward<V>(value);
      return;
    }
    if (heap_.empty()) spill(size_ + 1);
    heap_.push_back(std::forward<V>(value));
    ++size_;
  }
  // Moves the inline elements to the heap, with room for `capacity`.
  void spill(std::size_t capacity) {
    heap_.reserve(capacity);
    for (std::size_t i = 0; i < size_; ++i) heap_.push_back(std::exchange(inline_[i], T()));
  }

  std::array<T, N> inline_{};
  std::vector<T> heap_;  // all the elements once there are more than N, else empty
  std::size_t size_ = 0;
};

}  // namespace ex::autograd
