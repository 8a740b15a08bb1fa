// Loss modules: options, weight buffers, and forwards over the loss functions.

#include "extensor/nn/loss.hpp"

#include <cmath>

#include "common/check.hpp"

namespace ex::nn {

namespace {

// Registers weight as buffer `name` when it is defined; returns it either way.
Tensor optional_buffer(Module& module, const char* name, const Tensor& weight) {
  return weight.defined() ? module.register_buffer(name, weight) : Tensor();
}

}  // namespace

Tensor Loss::register_buffer_copy(const char* name, const Tensor& weight) {
  return weight.defined() ? register_buffer(name, weight.detach().clone()) : Tensor();
}

void BCELossImpl::reset() { weight = register_buffer_copy("weight", weight); }
void BCEWithLogitsLossImpl::reset() {
  weight = register_buffer_copy("weight", weight);
  pos_weight = register_buffer_copy("pos_weight", pos_weight);
}
void CrossEntropyLossImpl::reset() { weight = register_buffer_copy("weight", weight); }
void NLLLossImpl::reset() { weight = register_buffer_copy("weight", weight); }

Loss::Loss(std::string name, Reduction reduction) : Module(std::move(name)), reduction_(reduction) {
  if (reduction != Reduction::None && reduction != Reduction::Mean && reduction != Reduction::Sum)
    detail::fail("{}: invalid reduction value {}", this->name(), static_cast<int>(reduction));
}

Tensor MSELossImpl::forward(const Tensor& input, const Tensor& target) { return mse_loss(input, target, reduction()); }

Tensor L1LossImpl::forward(const Tensor& input, const Tensor& target) { return l1_loss(input, target, reduction()); }

SmoothL1LossImpl::SmoothL1LossImpl(Reduction reduction, double beta)
    : Cloneable("SmoothL1Loss", reduction), beta_(beta) {
  if (!(beta >= 0.0)) detail::fail("SmoothL1Loss: beta must be >= 0, got {}", beta);
}
Tensor SmoothL1LossImpl::forward(const Tensor& input, const Tensor& target) {
  return smooth_l1_loss(input, target, reduction(), beta_);
}

BCELossImpl::BCELossImpl(const Tensor& weight, Reduction reduction)
    : Cloneable("BCELoss", reduction), weight(optional_buffer(*this, "weight", weight)) {}
Tensor BCELossImpl::forward(const Tensor& input, const Tensor& target) {
  return binary_cross_entropy(input, target, weight, reduction());
}

BCEWithLogitsLossImpl::BCEWithLogitsLossImpl(const BCEWithLogitsLossOptions& options)
    : BCEWithLogitsLossImpl(options.weight(), options.reduction(), options.pos_weight()) {}
BCEWithLogitsLossImpl::BCEWithLogitsLossImpl(const Tensor& weight, Reduction reduction, const Tensor& pos_weight)
    : Cloneable("BCEWithLogitsLoss", reduction),
      weight(optional_buffer(*this, "weight", weight)),
      pos_weight(optional_buffer(*this, "pos_weight", pos_weight)) {}
Tensor BCEWithLogitsLossImpl::forward(const Tensor& input, const Tensor& target) {
  return binary_cross_entropy_with_logits(input, target, weight, reduction(), pos_weight);
}

CrossEntropyLossImpl::CrossEntropyLossImpl(const CrossEntropyLossOptions& options)
    : CrossEntropyLossImpl(options.weight(), options.ignore_index(), options.reduction(), options.label_smoothing()) {}
CrossEntropyLossImpl::CrossEntropyLossImpl(const Tensor& weight, std::int64_t ignore_index, Reduction reduction,
                                           double label_smoothing)
    : Cloneable("CrossEntropyLoss", reduction),
      weight(optional_buffer(*this, "weight", weight)),
      ignore_index_(ignore_index),
      label_smoothing_(label_smoothing) {
  if (!(label_smoothing >= 0.0 && label_smoothing <= 1.0))
    detail::fail("CrossEntropyLoss: label_smoothing must be in [0, 1], got {}", label_smoothing);
}
Tensor CrossEntropyLossImpl::forward(const Tensor& input, const Tensor& target) {
  return cross_entropy(input, target, weight, ignore_index_, reduction(), label_smoothing_);
}

NLLLossImpl::NLLLossImpl(const NLLLossOptions& options)
    : NLLLossImpl(options.weight(), options.ignore_index(), options.reduction()) {}
NLLLossImpl::NLLLossImpl(const Tensor& weight, std::int64_t ignore_index, Reduction reduction)
    : Cloneable("NLLLoss", reduction), weight(optional_buffer(*this, "weight", weight)), ignore_index_(ignore_index) {}
Tensor NLLLossImpl::forward(const Tensor& input, const Tensor& target) {
  return nll_loss(input, target, weight, ignore_index_, reduction());
}

}  // namespace ex::nn
