// Comparison and logical kernels on the broadcasting engine
// (core/src/kernels/elementwise.hpp). Results are Bool tensors.

#include "extensor/core/comparison.hpp"

#include "core/src/kernels/elementwise.hpp"
#include "extensor/core/creation.hpp"
#include "extensor/core/kernels/arithmetic.hpp"

namespace ex {
namespace {

DType common_type(const Tensor& a, const Tensor& b) { return result_type(a, b); }
DType common_type(const Tensor& a, const Scalar& b) { return result_type(a, b); }
DType common_type(const Scalar& a, const Tensor& b) { return result_type(b, a); }

// Compares in the promoted dtype (so uint8 vs int8 compares as int16 and an integer
// tensor against 2.5 compares as float32) and returns Bool.
template <class A, class B, class F>
Tensor compare(const char* op, const A& a, const B& b, F fn) {
  detail::check_operands(op, a, b);
  return detail::binary_op(op, a, b, common_type(a, b), DType::Bool, fn);
}

struct Eq {
  template <class C>
  bool operator()(C x, C y) const {
    return x == y;
  }
};
struct Ne {
  template <class C>
  bool operator()(C x, C y) const {
    return x != y;
  }
};
struct Lt {
  template <class C>
  bool operator()(C x, C y) const {
    return x < y;
  }
};
struct Le {
  template <class C>
  bool operator()(C x, C y) const {
    return x <= y;
  }
};
struct Gt {
  template <class C>
  bool operator()(C x, C y) const {
    return x > y;
  }
};
struct Ge {
  template <class C>
  bool operator()(C x, C y) const {
    return x >= y;
  }
};
struct And {
  template <class C>
  bool operator()(C x, C y) const {
    return (x != C(0)) && (y != C(0));
  }
};
struct Or {
  template <class C>
  bool operator()(C x, C y) const {
    return (x != C(0)) || (y != C(0));
  }
};
struct Xor {
  template <class C>
  bool operator()(C x, C y) const {
    return (x != C(0)) != (y != C(0));
  }
};

// Truthiness survives promotion (no nonzero integer or half value becomes 0 in a wider
// or floating type), so logical ops test the inputs in their plainly promoted dtype.
template <class F>
Tensor logical(const char* op, const Tensor& a, const Tensor& b, F fn) {
  detail::check_operands(op, a, b);
  return detail::binary_op(op, a, b, promote_types(a.dtype(), b.dtype()), DType::Bool, fn);
}

}  // namespace

// The three forms of a comparison, and of its operator.
#define EX_COMPARE_FORMS(name, oper, fn)                                               \
  Tensor name(const Tensor& a, const Tensor& b) { return compare(#name, a, b, fn{}); } \
  Tensor name(const Tensor& a, const Scalar& b) { return compare(#name, a, b, fn{}); } \
  Tensor name(const Scalar& a, const Tensor& b) { return compare(#name, a, b, fn{}); } \
  Tensor oper(const Tensor& a, const Tensor& b) { return name(a, b); }                 \
  Tensor oper(const Tensor& a, const Scalar& b) { return name(a, b); }                 \
  Tensor oper(const Scalar& a, const Tensor& b) { return name(a, b); }
EX_COMPARE_FORMS(equal, operator==, Eq)
EX_COMPARE_FORMS(not_equal, operator!=, Ne)
EX_COMPARE_FORMS(less, operator<, Lt)
EX_COMPARE_FORMS(less_equal, operator<=, Le)
EX_COMPARE_FORMS(greater, operator>, Gt)
EX_COMPARE_FORMS(greater_equal, operator>=, Ge)
#undef EX_COMPARE_FORMS

Tensor logical_and(const Tensor& a, const Tensor& b) { return logical("logical_and", a, b, And{}); }
Tensor logical_or(const Tensor& a, const Tensor& b) { return logical("logical_or", a, b, Or{}); }
Tensor logical_xor(const Tensor& a, const Tensor& b) { return logical("logical_xor", a, b, Xor{}); }

Tensor logical_not(const Tensor& a) {
  detail::defined("logical_not", a);
  Tensor out = detail::allocate(a.shape(), DType::Bool, "logical_not");
  dispatch(a.dtype(), [&]<class T>() {
    using C = compute_t<T>;
    detail::map_unary<bool, T>(a, out, [](T x) { return static_cast<C>(x) == C(0); });
  });
  return out;
}

namespace {
const Tensor& bool_operand(const char* op, const Tensor& t) {
  if (detail::defined(op, t).dtype() != DType::Bool)
    detail::fail("{}: expects Bool tensors, got {} (bitwise ops on integer tensors are not supported)", op, t.dtype());
  return t;
}
Tensor bool_operand(const char* op, const Scalar& s) {
  if (!s.is_bool()) detail::fail("{}: expects a bool scalar beside a Bool tensor, got {}", op, s.to_double());
  return scalar_tensor(s.to_double(), DType::Bool);
}
}  // namespace

// The logical ops as operators on Bool tensors, a bool scalar on either side.
#define EX_BOOL_OPERATOR(oper, name)                                                                             \
  Tensor oper(const Tensor& a, const Tensor& b) { return name(bool_operand(#oper, a), bool_operand(#oper, b)); } \
  Tensor oper(const Tensor& a, const Scalar& b) { return name(bool_operand(#oper, a), bool_operand(#oper, b)); } \
  Tensor oper(const Scalar& a, const Tensor& b) { return name(bool_operand(#oper, a), bool_operand(#oper, b)); }
EX_BOOL_OPERATOR(operator&, logical_and)
EX_BOOL_OPERATOR(operator|, logical_or)
EX_BOOL_OPERATOR(operator^, logical_xor)
#undef EX_BOOL_OPERATOR
Tensor operator~(const Tensor& a) { return logical_not(bool_operand("operator~", a)); }

}  // namespace ex
