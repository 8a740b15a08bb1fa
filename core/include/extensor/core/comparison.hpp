#pragma once
// Public comparison and logical ops. They have no gradients, so they live in core and
// never record (extensor/autograd/ops/comparison.hpp includes this header). All broadcast like NumPy (a mismatch throws
// ex::Error "<op>: shapes [..] and [..] cannot be broadcast"), accept any strides, rank
// 0 and zero-size tensors, and return a new Bool tensor of the broadcast shape: contiguous,
// or in the operands' layout when they share one dense non-row-major layout (see
// arithmetic.hpp).

#include "extensor/core/scalar.hpp"
#include "extensor/core/tensor.hpp"

namespace ex {

// Elementwise comparisons. Operands of different dtypes compare in their promoted
// dtype (ex::result_type: uint8 vs int8 as int16, an int tensor vs 2.5 as float32); nan
// compares unequal to everything. Note: `equal` is elementwise like NumPy's
// np.equal (torch.eq), not torch.equal's single bool.
Tensor equal(const Tensor& a, const Tensor& b);
Tensor equal(const Tensor& a, const Scalar& b);
Tensor equal(const Scalar& a, const Tensor& b);
Tensor not_equal(const Tensor& a, const Tensor& b);
Tensor not_equal(const Tensor& a, const Scalar& b);
Tensor not_equal(const Scalar& a, const Tensor& b);
Tensor less(const Tensor& a, const Tensor& b);
Tensor less(const Tensor& a, const Scalar& b);
Tensor less(const Scalar& a, const Tensor& b);
Tensor less_equal(const Tensor& a, const Tensor& b);
Tensor less_equal(const Tensor& a, const Scalar& b);
Tensor less_equal(const Scalar& a, const Tensor& b);
Tensor greater(const Tensor& a, const Tensor& b);
Tensor greater(const Tensor& a, const Scalar& b);
Tensor greater(const Scalar& a, const Tensor& b);
Tensor greater_equal(const Tensor& a, const Tensor& b);
Tensor greater_equal(const Tensor& a, const Scalar& b);
Tensor greater_equal(const Scalar& a, const Tensor& b);

// Operators returning Bool tensors like PyTorch: == != < <= > >= call the functions
// above (`t > 0` is greater(t, 0)).
Tensor operator==(const Tensor& a, const Tensor& b);
Tensor operator==(const Tensor& a, const Scalar& b);
Tensor operator==(const Scalar& a, const Tensor& b);
Tensor operator!=(const Tensor& a, const Tensor& b);
Tensor operator!=(const Tensor& a, const Scalar& b);
Tensor operator!=(const Scalar& a, const Tensor& b);
Tensor operator<(const Tensor& a, const Tensor& b);
Tensor operator<(const Tensor& a, const Scalar& b);
Tensor operator<(const Scalar& a, const Tensor& b);
Tensor operator<=(const Tensor& a, const Tensor& b);
Tensor operator<=(const Tensor& a, const Scalar& b);
Tensor operator<=(const Scalar& a, const Tensor& b);
Tensor operator>(const Tensor& a, const Tensor& b);
Tensor operator>(const Tensor& a, const Scalar& b);
Tensor operator>(const Scalar& a, const Tensor& b);
Tensor operator>=(const Tensor& a, const Tensor& b);
Tensor operator>=(const Tensor& a, const Scalar& b);
Tensor operator>=(const Scalar& a, const Tensor& b);

// Elementwise logical ops on tensors of any dtypes (which may differ): an element is
// true when nonzero (nan is true). Bool result.
Tensor logical_and(const Tensor& a, const Tensor& b);
Tensor logical_or(const Tensor& a, const Tensor& b);
Tensor logical_xor(const Tensor& a, const Tensor& b);
// True where a is zero; any dtype, Bool result of a's shape.
Tensor logical_not(const Tensor& a);
// The logical ops as operators on Bool tensors (mask & other_mask, ~mask), with a bool on
// either side. Other dtypes throw ex::Error "operator&: expects Bool tensors, got int64"
// (PyTorch's bitwise ops on integers are not supported), as does a non-bool scalar.
Tensor operator&(const Tensor& a, const Tensor& b);
Tensor operator&(const Tensor& a, const Scalar& b);
Tensor operator&(const Scalar& a, const Tensor& b);
Tensor operator|(const Tensor& a, const Tensor& b);
Tensor operator|(const Tensor& a, const Scalar& b);
Tensor operator|(const Scalar& a, const Tensor& b);
Tensor operator^(const Tensor& a, const Tensor& b);
Tensor operator^(const Tensor& a, const Scalar& b);
Tensor operator^(const Scalar& a, const Tensor& b);
Tensor operator~(const Tensor& a);

}  // namespace ex
