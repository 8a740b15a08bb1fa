#pragma once
// PyTorch's names for ops extensor spells differently, so ported code reads as it did:
// each is the op it names, with that op's contract, dtypes, errors (which name the
// extensor op) and gradient. Where PyTorch takes `dim`, these take extensor's axis
// arguments.
//
//   PyTorch             extensor
//   cat(tensors, dim)   concatenate(tensors, axis)
//   sub, mul, div, pow  subtract, multiply, divide, power (tensor or scalar on either side)
//   remainder           modulo (the remainder has the sign of the divisor, as torch.remainder)
//   eq ne lt le gt ge   equal, not_equal, less, less_equal, greater, greater_equal
//   clamp(x, min, max)  clip(x, min, max)
//   amax, amin          max_reduce, min_reduce (over ex::Axes)

#include <concepts>
#include <optional>
#include <type_traits>
#include <vector>

#include "extensor/autograd/ops/arithmetic.hpp"
#include "extensor/autograd/ops/comparison.hpp"
#include "extensor/autograd/ops/math.hpp"
#include "extensor/autograd/ops/reduction.hpp"
#include "extensor/autograd/ops/shape.hpp"

namespace ex {

// The operands of a binary alias: a tensor on at least one side, the other side a tensor
// or anything a Scalar is made from; the op named decides what it accepts.
template <class A, class B>
concept AliasOperands = std::same_as<std::remove_cvref_t<A>, Tensor> || std::same_as<std::remove_cvref_t<B>, Tensor>;

inline Tensor cat(const std::vector<Tensor>& tensors, std::int64_t axis = 0) { return concatenate(tensors, axis); }

// alias(a, b) is op(a, b), for a tensor on either side or both.
#define EX_BINARY_ALIAS(alias, op) \
  template <class A, class B>      \
  requires AliasOperands<A, B> Tensor alias(const A& a, const B& b) { return op(a, b); }
EX_BINARY_ALIAS(sub, subtract)
EX_BINARY_ALIAS(mul, multiply)
EX_BINARY_ALIAS(div, divide)
EX_BINARY_ALIAS(pow, power)
EX_BINARY_ALIAS(remainder, modulo)
EX_BINARY_ALIAS(eq, equal)
EX_BINARY_ALIAS(ne, not_equal)
EX_BINARY_ALIAS(lt, less)
EX_BINARY_ALIAS(le, less_equal)
EX_BINARY_ALIAS(gt, greater)
EX_BINARY_ALIAS(ge, greater_equal)
#undef EX_BINARY_ALIAS

inline Tensor clamp(const Tensor& x, std::optional<Scalar> min, std::optional<Scalar> max = std::nullopt) {
  return clip(x, min, max);
}
inline Tensor amax(const Tensor& x, const Axes& axes = {}, bool keepdims = false) {
  return max_reduce(x, axes, keepdims);
}
inline Tensor amin(const Tensor& x, const Axes& axes = {}, bool keepdims = false) {
  return min_reduce(x, axes, keepdims);
}

}  // namespace ex
