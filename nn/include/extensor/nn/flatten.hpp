#pragma once
// Shape modules: Flatten and Identity.

#include <cstdint>
#include <string>

#include "extensor/nn/cloneable.hpp"

namespace ex::nn {

// Merges axes start_axis..end_axis (inclusive, negatives from the end) into one through
// ex::flatten, like torch.nn.Flatten: the defaults turn [N, C, H, W] into [N, C*H*W].
// Throws what ex::flatten throws ("flatten: ...") for axes the input does not have.
class FlattenImpl : public Cloneable<FlattenImpl> {
 public:
  explicit FlattenImpl(std::int64_t start_axis = 1, std::int64_t end_axis = -1);
  void reset() override {}
  Tensor forward(const Tensor& input);
  std::string extra_repr() const override;  // "start_axis=1, end_axis=-1"

 private:
  std::int64_t start_axis_;
  std::int64_t end_axis_;
};
EX_MODULE(Flatten);

// Returns its input unchanged (the same tensor): a placeholder layer.
class IdentityImpl : public Cloneable<IdentityImpl> {
 public:
  IdentityImpl() : Cloneable("Identity") {}
  void reset() override {}
  Tensor forward(const Tensor& input) { return input; }
};
EX_MODULE(Identity);

}  // namespace ex::nn
