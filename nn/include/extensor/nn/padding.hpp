#pragma once
// 2-D padding modules over ex::pad: ZeroPad2d, ReflectionPad2d, ReplicationPad2d.

#include <cstdint>
#include <string>

#include "extensor/core/kernels/padding.hpp"
#include "extensor/nn/cloneable.hpp"
#include "extensor/nn/expanding_array.hpp"

namespace ex::nn {

// The base of the 2-D padding modules: pads the last two dims of [N, C, H, W] or
// [C, H, W] by padding = {left, right, top, bottom} (one value: all four) with ex::pad in
// one mode. No parameters.
class Pad2dBase : public Module {
 public:
  // [N, C, H, W] or [C, H, W] -> [..., H + top + bottom, W + left + right], the input's
  // dtype, recording on the tape. Throws ex::Error "<module>: ..." for an undefined input
  // or a rank other than 3 or 4, and what ex::pad throws (a reflect pad not below its dim,
  // an empty dim to replicate).
  Tensor forward(const Tensor& input);
  // PyTorch's: the padding as a tuple, "(1, 1, 2, 0)".
  std::string extra_repr() const override;
  // {left, right, top, bottom}.
  const ExpandingArray<4>& padding() const noexcept { return padding_; }

 protected:
  // Throws ex::Error "<name>: padding must be >= 0, got (1, -1, 0, 0)".
  Pad2dBase(std::string name, ExpandingArray<4> padding, PadMode mode);

 private:
  ExpandingArray<4> padding_;
  PadMode mode_;
};

// Pads with zeros, like torch.nn.ZeroPad2d. The holder is ZeroPad2d: nn::ZeroPad2d(1),
// nn::ZeroPad2d({1, 0, 2, 2}).
class ZeroPad2dImpl : public Cloneable<ZeroPad2dImpl, Pad2dBase> {
 public:
  explicit ZeroPad2dImpl(ExpandingArray<4> padding) : Cloneable("ZeroPad2d", padding, PadMode::Constant) {}
  void reset() override {}
};
EX_MODULE(ZeroPad2d);

// Pads with the reflection of the input about its edges (the edge not repeated), like
// torch.nn.ReflectionPad2d; each pad must be below its dim. The holder is ReflectionPad2d.
class ReflectionPad2dImpl : public Cloneable<ReflectionPad2dImpl, Pad2dBase> {
 public:
  explicit ReflectionPad2dImpl(ExpandingArray<4> padding) : Cloneable("ReflectionPad2d", padding, PadMode::Reflect) {}
  void reset() override {}
};
EX_MODULE(ReflectionPad2d);

// Pads by repeating the edge values, like torch.nn.ReplicationPad2d. The holder is
// ReplicationPad2d.
class ReplicationPad2dImpl : public Cloneable<ReplicationPad2dImpl, Pad2dBase> {
 public:
  explicit ReplicationPad2dImpl(ExpandingArray<4> padding)
      : Cloneable("ReplicationPad2d", padding, PadMode::Replicate) {}
  void reset() override {}
};
EX_MODULE(ReplicationPad2d);

}  // namespace ex::nn
