#pragma once
// The index types of x.index({...}), x.index_put_({...}, v) and ex::index, spelled as in
// libtorch's torch::indexing:
//
//   using namespace ex::indexing;
//   x.index({Slice(0, 2), None, Ellipsis, 3});   // x[0:2, None, ..., 3] in Python
//   x.index({Slice(None, None, 2)});             // x[::2]
//   x.index({mask});                             // x[mask], mask a Bool tensor
//   x.index_put_({x < 0}, 0.0);                  // x[x < 0] = 0
//
// What each index does is documented with ex::index (extensor/autograd/ops/indexing.hpp).

#include <concepts>
#include <cstdint>
#include <optional>
#include <utility>

#include "extensor/core/scalar.hpp"
#include "extensor/core/tensor.hpp"

namespace ex {

namespace indexing {

// Python's start:stop:step. An absent (None) start is 0, an absent stop the axis size,
// an absent step 1; negative start and stop count from the end and are clamped to the
// axis like Python slicing. The step must be >= 1 (PyTorch has no negative steps).
struct Slice {
  Slice(std::optional<std::int64_t> start = std::nullopt, std::optional<std::int64_t> stop = std::nullopt,
        std::optional<std::int64_t> step = std::nullopt)
      : start(start), stop(stop), step(step) {}
  std::optional<std::int64_t> start, stop, step;
};

// A new axis of size 1 (Python's None), and an absent Slice bound: Slice(None, 2).
inline constexpr std::nullopt_t None = std::nullopt;

// As many full slices as the other indices leave axes (Python's ...).
struct EllipsisIndexType {};
inline constexpr EllipsisIndexType Ellipsis{};

}  // namespace indexing

// One entry of an index list: an integer, a Slice, None, Ellipsis, a bool, or a tensor
// (a Bool mask or an integer index tensor). Every form converts implicitly, so index
// lists are written in braces.
class TensorIndex {
 public:
  enum class Kind { Integer, Slice, None, Ellipsis, Boolean, Tensor };

  // Any integer type; bool is the boolean index (a new axis of size 1 for true, 0 for
  // false), not 0 or 1.
  template <std::integral I>
  TensorIndex(I value)  // NOLINT: implicit, for {0, 1}
      : kind_(std::same_as<I, bool> ? Kind::Boolean : Kind::Integer), integer_(static_cast<std::int64_t>(value)) {}
  TensorIndex(indexing::Slice slice) : kind_(Kind::Slice), slice_(slice) {}        // NOLINT: implicit
  TensorIndex(std::nullopt_t) : kind_(Kind::None) {}                               // NOLINT: implicit, for None
  TensorIndex(indexing::EllipsisIndexType) : kind_(Kind::Ellipsis) {}              // NOLINT: implicit
  TensorIndex(Tensor tensor) : kind_(Kind::Tensor), tensor_(std::move(tensor)) {}  // NOLINT: implicit

  Kind kind() const noexcept { return kind_; }
  // The integer (Kind::Integer) or the bool as 0 or 1 (Kind::Boolean).
  std::int64_t integer() const noexcept { return integer_; }
  const indexing::Slice& slice() const noexcept { return slice_; }
  const Tensor& tensor() const noexcept { return tensor_; }

 private:
  Kind kind_;
  std::int64_t integer_ = 0;
  indexing::Slice slice_;
  Tensor tensor_;
};

}  // namespace ex
