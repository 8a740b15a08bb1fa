// Registry entries of the arithmetic family: each public op runs its kernel and, when
// recording, saves what its backward kernel needs (see autograd/src/record.hpp).

#include "extensor/autograd/ops/arithmetic.hpp"

#include <cmath>

#include "autograd/src/ops/forwarding.hpp"
#include "autograd/src/registry/entry.hpp"
#include "extensor/autograd/ops/math.hpp"
#include "extensor/core/creation.hpp"
#include "extensor/core/kernels/math.hpp"
#include "extensor/core/kernels/reduction.hpp"
#include "extensor/core/kernels/shape.hpp"

namespace ex {

namespace {

Tensor keep(const Tensor& t) { return t; }  // a Scalar operand's gradient of a + s, a - s, a % s
// The gradient of -a and of s - b. neg records under create_graph (its own derivative).
Tensor negated(const Tensor& g) { return GradMode::is_enabled() ? neg(g) : neg_backward(g); }

// The backward node of a + b or a - b (sign -1), also of add_ and sub_: linear, grad
// reduced to each input's shape (negated for b when subtracting).
auto add_subtract_node(const OpInfo& op, Shape as, Shape bs, double sign) {
  return [&op, as = std::move(as), bs = std::move(bs), sign](const Tensor& g, const NeedsGrad& needs) {
    return linear_backward(
        op, g,
        [&] {
          return sign > 0 ? add_backward(g, as, bs, std::nullopt, std::nullopt, needs.mask())
                          : subtract_backward(g, as, bs, std::nullopt, std::nullopt, needs.mask());
        },
        [gs = g.shape(), sign](const TensorList& up) { return signed_sum_to_shape(up, gs, 1, sign); });
  };
}
}  // namespace

Tensor add(const Tensor& a, const Tensor& b) {
  if (!should_record(a, b)) return kernels::add(a, b);
  return record(entry<"add">, {a, b}, no_grad([&] { return kernels::add(a, b); }),
                add_subtract_node(entry<"add">, a.shape(), b.shape(), 1));
}
Tensor add(const Tensor& a, const Scalar& b) {
  if (!should_record(a)) return kernels::add(a, b);
  return record(entry<"add">, {a}, no_grad([&] { return kernels::add(a, b); }), keep);
}
Tensor add(const Scalar& a, const Tensor& b) { return add(b, a); }

Tensor subtract(const Tensor& a, const Tensor& b) {
  if (!should_record(a, b)) return kernels::subtract(a, b);
  return record(entry<"subtract">, {a, b}, no_grad([&] { return kernels::subtract(a, b); }),
                add_subtract_node(entry<"subtract">, a.shape(), b.shape(), -1));
}
Tensor subtract(const Tensor& a, const Scalar& b) {
  if (!should_record(a)) return kernels::subtract(a, b);
  return record(entry<"subtract">, {a}, no_grad([&] { return kernels::subtract(a, b); }), keep);
}
Tensor subtract(const Scalar& a, const Tensor& b) {
  if (!should_record(b)) return kernels::subtract(a, b);
  return record(entry<"subtract">, {b}, no_grad([&] { return kernels::subtract(a, b); }), negated);
}

// multiply, divide, modulo and power save their tensor operands and call the backward
// kernel form that matches the forward's; under create_graph they record instead:
// multiply as a bilinear op, the others by their formulas (sum_to reduces a broadcast
// gradient to its operand's shape).
#define EX_BINARY_SAVING_OPERANDS(name, info)                                                             \
  Tensor name(const Tensor& a, const Tensor& b) {                                                         \
    if (!should_record(a, b)) return kernels::name(a, b);                                                 \
    return record(info, {a, b}, no_grad([&] { return kernels::name(a, b); }),                             \
                  [a = SavedTensor(a), b = SavedTensor(b)](const Tensor& g, const NeedsGrad& needs) {     \
                    return name##_derivative(g, a.get(), b.get(), needs.mask());                          \
                  });                                                                                     \
  }                                                                                                       \
  Tensor name(const Scalar& a, const Tensor& b) {                                                         \
    if (!should_record(b)) return kernels::name(a, b);                                                    \
    return record(info, {b}, no_grad([&] { return kernels::name(a, b); }),                                \
                  [a, b = SavedTensor(b)](const Tensor& g) { return name##_derivative(g, a, b.get()); }); \
  }

namespace {
// Whether a backward runs under create_graph with something to differentiate.
bool backward_records(const Tensor& g, const Tensor& a, const Tensor& b) {
  return GradMode::is_enabled() && should_record_optional(g, a, b);
}
Tensor masked(bool needed, Tensor t) { return needed ? std::move(t) : Tensor(); }

std::pair<Tensor, Tensor> multiply_derivative(const Tensor& g, const Tensor& a, const Tensor& b, OutputMask mask) {
  return bilinear_backward(
      entry<"multiply">, g, a, b, mask, [](const Tensor& x, const Tensor& y) { return multiply(x, y); },
      [](const Tensor& gg, const Tensor& x, const Tensor& y, OutputMask m) { return multiply_backward(gg, x, y, m); });
}
Tensor multiply_derivative(const Tensor& g, const Scalar& a, const Tensor& b) {
  return GradMode::is_enabled() ? multiply(g, a) : multiply_backward(g, a, b);
}
std::pair<Tensor, Tensor> divide_derivative(const Tensor& g, const Tensor& a, const Tensor& b, OutputMask mask) {
  if (!backward_records(g, a, b)) return divide_backward(g, a, b, mask);
  return {masked(mask[0] && is_floating(a.dtype()), sum_to(divide(g, b), a.shape())),
          masked(mask[1] && is_floating(b.dtype()), sum_to(neg(divide(multiply(g, divide(a, b)), b)), b.shape()))};
}
Tensor divide_derivative(const Tensor& g, const Scalar& a, const Tensor& b) {
  if (!backward_records(g, b, b)) return divide_backward(g, a, b);
  return neg(divide(multiply(g, divide(a, b)), b));
}
std::pair<Tensor, Tensor> modulo_derivative(const Tensor& g, const Tensor& a, const Tensor& b, OutputMask mask) {
  if (!backward_records(g, a, b)) return modulo_backward(g, a, b, mask);
  return {masked(mask[0] && is_floating(a.dtype()), sum_to(g, a.shape())),
          masked(mask[1] && is_floating(b.dtype()), sum_to(neg(multiply(g, floor_divide(a, b))), b.shape()))};
}
Tensor modulo_derivative(const Tensor& g, const Scalar& a, const Tensor& b) {
  if (!backward_records(g, b, b)) return modulo_backward(g, a, b);
  return neg(multiply(g, floor_divide(a, b)));
}
// Under create_graph the plain formulas: at base 0 they give inf/NaN where the raw
// kernel defines exact zeros.
std::pair<Tensor, Tensor> power_derivative(const Tensor& g, const Tensor& base, const Tensor& e, OutputMask mask) {
  if (!backward_records(g, base, e)) return power_backward(g, base, e, mask);
  return {
      masked(mask[0] && is_floating(base.dtype()),
             sum_to(multiply(g, multiply(e, power(base, subtract(e, 1.0)))), base.shape())),
      masked(mask[1] && is_floating(e.dtype()), sum_to(multiply(g, multiply(power(base, e), log(base))), e.shape()))};
}
Tensor power_derivative(const Tensor& g, const Scalar& base, const Tensor& e) {
  if (!backward_records(g, e, e)) return power_backward(g, base, e);
  return multiply(g, multiply(power(base, e), std::log(base.to_double())));
}
}  // namespace

EX_BINARY_SAVING_OPERANDS(multiply, entry<"multiply">)
EX_BINARY_SAVING_OPERANDS(divide, entry<"divide">)
EX_BINARY_SAVING_OPERANDS(modulo, entry<"modulo">)
EX_BINARY_SAVING_OPERANDS(power, entry<"power">)
#undef EX_BINARY_SAVING_OPERANDS

Tensor multiply(const Tensor& a, const Scalar& b) {
  if (!should_record(a)) return kernels::multiply(a, b);
  return record(entry<"multiply">, {a}, no_grad([&] { return kernels::multiply(a, b); }),
                [b](const Tensor& g) { return multiply(g, b); });
}
Tensor divide(const Tensor& a, const Scalar& b) {
  if (!should_record(a)) return kernels::divide(a, b);
  return record(entry<"divide">, {a}, no_grad([&] { return kernels::divide(a, b); }),
                [b](const Tensor& g) { return divide(g, b); });
}
Tensor modulo(const Tensor& a, const Scalar& b) {
  if (!should_record(a)) return kernels::modulo(a, b);
  return record(entry<"modulo">, {a}, no_grad([&] { return kernels::modulo(a, b); }), keep);
}
Tensor power(const Tensor& base, const Scalar& exponent) {
  if (!should_record(base)) return kernels::power(base, exponent);
  return record(entry<"power">, {base}, no_grad([&] { return kernels::power(base, exponent); }),
                [base = SavedTensor(base), exponent](const Tensor& g) {
                  const Tensor& x = base.get();
                  if (!backward_records(g, x, x)) return power_backward(g, x, exponent);
                  const double e = exponent.to_double();
                  return e == 0 ? multiply(g, 0.0) : multiply(g, multiply(power(x, e - 1), e));
                });
}
// floor_divide is piecewise constant: zero gradients (floor_divide_backward).
Tensor floor_divide(const Tensor& a, const Tensor& b) {
  if (!should_record(a, b)) return kernels::floor_divide(a, b);
  return record(entry<"floor_divide">, {a, b}, no_grad([&] { return kernels::floor_divide(a, b); }),
                [a = SavedTensor(a), b = SavedTensor(b)](const Tensor& g, const NeedsGrad& needs) {
                  return floor_divide_backward(g, a.get(), b.get(), needs.mask());
                });
}
Tensor floor_divide(const Tensor& a, const Scalar& b) {
  if (!should_record(a)) return kernels::floor_divide(a, b);
  return record(entry<"floor_divide">, {a}, no_grad([&] { return kernels::floor_divide(a, b); }),
                [s = a.shape()](const Tensor& g) { return zeros(s, g.dtype()); });
}
Tensor floor_divide(const Scalar& a, const Tensor& b) {
  if (!should_record(b)) return kernels::floor_divide(a, b);
  return record(entry<"floor_divide">, {b}, no_grad([&] { return kernels::floor_divide(a, b); }),
                [s = b.shape()](const Tensor& g) { return zeros(s, g.dtype()); });
}

Tensor neg(const Tensor& a) {
  if (!should_record(a)) return kernels::neg(a);
  return record(entry<"neg">, {a}, no_grad([&] { return kernels::neg(a); }), negated);
}

EX_FORWARD_BINARY(operator+, add)
EX_FORWARD_BINARY(operator-, subtract)
EX_FORWARD_BINARY(operator*, multiply)
EX_FORWARD_BINARY(operator/, divide)
#undef EX_FORWARD_BINARY
Tensor operator-(const Tensor& a) { return neg(a); }

// ---- in-place ops: self's history is rebased onto the new node ----

Tensor add_(const Tensor& self, const Tensor& other) {
  if (!should_record(self, other)) return kernels::add_(self, other);
  check_inplace(self, entry<"add_">);
  no_grad([&] { return kernels::add_(self, other); });
  return record_inplace(entry<"add_">, {self, other}, self,
                        add_subtract_node(entry<"add_">, self.shape(), other.shape(), 1));
}
Tensor add_(const Tensor& self, const Scalar& other) {
  if (!should_record(self)) return kernels::add_(self, other);
  check_inplace(self, entry<"add_">);
  no_grad([&] { return kernels::add_(self, other); });
  return record_inplace(entry<"add_">, {self}, self, keep);
}
Tensor sub_(const Tensor& self, const Tensor& other) {
  if (!should_record(self, other)) return kernels::sub_(self, other);
  check_inplace(self, entry<"sub_">);
  no_grad([&] { return kernels::sub_(self, other); });
  return record_inplace(entry<"sub_">, {self, other}, self,
                        add_subtract_node(entry<"sub_">, self.shape(), other.shape(), -1));
}
Tensor sub_(const Tensor& self, const Scalar& other) {
  if (!should_record(self)) return kernels::sub_(self, other);
  check_inplace(self, entry<"sub_">);
  no_grad([&] { return kernels::sub_(self, other); });
  return record_inplace(entry<"sub_">, {self}, self, keep);
}
Tensor mul_(const Tensor& self, const Tensor& other) {
  if (!should_record(self, other)) return kernels::mul_(self, other);
  check_inplace(self, entry<"mul_">);
  // d(self * other)/d other needs self as it was before the update: a recorded clone,
  // so under create_graph the derivative also reaches self's history.
  SavedTensor before = requires_grad(other) ? SavedTensor(clone(self)) : SavedTensor();
  no_grad([&] { return kernels::mul_(self, other); });
  return record_inplace(entry<"mul_">, {self, other}, self, [before, other = SavedTensor(other)](const Tensor& g) {
    const Tensor& b = other.get();
    if (GradMode::is_enabled())
      return std::pair{multiply(g, b), before.defined() ? sum_to(multiply(g, before.get()), b.shape()) : Tensor()};
    Tensor go = before.defined() ? reduce_to_shape(kernels::multiply(g, before.get()), b.shape()) : Tensor();
    return std::pair{kernels::multiply(g, b), go};
  });
}
Tensor mul_(const Tensor& self, const Scalar& other) {
  if (!should_record(self)) return kernels::mul_(self, other);
  check_inplace(self, entry<"mul_">);
  no_grad([&] { return kernels::mul_(self, other); });
  return record_inplace(entry<"mul_">, {self}, self, [other](const Tensor& g) { return multiply(g, other); });
}
Tensor div_(const Tensor& self, const Tensor& other) {
  if (!should_record(self, other)) return kernels::div_(self, other);
  check_inplace(self, entry<"div_">);
  no_grad([&] { return kernels::div_(self, other); });
  // d(a / b)/db = -grad * (a / b) / b: the result stands in for a / b.
  SavedTensor result = requires_grad(other) ? SavedTensor::output(self) : SavedTensor();
  return record_inplace(entry<"div_">, {self, other}, self, [result, other = SavedTensor(other)](const Tensor& g) {
    const Tensor& b = other.get();
    if (GradMode::is_enabled())
      return std::pair{divide(g, b),
                       result.defined() ? sum_to(neg(divide(multiply(g, result.unpack()), b)), b.shape()) : Tensor()};
    Tensor gs = kernels::divide(g, b);
    Tensor go = result.defined()
                    ? reduce_to_shape(kernels::neg(kernels::divide(kernels::multiply(g, result.get()), b)), b.shape())
                    : Tensor();
    return std::pair{gs, go};
  });
}
Tensor div_(const Tensor& self, const Scalar& other) {
  if (!should_record(self)) return kernels::div_(self, other);
  check_inplace(self, entry<"div_">);
  no_grad([&] { return kernels::div_(self, other); });
  return record_inplace(entry<"div_">, {self}, self, [other](const Tensor& g) { return divide(g, other); });
}
Tensor zero_(const Tensor& self) {
  if (!should_record(self)) return kernels::zero_(self);
  check_inplace(self, entry<"zero_">);
  no_grad([&] { return kernels::zero_(self); });
  return record_inplace(entry<"zero_">, {self}, self, [](const Tensor& g) { return zeros_like(g); });
}
Tensor fill_(const Tensor& self, const Scalar& value) {
  if (!should_record(self)) return kernels::fill_(self, value);
  check_inplace(self, entry<"fill_">);
  no_grad([&] { return kernels::fill_(self, value); });
  return record_inplace(entry<"fill_">, {self}, self, [](const Tensor& g) { return zeros_like(g); });
}
Tensor copy_(const Tensor& dst, const Tensor& src) {
  if (!should_record(dst, src)) return kernels::copy_(dst, src);
  check_inplace(dst, entry<"copy_">);
  no_grad([&] { return kernels::copy_(dst, src); });
  return record_inplace(entry<"copy_">, {dst, src}, dst, [s = src.shape()](const Tensor& g) {
    TensorList grads = linear_backward(
        entry<"copy_">, g, [&] { return broadcast_to_backward(g, s); },
        [gs = g.shape()](const TensorList& up) { return broadcast_to(up[0], gs); });
    return std::pair{zeros_like(g), std::move(grads[0])};
  });
}
Tensor clamp_(const Tensor& self, const std::optional<Scalar>& min, const std::optional<Scalar>& max) {
  if (!should_record(self)) return kernels::clamp_(self, min, max);
  check_inplace(self, entry<"clamp_">);
  SavedTensor before(no_grad([&] { return self.clone(); }));
  no_grad([&] { return kernels::clamp_(self, min, max); });
  return record_inplace(entry<"clamp_">, {self}, self, [before, min, max](const Tensor& g) {
    const auto raw = [&](const Tensor& grad, const Tensor& x) { return clip_backward(grad, x, min, max); };
    return GradMode::is_enabled() ? times_piecewise_constant(g, before.get(), raw) : raw(g, before.get());
  });
}

}  // namespace ex
