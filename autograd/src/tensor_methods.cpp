// Tensor's op members: each forwards to the free op of its name, so it validates,
// computes and records exactly as that op does. Defined here rather than inline in a
// header so a program that includes only extensor/core/tensor.hpp still links.

#include "common/check.hpp"
#include "extensor/autograd/ops.hpp"

namespace ex {

// The two forms of a binary op member: a tensor or a scalar on the right.
#define EX_BINARY_METHOD(method, op)                                            \
  Tensor Tensor::method(const Tensor& other) const { return op(*this, other); } \
  Tensor Tensor::method(const Scalar& other) const { return op(*this, other); }
EX_BINARY_METHOD(add, ex::add)
EX_BINARY_METHOD(sub, ex::subtract)
EX_BINARY_METHOD(mul, ex::multiply)
EX_BINARY_METHOD(div, ex::divide)
EX_BINARY_METHOD(pow, ex::power)
EX_BINARY_METHOD(remainder, ex::modulo)
EX_BINARY_METHOD(floor_divide, ex::floor_divide)
EX_BINARY_METHOD(add_, ex::add_)
EX_BINARY_METHOD(sub_, ex::sub_)
EX_BINARY_METHOD(mul_, ex::mul_)
EX_BINARY_METHOD(div_, ex::div_)
EX_BINARY_METHOD(eq, ex::equal)
EX_BINARY_METHOD(ne, ex::not_equal)
EX_BINARY_METHOD(lt, ex::less)
EX_BINARY_METHOD(le, ex::less_equal)
EX_BINARY_METHOD(gt, ex::greater)
EX_BINARY_METHOD(ge, ex::greater_equal)
#undef EX_BINARY_METHOD

// The compound assignment `x op= y`: the in-place op, then *this (its handle is unchanged).
#define EX_COMPOUND_OPERATOR(oper, op)        \
  Tensor& Tensor::oper(const Tensor& other) { \
    op(*this, other);                         \
    return *this;                             \
  }                                           \
  Tensor& Tensor::oper(const Scalar& other) { \
    op(*this, other);                         \
    return *this;                             \
  }
EX_COMPOUND_OPERATOR(operator+=, ex::add_)
EX_COMPOUND_OPERATOR(operator-=, ex::sub_)
EX_COMPOUND_OPERATOR(operator*=, ex::mul_)
EX_COMPOUND_OPERATOR(operator/=, ex::div_)
#undef EX_COMPOUND_OPERATOR

// Members taking nothing but the tensor.
#define EX_UNARY_METHOD(method, op) \
  Tensor Tensor::method() const { return op(*this); }
EX_UNARY_METHOD(neg, ex::neg)
EX_UNARY_METHOD(zero_, ex::zero_)
EX_UNARY_METHOD(logical_not, ex::logical_not)
EX_UNARY_METHOD(exp, ex::exp)
EX_UNARY_METHOD(log, ex::log)
EX_UNARY_METHOD(log2, ex::log2)
EX_UNARY_METHOD(log10, ex::log10)
EX_UNARY_METHOD(log1p, ex::log1p)
EX_UNARY_METHOD(sqrt, ex::sqrt)
EX_UNARY_METHOD(sin, ex::sin)
EX_UNARY_METHOD(cos, ex::cos)
EX_UNARY_METHOD(tanh, ex::tanh)
EX_UNARY_METHOD(abs, ex::abs)
EX_UNARY_METHOD(sign, ex::sign)
EX_UNARY_METHOD(ceil, ex::ceil)
EX_UNARY_METHOD(floor, ex::floor)
EX_UNARY_METHOD(round, ex::round)
EX_UNARY_METHOD(trunc, ex::trunc)
EX_UNARY_METHOD(relu, ex::relu)
EX_UNARY_METHOD(sigmoid, ex::sigmoid)
EX_UNARY_METHOD(max, ex::max_reduce)
EX_UNARY_METHOD(min, ex::min_reduce)
EX_UNARY_METHOD(argmax, ex::argmax)
EX_UNARY_METHOD(argmin, ex::argmin)
#undef EX_UNARY_METHOD

Tensor Tensor::fill_(const Scalar& value) const { return ex::fill_(*this, value); }
Tensor Tensor::copy_(const Tensor& src) const { return ex::copy_(*this, src); }
Tensor Tensor::clamp_(const std::optional<Scalar>& min, const std::optional<Scalar>& max) const {
  return ex::clamp_(*this, min, max);
}

Tensor Tensor::logical_and(const Tensor& other) const { return ex::logical_and(*this, other); }
Tensor Tensor::logical_or(const Tensor& other) const { return ex::logical_or(*this, other); }
Tensor Tensor::logical_xor(const Tensor& other) const { return ex::logical_xor(*this, other); }

Tensor Tensor::clamp(const std::optional<Scalar>& min, const std::optional<Scalar>& max) const {
  return ex::clip(*this, min, max);
}
Tensor Tensor::clip(const std::optional<Scalar>& min, const std::optional<Scalar>& max) const {
  return ex::clip(*this, min, max);
}
Tensor Tensor::prelu(const Tensor& alpha) const { return ex::prelu(*this, alpha); }
Tensor Tensor::softmax(std::int64_t axis) const { return ex::softmax(*this, axis); }
Tensor Tensor::log_softmax(std::int64_t axis) const { return ex::log_softmax(*this, axis); }

Tensor Tensor::sum(const Axes& axes, bool keepdims) const { return ex::sum(*this, axes, keepdims); }
Tensor Tensor::mean(const Axes& axes, bool keepdims) const { return ex::mean(*this, axes, keepdims); }
Tensor Tensor::var(const Axes& axes, bool unbiased, bool keepdims) const {
  return ex::var(*this, axes, unbiased, keepdims);
}
Tensor Tensor::std(const Axes& axes, bool unbiased, bool keepdims) const {
  return ex::std(*this, axes, unbiased, keepdims);
}
Tensor Tensor::logsumexp(const Axes& axes, bool keepdims) const { return ex::logsumexp(*this, axes, keepdims); }
Tensor Tensor::amax(const Axes& axes, bool keepdims) const { return ex::max_reduce(*this, axes, keepdims); }
Tensor Tensor::amin(const Axes& axes, bool keepdims) const { return ex::min_reduce(*this, axes, keepdims); }
std::tuple<Tensor, Tensor> Tensor::max(std::int64_t axis, bool keepdims) const {
  return {ex::max_reduce(*this, axis, keepdims), ex::argmax(*this, axis, keepdims)};
}
std::tuple<Tensor, Tensor> Tensor::min(std::int64_t axis, bool keepdims) const {
  return {ex::min_reduce(*this, axis, keepdims), ex::argmin(*this, axis, keepdims)};
}
Tensor Tensor::argmax(std::int64_t axis, bool keepdims) const { return ex::argmax(*this, axis, keepdims); }
Tensor Tensor::argmin(std::int64_t axis, bool keepdims) const { return ex::argmin(*this, axis, keepdims); }

Tensor Tensor::matmul(const Tensor& other) const { return ex::matmul(*this, other); }
Tensor Tensor::mm(const Tensor& other) const { return ex::matmul(*this, other); }
Tensor Tensor::dot(const Tensor& other) const { return ex::dot(*this, other); }
Tensor Tensor::outer(const Tensor& other) const { return ex::outer(*this, other); }

Tensor Tensor::t() const {
  if (dim() > 2) detail::fail("t: expects a tensor of rank <= 2, got shape {} (use transpose)", shape());
  return ex::transpose(*this);
}
std::vector<Tensor> Tensor::split(const std::vector<std::int64_t>& sizes, std::int64_t axis) const {
  return ex::split(*this, sizes, axis);
}
std::vector<Tensor> Tensor::tensor_split(std::int64_t sections, std::int64_t axis) const {
  return ex::split(*this, sections, axis);
}
Tensor Tensor::view_as(const Tensor& other) const { return ex::view(*this, detail::defined("view_as", other).shape()); }
Tensor Tensor::reshape_as(const Tensor& other) const {
  return ex::reshape(*this, detail::defined("reshape_as", other).shape());
}
Tensor Tensor::expand_as(const Tensor& other) const {
  return ex::expand(*this, detail::defined("expand_as", other).shape());
}

}  // namespace ex
