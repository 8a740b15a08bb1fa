#pragma once
// Public shape ops: views that share storage with their input (reshape of viewable
// data, flatten, squeeze, unsqueeze, transpose, permute, slice, broadcast_to, split)
// and copies (concatenate, stack). Every function accepts any of the 13 dtypes, keeps
// the input dtype (concatenate/stack promote), works on rank-0 and zero-size tensors
// where the axis arguments allow, and throws ex::Error whose message starts with the
// op's name.

#include <cstdint>
#include <vector>

#include "extensor/core/kernels/shape.hpp"

namespace ex {

// The same elements in a new shape with the same numel; one dim may be -1 (inferred).
// A view when the strides allow it (always for contiguous input), otherwise a
// contiguous copy. Throws "reshape: ..." for a negative dim other than one -1, two
// -1s, or a numel mismatch.
Tensor reshape(const Tensor& t, const Shape& shape);

// Merges axes start_axis..end_axis (inclusive, negatives count from the end) into one,
// like torch.flatten: a view when possible, a copy otherwise. A rank-0 tensor becomes
// shape [1]. Throws "flatten: ..." for an axis out of range or start after end.
Tensor flatten(const Tensor& t, std::int64_t start_axis = 0, std::int64_t end_axis = -1);

// View without every axis of size 1.
Tensor squeeze(const Tensor& t);
// View without `axis` if its size is 1; an unchanged view otherwise (like torch).
// Rank 0 accepts axis 0 or -1. Throws "squeeze: ..." for an axis out of range.
Tensor squeeze(const Tensor& t, std::int64_t axis);

// View with a new axis of size 1 at position axis, in [-dim()-1, dim()]. Throws
// "unsqueeze: ..." outside that range.
Tensor unsqueeze(const Tensor& t, std::int64_t axis);

// View with axes axis0 and axis1 swapped (negatives allowed; rank 0 accepts 0 and -1).
// Throws "transpose: ..." for an axis out of range.
Tensor transpose(const Tensor& t, std::int64_t axis0, std::int64_t axis1);
// View with all axes reversed (NumPy's transpose without axes, torch's t.permute of
// reversed dims); rank 0 and 1 give an unchanged view. Never throws for a defined t.
Tensor transpose(const Tensor& t);

// View whose axis i is input axis dims[i]. dims must be a permutation of
// 0..dim()-1 (negatives allowed). Throws "permute: ..." for a wrong count, an axis
// out of range, or a repeated axis.
Tensor permute(const Tensor& t, const std::vector<std::int64_t>& dims);

// View of elements start, start+step, ... below stop along axis. start and stop are
// clamped to [0, size] after adding size to negatives, like Python slicing; an empty
// range gives a zero-size axis. Throws "slice: ..." for an axis out of range or
// step < 1.
Tensor slice(const Tensor& t, std::int64_t axis, std::int64_t start, std::int64_t stop, std::int64_t step = 1);

// View broadcast to shape by NumPy rules (new leading axes and size-1 axes get stride
// 0; -1 keeps an existing size). Throws "broadcast_to: ..." when the shapes do not
// broadcast or shape has fewer dims than t. The result aliases memory: do not write
// through it.
Tensor broadcast_to(const Tensor& t, const Shape& shape);

// The same as the Tensor members t.view(shape) (a view or ex::Error "view: ..."),
// t.expand(shape) (broadcast_to under the name "expand"), t.clone() (a contiguous copy)
// and t.to(dtype) (a converted copy; t itself when the dtype matches). The members
// record through these, so gradients flow through them: to view's base, summed over
// expanded axes, converted back to t's dtype.
Tensor view(const Tensor& t, const Shape& shape);
Tensor expand(const Tensor& t, const Shape& shape);
Tensor clone(const Tensor& t);
Tensor to(const Tensor& t, DType dtype);

// Views of consecutive pieces of `axis` with the given sizes, like torch.split(t,
// [sizes]). Sizes must be non-negative and sum to the axis size. Throws "split: ..."
// otherwise or for an axis out of range (rank 0 has none).
// Note: split(t, {n}) with one braced value picks the int64_t overload below; pass a
// std::vector for a single-piece list.
std::vector<Tensor> split(const Tensor& t, const std::vector<std::int64_t>& sizes, std::int64_t axis = 0);
// Views of `sections` consecutive pieces of `axis` (a COUNT of parts), with NumPy's
// np.array_split / torch.tensor_split(t, sections) meaning: an axis of size n gives
// n % sections pieces of size n / sections + 1 followed by pieces of size
// n / sections (some empty when sections > n). This is NOT torch.split(t, split_size),
// whose integer is the size of each piece. Throws "split: ..." for sections < 1 or an
// axis out of range.
std::vector<Tensor> split(const Tensor& t, std::int64_t sections, std::int64_t axis = 0);

// Joins tensors along an existing axis into a new contiguous tensor, like torch.cat.
// The result dtype is ex::promote_types over all inputs. Shapes must have the same
// rank and match except on axis. Like PyTorch 1.13, 1-D tensors of shape [0] are
// skipped for the shape check (so cat([zeros({0}), x]) is x's values) but still take
// part in dtype promotion; if every input is such a tensor the result has shape [0].
// Throws "concatenate: ..." for an empty list, an undefined or rank-0 input, an axis
// out of range, or mismatched shapes (naming both shapes and the axis).
Tensor concatenate(const std::vector<Tensor>& tensors, std::int64_t axis = 0);

// Joins same-shaped tensors along a new axis at position axis in [-dim()-1, dim()],
// like torch.stack; dtypes promote as in concatenate. Rank-0 inputs give shape [n].
// Throws "stack: ..." for an empty list, differing shapes, or an axis out of range.
Tensor stack(const std::vector<Tensor>& tensors, std::int64_t axis = 0);

}  // namespace ex
