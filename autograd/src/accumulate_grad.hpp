#pragma once
// Private: the node at the end of every path, which adds a leaf's gradient into its
// grad(). One per leaf and tape (the leaf's AutogradMeta holds them weakly), so
// gradients from several uses of a leaf in one thread's graphs are summed before its
// hooks run, like PyTorch's AccumulateGrad.

#include "extensor/autograd/node.hpp"

namespace ex::autograd::detail {

class AccumulateGrad final : public Node {
 public:
  explicit AccumulateGrad(std::shared_ptr<TensorImpl> leaf);
  TensorList apply(TensorList&& grads) override;
  const std::shared_ptr<TensorImpl>& leaf() const noexcept { return leaf_; }
  // Runs the leaf's hooks on grad and returns the (possibly replaced) gradient.
  Tensor run_hooks(Tensor grad) const;

 private:
  std::shared_ptr<TensorImpl> leaf_;
};

const OpInfo& accumulate_grad_op();

// The calling thread's accumulator for a leaf, or null when none of its live graphs
// uses the leaf.
std::shared_ptr<Node> current_accumulator(AutogradMeta& meta);

}  // namespace ex::autograd::detail
