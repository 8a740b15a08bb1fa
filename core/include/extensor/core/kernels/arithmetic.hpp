#pragma once
// arithmetic kernels: pure compute, no tape. The public ops in namespace ex
// (extensor/autograd/ops/arithmetic.hpp) document shapes, dtypes and errors; these
// kernels have the same contracts and error messages (which name the public op).

#include <optional>
#include <utility>

#include "extensor/core/output_mask.hpp"
#include "extensor/core/scalar.hpp"
#include "extensor/core/tensor.hpp"

namespace ex {

// The dtype of an elementwise op on tensors a and b, following PyTorch 1.13: when both
// have rank > 0, or both have rank 0, promote_types(a, b). A rank-0 tensor combined
// with a higher-rank one only counts by category (bool < integer < floating): it
// decides the result only when its category is higher, and then it contributes its
// own dtype (int32 tensor + rank-0 float64 -> float64, float32 tensor + rank-0 float64
// -> float32, int8 tensor + rank-0 int64 -> int8, bool tensor + rank-0 int32 -> int32).
// Never throws.
DType result_type(const Tensor& a, const Tensor& b);
// The same as result_type(tensor.dtype(), scalar).
DType result_type(const Tensor& tensor, const Scalar& scalar);
// PyTorch's can_cast for in-place results: false from floating to integer or bool,
// and from any non-bool dtype to bool; true otherwise.
bool can_cast(DType from, DType to) noexcept;

// Raw backward kernels of the arithmetic ops (the manual-backprop API; they never
// record on the tape). Common rules:
// - grad is the upstream gradient: it must have the forward output's shape (the
//   broadcast of the inputs' shapes) and dtype (ex::result_type of the inputs; float32
//   for divide of integers), and that dtype must be floating (float16, bfloat16,
//   float32, float64). Otherwise, for undefined tensors, and for input shapes that do
//   not broadcast, they throw ex::Error "<op>_backward: ...".
// - Every gradient has its input's shape and dtype: it is computed in grad's dtype
//   (float16/bfloat16 in float32 internally), summed over broadcast dims with
//   ex::reduce_to_shape, then converted (a float32 input promoted with a float64 one
//   gets a float32 gradient).
// - Integer and bool inputs have no gradient: their slot holds an undefined Tensor
//   (`!g.defined()`), e.g. ga for `int_tensor * float_tensor`. A forward with an
//   integer or bool result has no gradient at all and throws (grad can't be floating).
// - Exact formulas, no epsilons: a zero divisor or a zero/negative base gives IEEE
//   inf/NaN exactly as PyTorch 1.13 does.
// - Gradients are new contiguous tensors except where add, subtract and modulo say
//   otherwise.
// - output_mask (the Tensor-Tensor forms): a gradient whose flag is false is left
//   undefined and not computed.
// - Forms with a Scalar operand: for `a + s`, `a - s` and `a % s` the gradient of a is
//   grad itself; for `s + b` it is grad and for `s - b` neg_backward(grad). multiply,
//   divide, modulo and power have Scalar forms below.

// Gradients of add(a, b): ga = grad and gb = grad, each reduced to its shape. A
// gradient whose shape equals grad's (and whose dtype equals grad's) is grad itself,
// not a copy, like PyTorch (so ga and gb may both be grad). add_backward only knows
// the shapes: pass the inputs' dtypes to get gradients of those dtypes (and the check
// of grad's dtype); without them both gradients have grad's dtype.
std::pair<Tensor, Tensor> add_backward(const Tensor& grad, const Shape& a_shape, const Shape& b_shape,
                                       std::optional<DType> a_dtype = std::nullopt,
                                       std::optional<DType> b_dtype = std::nullopt,
                                       OutputMask output_mask = kBothGradients);

// Gradients of subtract(a, b): ga = grad (grad itself when no reduction or conversion
// is needed, as in add_backward) and gb = -grad reduced to b's shape (a new tensor).
// The optional dtypes work as in add_backward.
std::pair<Tensor, Tensor> subtract_backward(const Tensor& grad, const Shape& a_shape, const Shape& b_shape,
                                            std::optional<DType> a_dtype = std::nullopt,
                                            std::optional<DType> b_dtype = std::nullopt,
                                            OutputMask output_mask = kBothGradients);

// Gradients of multiply(a, b): ga = grad * b, gb = grad * a, both computed in one pass
// over the broadcast shape, then reduced. The Scalar forms return ga of `a * s` and gb
// of `s * b` (grad * s).
std::pair<Tensor, Tensor> multiply_backward(const Tensor& grad, const Tensor& a, const Tensor& b,
                                            OutputMask output_mask = kBothGradients);
Tensor multiply_backward(const Tensor& grad, const Tensor& a, const Scalar& b);
Tensor multiply_backward(const Tensor& grad, const Scalar& a, const Tensor& b);

// Gradients of divide(a, b): ga = grad / b, gb = -grad * a / b^2 (computed as PyTorch
// does, -grad * ((a / b) / b), which avoids overflowing b^2), in one pass. No epsilon:
// b == 0 gives inf/NaN (ga = ±inf, or NaN where grad is 0; gb = ∓inf, or NaN where a
// is 0). The Scalar forms return ga of `a / s` and gb of `s / b`.
std::pair<Tensor, Tensor> divide_backward(const Tensor& grad, const Tensor& a, const Tensor& b,
                                          OutputMask output_mask = kBothGradients);
Tensor divide_backward(const Tensor& grad, const Tensor& a, const Scalar& b);
Tensor divide_backward(const Tensor& grad, const Scalar& a, const Tensor& b);

// Gradients of floor_divide(a, b): zeros of each input's shape and dtype (the
// quotient is piecewise constant; PyTorch >= 2.0 defines the same, PyTorch 1.13
// throws "not implemented").
std::pair<Tensor, Tensor> floor_divide_backward(const Tensor& grad, const Tensor& a, const Tensor& b,
                                                OutputMask output_mask = kBothGradients);

// Gradients of modulo(a, b) (PyTorch's remainder): ga = grad (reduced; grad itself when
// no reduction or conversion is needed), gb = -grad * floor_divide(a, b). At b == 0,
// gb is ∓inf or NaN (floor_divide's inf/NaN), like PyTorch. The Scalar form returns gb
// of `s % b`.
std::pair<Tensor, Tensor> modulo_backward(const Tensor& grad, const Tensor& a, const Tensor& b,
                                          OutputMask output_mask = kBothGradients);
Tensor modulo_backward(const Tensor& grad, const Scalar& a, const Tensor& b);

// Gradients of power(base, exponent), in one pass, with PyTorch's conventions:
//   d/dbase = grad * (e * base^(e-1)), and exactly 0 wherever e == 0 (even at base 0);
//   d/dexp  = grad * (base^e * log(base)), and exactly 0 where base == 0 and e >= 0.
// Elsewhere the formulas give IEEE values: base 0 with e < 0 gives -inf for d/dexp
// (+inf for base -0 and odd e), base 0 with 0 < e < 1 gives inf for d/dbase, and a
// negative base gives NaN for d/dexp (log of a negative number) and NaN for d/dbase
// with a fractional e (integer e gives the finite e * base^(e-1)). The Scalar forms
// return d/dbase of `base ^ s` and d/dexp of `s ^ exponent`.
std::pair<Tensor, Tensor> power_backward(const Tensor& grad, const Tensor& base, const Tensor& exponent,
                                         OutputMask output_mask = kBothGradients);
Tensor power_backward(const Tensor& grad, const Tensor& base, const Scalar& exponent);
Tensor power_backward(const Tensor& grad, const Scalar& base, const Tensor& exponent);

// Gradient of neg(a): -grad, same shape and dtype as grad (a new tensor). grad must be
// floating; it throws ex::Error "neg_backward: ..." otherwise.
Tensor neg_backward(const Tensor& grad);

}  // namespace ex
