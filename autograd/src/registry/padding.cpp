// Registry entry of pad. pad is linear in its input: its backward scatter-adds the
// gradient, and under create_graph the derivative of that backward is pad itself
// applied to the upstream gradient (with a zero fill).

#include "extensor/autograd/ops/padding.hpp"

#include "autograd/src/registry/entry.hpp"

namespace ex {

Tensor pad(const Tensor& input, const std::vector<std::int64_t>& pads, PadMode mode, double value) {
  if (!should_record(input)) return kernels::pad(input, pads, mode, value);
  return record(entry<"pad">, {input}, no_grad([&] { return kernels::pad(input, pads, mode, value); }),
                [shape = input.shape(), pads, mode](const Tensor& g) {
                  return linear_backward(
                      entry<"pad">, g, [&] { return pad_backward(g, shape, pads, mode); },
                      [pads, mode](const TensorList& up) { return pad(up[0], pads, mode, 0.0); });
                });
}

}  // namespace ex
