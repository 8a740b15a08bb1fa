// Conv2d: ex::conv2d on the module's weight and bias, after ex::pad for the padding modes.

#include "extensor/nn/conv.hpp"

#include <cmath>

#include "common/check.hpp"
#include "extensor/autograd/ops/conv.hpp"
#include "extensor/autograd/ops/padding.hpp"
#include "extensor/core/init.hpp"
#include "extensor/nn/init.hpp"
#include "module_util.hpp"

namespace ex::nn {

const char* padding_mode_name(PaddingMode mode) noexcept {
  switch (mode) {
    case PaddingMode::Zeros:
      return "zeros";
    case PaddingMode::Reflect:
      return "reflect";
    case PaddingMode::Replicate:
      return "replicate";
    case PaddingMode::Circular:
      return "circular";
  }
  return "?";
}

Conv2dImpl::Conv2dImpl(const Conv2dOptions& options) : Cloneable("Conv2d"), options_(options) {
  const Conv2dOptions& o = options_;
  if (o.in_channels() < 1 || o.out_channels() < 1 || o.groups() < 1)
    detail::fail("Conv2d: in_channels, out_channels and groups must be >= 1, got {}, {} and {}", o.in_channels(),
                 o.out_channels(), o.groups());
  if (o.in_channels() % o.groups() != 0 || o.out_channels() % o.groups() != 0)
    detail::fail("Conv2d: in_channels ({}) and out_channels ({}) must be divisible by groups ({})", o.in_channels(),
                 o.out_channels(), o.groups());
  for (int i = 0; i < 2; ++i) {
    if (o.kernel_size()[i] < 1 || o.stride()[i] < 1 || o.dilation()[i] < 1)
      detail::fail("Conv2d: kernel_size, stride and dilation must be >= 1, got {}, {} and {}",
                   o.kernel_size().repr(true), o.stride().repr(true), o.dilation().repr(true));
    if (o.padding()[i] < 0) detail::fail("Conv2d: padding must be >= 0, got {}", o.padding().repr(true));
  }
  if (o.padding_mode() == PaddingMode::Circular)
    detail::fail("Conv2d: padding_mode circular is unsupported (use zeros, reflect or replicate)");
  reset();
}

void Conv2dImpl::reset() {
  const Conv2dOptions& o = options_;
  weight = register_parameter("weight", detail::allocate({o.out_channels(), o.in_channels() / o.groups(),
                                                          o.kernel_size()[0], o.kernel_size()[1]},
                                                         kDefaultFloat, "Conv2d"));
  bias =
      o.bias() ? register_parameter("bias", detail::allocate({o.out_channels()}, kDefaultFloat, "Conv2d")) : Tensor();
  reset_parameters();
}

void Conv2dImpl::reset_parameters() {
  // PyTorch's choice: kaiming_uniform_ with a = sqrt(5) gives bound 1/sqrt(fan_in).
  init::kaiming_uniform_(weight, std::sqrt(5.0));
  if (bias.defined()) {
    const std::int64_t fan_in = calculate_fan_in_and_fan_out(weight.shape()).first;
    init::uniform_(bias, -1.0 / std::sqrt(static_cast<double>(fan_in)), 1.0 / std::sqrt(static_cast<double>(fan_in)));
  }
}

Tensor Conv2dImpl::forward(const Tensor& input) {
  const Conv2dOptions& o = options_;
  detail::check_2d_input("Conv2d", input);
  const std::int64_t channels = input.size(input.dim() - 3);
  if (channels != o.in_channels())
    detail::fail("Conv2d: input of shape {} has {} channels, expected {}", input.shape(), channels, o.in_channels());
  if (input.dtype() != weight.dtype())
    detail::fail("Conv2d: input has dtype {} but the weight has {} (convert one to the other's dtype)", input.dtype(),
                 weight.dtype());
  if (o.padding_mode() == PaddingMode::Zeros)
    return conv2d(input, weight, bias, o.stride(), o.padding(), o.dilation(), o.groups());
  const std::int64_t ph = o.padding()[0];
  const std::int64_t pw = o.padding()[1];
  const Tensor padded =
      pad(input, {pw, pw, ph, ph}, o.padding_mode() == PaddingMode::Reflect ? PadMode::Reflect : PadMode::Replicate);
  return conv2d(padded, weight, bias, o.stride(), {0, 0}, o.dilation(), o.groups());
}

std::string Conv2dImpl::extra_repr() const {
  const Conv2dOptions& o = options_;
  std::string s = fmt::format("{}, {}, kernel_size={}, stride={}", o.in_channels(), o.out_channels(),
                              o.kernel_size().repr(true), o.stride().repr(true));
  if (o.padding() != ExpandingArray<2>(0)) s += fmt::format(", padding={}", o.padding().repr(true));
  if (o.dilation() != ExpandingArray<2>(1)) s += fmt::format(", dilation={}", o.dilation().repr(true));
  if (o.groups() != 1) s += fmt::format(", groups={}", o.groups());
  if (!o.bias()) s += ", bias=False";
  if (o.padding_mode() != PaddingMode::Zeros)
    s += fmt::format(", padding_mode={}", padding_mode_name(o.padding_mode()));
  return s;
}

}  // namespace ex::nn
