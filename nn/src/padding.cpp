// ZeroPad2d, ReflectionPad2d and ReplicationPad2d: ex::pad of the last two dims.

#include "extensor/nn/padding.hpp"

#include "common/check.hpp"
#include "extensor/autograd/ops/padding.hpp"
#include "module_util.hpp"

namespace ex::nn {

Pad2dBase::Pad2dBase(std::string name, ExpandingArray<4> padding, PadMode mode)
    : Module(std::move(name)), padding_(padding), mode_(mode) {
  for (std::int64_t p : *padding_)
    if (p < 0) detail::fail("{}: padding must be >= 0, got {}", this->name(), padding_.repr(true));
}

Tensor Pad2dBase::forward(const Tensor& input) {
  detail::check_2d_input(name().c_str(), input);
  return pad(input, {padding_[0], padding_[1], padding_[2], padding_[3]}, mode_);
}

std::string Pad2dBase::extra_repr() const { return padding_.repr(true); }

}  // namespace ex::nn
