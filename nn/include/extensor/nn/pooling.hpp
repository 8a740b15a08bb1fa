#pragma once
// Pooling modules over the public ops of extensor/autograd/ops/pooling.hpp: MaxPool2d,
// AvgPool2d, AdaptiveAvgPool2d, with PyTorch 1.13's semantics.

#include <cstdint>
#include <string>

#include "extensor/core/options.hpp"
#include "extensor/nn/cloneable.hpp"
#include "extensor/nn/expanding_array.hpp"

namespace ex::nn {

// Options of MaxPool2d: MaxPool2dOptions(2), MaxPool2dOptions({3, 2}).stride(1).padding(1).
// The stride defaults to kernel_size, as in PyTorch.
class MaxPool2dOptions {
 public:
  MaxPool2dOptions(ExpandingArray<2> kernel_size)  // NOLINT(google-explicit-constructor): libtorch's spelling
      : kernel_size_(kernel_size), stride_(kernel_size) {}
  EX_OPTION(ExpandingArray<2>, kernel_size);
  EX_OPTION(ExpandingArray<2>, stride);
  // Implicit -inf padding on both sides; at most kernel_size / 2.
  EX_OPTION(ExpandingArray<2>, padding) = 0;
  EX_OPTION(ExpandingArray<2>, dilation) = 1;
  // Output sizes rounded up instead of down.
  EX_OPTION(bool, ceil_mode) = false;
};

// Maximum over windows, like torch.nn.MaxPool2d (ex::max_pool2d): [N, C, H, W] or
// [C, H, W] -> the pooled sizes. No parameters. Throws ex::Error "MaxPool2d: ..." for
// kernel_size, stride or dilation < 1, or padding negative or above kernel_size / 2.
// The holder is MaxPool2d: nn::MaxPool2d(2), nn::MaxPool2d(nn::MaxPool2dOptions(3).stride(2)).
class MaxPool2dImpl : public Cloneable<MaxPool2dImpl> {
 public:
  explicit MaxPool2dImpl(const MaxPool2dOptions& options);
  explicit MaxPool2dImpl(ExpandingArray<2> kernel_size) : MaxPool2dImpl(MaxPool2dOptions(kernel_size)) {}
  void reset() override {}
  // Floating input [N, C, H, W] or [C, H, W]; throws ex::Error "MaxPool2d: ..." for an
  // undefined input or another rank, and what ex::max_pool2d throws (an output size <= 0).
  Tensor forward(const Tensor& input);
  // "kernel_size=2, stride=2, padding=0, dilation=1, ceil_mode=False"
  std::string extra_repr() const override;
  const MaxPool2dOptions& options() const noexcept { return options_; }

 private:
  MaxPool2dOptions options_;
};
EX_MODULE(MaxPool2d);

// Options of AvgPool2d: AvgPool2dOptions(2).stride(1).count_include_pad(false). The
// stride defaults to kernel_size.
class AvgPool2dOptions {
 public:
  AvgPool2dOptions(ExpandingArray<2> kernel_size)  // NOLINT(google-explicit-constructor): libtorch's spelling
      : kernel_size_(kernel_size), stride_(kernel_size) {}
  EX_OPTION(ExpandingArray<2>, kernel_size);
  EX_OPTION(ExpandingArray<2>, stride);
  // Implicit zero padding on both sides; at most kernel_size / 2.
  EX_OPTION(ExpandingArray<2>, padding) = 0;
  EX_OPTION(bool, ceil_mode) = false;
  // Whether the padding counts in each window's divisor.
  EX_OPTION(bool, count_include_pad) = true;
};

// Mean over windows, like torch.nn.AvgPool2d (ex::avg_pool2d; PyTorch's divisor_override
// is not offered). No parameters. Throws ex::Error "AvgPool2d: ..." for kernel_size or
// stride < 1, or padding negative or above kernel_size / 2.
// The holder is AvgPool2d: nn::AvgPool2d(2).
class AvgPool2dImpl : public Cloneable<AvgPool2dImpl> {
 public:
  explicit AvgPool2dImpl(const AvgPool2dOptions& options);
  explicit AvgPool2dImpl(ExpandingArray<2> kernel_size) : AvgPool2dImpl(AvgPool2dOptions(kernel_size)) {}
  void reset() override {}
  // Floating input [N, C, H, W] or [C, H, W]; throws ex::Error "AvgPool2d: ..." for an
  // undefined input or another rank, and what ex::avg_pool2d throws.
  Tensor forward(const Tensor& input);
  // "kernel_size=2, stride=2, padding=0" (PyTorch's).
  std::string extra_repr() const override;
  const AvgPool2dOptions& options() const noexcept { return options_; }

 private:
  AvgPool2dOptions options_;
};
EX_MODULE(AvgPool2d);

// Options of AdaptiveAvgPool2d: the output {height, width} (PyTorch's None entries,
// keeping an input size, are not offered).
class AdaptiveAvgPool2dOptions {
 public:
  AdaptiveAvgPool2dOptions(ExpandingArray<2> output_size)  // NOLINT(google-explicit-constructor)
      : output_size_(output_size) {}
  EX_OPTION(ExpandingArray<2>, output_size);
};

// Mean over output_size windows per plane, like torch.nn.AdaptiveAvgPool2d
// (ex::adaptive_avg_pool2d): [N, C, H, W] or [C, H, W] -> [..., oH, oW]. No parameters.
// Throws ex::Error "AdaptiveAvgPool2d: ..." for an output size < 1.
// The holder is AdaptiveAvgPool2d: nn::AdaptiveAvgPool2d(1), nn::AdaptiveAvgPool2d({2, 3}).
class AdaptiveAvgPool2dImpl : public Cloneable<AdaptiveAvgPool2dImpl> {
 public:
  explicit AdaptiveAvgPool2dImpl(const AdaptiveAvgPool2dOptions& options);
  explicit AdaptiveAvgPool2dImpl(ExpandingArray<2> output_size)
      : AdaptiveAvgPool2dImpl(AdaptiveAvgPool2dOptions(output_size)) {}
  void reset() override {}
  // Floating input [N, C, H, W] or [C, H, W]; throws ex::Error "AdaptiveAvgPool2d: ..."
  // for an undefined input or another rank, and what ex::adaptive_avg_pool2d throws.
  Tensor forward(const Tensor& input);
  // "output_size=2" or "output_size=(2, 3)"
  std::string extra_repr() const override;
  const AdaptiveAvgPool2dOptions& options() const noexcept { return options_; }

 private:
  AdaptiveAvgPool2dOptions options_;
};
EX_MODULE(AdaptiveAvgPool2d);

}  // namespace ex::nn
