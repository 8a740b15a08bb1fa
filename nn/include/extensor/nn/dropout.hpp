#pragma once
// ex::nn::Dropout and Dropout2d: random zeroing during training.

#include <string>

#include "extensor/nn/cloneable.hpp"

namespace ex::nn {

// Zeroes each element with probability p and scales the rest by 1 / (1 - p) while
// training; the identity in evaluation mode (see functional::dropout). The mask comes
// from the default generator, so ex::manual_seed makes runs reproducible. Throws
// ex::Error "Dropout: p must be in [0, 1], got 1.5" for p outside [0, 1] or NaN.
// The holder is Dropout: nn::Dropout(0.2).
class DropoutImpl : public Cloneable<DropoutImpl> {
 public:
  explicit DropoutImpl(double p = 0.5);
  void reset() override {}
  // Any shape, floating dtypes; throws what functional::dropout throws.
  Tensor forward(const Tensor& input);
  // "p=0.5"
  std::string extra_repr() const override;
  double p() const noexcept { return p_; }

 private:
  double p_;
};
EX_MODULE(Dropout);

// Zeroes each whole channel (each [n, c] plane of an [N, C, H, W] input, each [c] plane
// of an unbatched [C, H, W] one) with probability p and scales the rest by 1 / (1 - p)
// while training; the identity in evaluation mode (see functional::dropout2d). Like
// torch.nn.Dropout2d, except that a 3-D input is taken as unbatched [C, H, W] (PyTorch
// 1.13 takes it as [N, C, L], with a warning that this will change). Throws ex::Error
// "Dropout2d: p must be in [0, 1], got 1.5" for p outside [0, 1] or NaN.
// The holder is Dropout2d: nn::Dropout2d(0.2).
class Dropout2dImpl : public Cloneable<Dropout2dImpl> {
 public:
  explicit Dropout2dImpl(double p = 0.5);
  void reset() override {}
  // [N, C, H, W] or [C, H, W], floating dtypes; throws what functional::dropout2d throws.
  Tensor forward(const Tensor& input);
  // "p=0.5"
  std::string extra_repr() const override;
  double p() const noexcept { return p_; }

 private:
  double p_;
};
EX_MODULE(Dropout2d);

}  // namespace ex::nn
