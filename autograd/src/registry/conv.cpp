// Registry entry of conv2d. Without its bias, conv2d is bilinear in input and weight, so
// under create_graph its backward records as the convolution and its backward again
// (bilinear_backward); the bias gradient, a sum of grad, records through sum.
#include "extensor/autograd/ops/conv.hpp"

#include "autograd/src/registry/entry.hpp"

namespace ex {

using Pair = std::array<std::int64_t, 2>;

Tensor conv2d(const Tensor& input, const Tensor& weight, const Tensor& bias, Pair stride, Pair padding, Pair dilation,
              std::int64_t groups) {
  const auto forward = [&] { return kernels::conv2d(input, weight, bias, stride, padding, dilation, groups); };
  if (!input.defined() || !weight.defined() || !should_record_optional(input, weight, bias)) return forward();
  const bool has_bias = bias.defined();
  auto backward = [x = SavedTensor(input), w = SavedTensor(weight), has_bias, stride, padding, dilation, groups](
                      const Tensor& g, const NeedsGrad& needs) {
    const Conv2dMask mask{needs[0], needs[1], has_bias && needs[2]};
    TensorList grads;
    if (GradMode::is_enabled()) {  // create_graph
      auto [gi, gw] = bilinear_backward(
          entry<"conv2d">, g, x.get(), w.get(), {mask[0], mask[1]},
          [=](const Tensor& a, const Tensor& b) { return conv2d(a, b, {}, stride, padding, dilation, groups); },
          [=](const Tensor& gg, const Tensor& a, const Tensor& b, OutputMask m) {
            Conv2dGradients r =
                conv2d_backward(gg, a, b, false, stride, padding, dilation, groups, {m[0], m[1], false});
            return std::pair{std::move(r.input), std::move(r.weight)};
          });
      grads = {std::move(gi), std::move(gw)};
      if (has_bias) grads.push_back(mask[2] ? sum(g, g.dim() == 4 ? Axes{0, 2, 3} : Axes{1, 2}) : Tensor());
    } else {
      Conv2dGradients r = conv2d_backward(g, x.get(), w.get(), has_bias, stride, padding, dilation, groups, mask);
      grads = {std::move(r.input), std::move(r.weight)};
      if (has_bias) grads.push_back(std::move(r.bias));
    }
    return grads;
  };
  Tensor out = no_grad(forward);
  return has_bias ? record(entry<"conv2d">, {input, weight, bias}, std::move(out), std::move(backward))
                  : record(entry<"conv2d">, {input, weight}, std::move(out), std::move(backward));
}

}  // namespace ex
