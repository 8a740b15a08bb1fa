#pragma once
// Public arithmetic ops: NumPy broadcasting, PyTorch 1.13 type promotion.
//
// Common rules for the binary ops below (each has Tensor-Tensor, Tensor-Scalar and
// Scalar-Tensor forms):
// - Shapes broadcast like NumPy (aligned from the right, each pair equal or 1); a
//   mismatch throws ex::Error "<op>: shapes [3, 2] and [4] cannot be broadcast".
//   Rank 0 and zero-size tensors work; inputs may have any strides (views).
// - The result dtype is ex::result_type of the operands (rank-0 tensors and Scalars
//   only count by category: `int_tensor * 2.5` is float32, `half_tensor * 2.0` stays
//   float16). Half types compute in float32 and are stored 16-bit.
// - Integer arithmetic wraps modulo 2^bits, like PyTorch.
// - The result is a new tensor, contiguous unless every operand that is not a single
//   element has one and the same dense layout other than row-major (both transposed or
//   permuted alike) and needs no dtype conversion: then the result keeps that layout, as
//   PyTorch's does (`x.t() + y.t()` and `x.t() * 2` are transposed views of new buffers).

#include <optional>

#include "extensor/core/kernels/arithmetic.hpp"

namespace ex {

// a + b elementwise. Bool + bool is bool (logical or), like PyTorch.
Tensor add(const Tensor& a, const Tensor& b);
Tensor add(const Tensor& a, const Scalar& b);
Tensor add(const Scalar& a, const Tensor& b);

// a - b elementwise. Throws ex::Error "subtract: ..." when either operand is bool
// (PyTorch: use logical_xor / logical_not), besides the common broadcast error.
Tensor subtract(const Tensor& a, const Tensor& b);
Tensor subtract(const Tensor& a, const Scalar& b);
Tensor subtract(const Scalar& a, const Tensor& b);

// a * b elementwise. Bool * bool is bool (logical and).
Tensor multiply(const Tensor& a, const Tensor& b);
Tensor multiply(const Tensor& a, const Scalar& b);
Tensor multiply(const Scalar& a, const Tensor& b);

// True division a / b. The result dtype is the promoted floating dtype; integer and
// bool operands give float32 (`int / int` -> float32). Division by zero gives inf or
// nan (IEEE), never an error.
Tensor divide(const Tensor& a, const Tensor& b);
Tensor divide(const Tensor& a, const Scalar& b);
Tensor divide(const Scalar& a, const Tensor& b);

// floor(a / b) elementwise, Python's `//`: the quotient rounds toward -inf
// (-7 // 2 == -4, 7 // -2 == -4). Result dtype: the promoted dtype (integers stay
// integers). Integer division by zero throws ex::Error "floor_divide: integer division
// by zero"; INT_MIN // -1 wraps to INT_MIN (no trap). Floating division by zero gives
// inf/nan. Bool operands (result dtype bool) throw.
Tensor floor_divide(const Tensor& a, const Tensor& b);
Tensor floor_divide(const Tensor& a, const Scalar& b);
Tensor floor_divide(const Scalar& a, const Tensor& b);

// a mod b, Python's `%`: the remainder has the sign of b (-7 % 3 == 2, 7 % -3 == -2),
// so a == floor_divide(a, b) * b + modulo(a, b). Integer modulo by zero throws
// ex::Error "modulo: integer division by zero"; floating modulo by zero is nan. Bool
// operands throw.
Tensor modulo(const Tensor& a, const Tensor& b);
Tensor modulo(const Tensor& a, const Scalar& b);
Tensor modulo(const Scalar& a, const Tensor& b);

// base ^ exponent elementwise, for any real exponent (fractional, negative, large);
// 0^0 == 1. Result dtype: the promoted dtype (`int_tensor ^ 2.5` is float32,
// `2 ^ int_tensor` is the tensor's dtype). Integer powers are exact by repeated
// squaring, wrapping modulo 2^bits, for any exponent size. An integer result with a
// negative exponent throws ex::Error "power: integers to negative integer powers are
// not allowed" (PyTorch throws for a scalar exponent; for a tensor exponent it returns
// 0/±1 instead, extensor throws there too). Bool results (bool ^ bool) throw.
Tensor power(const Tensor& base, const Tensor& exponent);
Tensor power(const Tensor& base, const Scalar& exponent);
Tensor power(const Scalar& base, const Tensor& exponent);

// -a elementwise, same dtype (unsigned integers wrap). Throws ex::Error "neg: ..." for
// a bool tensor (use logical_not).
Tensor neg(const Tensor& a);

// Operators: the same as add, subtract, multiply, divide and neg, scalars on either
// side (`2.0 * t`, `t - 1`).
Tensor operator+(const Tensor& a, const Tensor& b);
Tensor operator+(const Tensor& a, const Scalar& b);
Tensor operator+(const Scalar& a, const Tensor& b);
Tensor operator-(const Tensor& a, const Tensor& b);
Tensor operator-(const Tensor& a, const Scalar& b);
Tensor operator-(const Scalar& a, const Tensor& b);
Tensor operator*(const Tensor& a, const Tensor& b);
Tensor operator*(const Tensor& a, const Scalar& b);
Tensor operator*(const Scalar& a, const Tensor& b);
Tensor operator/(const Tensor& a, const Tensor& b);
Tensor operator/(const Tensor& a, const Scalar& b);
Tensor operator/(const Scalar& a, const Tensor& b);
Tensor operator-(const Tensor& a);

// In-place self op= other, writing through self's strides (self may be any view that
// is not expanded), and returning self. The result dtype (as for add, subtract,
// multiply, divide) must be castable to self's dtype: floating results cannot go into
// integer or bool tensors and non-bool results cannot go into bool tensors, so an int
// tensor's div_ throws "div_: result type float32 can't be cast to the desired output
// type int32". other must broadcast to self's shape without changing it; otherwise
// ex::Error names both shapes. An expanded self (stride 0 over a dim of size > 1)
// throws. Bumps self's storage version. other may overlap self (it is read first).
Tensor add_(const Tensor& self, const Tensor& other);
Tensor add_(const Tensor& self, const Scalar& other);
Tensor sub_(const Tensor& self, const Tensor& other);
Tensor sub_(const Tensor& self, const Scalar& other);
Tensor mul_(const Tensor& self, const Tensor& other);
Tensor mul_(const Tensor& self, const Scalar& other);
Tensor div_(const Tensor& self, const Tensor& other);
Tensor div_(const Tensor& self, const Scalar& other);

// Sets every element of self (any view, expanded ones included) to 0 and returns self;
// bumps the storage version. Never throws for a defined tensor.
Tensor zero_(const Tensor& self);

// Sets every element of self to value converted to self's dtype and returns self;
// bumps the storage version. Floating values truncate toward zero into integer
// dtypes; a value that does not fit an integer dtype (or nan) throws ex::Error
// "fill_: value 300 cannot be converted to int8 without overflow", like PyTorch.
Tensor fill_(const Tensor& self, const Scalar& value);

// Copies src into dst (src broadcast to dst's shape, values converted to dst's dtype
// like Tensor::to) and returns dst; bumps the storage version. Throws ex::Error
// "copy_: ..." if src does not broadcast to dst's shape or dst is an expanded view.
// src may overlap dst.
Tensor copy_(const Tensor& dst, const Tensor& src);

// Clamps self in place to [min, max] (either bound may be omitted) and returns self;
// bumps the storage version. If min > max every element becomes max; nan elements stay
// nan and a nan bound makes every element nan, like PyTorch. Integer bounds outside
// an integer dtype's range saturate. Throws ex::Error "clamp_: ..." when both bounds
// are missing, when the result dtype cannot be cast to self's (a floating bound on an
// integer tensor, an integer bound on a bool tensor), or self is an expanded view.
Tensor clamp_(const Tensor& self, const std::optional<Scalar>& min, const std::optional<Scalar>& max);

}  // namespace ex
