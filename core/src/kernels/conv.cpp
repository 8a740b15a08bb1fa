// conv2d: validation, and the choice of kernel. float64 runs the direct loops
// (conv_reference.cpp); float32 and bfloat16 run oneDNN's convolution primitives
// (conv_onednn.cpp); float16, and bfloat16 on CPUs without oneDNN bf16 support, compute
// in float32 and round once. Problems with an empty batch, no output channels or no
// input channels per group skip oneDNN (which refuses zero dims) for the loops.
#include <fmt/format.h>

#include <cstring>

#include "common/check.hpp"
#include "core/src/kernels/conv.hpp"
#include "core/src/kernels/forward.hpp"
#include "extensor/core/backend.hpp"

namespace ex {

namespace {

using ex::detail::fail;
using kernels::conv::Geometry;
using kernels::conv::Pair;

std::string pair_str(Pair p) { return fmt::format("({}, {})", p[0], p[1]); }

// The geometry of conv2d(input, weight, bias) with input made batched, or an ex::Error
// "fn: ..." naming the shapes. bias is checked only when given (the backward has none).
Geometry validate(const char* fn, const Tensor& input, const Tensor& weight, const Tensor* bias, Pair stride,
                  Pair padding, Pair dilation, std::int64_t groups) {
  ex::detail::floating(fn, input, "input");
  ex::detail::floating(fn, weight, "weight");
  if (input.dim() != 3 && input.dim() != 4)
    fail("{}: expected input of shape [N, C, H, W] or [C, H, W], got {}", fn, input.shape());
  if (weight.dim() != 4) fail("{}: expected weight of shape [O, C / groups, kH, kW], got {}", fn, weight.shape());
  if (input.dtype() != weight.dtype())
    fail("{}: input has dtype {} but weight has dtype {}; they must match", fn, input.dtype(), weight.dtype());
  if (groups <= 0) fail("{}: groups must be positive, got {}", fn, groups);
  for (int i = 0; i < 2; ++i) {
    if (stride[i] <= 0) fail("{}: stride must be positive, got {}", fn, pair_str(stride));
    if (dilation[i] <= 0) fail("{}: dilation must be positive, got {}", fn, pair_str(dilation));
    if (padding[i] < 0) fail("{}: padding must be non-negative, got {}", fn, pair_str(padding));
  }
  const bool batched = input.dim() == 4;
  Geometry g{};
  g.n = batched ? input.size(0) : 1;
  g.c = input.size(-3);
  g.h = input.size(-2);
  g.w = input.size(-1);
  g.o = weight.size(0);
  g.kh = weight.size(2);
  g.kw = weight.size(3);
  g.groups = groups;
  g.stride = stride;
  g.padding = padding;
  g.dilation = dilation;
  if (g.o % groups != 0)
    fail("{}: weight of shape {} has {} output channels, not divisible by groups {}", fn, weight.shape(), g.o, groups);
  if (g.c != weight.size(1) * groups)
    fail("{}: input of shape {} has {} channels but weight of shape {} with groups {} expects {}", fn, input.shape(),
         g.c, weight.shape(), groups, weight.size(1) * groups);
  if (bias && bias->defined()) {
    if (bias->dtype() != input.dtype())
      fail("{}: bias has dtype {} but input has dtype {}; they must match", fn, bias->dtype(), input.dtype());
    if (bias->dim() != 1 || bias->size(0) != g.o)
      fail("{}: expected bias of shape [{}] for weight of shape {}, got {}", fn, g.o, weight.shape(), bias->shape());
  }
  constexpr std::int64_t kMaxPadding = std::int64_t{1} << 40;  // any more pads a tensor past the size limit
  if (padding[0] > kMaxPadding || padding[1] > kMaxPadding) fail("{}: padding {} is too large", fn, pair_str(padding));
  // Checked in steps so huge sizes cannot overflow: the padded extent and the dilated
  // kernel each fit easily in 64 bits for any tensor that exists.
  const Pair in{g.h, g.w}, k{g.kh, g.kw};
  std::array<std::int64_t, 2> out{};
  for (int i = 0; i < 2; ++i) {
    const std::int64_t padded = in[i] + 2 * padding[i];
    const std::int64_t span = k[i] <= 1 ? k[i] : dilation[i] > padded ? padded + 1 : dilation[i] * (k[i] - 1) + 1;
    if (k[i] == 0 || span > padded)
      fail("{}: kernel of shape {} (dilation {}) does not fit input of shape {} with padding {}", fn, weight.shape(),
           pair_str(dilation), input.shape(), pair_str(padding));
    out[i] = (padded - span) / stride[i] + 1;
  }
  g.oh = out[0];
  g.ow = out[1];
  checked_numel({g.n, g.o, g.oh, g.ow}, fn, input.itemsize());
  return g;
}

// The dtype the kernel computes in for tensors of dtype.
DType compute_dtype(DType dtype, const Geometry& g) {
  if (g.n == 0 || g.o == 0 || g.group_in() == 0) return DType::Float64;
  if (dtype == DType::Float64 || dtype == DType::Float32) return dtype;
  if (dtype == DType::BFloat16 && onednn_supports_bf16()) return dtype;
  return DType::Float32;
}

// t as a dense tensor of dtype with the given (batched) shape: t itself when it already
// is one, else a copy allocated under fn's name.
Tensor dense(const Tensor& t, DType dtype, const Shape& shape, const char* fn) {
  const Tensor v = t.shape() == shape ? t : t.view(shape);
  if (v.dtype() == dtype && v.is_contiguous()) return v;
  Tensor out = ex::detail::allocate(shape, dtype, fn);
  ex::detail::copy_convert(v, out);
  return out;
}

// t converted back to dtype and shape (t itself when it has them).
Tensor restore(const Tensor& t, DType dtype, const Shape& shape, const char* fn) {
  if (!t.defined()) return t;
  const Tensor c = ex::detail::to_dtype(t, dtype, fn);
  return c.shape() == shape ? c : c.view(shape);
}

}  // namespace

namespace kernels {

Tensor conv2d(const Tensor& input, const Tensor& weight, const Tensor& bias, Pair stride, Pair padding, Pair dilation,
              std::int64_t groups) {
  const char* fn = "conv2d";
  const Geometry g = validate(fn, input, weight, &bias, stride, padding, dilation, groups);
  const DType dtype = input.dtype(), ct = compute_dtype(dtype, g);
  const Tensor x = dense(input, ct, {g.n, g.c, g.h, g.w}, fn);
  const Tensor w = dense(weight, ct, weight.shape(), fn);
  const Tensor b = bias.defined() ? dense(bias, ct, bias.shape(), fn) : Tensor();
  Tensor out = ex::detail::allocate({g.n, g.o, g.oh, g.ow}, ct, fn);
  if (ct == DType::Float64)
    conv::reference_forward(g, x, w, b, out);
  else
    conv::onednn_forward(g, x, w, b, out);
  Shape shape = out.shape();
  if (input.dim() == 3) shape = {g.o, g.oh, g.ow};
  return restore(out, dtype, shape, fn);
}

}  // namespace kernels

Conv2dGradients conv2d_backward(const Tensor& grad, const Tensor& input, const Tensor& weight, bool has_bias,
                                Pair stride, Pair padding, Pair dilation, std::int64_t groups, Conv2dMask output_mask) {
  const char* fn = "conv2d_backward";
  const Geometry g = validate(fn, input, weight, nullptr, stride, padding, dilation, groups);
  ex::detail::defined(fn, grad, "grad");
  const Shape out_shape = input.dim() == 4 ? Shape{g.n, g.o, g.oh, g.ow} : Shape{g.o, g.oh, g.ow};
  if (grad.dtype() != input.dtype() || grad.shape() != out_shape)
    fail("{}: grad has shape {} and dtype {} but the result has shape {} and dtype {}", fn, grad.shape(), grad.dtype(),
         out_shape, input.dtype());
  const Conv2dMask mask{output_mask[0], output_mask[1], output_mask[2] && has_bias};
  if (!mask[0] && !mask[1] && !mask[2]) return {};
  const DType dtype = input.dtype(), ct = compute_dtype(dtype, g);
  const Tensor gd = dense(grad, ct, {g.n, g.o, g.oh, g.ow}, fn);
  const Tensor x = dense(input, ct, {g.n, g.c, g.h, g.w}, fn);
  const Tensor w = dense(weight, ct, weight.shape(), fn);
  Conv2dGradients r = ct == DType::Float64 ? kernels::conv::reference_backward(g, gd, x, w, mask)
                                           : kernels::conv::onednn_backward(g, gd, x, w, mask);
  if (!mask[0]) r.input = Tensor();
  if (!mask[1]) r.weight = Tensor();
  if (!mask[2]) r.bias = Tensor();
  return {restore(r.input, dtype, input.shape(), fn), restore(r.weight, dtype, weight.shape(), fn),
          restore(r.bias, dtype, {g.o}, fn)};
}

}  // namespace ex
