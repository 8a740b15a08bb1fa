#include "extensor/autograd/ops/loss.hpp"

namespace ex {

Tensor mse_loss(const Tensor& input, const Tensor& target, Reduction reduction) {
  return kernels::mse_loss(input, target, reduction);
}
Tensor l1_loss(const Tensor& input, const Tensor& target, Reduction reduction) {
  return kernels::l1_loss(input, target, reduction);
}
Tensor smooth_l1_loss(const Tensor& input, const Tensor& target, Reduction reduction, double beta) {
  return kernels::smooth_l1_loss(input, target, reduction, beta);
}
Tensor binary_cross_entropy(const Tensor& input, const Tensor& target, const Tensor& weight, Reduction reduction) {
  return kernels::binary_cross_entropy(input, target, weight, reduction);
}
Tensor binary_cross_entropy_with_logits(const Tensor& input, const Tensor& target, const Tensor& weight,
                                        Reduction reduction, const Tensor& pos_weight) {
  return kernels::binary_cross_entropy_with_logits(input, target, weight, reduction, pos_weight);
}
Tensor cross_entropy(const Tensor& input, const Tensor& target, const Tensor& weight, std::int64_t ignore_index,
                     Reduction reduction, double label_smoothing) {
  return kernels::cross_entropy(input, target, weight, ignore_index, reduction, label_smoothing);
}
Tensor nll_loss(const Tensor& input, const Tensor& target, const Tensor& weight, std::int64_t ignore_index,
                Reduction reduction) {
  return kernels::nll_loss(input, target, weight, ignore_index, reduction);
}

}  // namespace ex
