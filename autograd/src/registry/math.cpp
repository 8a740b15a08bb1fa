// Registry entries of the elementwise math family. exp and sqrt differentiate from
// their output, the smooth others from their input; sign, ceil, floor, round and trunc
// are piecewise constant and save nothing (their gradient is zeros, as
// sign_backward & co. return).

#include "extensor/autograd/ops/math.hpp"

#include <cmath>

#include "autograd/src/registry/pointwise.hpp"
#include "extensor/core/creation.hpp"

namespace ex {

using namespace pointwise;

Tensor exp(const Tensor& x) {
  return record_pointwise<Exp>(x, [](const Tensor& g, const Tensor& y) { return multiply(g, y); });
}
Tensor sqrt(const Tensor& x) {
  return record_pointwise<Sqrt>(x, [](const Tensor& g, const Tensor& y) { return divide(g, multiply(y, 2.0)); });
}
Tensor log(const Tensor& x) {
  return record_pointwise<Log>(x, [](const Tensor& g, const Tensor& t) { return divide(g, t); });
}
Tensor log2(const Tensor& x) {
  return record_pointwise<Log2>(x,
                                [](const Tensor& g, const Tensor& t) { return divide(g, multiply(t, std::log(2.0))); });
}
Tensor log10(const Tensor& x) {
  return record_pointwise<Log10>(
      x, [](const Tensor& g, const Tensor& t) { return divide(g, multiply(t, std::log(10.0))); });
}
Tensor log1p(const Tensor& x) {
  return record_pointwise<Log1p>(x, [](const Tensor& g, const Tensor& t) { return divide(g, add(t, 1.0)); });
}
Tensor sin(const Tensor& x) {
  return record_pointwise<Sin>(x, [](const Tensor& g, const Tensor& t) { return multiply(g, cos(t)); });
}
Tensor cos(const Tensor& x) {
  return record_pointwise<Cos>(x, [](const Tensor& g, const Tensor& t) { return neg(multiply(g, sin(t))); });
}
Tensor abs(const Tensor& x) { return record_pointwise<Abs>(x); }
Tensor sign(const Tensor& x) { return record_pointwise<Sign>(x); }
Tensor ceil(const Tensor& x) { return record_pointwise<Ceil>(x); }
Tensor floor(const Tensor& x) { return record_pointwise<Floor>(x); }
Tensor round(const Tensor& x) { return record_pointwise<Round>(x); }
Tensor trunc(const Tensor& x) { return record_pointwise<Trunc>(x); }

Tensor clip(const Tensor& x, std::optional<Scalar> min, std::optional<Scalar> max) {
  return record_unary<Save::Input>(
      entry<"clip">, x, [&](const Tensor& t) { return kernels::clip(t, min, max); },
      [min, max](const Tensor& g, const Tensor& t) { return clip_backward(g, t, min, max); },
      [min, max](const Tensor& g, const Tensor& t) {
        return times_piecewise_constant(
            g, t, [&](const Tensor& ones, const Tensor& u) { return clip_backward(ones, u, min, max); });
      });
}

}  // namespace ex
