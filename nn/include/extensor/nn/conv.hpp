#pragma once
// ex::nn::Conv2d: a 2-D convolution layer over ex::conv2d (and ex::pad for the
// non-zero padding modes).

#include <cstdint>
#include <string>

#include "extensor/core/options.hpp"
#include "extensor/nn/cloneable.hpp"
#include "extensor/nn/expanding_array.hpp"

namespace ex::nn {

// How Conv2d pads its input: PyTorch's padding_mode 'zeros', 'reflect', 'replicate',
// 'circular' (Circular is refused: Conv2d throws ex::Error "... unsupported").
enum class PaddingMode { Zeros, Reflect, Replicate, Circular };
// "zeros", "reflect", "replicate", "circular".
const char* padding_mode_name(PaddingMode mode) noexcept;

// Options of Conv2d: Conv2dOptions(1, 4, 3).padding(1), Conv2dOptions(4, 8, {3, 5})
// .stride(2).groups(2).bias(false).padding_mode(PaddingMode::Reflect). Sizes are
// {height, width} pairs or one value for both.
class Conv2dOptions {
 public:
  Conv2dOptions(std::int64_t in_channels, std::int64_t out_channels, ExpandingArray<2> kernel_size)
      : in_channels_(in_channels), out_channels_(out_channels), kernel_size_(kernel_size) {}
  EX_OPTION(std::int64_t, in_channels);
  EX_OPTION(std::int64_t, out_channels);
  EX_OPTION(ExpandingArray<2>, kernel_size);
  EX_OPTION(ExpandingArray<2>, stride) = 1;
  // Added on both sides of each spatial dim (zeros, or as padding_mode says).
  EX_OPTION(ExpandingArray<2>, padding) = 0;
  EX_OPTION(ExpandingArray<2>, dilation) = 1;
  // Channels are split into groups convolved separately.
  EX_OPTION(std::int64_t, groups) = 1;
  // Whether the layer adds a learnable bias.
  EX_OPTION(bool, bias) = true;
  EX_OPTION(PaddingMode, padding_mode) = PaddingMode::Zeros;
};

// 2-D cross-correlation over NCHW data, like torch.nn.Conv2d. Parameters: weight
// [out_channels, in_channels / groups, kH, kW] and, with bias, bias [out_channels],
// float32, initialized as PyTorch does from the default generator: weight by
// kaiming_uniform_(a = sqrt(5)) (uniform on [-1/sqrt(fan_in), 1/sqrt(fan_in)]) and bias
// uniform on the same interval, fan_in = in_channels / groups * kH * kW. Names and shapes
// are PyTorch's, so its state dicts load unchanged. With padding_mode Reflect or
// Replicate the input is padded by ex::pad and convolved without padding, as PyTorch
// does. Throws ex::Error "Conv2d: ..." (naming the values) for in_channels,
// out_channels, groups, kernel_size, stride or dilation < 1, negative padding,
// in_channels or out_channels not divisible by groups, and padding_mode Circular.
// The holder is Conv2d: nn::Conv2d(1, 4, 3), nn::Conv2d(nn::Conv2dOptions(1, 4, 3).padding(1)).
class Conv2dImpl : public Cloneable<Conv2dImpl> {
 public:
  explicit Conv2dImpl(const Conv2dOptions& options);
  Conv2dImpl(std::int64_t in_channels, std::int64_t out_channels, ExpandingArray<2> kernel_size)
      : Conv2dImpl(Conv2dOptions(in_channels, out_channels, kernel_size)) {}

  // Registers new weight and bias and initializes them (reset_parameters).
  void reset() override;
  // input [N, in_channels, H, W] or unbatched [in_channels, H, W], the weight's dtype ->
  // [N, out_channels, oH, oW] (or [out_channels, oH, oW]), oH = (H + 2 padding[0] -
  // dilation[0] (kH - 1) - 1) / stride[0] + 1, recording on the tape. Throws ex::Error
  // "Conv2d: ..." for an undefined input, a rank other than 3 or 4, a channel count
  // other than in_channels or a dtype other than the weight's, and what ex::pad and
  // ex::conv2d throw (an input smaller than the dilated kernel, a reflect pad not below
  // its dim).
  Tensor forward(const Tensor& input);
  // Draws weight and bias again with the default initialization (in place).
  void reset_parameters();
  // PyTorch's: "1, 4, kernel_size=(3, 3), stride=(1, 1), padding=(1, 1)", adding
  // dilation, groups, "bias=False" and "padding_mode=reflect" when not the defaults.
  std::string extra_repr() const override;
  const Conv2dOptions& options() const noexcept { return options_; }

  Tensor weight;  // [out_channels, in_channels / groups, kH, kW]
  Tensor bias;    // [out_channels]; undefined without bias

 private:
  Conv2dOptions options_;
};
EX_MODULE(Conv2d);

}  // namespace ex::nn
