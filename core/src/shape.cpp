#include "extensor/core/shape.hpp"

#include <bit>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <new>
#include <ostream>

#include "common/check.hpp"

namespace ex {

void Shape::assign(const std::int64_t* values, std::size_t n) {
  resize(n);
  if (n) std::memmove(data(), values, n * sizeof(std::int64_t));
}

void Shape::release() noexcept {
  delete[] heap_;
  heap_ = nullptr;
  capacity_ = kInline;
  size_ = 0;
}

void Shape::move_from(Shape& other) noexcept {
  size_ = other.size_;
  if (other.heap_) {
    heap_ = other.heap_;
    capacity_ = other.capacity_;
    other.heap_ = nullptr;
    other.capacity_ = kInline;
  } else {
    std::memcpy(inline_, other.inline_, sizeof(inline_));
  }
  other.size_ = 0;
}

void Shape::resize(std::size_t n) {
  if (n > capacity_) {
    const std::size_t cap = std::max(n, capacity_ * 2);
    auto* grown = new std::int64_t[cap]();
    std::memcpy(grown, data(), size_ * sizeof(std::int64_t));
    delete[] heap_;
    heap_ = grown;
    capacity_ = cap;
  }
  for (std::size_t i = size_; i < n; ++i) data()[i] = 0;
  size_ = n;
}

void Shape::insert(std::size_t pos, std::int64_t value) {
  resize(size_ + 1);
  std::int64_t* d = data();
  std::memmove(d + pos + 1, d + pos, (size_ - 1 - pos) * sizeof(std::int64_t));
  d[pos] = value;
}

void Shape::erase(std::size_t pos) {
  std::int64_t* d = data();
  std::memmove(d + pos, d + pos + 1, (size_ - 1 - pos) * sizeof(std::int64_t));
  --size_;
}

std::int64_t Shape::numel() const noexcept {
  for (std::int64_t d : *this)
    if (d == 0) return 0;  // before multiplying: [2^40, 2^40, 0] is a valid empty shape
  std::int64_t n = 1;
  for (std::int64_t d : *this)
    if (__builtin_mul_overflow(n, d, &n)) return std::numeric_limits<std::int64_t>::max();
  return n;
}

std::string Shape::str() const { return fmt::format("[{}]", fmt::join(begin(), end(), ", ")); }

std::ostream& operator<<(std::ostream& os, const Shape& shape) { return os << shape.str(); }

std::int64_t normalize_axis(std::int64_t axis, std::int64_t rank, const char* fn) {
  if (axis < -rank || axis >= rank || rank == 0)
    detail::fail("{}: axis {} is out of range for a tensor of rank {}", fn, axis, rank);
  return axis < 0 ? axis + rank : axis;
}

std::int64_t checked_numel(const Shape& shape, const char* fn, std::size_t itemsize) {
  bool empty = false;
  for (std::int64_t d : shape) {
    if (d < 0) detail::fail("{}: shape {} has a negative dimension", fn, shape);
    empty = empty || d == 0;
  }
  if (empty) return 0;  // an empty tensor may have any other dims
  const auto item = static_cast<std::int64_t>(itemsize);
  // Element sizes are powers of two: a shift, not a division, on this hot path.
  const std::int64_t max_numel = kMaxTensorBytes >> std::countr_zero(itemsize);
  std::int64_t n = 1;
  for (std::int64_t d : shape) {
    // A multiply per dim, no division: every op's result comes through here.
    if (__builtin_mul_overflow(n, d, &n) || n > max_numel) {
      // The exact byte count, for the message, in floating point: it may exceed 2^64.
      double bytes = static_cast<double>(item);
      for (std::int64_t e : shape) bytes *= static_cast<double>(e);
      detail::fail("{}: shape {} of {}-byte elements needs {:.4g} bytes, above the limit of 2^62 bytes per tensor", fn,
                   shape, item, bytes);
    }
  }
  return n;
}

Strides contiguous_strides(const Shape& shape) {
  Strides strides(shape.size(), 1);
  std::int64_t acc = 1;
  for (std::size_t i = shape.size(); i-- > 0;) {
    strides[i] = acc;
    // Only an empty tensor can have dims whose product passes the size limit; its strides
    // never address memory, so they saturate where a byte stride still fits in int64.
    if (__builtin_mul_overflow(acc, std::max<std::int64_t>(shape[i], 1), &acc) || acc > kMaxTensorBytes / 8)
      acc = kMaxTensorBytes / 8;
  }
  return strides;
}

Shape broadcast_shapes(const Shape& a, const Shape& b, const char* fn) {
  const std::size_t rank = std::max(a.size(), b.size());
  Shape out(rank, 1);
  for (std::size_t i = 0; i < rank; ++i) {
    const std::int64_t da = i < rank - a.size() ? 1 : a[i - (rank - a.size())];
    const std::int64_t db = i < rank - b.size() ? 1 : b[i - (rank - b.size())];
    if (da != db && da != 1 && db != 1)
      detail::fail("{}: shapes {} and {} cannot be broadcast (dim {}: {} vs {})", fn, a, b, i, da, db);
    out[i] = da == 1 ? db : da;
  }
  return out;
}

}  // namespace ex
