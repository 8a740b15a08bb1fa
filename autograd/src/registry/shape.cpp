// Registry entries of the shape family (and of Tensor's view and copy members, which
// record through them). Views save shapes and axes only, never data. Every op here is
// linear: under create_graph its backward records with the op itself as derivative.

#include "extensor/autograd/ops/shape.hpp"

#include "autograd/src/registry/entry.hpp"
#include "common/check.hpp"
#include "extensor/core/creation.hpp"

namespace ex {

namespace {

// The adjoint of a backward that only moves or sums grad's elements back into the
// input's shape: the upstream gradient laid out (reshape) or repeated (broadcast_to)
// as grad again.
Tensor reshaped_like(const Tensor& upstream, const Shape& shape) { return reshape(upstream, shape); }
Tensor broadcast_like(const Tensor& upstream, const Shape& shape) { return broadcast_to(upstream, shape); }

// Ops whose gradient is grad brought back to the input's shape by one kernel.
template <class Forward, class Backward>
Tensor record_shape_op(const OpInfo& op, const Tensor& t, Forward forward, Backward backward,
                       Tensor (*adjoint)(const Tensor&, const Shape&) = reshaped_like) {
  if (!should_record(t)) return forward();
  return record(op, {t}, no_grad(forward), [&op, s = t.shape(), backward, adjoint](const Tensor& g) {
    return linear_backward(
        op, g, [&] { return backward(g, s); },
        [adjoint, gs = g.shape()](const TensorList& up) { return adjoint(up[0], gs); });
  });
}

// The backward lambda of a linear op of one tensor: backward(g) the raw kernel,
// forward(u) the recording op applied to the upstream gradient.
template <class Backward, class Forward>
auto linear(const OpInfo& op, Backward backward, Forward forward) {
  return [&op, backward, forward](const Tensor& g) {
    return linear_backward(
        op, g, [&] { return backward(g); }, [forward](const TensorList& up) { return forward(up[0]); });
  };
}

// The upstream gradients of a backward with several outputs, zeros where none arrived.
std::vector<Tensor> zeros_where_undefined(const TensorList& upstream, const std::vector<Shape>& shapes, DType dtype) {
  std::vector<Tensor> out;
  for (std::size_t i = 0; i < upstream.size(); ++i)
    out.push_back(upstream[i].defined() ? upstream[i] : zeros(shapes[i], dtype));
  return out;
}

// split's backward (a concatenation of the pieces' gradients) and its derivative, which
// splits the upstream gradient the same way.
auto split_derivative(const Shape& input_shape, std::int64_t axis, const std::vector<std::int64_t>& sizes) {
  return [input_shape, axis, sizes](const TensorList& g) {
    Tensor out = no_grad([&] { return split_backward(g, input_shape, axis, sizes); });
    bool any = false;
    for (const Tensor& piece : g) any |= should_record(piece);
    if (!any) return out;
    return record_many(backward_op_of(entry<"split">), g, TensorList{std::move(out)},
                       [axis, sizes](const TensorList& up) { return split(up[0], sizes, axis); })[0];
  };
}

std::vector<DType> dtypes_of(const std::vector<Tensor>& tensors) {
  std::vector<DType> out;
  for (const Tensor& t : tensors) out.push_back(t.dtype());
  return out;
}
}  // namespace

Tensor reshape(const Tensor& t, const Shape& shape) {
  return record_shape_op(
      entry<"reshape">, t, [&] { return kernels::reshape(t, shape); }, reshape_backward);
}
Tensor view(const Tensor& t, const Shape& shape) {
  return record_shape_op(
      entry<"view">, t, [&] { return ex::detail::defined("view", t).view(shape); }, reshape_backward);
}
Tensor flatten(const Tensor& t, std::int64_t start_axis, std::int64_t end_axis) {
  return record_shape_op(
      entry<"flatten">, t, [&] { return kernels::flatten(t, start_axis, end_axis); }, flatten_backward);
}
Tensor squeeze(const Tensor& t) {
  return record_shape_op(
      entry<"squeeze">, t, [&] { return kernels::squeeze(t); }, squeeze_backward);
}
Tensor squeeze(const Tensor& t, std::int64_t axis) {
  return record_shape_op(
      entry<"squeeze">, t, [&] { return kernels::squeeze(t, axis); }, squeeze_backward);
}
Tensor unsqueeze(const Tensor& t, std::int64_t axis) {
  if (!should_record(t)) return kernels::unsqueeze(t, axis);
  return record(entry<"unsqueeze">, {t}, no_grad([&] { return kernels::unsqueeze(t, axis); }),
                linear(
                    entry<"unsqueeze">, [axis](const Tensor& g) { return unsqueeze_backward(g, axis); },
                    [axis](const Tensor& u) { return unsqueeze(u, axis); }));
}
Tensor transpose(const Tensor& t, std::int64_t axis0, std::int64_t axis1) {
  if (!should_record(t)) return kernels::transpose(t, axis0, axis1);
  return record(entry<"transpose">, {t}, no_grad([&] { return kernels::transpose(t, axis0, axis1); }),
                linear(
                    entry<"transpose">, [axis0, axis1](const Tensor& g) { return transpose_backward(g, axis0, axis1); },
                    [axis0, axis1](const Tensor& u) { return transpose(u, axis0, axis1); }));
}
Tensor transpose(const Tensor& t) {
  if (!should_record(t)) return kernels::transpose(t);
  return record(entry<"transpose">, {t}, no_grad([&] { return kernels::transpose(t); }),
                linear(
                    entry<"transpose">, [](const Tensor& g) { return transpose_backward(g); },
                    [](const Tensor& u) { return transpose(u); }));
}
Tensor permute(const Tensor& t, const std::vector<std::int64_t>& dims) {
  if (!should_record(t)) return kernels::permute(t, dims);
  return record(entry<"permute">, {t}, no_grad([&] { return kernels::permute(t, dims); }),
                linear(
                    entry<"permute">, [dims](const Tensor& g) { return permute_backward(g, dims); },
                    [dims](const Tensor& u) { return permute(u, dims); }));
}
Tensor slice(const Tensor& t, std::int64_t axis, std::int64_t start, std::int64_t stop, std::int64_t step) {
  if (!should_record(t)) return kernels::slice(t, axis, start, stop, step);
  return record(entry<"slice">, {t}, no_grad([&] { return kernels::slice(t, axis, start, stop, step); }),
                linear(
                    entry<"slice">,
                    [s = t.shape(), axis, start, stop, step](const Tensor& g) {
                      return slice_backward(g, s, axis, start, stop, step);
                    },
                    [axis, start, stop, step](const Tensor& u) { return slice(u, axis, start, stop, step); }));
}
Tensor broadcast_to(const Tensor& t, const Shape& shape) {
  return record_shape_op(
      entry<"broadcast_to">, t, [&] { return kernels::broadcast_to(t, shape); }, broadcast_to_backward, broadcast_like);
}
Tensor expand(const Tensor& t, const Shape& shape) {
  return record_shape_op(
      entry<"expand">, t, [&] { return ex::detail::defined("expand", t).expand(shape); }, broadcast_to_backward,
      broadcast_like);
}
Tensor clone(const Tensor& t) {
  ex::detail::defined("clone", t);
  if (!should_record(t)) return t.clone();
  return record(entry<"clone">, {t}, no_grad([&] { return t.clone(); }), [](const Tensor& g) { return g; });
}
Tensor to(const Tensor& t, DType dtype) {
  ex::detail::defined("to", t);
  if (!should_record(t) || dtype == t.dtype()) return t.to(dtype);
  // Integer and bool results carry no gradient (like PyTorch, they cannot require grad).
  if (!is_floating(dtype)) return no_grad([&] { return t.to(dtype); });
  return record(entry<"to">, {t}, no_grad([&] { return t.to(dtype); }),
                [d = t.dtype()](const Tensor& g) { return g.to(d); });
}

std::vector<Tensor> split(const Tensor& t, const std::vector<std::int64_t>& sizes, std::int64_t axis) {
  if (!should_record(t)) return kernels::split(t, sizes, axis);
  std::vector<Tensor> pieces = no_grad([&] { return kernels::split(t, sizes, axis); });
  return record_many(entry<"split">, std::vector<Tensor>{t}, std::move(pieces),
                     split_derivative(t.shape(), axis, sizes));
}
std::vector<Tensor> split(const Tensor& t, std::int64_t sections, std::int64_t axis) {
  if (!should_record(t)) return kernels::split(t, sections, axis);
  std::vector<Tensor> pieces = no_grad([&] { return kernels::split(t, sections, axis); });
  std::vector<std::int64_t> sizes;
  const std::int64_t a = axis < 0 ? axis + t.dim() : axis;
  for (const Tensor& p : pieces) sizes.push_back(p.size(a));
  return record_many(entry<"split">, std::vector<Tensor>{t}, std::move(pieces),
                     split_derivative(t.shape(), axis, sizes));
}
Tensor concatenate(const std::vector<Tensor>& tensors, std::int64_t axis) {
  if (!should_record(tensors)) return kernels::concatenate(tensors, axis);
  Tensor out = no_grad([&] { return kernels::concatenate(tensors, axis); });  // validates the list first
  std::vector<Shape> shapes;
  for (const Tensor& t : tensors) shapes.push_back(t.shape());
  return record_many(entry<"concatenate">, tensors, {std::move(out)},
                     [shapes, axis, dtypes = dtypes_of(tensors)](const TensorList& g) {
                       return linear_backward(
                           entry<"concatenate">, g[0], [&] { return concatenate_backward(g[0], shapes, axis, dtypes); },
                           [axis, shapes, dtype = g[0].dtype()](const TensorList& up) {
                             return concatenate(zeros_where_undefined(up, shapes, dtype), axis);
                           });
                     })[0];
}
Tensor stack(const std::vector<Tensor>& tensors, std::int64_t axis) {
  if (!should_record(tensors)) return kernels::stack(tensors, axis);
  Tensor out = no_grad([&] { return kernels::stack(tensors, axis); });  // validates the list first
  const auto count = static_cast<std::int64_t>(tensors.size());
  return record_many(entry<"stack">, tensors, {std::move(out)},
                     [count, axis, dtypes = dtypes_of(tensors), shape = tensors[0].shape()](const TensorList& g) {
                       return linear_backward(
                           entry<"stack">, g[0], [&] { return stack_backward(g[0], count, axis, dtypes); },
                           [axis, shapes = std::vector<Shape>(dtypes.size(), shape), dtype = g[0].dtype()](
                               const TensorList& up) { return stack(zeros_where_undefined(up, shapes, dtype), axis); });
                     })[0];
}

}  // namespace ex
