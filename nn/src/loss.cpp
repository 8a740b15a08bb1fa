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

Loss::Loss(std::string name, Reduction reduction) : Module(std::move(name)), reduction_(reduction) {
  if (reduction != Reduction::None && reduction != Reduction::Mean && reduction != Reduction::Sum)
    detail::fail("{}: invalid reduction value {}", this->name(), static_cast<int>(reduction));
}

Tensor MSELoss::forward(const Tensor& input, const Tensor& target) { return mse_loss(input, target, reduction()); }

Tensor L1Loss::forward(const Tensor& input, const Tensor& target) { return l1_loss(input, target, reduction()); }

SmoothL1Loss::SmoothL1Loss(Reduction reduction, double beta) : Loss("SmoothL1Loss", reduction), beta_(beta) {
  if (!(beta >= 0.0)) detail::fail("SmoothL1Loss: beta must be >= 0, got {}", beta);
}
Tensor SmoothL1Loss::forward(const Tensor& input, const Tensor& target) {
  return smooth_l1_loss(input, target, reduction(), beta_);
}

BCELoss::BCELoss(const Tensor& weight, Reduction reduction)
    : Loss("BCELoss", reduction), weight(optional_buffer(*this, "weight", weight)) {}
Tensor BCELoss::forward(const Tensor& input, const Tensor& target) {
  return binary_cross_entropy(input, target, weight, reduction());
}

BCEWithLogitsLoss::BCEWithLogitsLoss(const BCEWithLogitsLossOptions& options)
    : BCEWithLogitsLoss(options.weight(), options.reduction(), options.pos_weight()) {}
BCEWithLogitsLoss::BCEWithLogitsLoss(const Tensor& weight, Reduction reduction, const Tensor& pos_weight)
    : Loss("BCEWithLogitsLoss", reduction),
      weight(optional_buffer(*this, "weight", weight)),
      pos_weight(optional_buffer(*this, "pos_weight", pos_weight)) {}
Tensor BCEWithLogitsLoss::forward(const Tensor& input, const Tensor& target) {
  return binary_cross_entropy_with_logits(input, target, weight, reduction(), pos_weight);
}

CrossEntropyLoss::CrossEntropyLoss(const CrossEntropyLossOptions& options)
    : CrossEntropyLoss(options.weight(), options.ignore_index(), options.reduction(), options.label_smoothing()) {}
CrossEntropyLoss::CrossEntropyLoss(const Tensor& weight, std::int64_t ignore_index, Reduction reduction,
                                   double label_smoothing)
    : Loss("CrossEntropyLoss", reduction),
      weight(optional_buffer(*this, "weight", weight)),
      ignore_index_(ignore_index),
      label_smoothing_(label_smoothing) {
  if (!(label_smoothing >= 0.0 && label_smoothing <= 1.0))
    detail::fail("CrossEntropyLoss: label_smoothing must be in [0, 1], got {}", label_smoothing);
}
Tensor CrossEntropyLoss::forward(const Tensor& input, const Tensor& target) {
  return cross_entropy(input, target, weight, ignore_index_, reduction(), label_smoothing_);
}

NLLLoss::NLLLoss(const NLLLossOptions& options)
    : NLLLoss(options.weight(), options.ignore_index(), options.reduction()) {}
NLLLoss::NLLLoss(const Tensor& weight, std::int64_t ignore_index, Reduction reduction)
    : Loss("NLLLoss", reduction), weight(optional_buffer(*this, "weight", weight)), ignore_index_(ignore_index) {}
Tensor NLLLoss::forward(const Tensor& input, const Tensor& target) {
  return nll_loss(input, target, weight, ignore_index_, reduction());
}

}  // namespace ex::nn
