#pragma once
// ex::Axes: the axes a reduction runs over. One type takes every form a caller writes:
// nothing or {} (every axis), one axis (sum(x, 1)), or a list (sum(x, {0, 2}) or a
// std::vector). Axes may be negative, counting from the end; the op that receives them
// checks them against its input's rank and throws ex::Error naming itself.

#include <cstdint>
#include <initializer_list>
#include <utility>
#include <vector>

namespace ex {

class Axes {
 public:
  // Every axis.
  Axes() = default;
  // One axis.
  Axes(std::int64_t axis) : list_{axis} {}  // NOLINT: implicit, so sum(x, 1) reads naturally
  // These axes; an empty list means every axis, as in PyTorch 1.13.
  Axes(std::initializer_list<std::int64_t> axes) : list_(axes) {}
  Axes(std::vector<std::int64_t> axes) : list_(std::move(axes)) {}  // NOLINT: implicit, like the braces

  // The axes as given (empty: every axis).
  const std::vector<std::int64_t>& list() const noexcept { return list_; }
  // Whether every axis is meant.
  bool all() const noexcept { return list_.empty(); }

 private:
  std::vector<std::int64_t> list_;
};

}  // namespace ex
