// Registry entries of pooling. All three backwards are linear in the gradient, so they
// record under create_graph through linear_backward: avg_pool2d's and
// adaptive_avg_pool2d's adjoint is the op itself; max_pool2d's backward scatters to the
// argmax indices its forward saved, and that scatter's adjoint is the gather at the same
// indices (the indices are constant almost everywhere, so the input gets no second
// derivative, like PyTorch).

#include "extensor/autograd/ops/pooling.hpp"

#include "autograd/src/registry/entry.hpp"
#include "core/src/kernels/pooling.hpp"

namespace ex {

namespace {

using Pair = std::array<std::int64_t, 2>;

struct MaxPoolParams {
  Pair kernel_size, stride, padding, dilation;
  bool ceil_mode;
};

Tensor gather_at_indices(const Tensor& source, const Tensor& input, const Tensor& indices, const MaxPoolParams& m);

// max_pool2d's backward as a recording op: grad scattered to the argmax positions.
Tensor scatter_to_indices(const Tensor& g, const Tensor& input, const Tensor& indices, const MaxPoolParams& m) {
  return linear_backward(
      entry<"max_pool2d">, g,
      [&] {
        return max_pool2d_backward(g, input, indices, m.kernel_size, m.stride, m.padding, m.dilation, m.ceil_mode);
      },
      [input, indices, m](const TensorList& up) { return gather_at_indices(up[0], input, indices, m); })[0];
}

// The adjoint of the scatter, recording: source (the input's shape) read at the indices.
Tensor gather_at_indices(const Tensor& source, const Tensor& input, const Tensor& indices, const MaxPoolParams& m) {
  return linear_backward(
      backward_op_of(entry<"max_pool2d">), source,
      [&] { return kernels::max_pool2d_gather(source, indices, "max_pool2d_backward"); },
      [input, indices, m](const TensorList& up) { return scatter_to_indices(up[0], input, indices, m); })[0];
}

}  // namespace

Tensor max_pool2d(const Tensor& input, Pair kernel_size, Pair stride, Pair padding, Pair dilation, bool ceil_mode) {
  const auto run = [&] { return max_pool2d_with_indices(input, kernel_size, stride, padding, dilation, ceil_mode); };
  if (!should_record(input)) return run().first;
  auto [out, indices] = no_grad(run);
  const MaxPoolParams m{kernel_size, stride, padding, dilation, ceil_mode};
  return record(entry<"max_pool2d">, {input}, std::move(out),
                [x = SavedTensor(input), indices = std::move(indices), m](const Tensor& g) {
                  return scatter_to_indices(g, x.get().detach(), indices, m);
                });
}

Tensor avg_pool2d(const Tensor& input, Pair kernel_size, Pair stride, Pair padding, bool ceil_mode,
                  bool count_include_pad) {
  const auto run = [&] {
    return kernels::avg_pool2d(input, kernel_size, stride, padding, ceil_mode, count_include_pad);
  };
  if (!should_record(input)) return run();
  return record(
      entry<"avg_pool2d">, {input}, no_grad(run),
      [shape = input.shape(), kernel_size, stride, padding, ceil_mode, count_include_pad](const Tensor& g) {
        return linear_backward(
            entry<"avg_pool2d">, g,
            [&] { return avg_pool2d_backward(g, shape, kernel_size, stride, padding, ceil_mode, count_include_pad); },
            [=](const TensorList& up) {
              return avg_pool2d(up[0], kernel_size, stride, padding, ceil_mode, count_include_pad);
            });
      });
}

Tensor adaptive_avg_pool2d(const Tensor& input, Pair output_size) {
  const auto run = [&] { return kernels::adaptive_avg_pool2d(input, output_size); };
  if (!should_record(input)) return run();
  return record(entry<"adaptive_avg_pool2d">, {input}, no_grad(run),
                [shape = input.shape(), output_size](const Tensor& g) {
                  return linear_backward(
                      entry<"adaptive_avg_pool2d">, g, [&] { return adaptive_avg_pool2d_backward(g, shape); },
                      [output_size](const TensorList& up) { return adaptive_avg_pool2d(up[0], output_size); });
                });
}

}  // namespace ex
