#pragma once
// ex::nn::Dropout: random zeroing during training.

#include <string>

#include "extensor/nn/module.hpp"

namespace ex::nn {

// Zeroes each element with probability p and scales the rest by 1 / (1 - p) while
// training; the identity in evaluation mode (see functional::dropout). The mask comes
// from the default generator, so ex::manual_seed makes runs reproducible. Throws
// ex::Error "Dropout: p must be in [0, 1], got 1.5" for p outside [0, 1] or NaN.
class Dropout : public Module {
 public:
  explicit Dropout(double p = 0.5);
  // Any shape, floating dtypes; throws what functional::dropout throws.
  Tensor forward(const Tensor& input) override;
  // "p=0.5"
  std::string extra_repr() const override;
  double p() const noexcept { return p_; }

 private:
  double p_;
};

}  // namespace ex::nn
