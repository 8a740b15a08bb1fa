// Registry entries of the elementwise math family. exp and sqrt differentiate from
// their output, the smooth others from their input; sign, ceil, floor, round and trunc
// are piecewise constant and save nothing (their gradient is zeros, as
// sign_backward & co. return).

#include "extensor/autograd/ops/math.hpp"

#include <cmath>

#include "autograd/src/derivatives.hpp"
#include "autograd/src/record.hpp"
#include "extensor/core/creation.hpp"

namespace ex {

using autograd::differentiable;
using autograd::OpInfo;
using autograd::register_op;
using autograd::SavedTensor;
using namespace autograd::detail;

namespace {
const OpInfo& kExp = register_op("exp", "output", differentiable());
const OpInfo& kLog = register_op("log", "x", differentiable());
const OpInfo& kLog2 = register_op("log2", "x", differentiable());
const OpInfo& kLog10 = register_op("log10", "x", differentiable());
const OpInfo& kLog1p = register_op("log1p", "x", differentiable());
const OpInfo& kSqrt = register_op("sqrt", "output", differentiable());
const OpInfo& kSin = register_op("sin", "x", differentiable());
const OpInfo& kCos = register_op("cos", "x", differentiable());
const OpInfo& kAbs = register_op("abs", "x", differentiable());
const OpInfo& kSign = register_op("sign", "nothing", differentiable());
const OpInfo& kCeil = register_op("ceil", "nothing", differentiable());
const OpInfo& kFloor = register_op("floor", "nothing", differentiable());
const OpInfo& kRound = register_op("round", "nothing", differentiable());
const OpInfo& kTrunc = register_op("trunc", "nothing", differentiable());
const OpInfo& kClip = register_op("clip", "x, bounds", differentiable());

// Piecewise-constant ops: the gradient is zeros of the input's shape (grad has it).
Tensor record_piecewise_constant(const OpInfo& op, const Tensor& x, Tensor (*forward)(const Tensor&)) {
  if (!should_record(x)) return forward(x);
  return record(op, {x}, no_grad([&] { return forward(x); }), [](const Tensor& g) { return zeros_like(g); });
}
}  // namespace

Tensor exp(const Tensor& x) {
  return record_unary<Save::Output>(kExp, x, kernels::exp, exp_backward,
                                    [](const Tensor& g, const Tensor& y) { return multiply(g, y); });
}
Tensor sqrt(const Tensor& x) {
  return record_unary<Save::Output>(kSqrt, x, kernels::sqrt, sqrt_backward,
                                    [](const Tensor& g, const Tensor& y) { return divide(g, multiply(y, 2.0)); });
}
Tensor log(const Tensor& x) {
  return record_unary<Save::Input>(kLog, x, kernels::log, log_backward,
                                   [](const Tensor& g, const Tensor& t) { return divide(g, t); });
}
Tensor log2(const Tensor& x) {
  return record_unary<Save::Input>(kLog2, x, kernels::log2, log2_backward, [](const Tensor& g, const Tensor& t) {
    return divide(g, multiply(t, std::log(2.0)));
  });
}
Tensor log10(const Tensor& x) {
  return record_unary<Save::Input>(kLog10, x, kernels::log10, log10_backward, [](const Tensor& g, const Tensor& t) {
    return divide(g, multiply(t, std::log(10.0)));
  });
}
Tensor log1p(const Tensor& x) {
  return record_unary<Save::Input>(kLog1p, x, kernels::log1p, log1p_backward,
                                   [](const Tensor& g, const Tensor& t) { return divide(g, add(t, 1.0)); });
}
Tensor sin(const Tensor& x) {
  return record_unary<Save::Input>(kSin, x, kernels::sin, sin_backward,
                                   [](const Tensor& g, const Tensor& t) { return multiply(g, cos(t)); });
}
Tensor cos(const Tensor& x) {
  return record_unary<Save::Input>(kCos, x, kernels::cos, cos_backward,
                                   [](const Tensor& g, const Tensor& t) { return neg(multiply(g, sin(t))); });
}
Tensor abs(const Tensor& x) {
  return record_unary<Save::Input>(kAbs, x, kernels::abs, abs_backward, [](const Tensor& g, const Tensor& t) {
    return times_piecewise_constant(g, t, abs_backward);
  });
}

Tensor sign(const Tensor& x) { return record_piecewise_constant(kSign, x, kernels::sign); }
Tensor ceil(const Tensor& x) { return record_piecewise_constant(kCeil, x, kernels::ceil); }
Tensor floor(const Tensor& x) { return record_piecewise_constant(kFloor, x, kernels::floor); }
Tensor round(const Tensor& x) { return record_piecewise_constant(kRound, x, kernels::round); }
Tensor trunc(const Tensor& x) { return record_piecewise_constant(kTrunc, x, kernels::trunc); }

Tensor clip(const Tensor& x, std::optional<Scalar> min, std::optional<Scalar> max) {
  return record_unary<Save::Input>(
      kClip, x, [&](const Tensor& t) { return kernels::clip(t, min, max); },
      [min, max](const Tensor& g, const Tensor& t) { return clip_backward(g, t, min, max); },
      [min, max](const Tensor& g, const Tensor& t) {
        return times_piecewise_constant(
            g, t, [&](const Tensor& ones, const Tensor& u) { return clip_backward(ones, u, min, max); });
      });
}

}  // namespace ex
