#pragma once
// ex::nn::ExpandingArray<D>: a size option given as one integer or D of them, like
// libtorch's torch::ExpandingArray (Conv2dOptions(1, 4, 3), Conv2dOptions(1, 4, {3, 5})).

#include <array>
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <string>

namespace ex::nn {

// D int64 values. Constructible (implicitly) from one value, repeated D times, from a
// braced list of exactly D values or from a std::array; remembers whether it was given one
// value, so it prints as PyTorch prints what it was given: "2" or "(2, 3)". Throws
// ex::Error "ExpandingArray: expected 2 values, got 3" for a braced list of another
// length. Values are not validated here: the modules that take them do.
template <std::size_t D>
class ExpandingArray {
 public:
  ExpandingArray(std::int64_t value) : scalar_(true) { values_.fill(value); }     // NOLINT(google-explicit-constructor)
  ExpandingArray(std::initializer_list<std::int64_t> values);                     // NOLINT(google-explicit-constructor)
  ExpandingArray(const std::array<std::int64_t, D>& values) : values_(values) {}  // NOLINT(google-explicit-constructor)

  const std::array<std::int64_t, D>& value() const noexcept { return values_; }
  const std::array<std::int64_t, D>& operator*() const noexcept { return values_; }
  operator const std::array<std::int64_t, D>&() const noexcept {
    return values_;
  }  // NOLINT(google-explicit-constructor)
  std::int64_t operator[](std::size_t i) const noexcept { return values_[i]; }
  // Whether it was constructed from a single value.
  bool is_scalar() const noexcept { return scalar_; }
  // "2" when constructed from one value, else the tuple "(2, 3)" (as_tuple: always the tuple).
  std::string repr(bool as_tuple = false) const;

  friend bool operator==(const ExpandingArray& a, const ExpandingArray& b) noexcept { return a.values_ == b.values_; }

 private:
  std::array<std::int64_t, D> values_{};
  bool scalar_ = false;
};

extern template class ExpandingArray<2>;
extern template class ExpandingArray<4>;

}  // namespace ex::nn
