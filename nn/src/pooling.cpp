// MaxPool2d, AvgPool2d and AdaptiveAvgPool2d over the public pooling ops.

#include "extensor/nn/pooling.hpp"

#include "common/check.hpp"
#include "extensor/autograd/ops/pooling.hpp"
#include "module_util.hpp"

namespace ex::nn {

namespace {

// The window checks the pooling modules share, under the module's name.
void check_window(const char* module, const ExpandingArray<2>& kernel, const ExpandingArray<2>& stride,
                  const ExpandingArray<2>& padding, const ExpandingArray<2>& dilation = 1) {
  for (int i = 0; i < 2; ++i) {
    if (kernel[i] < 1 || stride[i] < 1 || dilation[i] < 1)
      detail::fail("{}: kernel_size, stride and dilation must be >= 1, got {}, {} and {}", module, kernel.repr(true),
                   stride.repr(true), dilation.repr(true));
    if (padding[i] < 0 || padding[i] > kernel[i] / 2)
      detail::fail("{}: padding must be in [0, kernel_size / 2], got padding {} for kernel_size {}", module,
                   padding.repr(true), kernel.repr(true));
  }
}

}  // namespace

MaxPool2dImpl::MaxPool2dImpl(const MaxPool2dOptions& options) : Cloneable("MaxPool2d"), options_(options) {
  check_window("MaxPool2d", options.kernel_size(), options.stride(), options.padding(), options.dilation());
}

Tensor MaxPool2dImpl::forward(const Tensor& input) {
  detail::check_2d_input("MaxPool2d", input);
  const MaxPool2dOptions& o = options_;
  return max_pool2d(input, o.kernel_size(), o.stride(), o.padding(), o.dilation(), o.ceil_mode());
}

std::string MaxPool2dImpl::extra_repr() const {
  const MaxPool2dOptions& o = options_;
  return fmt::format("kernel_size={}, stride={}, padding={}, dilation={}, ceil_mode={}", o.kernel_size().repr(),
                     o.stride().repr(), o.padding().repr(), o.dilation().repr(), detail::python_bool(o.ceil_mode()));
}

AvgPool2dImpl::AvgPool2dImpl(const AvgPool2dOptions& options) : Cloneable("AvgPool2d"), options_(options) {
  check_window("AvgPool2d", options.kernel_size(), options.stride(), options.padding());
}

Tensor AvgPool2dImpl::forward(const Tensor& input) {
  detail::check_2d_input("AvgPool2d", input);
  const AvgPool2dOptions& o = options_;
  return avg_pool2d(input, o.kernel_size(), o.stride(), o.padding(), o.ceil_mode(), o.count_include_pad());
}

std::string AvgPool2dImpl::extra_repr() const {
  const AvgPool2dOptions& o = options_;
  return fmt::format("kernel_size={}, stride={}, padding={}", o.kernel_size().repr(), o.stride().repr(),
                     o.padding().repr());
}

AdaptiveAvgPool2dImpl::AdaptiveAvgPool2dImpl(const AdaptiveAvgPool2dOptions& options)
    : Cloneable("AdaptiveAvgPool2d"), options_(options) {
  if (options.output_size()[0] < 1 || options.output_size()[1] < 1)
    detail::fail("AdaptiveAvgPool2d: output_size must be >= 1, got {}", options.output_size().repr(true));
}

Tensor AdaptiveAvgPool2dImpl::forward(const Tensor& input) {
  detail::check_2d_input("AdaptiveAvgPool2d", input);
  return adaptive_avg_pool2d(input, options_.output_size());
}

std::string AdaptiveAvgPool2dImpl::extra_repr() const {
  return fmt::format("output_size={}", options_.output_size().repr());
}

}  // namespace ex::nn
