#pragma once
// Private: how every pointwise definition (core/src/kernels/pointwise_ops.hpp) records.
// The public op is one line: record_pointwise<Op>(x, formula), where formula(g, v) is
// the derivative in recording ops (v as Op::saves says), used under create_graph.
// Piecewise-constant derivatives (relu, abs) and ops that save nothing (sign, floor)
// need no formula: their second derivative follows from the definition.

#include <type_traits>
#include <utility>

#include "autograd/src/registry/entry.hpp"
#include "core/src/kernels/pointwise.hpp"
#include "extensor/core/creation.hpp"

namespace ex::autograd::detail {

// The registry entry of a definition, by its name (the two gelu forms share one). A
// function, not a variable: a reference variable bound to entry<...> at static
// initialization could be bound before that entry exists (their order is unspecified).
template <class Op>
const OpInfo& pointwise_entry() {
  return entry<Op::name>;
}

// Marks a call that leaves the recorded derivative to the definition.
struct FromDefinition {};

// Op(x) with the scalar parameter param, recorded when x requires grad.
template <class Op, class Formula = FromDefinition>
Tensor record_pointwise_with(const Tensor& x, double param, Formula formula = {}) {
  using Kernel = pointwise::Pointwise<Op>;
  const OpInfo& op = pointwise_entry<Op>();
  const auto forward = [param](const Tensor& t) { return Kernel::forward(t, param); };
  if constexpr (Op::saves == pointwise::Saves::Nothing) {
    if (!should_record(x)) return forward(x);
    return record(op, {x}, no_grad([&] { return forward(x); }), [](const Tensor& g) { return zeros_like(g); });
  } else {
    constexpr Save what = Op::saves == pointwise::Saves::Input ? Save::Input : Save::Output;
    const auto backward = [param](const Tensor& g, const Tensor& v) { return Kernel::backward(g, v, param); };
    if constexpr (std::is_same_v<Formula, FromDefinition>) {
      static_assert(Op::kPiecewiseConstant, "a smooth pointwise op needs its derivative in recording ops");
      return record_unary<what>(op, x, forward, backward, [backward](const Tensor& g, const Tensor& v) {
        return times_piecewise_constant(g, v, backward);
      });
    } else {
      return record_unary<what>(op, x, forward, backward, std::move(formula));
    }
  }
}

template <class Op, class Formula = FromDefinition>
Tensor record_pointwise(const Tensor& x, Formula formula = {}) {
  return record_pointwise_with<Op>(x, 0.0, std::move(formula));
}

}  // namespace ex::autograd::detail
