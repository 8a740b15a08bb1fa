#pragma once
// ex::Tensor: a cheap handle to shared storage viewed through shape, strides, offset
// and dtype.

#include <cstdint>
#include <cstring>
#include <functional>
#include <iosfwd>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include "extensor/core/axes.hpp"
#include "extensor/core/dtype.hpp"
#include "extensor/core/error.hpp"
#include "extensor/core/scalar.hpp"
#include "extensor/core/shape.hpp"
#include "extensor/core/storage.hpp"

namespace ex {

class Scalar;
class TensorIndex;  // extensor/core/indexing.hpp, included at the end of this file

namespace autograd {
struct AutogradMeta;  // defined by the autograd layer; core only carries the pointer
class Node;
}  // namespace autograd

// What a Tensor handle points at. Views are distinct TensorImpls over one Storage.
struct TensorImpl {
  std::shared_ptr<Storage> storage;
  Shape shape;
  Strides strides;          // in elements; 0 for broadcast (expanded) dims
  std::int64_t offset = 0;  // in elements, from storage->data()
  DType dtype = kDefaultFloat;
  std::shared_ptr<autograd::AutogradMeta> autograd_meta;  // null until autograd needs it
};

namespace detail {
[[noreturn]] void throw_dtype_mismatch(const char* fn, DType have, DType want);
// Throws "Tensor::<member>: the tensor is undefined (default-constructed)".
[[noreturn]] void throw_undefined(const char* member);
}  // namespace detail

// A tensor. Copying a Tensor copies the handle, not the data (like torch::Tensor);
// clone() copies data. Views (reshape of contiguous data, view, transpose, permute,
// squeeze, unsqueeze, slice, expand/broadcast_to, flatten) share storage with their
// base: writing through one is visible through the other. A default-constructed
// Tensor is undefined; using it throws ex::Error.
class Tensor {
 public:
  Tensor() = default;
  explicit Tensor(std::shared_ptr<TensorImpl> impl) noexcept : impl_(std::move(impl)) {}

  bool defined() const noexcept { return impl_ != nullptr; }
  const Shape& shape() const { return impl().shape; }
  const Strides& strides() const { return impl().strides; }
  std::int64_t dim() const { return static_cast<std::int64_t>(impl().shape.size()); }
  // Size of one axis; negative axes count from the end. Throws ex::Error for a bad axis.
  std::int64_t size(std::int64_t axis) const;
  // Stride (in elements) of one axis; negative axes count from the end.
  std::int64_t stride(std::int64_t axis) const;
  std::int64_t numel() const { return impl().shape.numel(); }
  DType dtype() const { return impl().dtype; }
  std::size_t itemsize() const { return ex::itemsize(impl().dtype); }
  std::size_t nbytes() const { return static_cast<std::size_t>(numel()) * itemsize(); }
  std::int64_t storage_offset() const { return impl().offset; }
  const std::shared_ptr<Storage>& storage() const { return impl().storage; }
  // True when elements are laid out in row-major order without gaps (dims of size 1
  // may have any stride). Empty tensors are contiguous.
  bool is_contiguous() const;
  // True when both handles view the same TensorImpl.
  bool is_same(const Tensor& other) const noexcept { return impl_ == other.impl_; }
  TensorImpl* unsafe_impl() const noexcept { return impl_.get(); }
  const std::shared_ptr<TensorImpl>& impl_ptr() const noexcept { return impl_; }

  // Address of the first element, whatever the dtype.
  void* raw_data() const {
    const TensorImpl& t = impl();
    return static_cast<char*>(t.storage->data()) + t.offset * static_cast<std::int64_t>(ex::itemsize(t.dtype));
  }
  // Typed address of the first element. Throws ex::Error if T is not the dtype
  // ("data: tensor has dtype float32, requested int64"). Strides still apply.
  template <Element T>
  T* data() const {
    if (dtype_of<T> != dtype()) detail::throw_dtype_mismatch("data", dtype(), dtype_of<T>);
    return static_cast<T*>(raw_data());
  }
  // The single value of a one-element tensor (any rank), converted to T like a
  // static_cast. Throws ex::Error if numel() != 1.
  template <Element T>
  T item() const;
  // All values in row-major order, converted to T, whatever the strides.
  template <Element T>
  std::vector<T> to_vector() const;

