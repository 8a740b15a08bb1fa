#pragma once
// ex::Shape: a tensor's dims (and, with the same type, its strides).

#include <algorithm>
#include <cstdint>
#include <initializer_list>
#include <iosfwd>
#include <span>
#include <string>
#include <vector>

namespace ex {

// A short list of int64 values: dims of a shape, or strides in elements. Up to
// kInline values live inside the object, so building and copying shapes of ordinary
// rank never allocates; longer lists spill to the heap. Rank 0 (an empty list) is a
// scalar; a zero dim makes an empty tensor. Construction never validates: functions
// that take a Shape check it (negative dims throw ex::Error there).
class Shape {
 public:
  static constexpr std::size_t kInline = 6;
  using value_type = std::int64_t;
  using iterator = std::int64_t*;
  using const_iterator = const std::int64_t*;

  Shape() noexcept = default;
  Shape(std::initializer_list<std::int64_t> dims) { assign(dims.begin(), dims.size()); }
  explicit Shape(std::span<const std::int64_t> dims) { assign(dims.data(), dims.size()); }
  Shape(const std::vector<std::int64_t>& dims) { assign(dims.data(), dims.size()); }  // NOLINT
  // n copies of value.
  Shape(std::size_t n, std::int64_t value) {
    resize(n);
    std::fill(begin(), end(), value);
  }
  Shape(const Shape& other) { assign(other.data(), other.size()); }
  Shape(Shape&& other) noexcept { move_from(other); }
  Shape& operator=(const Shape& other) {
    if (this != &other) assign(other.data(), other.size());
    return *this;
  }
  Shape& operator=(Shape&& other) noexcept {
    if (this != &other) {
      release();
      move_from(other);
    }
    return *this;
  }
  ~Shape() { release(); }

  std::size_t size() const noexcept { return size_; }
  bool empty() const noexcept { return size_ == 0; }
  std::int64_t* data() noexcept { return heap_ ? heap_ : inline_; }
  const std::int64_t* data() const noexcept { return heap_ ? heap_ : inline_; }
  std::int64_t& operator[](std::size_t i) noexcept { return data()[i]; }
  std::int64_t operator[](std::size_t i) const noexcept { return data()[i]; }
  iterator begin() noexcept { return data(); }
  iterator end() noexcept { return data() + size_; }
  const_iterator begin() const noexcept { return data(); }
  const_iterator end() const noexcept { return data() + size_; }
  std::int64_t back() const noexcept { return data()[size_ - 1]; }
  std::span<const std::int64_t> span() const noexcept { return {data(), size_}; }
  std::vector<std::int64_t> vec() const { return {begin(), end()}; }

  // Grows (new values are 0) or shrinks to n values.
  void resize(std::size_t n);
  void push_back(std::int64_t value) {
    resize(size_ + 1);
    data()[size_ - 1] = value;
  }
  void insert(std::size_t pos, std::int64_t value);
  void erase(std::size_t pos);

  // Product of the dims (1 for rank 0; 0 if any dim is 0). Saturates at INT64_MAX
  // instead of overflowing; checked_numel validates shapes against the size limit.
  std::int64_t numel() const noexcept;
  // "[2, 3]"; "[]" for rank 0.
  std::string str() const;

  friend bool operator==(const Shape& a, const Shape& b) noexcept {
    return std::equal(a.begin(), a.end(), b.begin(), b.end());
  }

 private:
  void assign(const std::int64_t* values, std::size_t n);
  void release() noexcept;
  void move_from(Shape& other) noexcept;

  std::int64_t inline_[kInline] = {};
  std::int64_t* heap_ = nullptr;
  std::size_t size_ = 0;
  std::size_t capacity_ = kInline;
};

std::ostream& operator<<(std::ostream& os, const Shape& shape);

// Strides in elements share Shape's representation.
using Strides = Shape;

// Normalizes a possibly negative axis against rank (-1 is the last axis). Throws
// ex::Error "<fn>: axis <axis> is out of range for a tensor of rank <rank>" unless
// -rank <= axis < rank (unsqueeze passes rank + 1 to allow the new last position).
std::int64_t normalize_axis(std::int64_t axis, std::int64_t rank, const char* fn);

// The size limit. A tensor, a view included, holds at most 2^62 bytes of elements
// (numel() * itemsize(); the bytes its strides can reach are bounded the same way), so
// every element and byte offset a kernel forms fits in int64 with room to spare. Every
// function that makes a tensor or a view checks it and throws ex::Error naming itself and
// the shape; a tensor within the limit that the machine cannot allocate throws as well.
inline constexpr std::int64_t kMaxTensorBytes = std::int64_t{1} << 62;

// Product of dims for elements of itemsize bytes; throws ex::Error naming fn if a dim is
// negative or the tensor would need more than kMaxTensorBytes bytes (the message gives
// the shape and the bytes). An empty shape (some dim 0) is always valid.
std::int64_t checked_numel(const Shape& shape, const char* fn, std::size_t itemsize = 1);

// Row-major (C-order) strides in elements for a shape.
Strides contiguous_strides(const Shape& shape);

// NumPy broadcasting of two shapes: aligned from the right, each pair of dims equal or
// one of them 1. Throws ex::Error "<fn>: shapes [..] and [..] cannot be broadcast".
Shape broadcast_shapes(const Shape& a, const Shape& b, const char* fn = "broadcast_shapes");

}  // namespace ex
