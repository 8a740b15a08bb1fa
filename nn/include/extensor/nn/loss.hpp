#pragma once
// Loss modules over the loss functions of extensor/autograd/ops/loss.hpp (PyTorch's
// torch.nn losses). Each holds its options, calls the function in forward(input,
// target) and accepts and throws what the function does. Class weights are registered
// as buffers ("weight", "pos_weight"), as PyTorch does, so to(DType) converts them and
// state_dict() includes them.

#include <cstdint>
#include <string>

#include "extensor/autograd/ops/loss.hpp"
#include "extensor/core/options.hpp"
#include "extensor/nn/module.hpp"

namespace ex::nn {

// The base of the loss modules: forward takes the input (predictions) and the target.
// Throws ex::Error "<Loss>: ..." at construction for a Reduction value outside the enum.
class Loss : public Module {
 public:
  Loss(std::string name, Reduction reduction);
  using Module::forward;  // the one-argument form throws: a loss needs a target
  virtual Tensor forward(const Tensor& input, const Tensor& target) = 0;
  Tensor operator()(const Tensor& input, const Tensor& target) { return forward(input, target); }
  Reduction reduction() const noexcept { return reduction_; }

 private:
  Reduction reduction_;
};

// ex::mse_loss: mean (or sum, or none) of (input - target)^2.
class MSELoss : public Loss {
 public:
  explicit MSELoss(Reduction reduction = Reduction::Mean) : Loss("MSELoss", reduction) {}
  using Loss::forward;
  Tensor forward(const Tensor& input, const Tensor& target) override;
};

// ex::l1_loss: |input - target|.
class L1Loss : public Loss {
 public:
  explicit L1Loss(Reduction reduction = Reduction::Mean) : Loss("L1Loss", reduction) {}
  using Loss::forward;
  Tensor forward(const Tensor& input, const Tensor& target) override;
};

// ex::smooth_l1_loss with threshold beta. Throws ex::Error "SmoothL1Loss: ..." for a
// negative or NaN beta.
class SmoothL1Loss : public Loss {
 public:
  explicit SmoothL1Loss(Reduction reduction = Reduction::Mean, double beta = 1.0);
  using Loss::forward;
  Tensor forward(const Tensor& input, const Tensor& target) override;
  double beta() const noexcept { return beta_; }

 private:
  double beta_;
};

// ex::binary_cross_entropy of probabilities, with an optional weight broadcasting to the
// input (a buffer).
class BCELoss : public Loss {
 public:
  explicit BCELoss(const Tensor& weight = {}, Reduction reduction = Reduction::Mean);
  using Loss::forward;
  Tensor forward(const Tensor& input, const Tensor& target) override;

  Tensor weight;  // undefined when not given
};

// Options of BCEWithLogitsLoss: BCEWithLogitsLossOptions().pos_weight(pw).reduction(r).
class BCEWithLogitsLossOptions {
  EX_OPTION(Tensor, weight);
  EX_OPTION(Reduction, reduction) = Reduction::Mean;
  // Weight of the positive examples, broadcasting to the input (typically [classes]).
  EX_OPTION(Tensor, pos_weight);
};

// ex::binary_cross_entropy_with_logits: the sigmoid fused with binary cross entropy.
class BCEWithLogitsLoss : public Loss {
 public:
  explicit BCEWithLogitsLoss(const BCEWithLogitsLossOptions& options);
  // In ex::binary_cross_entropy_with_logits's argument order.
  explicit BCEWithLogitsLoss(const Tensor& weight = {}, Reduction reduction = Reduction::Mean,
                             const Tensor& pos_weight = {});
  using Loss::forward;
  Tensor forward(const Tensor& input, const Tensor& target) override;

  Tensor weight;      // undefined when not given
  Tensor pos_weight;  // undefined when not given
};

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
class CrossEntropyLoss : public Loss {
 public:
  explicit CrossEntropyLoss(const CrossEntropyLossOptions& options);
  // In ex::cross_entropy's argument order.
  explicit CrossEntropyLoss(const Tensor& weight = {}, std::int64_t ignore_index = -100,
                            Reduction reduction = Reduction::Mean, double label_smoothing = 0.0);
  using Loss::forward;
  Tensor forward(const Tensor& input, const Tensor& target) override;
  std::int64_t ignore_index() const noexcept { return ignore_index_; }
  double label_smoothing() const noexcept { return label_smoothing_; }

  Tensor weight;  // undefined when not given

 private:
  std::int64_t ignore_index_;
  double label_smoothing_;
};

// Options of NLLLoss: NLLLossOptions().weight(w).ignore_index(0).
class NLLLossOptions {
  EX_OPTION(Tensor, weight);
  EX_OPTION(std::int64_t, ignore_index) = -100;
  EX_OPTION(Reduction, reduction) = Reduction::Mean;
};

// ex::nll_loss of log-probabilities (e.g. LogSoftmax(1) output) with class indices.
class NLLLoss : public Loss {
 public:
  explicit NLLLoss(const NLLLossOptions& options);
  // In ex::nll_loss's argument order.
  explicit NLLLoss(const Tensor& weight = {}, std::int64_t ignore_index = -100, Reduction reduction = Reduction::Mean);
  using Loss::forward;
  Tensor forward(const Tensor& input, const Tensor& target) override;
  std::int64_t ignore_index() const noexcept { return ignore_index_; }

  Tensor weight;  // undefined when not given

 private:
  std::int64_t ignore_index_;
};

}  // namespace ex::nn