  // ---- views: share storage, never copy ----
  // Same data, new shape with the same numel; one dim may be -1 (inferred). Throws
  // ex::Error if the sizes disagree or the strides cannot express the new shape
  // without a copy ("view: ... use reshape").
  Tensor view(const Shape& shape) const;
  // Like view, but copies (contiguous) when a view is impossible.
  Tensor reshape(const Shape& shape) const;
  // Swaps two axes (negative axes allowed).
  Tensor transpose(std::int64_t axis0, std::int64_t axis1) const;
  // Reorders axes: result axis i is input axis dims[i]. dims must be a permutation of
  // 0..dim()-1 (negatives allowed); throws ex::Error otherwise.
  Tensor permute(const std::vector<std::int64_t>& dims) const;
  // Drops every axis of size 1 / the given axis if its size is 1 (else unchanged).
  Tensor squeeze() const;
  Tensor squeeze(std::int64_t axis) const;
  // Inserts an axis of size 1 at position axis in [-dim()-1, dim()].
  Tensor unsqueeze(std::int64_t axis) const;
  // Elements start, start+step, ... below stop along axis. start and stop are clamped
  // to [0, size] after adding size to negatives, like Python slicing; step must be >= 1.
  Tensor slice(std::int64_t axis, std::int64_t start, std::int64_t stop, std::int64_t step = 1) const;
  // Broadcasts to shape (NumPy rules: new leading axes, size-1 axes stretched with
  // stride 0). -1 keeps a size. Throws ex::Error "expand: ..." if not broadcastable.
  Tensor expand(const Shape& shape) const;
  Tensor broadcast_to(const Shape& shape) const;
  // Merges axes start..end (inclusive, negatives allowed) into one: a view when the
  // strides allow it, a copy otherwise (like reshape).
  Tensor flatten(std::int64_t start_axis = 0, std::int64_t end_axis = -1) const;

  // ---- copies ----
  // This tensor if already contiguous, otherwise a contiguous copy.
  Tensor contiguous() const;
  // A contiguous copy with its own storage.
  Tensor clone() const;
  // A contiguous copy converted to dtype by the element conversion rule of dtype.hpp
  // (integers wrap, floating to integer truncates and saturates with NaN giving 0, -> bool
  // is "!= 0"); never throws for a value. Returns *this when dtype already matches.
  Tensor to(DType dtype) const;

