// Average pooling kernels: avg_pool2d with PyTorch's divisor rules (count_include_pad
// counts the padded positions a window covers, never those past the padding that
// ceil_mode adds) and adaptive_avg_pool2d, each with its backward: the same windows,
// the gradient spread over them. One template for every floating dtype, half types in
// float32; inputs read through their strides.

#include <vector>

#include "common/check.hpp"
#include "core/src/dispatch_floating.hpp"
#include "core/src/kernels/pooling.hpp"
#include "core/src/kernels/pooling_geometry.hpp"

namespace ex {

namespace {

using kernels::pooling::Geometry;
using kernels::pooling::Pair;
using kernels::pooling::PlaneStrides;
using kernels::pooling::Window;

// One output's window [h0, h1) x [w0, w1), clipped to the input, and its divisor.
struct Cell {
  std::int64_t h0, h1, w0, w1;
  double divisor;
};

// The windows of avg_pool2d (PyTorch's avg_pool2d_out_frame).
struct AvgWindows {
  Window w;
  bool count_include_pad;
  Geometry g;
  Cell operator()(std::int64_t oh, std::int64_t ow) const {
    std::int64_t h0 = oh * w.stride[0] - w.padding[0], w0 = ow * w.stride[1] - w.padding[1];
    std::int64_t h1 = std::min(h0 + w.kernel[0], g.in_h + w.padding[0]);
    std::int64_t w1 = std::min(w0 + w.kernel[1], g.in_w + w.padding[1]);
    const std::int64_t padded = (h1 - h0) * (w1 - w0);
    h0 = std::max<std::int64_t>(h0, 0);
    w0 = std::max<std::int64_t>(w0, 0);
    h1 = std::min(h1, g.in_h);
    w1 = std::min(w1, g.in_w);
    const std::int64_t inside = std::max<std::int64_t>(0, h1 - h0) * std::max<std::int64_t>(0, w1 - w0);
    return {h0, h1, w0, w1, static_cast<double>(count_include_pad ? padded : inside)};
  }
};

// The windows of adaptive_avg_pool2d: [floor(o * in / out), ceil((o + 1) * in / out)).
struct AdaptiveWindows {
  Geometry g;
  Cell operator()(std::int64_t oh, std::int64_t ow) const {
    const std::int64_t h0 = oh * g.in_h / g.out_h, h1 = ((oh + 1) * g.in_h + g.out_h - 1) / g.out_h;
    const std::int64_t w0 = ow * g.in_w / g.out_w, w1 = ((ow + 1) * g.in_w + g.out_w - 1) / g.out_w;
    return {h0, h1, w0, w1, static_cast<double>((h1 - h0) * (w1 - w0))};
  }
};

template <class Windows>
Tensor pool_average(const char* fn, const Tensor& input, const Geometry& g, const Windows& windows,
                    double window_elements) {
  Tensor out = detail::allocate(g.out_shape, input.dtype(), fn);
  const PlaneStrides s(input);
  detail::dispatch_floating(input.dtype(), [&]<class T>() {
    using C = compute_t<T>;
    const T* in = input.data<T>();
    T* o = out.data<T>();
    const std::int64_t plane_out = g.out_h * g.out_w;
    kernels::pooling::for_planes(g.planes, static_cast<double>(plane_out) * window_elements,
                                 [&](std::int64_t b, std::int64_t e) {
                                   for (std::int64_t p = b; p < e; ++p) {
                                     const T* plane = in + s.plane(p);
                                     for (std::int64_t oh = 0; oh < g.out_h; ++oh)
                                       for (std::int64_t ow = 0; ow < g.out_w; ++ow) {
                                         const Cell c = windows(oh, ow);
                                         C total = 0;
                                         for (std::int64_t h = c.h0; h < c.h1; ++h)
                                           for (std::int64_t x = c.w0; x < c.w1; ++x)
                                             total += static_cast<C>(plane[h * s.row + x * s.col]);
                                         // A window entirely in the padding averages nothing: 0, like PyTorch.
                                         o[p * plane_out + oh * g.out_w + ow] =
                                             static_cast<T>(c.divisor > 0 ? total / static_cast<C>(c.divisor) : C(0));
                                       }
                                   }
                                 });
  });
  return out;
}

template <class Windows>
Tensor unpool_average(const char* fn, const Tensor& grad, const Shape& input_shape, const Geometry& g,
                      const Windows& windows, double window_elements) {
  Tensor result = detail::allocate(input_shape, grad.dtype(), fn);
  const Tensor gc = grad.contiguous();
  detail::dispatch_floating(grad.dtype(), [&]<class T>() {
    using C = compute_t<T>;
    const T* gp = gc.data<T>();
    T* r = result.data<T>();
    const std::int64_t plane_in = g.in_h * g.in_w, plane_out = g.out_h * g.out_w;
    kernels::pooling::for_planes(
        g.planes, static_cast<double>(plane_in) + static_cast<double>(plane_out) * window_elements,
        [&](std::int64_t b, std::int64_t e) {
          std::vector<C> acc(static_cast<std::size_t>(plane_in));
          for (std::int64_t p = b; p < e; ++p) {
            std::fill(acc.begin(), acc.end(), C(0));
            for (std::int64_t oh = 0; oh < g.out_h; ++oh)
              for (std::int64_t ow = 0; ow < g.out_w; ++ow) {
                const Cell c = windows(oh, ow);
                if (c.divisor <= 0) continue;
                const C share = static_cast<C>(gp[p * plane_out + oh * g.out_w + ow]) / static_cast<C>(c.divisor);
                for (std::int64_t h = c.h0; h < c.h1; ++h)
                  for (std::int64_t x = c.w0; x < c.w1; ++x) acc[static_cast<std::size_t>(h * g.in_w + x)] += share;
              }
            for (std::int64_t i = 0; i < plane_in; ++i)
              r[p * plane_in + i] = static_cast<T>(acc[static_cast<std::size_t>(i)]);
          }
        });
  });
  return result;
}

AvgWindows avg_windows(const char* fn, const Shape& input_shape, Pair kernel_size, Pair stride, Pair padding,
                       bool ceil_mode, bool count_include_pad) {
  AvgWindows a{};
  a.w = kernels::pooling::check_window(fn, input_shape, kernel_size, stride, padding, {1, 1}, ceil_mode, a.g);
  a.count_include_pad = count_include_pad;
  return a;
}

// Parameters beyond this would overflow the adaptive window rule.
constexpr std::int64_t kMaxAdaptiveSize = std::int64_t{1} << 31;

AdaptiveWindows adaptive_windows(const char* fn, const Shape& input_shape, Pair output_size) {
  AdaptiveWindows a{kernels::pooling::plane_geometry(fn, input_shape)};
  if (output_size[0] <= 0 || output_size[1] <= 0)
    detail::fail("{}: output_size must be positive, got [{}, {}]", fn, output_size[0], output_size[1]);
  if (output_size[0] > kMaxAdaptiveSize || output_size[1] > kMaxAdaptiveSize || a.g.in_h > kMaxAdaptiveSize ||
      a.g.in_w > kMaxAdaptiveSize)
    detail::fail("{}: input of shape {} with output_size [{}, {}]: sizes beyond 2^31 are not supported", fn,
                 input_shape, output_size[0], output_size[1]);
  a.g.out_h = output_size[0];
  a.g.out_w = output_size[1];
  a.g.out_shape[a.g.out_shape.size() - 2] = a.g.out_h;
  a.g.out_shape[a.g.out_shape.size() - 1] = a.g.out_w;
  return a;
}

// The most input elements one adaptive window covers along a dim of in split into out.
double adaptive_extent(std::int64_t in, std::int64_t out) { return static_cast<double>(in / out + 2); }

// The most input elements one avg_pool2d window covers.
double avg_window_elements(const AvgWindows& a) {
  return static_cast<double>(std::min(a.w.kernel[0], a.g.in_h)) *
         static_cast<double>(std::min(a.w.kernel[1], a.g.in_w));
}

}  // namespace

Tensor kernels::avg_pool2d(const Tensor& input, Pair kernel_size, Pair stride, Pair padding, bool ceil_mode,
                           bool count_include_pad) {
  const char* fn = "avg_pool2d";
  pooling::check_floating_input(fn, input);
  const AvgWindows a = avg_windows(fn, input.shape(), kernel_size, stride, padding, ceil_mode, count_include_pad);
  return pool_average(fn, input, a.g, a, avg_window_elements(a));
}

Tensor avg_pool2d_backward(const Tensor& grad, const Shape& input_shape, Pair kernel_size, Pair stride, Pair padding,
                           bool ceil_mode, bool count_include_pad) {
  const char* fn = "avg_pool2d_backward";
  const AvgWindows a = avg_windows(fn, input_shape, kernel_size, stride, padding, ceil_mode, count_include_pad);
  kernels::pooling::check_grad(fn, grad, a.g.out_shape);
  return unpool_average(fn, grad, input_shape, a.g, a, avg_window_elements(a));
}

Tensor kernels::adaptive_avg_pool2d(const Tensor& input, Pair output_size) {
  const char* fn = "adaptive_avg_pool2d";
  pooling::check_floating_input(fn, input);
  const AdaptiveWindows a = adaptive_windows(fn, input.shape(), output_size);
  return pool_average(fn, input, a.g, a, adaptive_extent(a.g.in_h, a.g.out_h) * adaptive_extent(a.g.in_w, a.g.out_w));
}

Tensor adaptive_avg_pool2d_backward(const Tensor& grad, const Shape& input_shape) {
  const char* fn = "adaptive_avg_pool2d_backward";
  detail::floating(fn, grad, "grad");
  if (grad.dim() != static_cast<std::int64_t>(input_shape.size()) || grad.dim() < 3)
    detail::fail("{}: grad of shape {} does not pool an input of shape {}", fn, grad.shape(), input_shape);
  const Shape& gs = grad.shape();
  const AdaptiveWindows a = adaptive_windows(fn, input_shape, {gs[gs.size() - 2], gs[gs.size() - 1]});
  kernels::pooling::check_grad(fn, grad, a.g.out_shape);
  return unpool_average(fn, grad, input_shape, a.g, a,
                        adaptive_extent(a.g.in_h, a.g.out_h) * adaptive_extent(a.g.in_w, a.g.out_w));
}

}  // namespace ex
