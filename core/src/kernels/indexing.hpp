#pragma once
// Private: an index list (x.index({...})) resolved against a shape, and the kernels that
// run it. The basic indices (integers, slices, None, Ellipsis) become view steps; tensor
// and bool indices become advanced indices: int64 tensors, already checked and wrapped,
// one per axis of the basic result they index. The public ops are in
// extensor/autograd/ops/indexing.hpp; the public raw backward in
// extensor/core/kernels/indexing.hpp.

#include <cstdint>
#include <vector>

#include "extensor/core/indexing.hpp"
#include "extensor/core/scalar.hpp"
#include "extensor/core/tensor.hpp"

namespace ex::kernels {

// One view step of the basic indices, applied in order.
struct ViewStep {
  enum class Kind { Select, Slice, Unsqueeze } kind;
  std::int64_t axis;                           // of the tensor the step applies to
  std::int64_t start = 0, stop = 0, step = 1;  // Select uses start only
};

struct IndexPlan {
  std::vector<ViewStep> steps;
  Shape basic_shape;  // the shape after the view steps
  // Advanced indices: axes of the basic result (ascending), and for each an int64 index
  // tensor with values in [0, size of that axis). All index tensors broadcast to
  // index_shape.
  std::vector<std::int64_t> axes;
  std::vector<Tensor> indices;
  Shape index_shape;
  Shape result_shape;  // of x.index(...)
  bool advanced() const noexcept { return !axes.empty(); }
};

// Resolves indices against a tensor of shape `shape` (PyTorch's rules, see ex::index).
// Throws ex::Error naming fn for too many indices, two Ellipsis, an integer out of
// range, a step < 1, an undefined tensor, a tensor that is neither Bool nor integer, a
// mask whose shape does not match the axes it indexes, or index tensors that do not
// broadcast.
IndexPlan plan_index(const Shape& shape, const std::vector<TensorIndex>& indices, const char* fn);

// t (of the planned shape) through the view steps, with Tensor's view members (which
// record when t requires grad and grad mode is on).
Tensor apply_view_steps(const Tensor& t, const IndexPlan& plan);

// The advanced indices of plan applied to basic (of plan.basic_shape): a new contiguous
// tensor of plan.result_shape.
Tensor gather(const Tensor& basic, const IndexPlan& plan, const char* fn);

// Writes value (of a shape that broadcasts to plan.result_shape, converted to basic's
// dtype) into basic (a view of plan.basic_shape) at the advanced positions, adding to
// what is there when accumulate; duplicate positions then sum, and otherwise the last
// one wins. Does not bump the version.
void put(const Tensor& basic, const IndexPlan& plan, const Tensor& value, bool accumulate, const char* fn);

// value with leading size-1 dims dropped until it has at most `rank` dims (PyTorch lets
// x[i] = v take a v with extra leading 1s); throws ex::Error naming fn unless the result
// broadcasts to shape.
Tensor value_for(const Tensor& value, const Shape& shape, const char* fn);

// Gradient of x.index(plan) for x of input_shape: zeros with grad added at every
// position the plan reads (duplicates summed). grad must have plan.result_shape.
Tensor index_backward(const Tensor& grad, const Shape& input_shape, const IndexPlan& plan, const char* fn);

}  // namespace ex::kernels
