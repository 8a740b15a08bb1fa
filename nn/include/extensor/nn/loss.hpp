#pragma once
// Loss modules over the loss functions of extensor/autograd/ops/loss.hpp (PyTorch's
// torch.nn losses). Each XLossImpl holds its options, calls the function in
// forward(input, target) and accepts and throws what the function does; its holder XLoss
// (EX_MODULE) is what users create: `nn::CrossEntropyLoss criterion; criterion(logits, y)`. Class weights are
// registered as buffers ("weight", "pos_weight"), as PyTorch does, so to(DType) converts them and state_dict() includes
// them.

#include <cstdint>
#include <string>

#include "extensor/autograd/ops/loss.hpp"
#include "extensor/core/options.hpp"
#include "extensor/nn/cloneable.hpp"

namespace ex::nn {

// The base of the loss modules: forward takes the input (predictions) and the target.
// Throws ex::Error "<Loss>: ..." at construction for a Reduction value outside the enum.
class Loss : public Module {
 public:
  Loss(std::string name, Reduction reduction);
  virtual Tensor forward(const Tensor& input, const Tensor& target) = 0;
  Reduction reduction() const noexcept { return reduction_; }

 protected:
  // Registers a copy of weight as buffer `name` when weight is defined (for reset());
  // returns the registered tensor, or an undefined one.
  Tensor register_buffer_copy(const char* name, const Tensor& weight);

 private:
  Reduction reduction_;
};

// ex::mse_loss: mean (or sum, or none) of (input - target)^2.
class MSELossImpl : public Cloneable<MSELossImpl, Loss> {
 public:
  explicit MSELossImpl(Reduction reduction = Reduction::Mean) : Cloneable("MSELoss", reduction) {}
  void reset() override {}
  Tensor forward(const Tensor& input, const Tensor& target) override;
};
EX_MODULE(MSELoss);

// ex::l1_loss: |input - target|.
class L1LossImpl : public Cloneable<L1LossImpl, Loss> {
 public:
  explicit L1LossImpl(Reduction reduction = Reduction::Mean) : Cloneable("L1Loss", reduction) {}
  void reset() override {}
  Tensor forward(const Tensor& input, const Tensor& target) override;
};
EX_MODULE(L1Loss);

// ex::smooth_l1_loss with threshold beta. Throws ex::Error "SmoothL1Loss: ..." for a
// negative or NaN beta.
class SmoothL1LossImpl : public Cloneable<SmoothL1LossImpl, Loss> {
 public:
  explicit SmoothL1LossImpl(Reduction reduction = Reduction::Mean, double beta = 1.0);
  void reset() override {}
  Tensor forward(const Tensor& input, const Tensor& target) override;
  double beta() const noexcept { return beta_; }

 private:
  double beta_;
};
EX_MODULE(SmoothL1Loss);

// ex::binary_cross_entropy of probabilities, with an optional weight broadcasting to the
// input (a buffer).
class BCELossImpl : public Cloneable<BCELossImpl, Loss> {
 public:
  explicit BCELossImpl(const Tensor& weight = {}, Reduction reduction = Reduction::Mean);
  // Registers copies of the weight buffers (clone() then copies the values).
  void reset() override;
  Tensor forward(const Tensor& input, const Tensor& target) override;

  Tensor weight;  // undefined when not given
};
EX_MODULE(BCELoss);

// Options of BCEWithLogitsLoss: BCEWithLogitsLossOptions().pos_weight(pw).reduction(r).
class BCEWithLogitsLossOptions {
  EX_OPTION(Tensor, weight);
  EX_OPTION(Reduction, reduction) = Reduction::Mean;
  // Weight of the positive examples, broadcasting to the input (typically [classes]).
  EX_OPTION(Tensor, pos_weight);
};

// ex::binary_cross_entropy_with_logits: the sigmoid fused with binary cross entropy.
class BCEWithLogitsLossImpl : public Cloneable<BCEWithLogitsLossImpl, Loss> {
 public:
  explicit BCEWithLogitsLossImpl(const BCEWithLogitsLossOptions& options);
  // In ex::binary_cross_entropy_with_logits's argument order.
  explicit BCEWithLogitsLossImpl(const Tensor& weight = {}, Reduction reduction = Reduction::Mean,
                                 const Tensor& pos_weight = {});
  // Registers copies of the weight buffers (clone() then copies the values).
  void reset() override;
  Tensor forward(const Tensor& input, const Tensor& target) override;

  Tensor weight;      // undefined when not given
  Tensor pos_weight;  // undefined when not given
};
EX_MODULE(BCEWithLogitsLoss);

// Options of CrossEntropyLoss: CrossEntropyLossOptions().ignore_index(0).label_smoothing(0.1).
class CrossEntropyLossOptions {
  // Class weights [C].
  EX_OPTION(Tensor, weight);
  // Targets equal to it contribute nothing (and are left out of the mean).
  EX_OPTION(std::int64_t, ignore_index) = -100;
  EX_OPTION(Reduction, reduction) = Reduction::Mean;
  // In [0, 1]: the share of the target mass spread evenly over the classes.
  EX_OPTION(double, label_smoothing) = 0.0;
};

// ex::cross_entropy of logits [N, C] (or [C], [N, C, d...]) with int64 class indices.
// Throws ex::Error "CrossEntropyLoss: ..." for label_smoothing outside [0, 1].
class CrossEntropyLossImpl : public Cloneable<CrossEntropyLossImpl, Loss> {
 public:
  explicit CrossEntropyLossImpl(const CrossEntropyLossOptions& options);
  // In ex::cross_entropy's argument order.
  explicit CrossEntropyLossImpl(const Tensor& weight = {}, std::int64_t ignore_index = -100,
                                Reduction reduction = Reduction::Mean, double label_smoothing = 0.0);
  // Registers copies of the weight buffers (clone() then copies the values).
  void reset() override;
  Tensor forward(const Tensor& input, const Tensor& target) override;
  std::int64_t ignore_index() const noexcept { return ignore_index_; }
  double label_smoothing() const noexcept { return label_smoothing_; }

  Tensor weight;  // undefined when not given

 private:
  std::int64_t ignore_index_;
  double label_smoothing_;
};
EX_MODULE(CrossEntropyLoss);

// Options of NLLLoss: NLLLossOptions().weight(w).ignore_index(0).
class NLLLossOptions {
  EX_OPTION(Tensor, weight);
  EX_OPTION(std::int64_t, ignore_index) = -100;
  EX_OPTION(Reduction, reduction) = Reduction::Mean;
};

// ex::nll_loss of log-probabilities (e.g. LogSoftmax(1) output) with class indices.
class NLLLossImpl : public Cloneable<NLLLossImpl, Loss> {
 public:
  explicit NLLLossImpl(const NLLLossOptions& options);
  // In ex::nll_loss's argument order.
  explicit NLLLossImpl(const Tensor& weight = {}, std::int64_t ignore_index = -100,
                       Reduction reduction = Reduction::Mean);
  // Registers copies of the weight buffers (clone() then copies the values).
  void reset() override;
  Tensor forward(const Tensor& input, const Tensor& target) override;
  std::int64_t ignore_index() const noexcept { return ignore_index_; }

  Tensor weight;  // undefined when not given

 private:
  std::int64_t ignore_index_;
};
EX_MODULE(NLLLoss);

}  // namespace ex::nn
