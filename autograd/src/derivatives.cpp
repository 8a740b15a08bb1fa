// The recording helpers of derivatives.hpp that need no template.

#include "autograd/src/derivatives.hpp"

namespace ex::autograd::detail {

Tensor sum_to(const Tensor& t, const Shape& shape) {
  if (t.shape() == shape) return t;
  const auto lead = static_cast<std::int64_t>(t.dim()) - static_cast<std::int64_t>(shape.size());
  std::vector<std::int64_t> axes;
  for (std::int64_t d = 0; d < t.dim(); ++d)
    if (d < lead || (shape[static_cast<std::size_t>(d - lead)] == 1 && t.size(d) != 1)) axes.push_back(d);
  return reshape(axes.empty() ? t : sum(t, axes, /*keepdims=*/true), shape);
}

Tensor signed_sum_to_shape(const TensorList& upstream, const Shape& shape, double sign0, double sign1) {
  Tensor total;
  const double signs[2] = {sign0, sign1};
  for (std::size_t i = 0; i < 2 && i < upstream.size(); ++i) {
    if (!upstream[i].defined()) continue;
    const Tensor term = signs[i] == 1.0 ? upstream[i] : neg(upstream[i]);
    total = total.defined() ? add(total, term) : term;
  }
  return total.defined() && total.shape() != shape ? broadcast_to(total, shape) : total;
}

}  // namespace ex::autograd::detail