  // ---- the public ops as members, like libtorch's (defined by the autograd layer) ----
  // Each is the free function of the same name (or of the name in parentheses) with this
  // tensor as first argument: same contract, dtypes, errors and recording on the tape.
  // Arithmetic (extensor/autograd/ops/arithmetic.hpp, aliases.hpp).
  Tensor add(const Tensor& other) const;
  Tensor add(const Scalar& other) const;
  Tensor sub(const Tensor& other) const;  // subtract
  Tensor sub(const Scalar& other) const;
  Tensor mul(const Tensor& other) const;  // multiply
  Tensor mul(const Scalar& other) const;
  Tensor div(const Tensor& other) const;  // divide
  Tensor div(const Scalar& other) const;
  Tensor pow(const Tensor& exponent) const;  // power
  Tensor pow(const Scalar& exponent) const;
  Tensor remainder(const Tensor& other) const;  // modulo
  Tensor remainder(const Scalar& other) const;
  Tensor floor_divide(const Tensor& other) const;
  Tensor floor_divide(const Scalar& other) const;
  Tensor neg() const;
  // In place: the op's result written into this tensor, which is returned (ex::add_ and
  // friends: version-counted; a leaf that requires grad throws ex::Error).
  Tensor add_(const Tensor& other) const;
  Tensor add_(const Scalar& other) const;
  Tensor sub_(const Tensor& other) const;
  Tensor sub_(const Scalar& other) const;
  Tensor mul_(const Tensor& other) const;
  Tensor mul_(const Scalar& other) const;
  Tensor div_(const Tensor& other) const;
  Tensor div_(const Scalar& other) const;
  Tensor zero_() const;
  Tensor fill_(const Scalar& value) const;
  Tensor copy_(const Tensor& src) const;
  Tensor clamp_(const std::optional<Scalar>& min, const std::optional<Scalar>& max = std::nullopt) const;
  // The compound operators are the in-place ops above: `x += y` is x.add_(y).
  Tensor& operator+=(const Tensor& other);
  Tensor& operator+=(const Scalar& other);
  Tensor& operator-=(const Tensor& other);
  Tensor& operator-=(const Scalar& other);
  Tensor& operator*=(const Tensor& other);
  Tensor& operator*=(const Scalar& other);
  Tensor& operator/=(const Tensor& other);
  Tensor& operator/=(const Scalar& other);
  // Comparisons, Bool results (extensor/core/comparison.hpp).
  Tensor eq(const Tensor& other) const;  // equal
  Tensor eq(const Scalar& other) const;
  Tensor ne(const Tensor& other) const;  // not_equal
  Tensor ne(const Scalar& other) const;
  Tensor lt(const Tensor& other) const;  // less
  Tensor lt(const Scalar& other) const;
  Tensor le(const Tensor& other) const;  // less_equal
  Tensor le(const Scalar& other) const;
  Tensor gt(const Tensor& other) const;  // greater
  Tensor gt(const Scalar& other) const;
  Tensor ge(const Tensor& other) const;  // greater_equal
  Tensor ge(const Scalar& other) const;
  Tensor logical_and(const Tensor& other) const;
  Tensor logical_or(const Tensor& other) const;
  Tensor logical_xor(const Tensor& other) const;
  Tensor logical_not() const;
  // Elementwise math and activations (extensor/autograd/ops/math.hpp, activation.hpp).
  Tensor exp() const;
  Tensor log() const;
  Tensor log2() const;
  Tensor log10() const;
  Tensor log1p() const;
  Tensor sqrt() const;
  Tensor sin() const;
  Tensor cos() const;
  Tensor tanh() const;
  Tensor abs() const;
  Tensor sign() const;
  Tensor ceil() const;
  Tensor floor() const;
  Tensor round() const;
  Tensor trunc() const;
  Tensor clamp(const std::optional<Scalar>& min, const std::optional<Scalar>& max = std::nullopt) const;  // clip
  Tensor clip(const std::optional<Scalar>& min, const std::optional<Scalar>& max = std::nullopt) const;
  Tensor relu() const;
  Tensor sigmoid() const;
  Tensor prelu(const Tensor& alpha) const;
  Tensor softmax(std::int64_t axis) const;
  Tensor log_softmax(std::int64_t axis) const;
  // Reductions (extensor/autograd/ops/reduction.hpp). max()/min() reduce every element
  // (max_reduce/min_reduce); with an axis they return (values, indices) as libtorch's.
  Tensor sum(const Axes& axes = {}, bool keepdims = false) const;
  Tensor mean(const Axes& axes = {}, bool keepdims = false) const;
  Tensor var(const Axes& axes = {}, bool unbiased = true, bool keepdims = false) const;
  Tensor std(const Axes& axes = {}, bool unbiased = true, bool keepdims = false) const;
  Tensor logsumexp(const Axes& axes = {}, bool keepdims = false) const;
  Tensor amax(const Axes& axes = {}, bool keepdims = false) const;  // max_reduce
  Tensor amin(const Axes& axes = {}, bool keepdims = false) const;  // min_reduce
  Tensor max() const;
  Tensor min() const;
  std::tuple<Tensor, Tensor> max(std::int64_t axis, bool keepdims = false) const;
  std::tuple<Tensor, Tensor> min(std::int64_t axis, bool keepdims = false) const;
  Tensor argmax() const;
  Tensor argmax(std::int64_t axis, bool keepdims = false) const;
  Tensor argmin() const;
  Tensor argmin(std::int64_t axis, bool keepdims = false) const;
  // Matrix products (extensor/autograd/ops/matmul.hpp); mm is matmul.
  Tensor matmul(const Tensor& other) const;
  Tensor mm(const Tensor& other) const;
  Tensor dot(const Tensor& other) const;
  Tensor outer(const Tensor& other) const;
  // Shape (extensor/autograd/ops/shape.hpp). t() transposes a matrix (rank <= 2; higher
  // ranks throw ex::Error "t: ..." as in libtorch). split takes the sizes of the pieces
  // (libtorch's split(split_size) does not compile here, on purpose: ex::split's integer
  // is a count); tensor_split(n) is ex::split(x, n, axis), n pieces as in libtorch. The
  // *_as forms take other's shape.
  Tensor t() const;
  std::vector<Tensor> split(const std::vector<std::int64_t>& sizes, std::int64_t axis = 0) const;
  std::vector<Tensor> tensor_split(std::int64_t sections, std::int64_t axis = 0) const;
  Tensor view_as(const Tensor& other) const;
  Tensor reshape_as(const Tensor& other) const;
  Tensor expand_as(const Tensor& other) const;

