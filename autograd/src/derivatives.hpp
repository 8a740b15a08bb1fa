#pragma once
// Private: backward functions that record under create_graph, so gradients can be
// differentiated again. A backward runs with grad mode on only when the engine was asked
// for create_graph; otherwise each of these calls the raw kernel and nothing more.
//
// Three shapes of derivative cover most ops:
// - linear ops (reshape, transpose, sum, add, ...): the backward B is linear in grad,
//   and the derivative of B is the forward op itself (the adjoint of an adjoint), so
//   the raw kernel's result is recorded as a node whose backward calls the recording
//   forward;
// - bilinear ops F(a, b) (multiply, matmul, dot, outer): the derivatives of
//   {ga, gb} = B(g, a, b) are F and B again, through the recording ops;
// - elementwise ops: a formula written in recording ops (g * exp(x), g * (y > 0), ...).

#include <utility>

#include "autograd/src/record.hpp"
#include "extensor/autograd/ops/arithmetic.hpp"
#include "extensor/autograd/ops/reduction.hpp"
#include "extensor/autograd/ops/shape.hpp"
#include "extensor/core/creation.hpp"

namespace ex::autograd::detail {

// The backward of a linear op: backward() is the raw kernel (a Tensor, pair or list of
// input gradients); adjoint(upstream) maps the gradients of those outputs (a TensorList,
// undefined where none arrived) to the gradient of grad, by the recording forward op.
template <class Backward, class Adjoint>
TensorList linear_backward(const OpInfo& op, const Tensor& grad, Backward&& backward, Adjoint adjoint) {
  TensorList out = to_list(no_grad(std::forward<Backward>(backward)));
  if (!should_record(grad)) return out;
  return record_many(backward_op_of(op), InputList{grad}, std::move(out),
                     [adjoint = std::move(adjoint)](const TensorList& upstream) { return adjoint(upstream); });
}

// t summed over the dims along which shape was broadcast to t's shape, as a recording op.
Tensor sum_to(const Tensor& t, const Shape& shape);

// sign[0] * upstream[0] + sign[1] * upstream[1] broadcast to shape, skipping undefined
// ones (the adjoint of add's and subtract's backward, which hand grad to both inputs,
// each reduced to its shape).
Tensor signed_sum_to_shape(const TensorList& upstream, const Shape& shape, double sign0, double sign1);

// The backward of a bilinear op F: backward(g, a, b, mask) is the raw kernel returning
// {ga, gb}; forward(a, b) the recording F. Under create_graph, with upstream gradients
// (ua, ub) of (ga, gb): d/dg = F(ua, b) + F(a, ub), d/da = B(g, a, ub).first and
// d/db = B(g, ua, b).second, each recorded again, so every order works.
template <class Forward, class Backward>
std::pair<Tensor, Tensor> bilinear_backward(const OpInfo& op, const Tensor& g, const Tensor& a, const Tensor& b,
                                            OutputMask mask, Forward forward, Backward backward) {
  auto [ga, gb] = no_grad([&] { return backward(g, a, b, mask); });
  if (!should_record(g, a, b)) return {std::move(ga), std::move(gb)};
  TensorList outputs{std::move(ga), std::move(gb)};
  TensorList recorded = record_many(
      backward_op_of(op), InputList{g, a, b}, std::move(outputs),
      [&op, forward, backward, g = SavedTensor(g), a = SavedTensor(a), b = SavedTensor(b)](const TensorList& up) {
        const Tensor &ua = up[0], &ub = up[1];
        Tensor dg, da, db;
        if (ua.defined()) dg = forward(ua, b.get());
        if (ub.defined()) {
          Tensor term = forward(a.get(), ub);
          dg = dg.defined() ? add(dg, term) : term;
          da = bilinear_backward(op, g.get(), a.get(), ub, {true, false}, forward, backward).first;
        }
        if (ua.defined()) db = bilinear_backward(op, g.get(), ua, b.get(), {false, true}, forward, backward).second;
        return TensorList{std::move(dg), std::move(da), std::move(db)};
      });
  return {std::move(recorded[0]), std::move(recorded[1])};
}

// A backward lambda for an op of one tensor whose raw kernel is backward(g, saved) and
// whose derivative in recording ops is formula(g, saved), saved being the input or the
// output (see Save). The formula runs only under create_graph.
template <class Backward, class Formula>
auto unary_backward(SavedTensor saved, Backward backward, Formula formula) {
  return [saved = std::move(saved), backward = std::move(backward), formula = std::move(formula)](const Tensor& g) {
    if (GradMode::is_enabled()) {
      const Tensor s = saved.unpack();
      if (should_record(g, s)) return Tensor(formula(g, s));
    }
    return Tensor(backward(g, saved.get()));
  };
}

// An op of one tensor: forward(x) runs the kernel; the node keeps x or the output (Save)
// and runs backward(g, saved), the raw kernel, or under create_graph formula(g, saved),
// the same derivative in recording ops.
template <Save what, class Forward, class Backward, class Formula>
Tensor record_unary(const OpInfo& op, const Tensor& x, Forward&& forward, Backward backward, Formula formula) {
  if (!should_record(x)) return forward(x);
  Tensor y = no_grad([&] { return forward(x); });
  SavedTensor saved = what == Save::Input ? SavedTensor(x) : SavedTensor::output(y);
  return record(op, {x}, std::move(y), unary_backward(std::move(saved), std::move(backward), std::move(formula)));
}

// An elementwise derivative that is constant where it exists (relu's y > 0, abs's sign,
// clip's inside-the-bounds): grad times that factor, which the raw kernel computes from
// a gradient of ones and which is recorded as a constant.
template <class Backward>
Tensor times_piecewise_constant(const Tensor& g, const Tensor& saved, Backward backward) {
  const Tensor factor = no_grad([&] { return backward(ones_like(g), saved.detach()); });
  return multiply(g, factor);
}

}  // namespace ex::autograd::detail
