#pragma once
// ex::nn::Dropout: random zeroing during training.

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

}  // namespace ex::nn