  // ---- indexing (defined by the autograd layer; ex::index in
  // extensor/autograd/ops/indexing.hpp documents the rules and errors) ----
  // x[i]: the view at i along axis 0 (negative i counts from the end); x[t]: x.index({t}).
  Tensor operator[](std::int64_t i) const;
  Tensor operator[](const Tensor& index) const;
  // x.index({Slice(0, 2), None, Ellipsis, 3}): a view for integers, slices, None and
  // Ellipsis, a copy when a tensor or bool index takes part.
  Tensor index(const std::vector<TensorIndex>& indices) const;
  // Writes value (broadcast to x.index(indices)'s shape) at the indexed positions, in place.
  Tensor index_put_(const std::vector<TensorIndex>& indices, const Tensor& value) const;
  Tensor index_put_(const std::vector<TensorIndex>& indices, const Scalar& value) const;

  // ---- autograd (defined by the autograd layer, see extensor/autograd/*.hpp) ----
  // Whether gradients flow to this tensor: set on leaves with requires_grad_(), true
  // for results of recorded ops.
  bool requires_grad() const;
  // Marks a leaf as needing gradients (or not). Throws ex::Error "requires_grad_: ..."
  // for a non-leaf (it already requires grad through its graph) when turning it off, and
  // for integer or bool tensors (only floating tensors can require grad).
  const Tensor& requires_grad_(bool requires_grad = true) const;
  // True for tensors not produced by a recorded op (every tensor that does not require
  // grad, and tensors created by the user with requires_grad_()).
  bool is_leaf() const;
  // The accumulated gradient of a leaf (or of a non-leaf after retain_grad()); an
  // undefined Tensor before any backward reached it. It has this tensor's shape and dtype.
  Tensor grad() const;
  // Replaces (or, with an undefined Tensor, clears) the stored gradient. Throws ex::Error
  // if grad is defined with another shape or dtype.
  void set_grad(const Tensor& grad) const;
  // Keeps the gradient of a non-leaf in grad() after backward (leaves always keep it).
  // Throws ex::Error if the tensor does not require grad.
  void retain_grad() const;
  bool retains_grad() const;
  // A new tensor sharing storage (and version counter) with this one but outside any
  // graph: requires_grad() is false.
  Tensor detach() const;
  // The node that produced this tensor (null for leaves), and its op's name ("" for
  // leaves).
  std::shared_ptr<autograd::Node> grad_fn() const;
  std::string grad_fn_name() const;
  // Back-propagates from this tensor through the graph that produced it, accumulating
  // into grad() of the leaves. grad defaults to 1 and may only be omitted for a
  // one-element tensor; otherwise it must have this tensor's shape. Unless retain_graph,
  // the graph's saved tensors are freed and a second backward through it throws. With
  // create_graph the backward computation is itself recorded, so the accumulated grad()
  // can be differentiated again (retain_graph then defaults to true, as in libtorch).
  // Throws ex::Error if the tensor does not require grad, if the graph was recorded on
  // another thread, or if a saved tensor was modified in place since it was recorded.
  void backward(const Tensor& grad = Tensor(), std::optional<bool> retain_graph = std::nullopt,
                bool create_graph = false) const;
  // Registers fn to run on the gradient of this tensor when backward computes it; a
  // defined return value replaces the gradient. Returns a handle for remove_hook. Throws
  // ex::Error if the tensor does not require grad.
  std::size_t register_hook(std::function<Tensor(const Tensor&)> fn) const;
  void remove_hook(std::size_t handle) const;
  // The version counter of the storage: in-place ops bump it.
  std::uint64_t version() const { return impl().storage->version(); }

