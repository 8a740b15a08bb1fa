#pragma once
// Indexing like libtorch's Tensor::index / index_put_ (Python's x[...] and x[...] = v),
// with the index types of extensor/core/indexing.hpp (ex::indexing::Slice, None,
// Ellipsis, integers, bools, tensors). Every dtype can be indexed.
//
// What each index does, in order along the axes of x:
// - an integer i picks element i of its axis and drops the axis; i in [-size, size),
//   negatives count from the end;
// - Slice(start, stop, step) keeps start, start + step, ... below stop (Python slicing:
//   absent bounds are the ends, negative bounds count from the end and are clamped);
//   step >= 1 (PyTorch has no negative steps);
// - None inserts an axis of size 1; Ellipsis stands for the full slices of every axis
//   the other indices leave (at most one Ellipsis; missing trailing indices are full
//   slices too);
// - a Bool (or, as in PyTorch, UInt8) mask tensor of k dims indexes the next k axes,
//   whose sizes it must equal, keeping the positions where it is true, in row-major order
//   (like its nonzero() coordinates used as k integer tensors);
// - an integer tensor (any integer dtype) of values in [-size, size) picks those
//   elements of its axis;
// - a 0-dim integer tensor acts as the integer it holds, a bool or 0-dim Bool tensor b
//   as None followed by the index tensor [0] (true) or [] (false), as in PyTorch.
// Integers, slices, None and Ellipsis alone are basic indexing: the result is a view
// sharing x's storage (writes through it are visible in x), recorded as slice, squeeze
// and unsqueeze, so gradients reach x. With tensor or bool indices (advanced indexing)
// the result is a new tensor: the index tensors broadcast together to a shape B, and the
// axes they index are replaced by B, in place when those axes are adjacent, at the front
// otherwise (NumPy's and PyTorch's rule: x.index({idx, Slice(), idx}) has B first).
//
// Errors (ex::Error naming the op): more indices than axes ("too many indices"), two
// Ellipsis, an integer out of range ("index: index 5 is out of range for axis 0 of size
// 3", the axis of x), step < 1, an undefined index tensor, a floating index tensor, a
// mask whose shape differs from the axes it indexes, index tensors that do not
// broadcast, and a result beyond the size limit.

#include <vector>

#include "extensor/core/indexing.hpp"
#include "extensor/core/kernels/indexing.hpp"
#include "extensor/core/scalar.hpp"
#include "extensor/core/tensor.hpp"

namespace ex {

// x indexed by indices (rules above): x.index({Slice(0, 2), None, Ellipsis, 3}). For x
// of shape [2, 3, 4]: {Slice(), None, 1} gives [2, 1, 4], {Ellipsis, Slice(None, None,
// 2)} gives [2, 3, 2], {idx} with idx of shape [5] gives [5, 3, 4], {mask} with mask of
// shape [2, 3] and n true elements gives [n, 4]. An empty list (or one Ellipsis) gives x
// itself. Differentiable for floating x: the gradient adds the output gradient at the
// positions read, summing repeated ones (index_backward).
Tensor index(const Tensor& x, const std::vector<TensorIndex>& indices);

// Writes value into x at the positions x.index(indices) reads, in place, and returns x;
// bumps x's version. value must broadcast to the shape of x.index(indices) (extra leading
// size-1 dims are allowed). With tensor or bool indices value must have x's dtype (as in
// PyTorch's index_put_), and with accumulate the values add to what is there, repeated
// positions summing; without, a repeated position gets one of its values. With basic
// indices only, value is converted to x's dtype (as x[...] = v copies). The Scalar form
// converts the number to x's dtype and throws if it does not fit ("index_put_: value
// 300 cannot be converted to int8 without overflow").
//
// Differentiable in x and value, as PyTorch: x's gradient is the output gradient with
// zeros at the written positions (unchanged with accumulate), value's is the output
// gradient at those positions summed to value's shape. Like the other in-place ops it
// throws ex::Error "index_put_: ..." while recording for a leaf that requires grad and
// for a view of a tensor that requires grad; besides the errors of ex::index, for an
// undefined value, a value that does not broadcast, a dtype mismatch, and an x with
// expanded (stride-0) axes.
Tensor index_put_(const Tensor& x, const std::vector<TensorIndex>& indices, const Tensor& value,
                  bool accumulate = false);
Tensor index_put_(const Tensor& x, const std::vector<TensorIndex>& indices, const Scalar& value);

}  // namespace ex
