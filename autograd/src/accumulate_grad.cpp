// AccumulateGrad: adds a leaf's gradient into grad().

#include "autograd/src/accumulate_grad.hpp"
#include "common/check.hpp"

#include <fmt/format.h>

#include "autograd/src/tape.hpp"
#include "core/src/kernels/forward.hpp"
#include "extensor/autograd/ops/arithmetic.hpp"
#include "extensor/autograd/registry.hpp"
#include "extensor/core/kernels/arithmetic.hpp"

namespace ex::autograd::detail {

const OpInfo& accumulate_grad_op() {
  static const OpInfo& op = register_op("AccumulateGrad");
  return op;
}

AccumulateGrad::AccumulateGrad(std::shared_ptr<TensorImpl> leaf) : Node(accumulate_grad_op()), leaf_(std::move(leaf)) {
  // It belongs to the recording thread's tape like any node; threads that share the
  // leaf each have their own and add into grad() under the leaf's mutex.
  run_as_soon_as_ready();
}

std::shared_ptr<Node> current_accumulator(AutogradMeta& meta) {
  const std::uint64_t tape = current_tape().id;
  std::lock_guard lock(meta.mutex);
  for (const auto& [tape_id, accumulator] : meta.grad_accumulators)
    if (tape_id == tape) return accumulator.lock();
  return nullptr;
}

Tensor AccumulateGrad::run_hooks(Tensor grad) const {
  AutogradMeta& meta = *leaf_->autograd_meta;
  std::vector<GradHook> hooks;
  {
    std::lock_guard lock(meta.mutex);
    for (const auto& [handle, fn] : meta.hooks) hooks.push_back(fn);
  }
  for (const GradHook& hook : hooks)
    if (Tensor replaced = hook(grad); replaced.defined()) grad = std::move(replaced);
  return grad;
}

TensorList AccumulateGrad::apply(TensorList&& grads) {
  Tensor grad = run_hooks(std::move(grads[0]));
  AutogradMeta& meta = *leaf_->autograd_meta;
  const Tensor leaf(leaf_);
  if (grad.shape() != leaf.shape())
    ex::detail::fail("backward: gradient of shape {} reached a leaf of shape {}", grad.shape().str(),
                     leaf.shape().str());
  if (grad.dtype() != leaf.dtype()) grad = grad.to(leaf.dtype());
  std::lock_guard lock(meta.mutex);
  if (current_tape().create_graph) {
    // grad() keeps the gradient's graph (for gradient penalties and Hessian-vector
    // products), so it is never updated in place: a sum records like any op.
    meta.grad = meta.grad.defined() ? add(meta.grad, grad) : grad;
    return {};
  }
  // Keep grad() in the leaf's layout (a transposed view would make every later
  // accumulation and optimizer step walk memory across the grain).
  if (leaf.is_contiguous() && !grad.is_contiguous()) grad = grad.contiguous();
  if (!meta.grad.defined()) {
    // Keep the incoming tensor when nobody else holds it; otherwise copy, so a later
    // in-place accumulation never writes into a tensor the user or another node sees.
    const bool sole_owner = grad.impl_ptr().use_count() == 1 && grad.storage().use_count() == 1;
    meta.grad = sole_owner ? grad : grad.clone();
  } else if (meta.grad.impl_ptr().use_count() == 1 && meta.grad.storage().use_count() == 1) {
    kernels::add_(meta.grad, grad);
  } else {
    meta.grad = kernels::add(meta.grad, grad);
  }
  return {};
}

}  // namespace ex::autograd::detail