 private:
  // The calling accessor names itself in the error ("Tensor::shape: ..."): GCC and clang
  // evaluate __builtin_FUNCTION() in a default argument at the call site.
  const TensorImpl& impl(const char* accessor = __builtin_FUNCTION()) const {
    if (!impl_) detail::throw_undefined(accessor);
    return *impl_;
  }
  std::shared_ptr<TensorImpl> impl_;
};

// Prints like PyTorch: "tensor([[1., 2.],\n        [3., 4.]], dtype=float32)", with
// the shape added for tensors of more than one element ("shape=[2, 2]") and the middle
// elided ("...") for tensors of more than 1000 elements.
std::ostream& operator<<(std::ostream& os, const Tensor& tensor);
// The same text as operator<<.
std::string to_string(const Tensor& tensor);

// Makes a tensor over existing storage with explicit geometry, validating that every
// reachable element lies inside the storage. Throws ex::Error otherwise.
Tensor make_view(const Tensor& base, const Shape& shape, const Strides& strides, std::int64_t offset);

namespace detail {
// Converts every element of src into dst (same shape, any strides and dtypes).
void copy_convert(const Tensor& src, const Tensor& dst);
// Elements a view of this geometry reaches, from its first to one past its last (0 when
// empty). Throws ex::Error naming fn for mismatched ranks, negative dims or strides, or
// a shape or reach of itemsize-byte elements beyond the size limit (kMaxTensorBytes).
std::int64_t view_extent(const Shape& shape, const Strides& strides, std::size_t itemsize, const char* fn);
// A new contiguous, uninitialized tensor: the one allocation routine every op's result
// goes through. Throws ex::Error naming fn for a negative dim, a shape beyond the size
// limit (kMaxTensorBytes) or an allocation the machine cannot satisfy.
Tensor allocate(const Shape& shape, DType dtype, const char* fn);
// The same with the given strides, which must lay the shape out densely in some order of
// its dims (a permutation of contiguous strides).
Tensor allocate_strided(const Shape& shape, Strides strides, DType dtype, const char* fn);
}  // namespace detail

template <Element T>
T Tensor::item() const {
  if (numel() != 1)
    throw Error("item: tensor with " + std::to_string(numel()) + " elements (shape " + shape().str() +
                ") cannot be converted to a scalar");
  Tensor converted = to(dtype_of<T>);
  return *static_cast<const T*>(converted.raw_data());
}

template <Element T>
std::vector<T> Tensor::to_vector() const {
  Tensor converted = to(dtype_of<T>).contiguous();
  const T* values = static_cast<const T*>(converted.raw_data());
  if constexpr (std::is_same_v<T, bool>) {  // std::vector<bool> is packed: copy one by one
    return std::vector<bool>(values, values + numel());
  } else {
    std::vector<T> out(static_cast<std::size_t>(numel()));
    if (!out.empty()) std::memcpy(out.data(), values, out.size() * sizeof(T));
    return out;
  }
}

}  // namespace ex

// The index types that Tensor::index takes, so that x.index({...}) works wherever Tensor does.
#include "extensor/core/indexing.hpp"  // IWYU pragma: export
