#pragma once
// ex::nn::Linear: a fully connected layer, y = x W^T + b.

#include <cstdint>
#include <string>

#include "extensor/core/options.hpp"
#include "extensor/nn/cloneable.hpp"

namespace ex::nn {

// Options of Linear: LinearOptions(784, 512).bias(false).
class LinearOptions {
 public:
  LinearOptions(std::int64_t in_features, std::int64_t out_features)
      : in_features_(in_features), out_features_(out_features) {}
  EX_OPTION(std::int64_t, in_features);
  EX_OPTION(std::int64_t, out_features);
  // Whether the layer adds a learnable bias.
  EX_OPTION(bool, bias) = true;
};

// Applies y = x W^T + b to the last axis of x, like torch.nn.Linear. Parameters:
// weight [out_features, in_features] and, with bias, bias [out_features], float32,
// initialized as PyTorch does: weight by kaiming_uniform_(a = sqrt(5)), i.e. uniform on
// [-1/sqrt(in), 1/sqrt(in)], and bias uniform on the same interval (0 when in == 0), both
// drawn from the default generator. The parameter names and shapes match PyTorch's, so
// its state dicts load unchanged. Throws ex::Error "Linear: ..." for negative sizes.
// The holder is Linear: nn::Linear(784, 512), nn::Linear(nn::LinearOptions(4, 2).bias(false)).
class LinearImpl : public Cloneable<LinearImpl> {
 public:
  explicit LinearImpl(const LinearOptions& options);
  LinearImpl(std::int64_t in_features, std::int64_t out_features, bool bias = true);

  // Registers new weight and bias and initializes them (reset_parameters).
  void reset() override;
  // input [*, in_features] (rank >= 1) -> [*, out_features], recording on the tape.
  // Throws ex::Error "Linear: input of shape [2, 3] has 3 features, expected 4" for a
  // wrong last axis or rank 0, and "Linear: ..." when the input's dtype is not the
  // weight's (convert the module with to(DType)).
  Tensor forward(const Tensor& input);
  // Draws weight and bias again with the default initialization (in place).
  void reset_parameters();
  // "in_features=4, out_features=2, bias=True"
  std::string extra_repr() const override;
  const LinearOptions& options() const noexcept { return options_; }

  Tensor weight;  // [out_features, in_features]
  Tensor bias;    // [out_features]; undefined without bias

 private:
  LinearOptions options_;
};
EX_MODULE(Linear);

}  // namespace ex::nn
