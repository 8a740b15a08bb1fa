// Pooling kernels: the shared validation and output-size rules, and max pooling
// (forward with argmax indices, the scatter backward, and the gather it is the adjoint
// of). Average pooling is in pooling_avg.cpp. Our own loops over the N * C planes, every
// dtype through one template (half types compute in float32), reading inputs through
// their strides so views need no copy.

#include <cmath>
#include <limits>
#include <vector>

#include "common/check.hpp"
#include "core/src/dispatch_floating.hpp"
#include "core/src/kernels/pooling.hpp"
#include "core/src/kernels/pooling_geometry.hpp"

namespace ex::kernels::pooling {

namespace {
// Parameters beyond this cannot describe a real window and would overflow the size rule.
constexpr std::int64_t kMaxParameter = std::int64_t{1} << 31;

std::int64_t floor_div(std::int64_t a, std::int64_t b) {
  const std::int64_t q = a / b;
  return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

// PyTorch's pooling_output_shape: with ceil_mode the last window must start inside the
// input or its left padding.
std::int64_t pooled_size(std::int64_t in, std::int64_t k, std::int64_t pad, std::int64_t stride, std::int64_t dil,
                         bool ceil_mode) {
  std::int64_t out = floor_div(in + 2 * pad - dil * (k - 1) - 1 + (ceil_mode ? stride - 1 : 0), stride) + 1;
  if (ceil_mode && (out - 1) * stride >= in + pad) --out;
  return out;
}
}  // namespace

std::int64_t first_inside(std::int64_t start, std::int64_t step) {
  return start >= 0 ? start : start + (-start + step - 1) / step * step;
}

Geometry plane_geometry(const char* fn, const Shape& s) {
  if (s.size() != 3 && s.size() != 4)
    detail::fail("{}: expected a 3-D [C, H, W] or 4-D [N, C, H, W] input, got shape {}", fn, s);
  const std::size_t r = s.size();
  if (s[r - 1] == 0 || s[r - 2] == 0 || s[r - 3] == 0)
    detail::fail("{}: input of shape {} has an empty channel or spatial dim (only the batch dim may be 0)", fn, s);
  Geometry g;
  g.channels = s[r - 3];
  g.planes = (r == 4 ? s[0] : 1) * g.channels;
  g.in_h = s[r - 2];
  g.in_w = s[r - 1];
  g.out_shape = s;
  return g;
}

Window check_window(const char* fn, const Shape& input_shape, Pair kernel_size, Pair stride, Pair padding,
                    Pair dilation, bool ceil_mode, Geometry& g) {
  g = plane_geometry(fn, input_shape);
  const auto fmt_pair = [](Pair p) { return fmt::format("[{}, {}]", p[0], p[1]); };
  Window w{kernel_size, stride, padding, dilation, ceil_mode};
  if (stride[0] == 0 && stride[1] == 0) w.stride = kernel_size;
  if (kernel_size[0] <= 0 || kernel_size[1] <= 0)
    detail::fail("{}: kernel_size must be positive, got {}", fn, fmt_pair(kernel_size));
  if (w.stride[0] <= 0 || w.stride[1] <= 0)
    detail::fail("{}: stride must be positive (or {{0, 0}} for kernel_size), got {}", fn, fmt_pair(stride));
  if (dilation[0] <= 0 || dilation[1] <= 0)
    detail::fail("{}: dilation must be positive, got {}", fn, fmt_pair(dilation));
  if (padding[0] < 0 || padding[1] < 0) detail::fail("{}: padding must be non-negative, got {}", fn, fmt_pair(padding));
  for (int i = 0; i < 2; ++i)
    if (kernel_size[i] > kMaxParameter || w.stride[i] > kMaxParameter || dilation[i] > kMaxParameter)
      detail::fail("{}: kernel_size {}, stride {} and dilation {} must be at most 2^31", fn, fmt_pair(kernel_size),
                   fmt_pair(w.stride), fmt_pair(dilation));
  if (padding[0] > kernel_size[0] / 2 || padding[1] > kernel_size[1] / 2)
    detail::fail("{}: padding {} must be at most half of kernel_size {}", fn, fmt_pair(padding), fmt_pair(kernel_size));
  g.out_h = pooled_size(g.in_h, kernel_size[0], padding[0], w.stride[0], dilation[0], ceil_mode);
  g.out_w = pooled_size(g.in_w, kernel_size[1], padding[1], w.stride[1], dilation[1], ceil_mode);
  if (g.out_h <= 0 || g.out_w <= 0)
    detail::fail(
        "{}: input of shape {} with kernel_size {}, stride {}, padding {}, dilation {} gives an output of {} x {}, "
        "which is too small",
        fn, input_shape, fmt_pair(kernel_size), fmt_pair(w.stride), fmt_pair(padding), fmt_pair(dilation), g.out_h,
        g.out_w);
  g.out_shape[g.out_shape.size() - 2] = g.out_h;
  g.out_shape[g.out_shape.size() - 1] = g.out_w;
  return w;
}

void check_floating_input(const char* fn, const Tensor& t) { detail::floating(fn, t); }

void check_grad(const char* fn, const Tensor& grad, const Shape& expected) {
  detail::floating(fn, grad, "grad");
  if (grad.shape() != expected)
    detail::fail("{}: grad has shape {} but the pooled output has shape {}; they must match", fn, grad.shape(),
                 expected);
}

}  // namespace ex::kernels::pooling

namespace ex {

using kernels::pooling::Geometry;
using kernels::pooling::PlaneStrides;
using kernels::pooling::Window;

std::pair<Tensor, Tensor> max_pool2d_with_indices(const Tensor& input, std::array<std::int64_t, 2> kernel_size,
                                                  std::array<std::int64_t, 2> stride,
                                                  std::array<std::int64_t, 2> padding,
                                                  std::array<std::int64_t, 2> dilation, bool ceil_mode) {
  const char* fn = "max_pool2d";
  kernels::pooling::check_floating_input(fn, input);
  Geometry g;
  const Window w =
      kernels::pooling::check_window(fn, input.shape(), kernel_size, stride, padding, dilation, ceil_mode, g);
  Tensor out = detail::allocate(g.out_shape, input.dtype(), fn);
  Tensor indices = detail::allocate(g.out_shape, DType::Int64, fn);
  const PlaneStrides s(input);
  detail::dispatch_floating(input.dtype(), [&]<class T>() {
    using C = compute_t<T>;
    const T* in = input.data<T>();
    T* o = out.data<T>();
    std::int64_t* idx = indices.data<std::int64_t>();
    const std::int64_t plane_out = g.out_h * g.out_w;
    kernels::pooling::for_planes(
        g.planes,
        static_cast<double>(plane_out) *
            static_cast<double>(std::min(w.kernel[0], g.in_h) * std::min(w.kernel[1], g.in_w)),
        [&](std::int64_t b, std::int64_t e) {
          // Everything the loops read as locals: through the captured references the
          // compiler reloaded them after every store.
          const std::int64_t in_h = g.in_h, in_w = g.in_w, out_h = g.out_h, out_w = g.out_w;
          const std::int64_t row = s.row, col = s.col, kh = w.kernel[0], kw = w.kernel[1];
          const std::int64_t sh = w.stride[0], sw = w.stride[1], ph = w.padding[0], pw = w.padding[1];
          const std::int64_t dh = w.dilation[0], dw = w.dilation[1];
          // Whether every window lies inside the input (no padding read, none clipped).
          const bool interior =
              ph == 0 && pw == 0 && (out_h - 1) * sh + (kh - 1) * dh < in_h && (out_w - 1) * sw + (kw - 1) * dw < in_w;
          // For the interior case: each output's window origin, as an element offset and as
          // a plane index, so one flat loop over the plane's outputs per window element
          // vectorizes (gathers and blends) however short the rows are.
          std::vector<std::int64_t> origin, origin_at;
          std::vector<C> best;
          if (interior) {
            origin.resize(static_cast<std::size_t>(plane_out));
            origin_at.resize(origin.size());
            best.resize(origin.size());
            for (std::int64_t oh = 0; oh < out_h; ++oh)
              for (std::int64_t ow = 0; ow < out_w; ++ow) {
                const auto k = static_cast<std::size_t>(oh * out_w + ow);
                origin[k] = oh * sh * row + ow * sw * col;
                origin_at[k] = oh * sh * in_w + ow * sw;
              }
          }
          for (std::int64_t p = b; p < e; ++p) {
            const T* plane = in + s.plane(p);
            T* o_plane = o + p * plane_out;
            std::int64_t* idx_plane = idx + p * plane_out;
            if (interior) {
              C* best_k = best.data();
              const std::int64_t* origin_k = origin.data();
              std::fill(best.begin(), best.end(), -std::numeric_limits<C>::infinity());
              std::copy(origin_at.begin(), origin_at.end(), idx_plane);
              for (std::int64_t i = 0; i < kh; ++i)
                for (std::int64_t j = 0; j < kw; ++j) {
                  const T* src = plane + i * dh * row + j * dw * col;
                  const std::int64_t shift = i * dh * in_w + j * dw;
                  const std::int64_t* at_k = origin_at.data();
#pragma omp simd
                  for (std::int64_t k = 0; k < plane_out; ++k) {
                    const C v = static_cast<C>(src[origin_k[k]]);
                    const C current = best_k[k];
                    // NaN propagates like PyTorch: every NaN replaces the maximum.
                    const bool take = (v > current) | (v != v);
                    best_k[k] = take ? v : current;
                    idx_plane[k] = take ? at_k[k] + shift : idx_plane[k];
                  }
                }
              for (std::int64_t k = 0; k < plane_out; ++k) o_plane[k] = static_cast<T>(best_k[k]);
              continue;
            }
            for (std::int64_t oh = 0; oh < out_h; ++oh) {
              std::int64_t h0 = oh * sh - ph;
              const std::int64_t h1 = std::min(h0 + (kh - 1) * dh + 1, in_h);
              h0 = kernels::pooling::first_inside(h0, dh);
              for (std::int64_t ow = 0; ow < out_w; ++ow) {
                std::int64_t w0 = ow * sw - pw;
                const std::int64_t w1 = std::min(w0 + (kw - 1) * dw + 1, in_w);
                w0 = kernels::pooling::first_inside(w0, dw);
                // A window with no input element (impossible once padding <= kernel / 2)
                // keeps -inf and the out-of-range index -1.
                C current = -std::numeric_limits<C>::infinity();
                std::int64_t current_at = (h0 < h1 && w0 < w1) ? h0 * in_w + w0 : -1;
                for (std::int64_t h = h0; h < h1; h += dh)
                  for (std::int64_t x = w0; x < w1; x += dw) {
                    const C v = static_cast<C>(plane[h * row + x * col]);
                    const bool take = (v > current) | (v != v);
                    current = take ? v : current;
                    current_at = take ? h * in_w + x : current_at;
                  }
                o_plane[oh * out_w + ow] = static_cast<T>(current);
                idx_plane[oh * out_w + ow] = current_at;
              }
            }
          }
        });
  });
  return {std::move(out), std::move(indices)};
}

namespace {
// Throws "fn: ..." unless indices is an int64 tensor of shape expected.
void check_indices(const char* fn, const Tensor& indices, const Shape& expected) {
  detail::defined(fn, indices, "indices");
  if (indices.dtype() != DType::Int64)
    detail::fail("{}: indices must be int64, got {} with shape {}", fn, indices.dtype(), indices.shape());
  if (indices.shape() != expected)
    detail::fail("{}: indices have shape {} but the pooled output has shape {}; they must match", fn, indices.shape(),
                 expected);
}
}  // namespace

Tensor max_pool2d_backward(const Tensor& grad, const Tensor& input, const Tensor& indices,
                           std::array<std::int64_t, 2> kernel_size, std::array<std::int64_t, 2> stride,
                           std::array<std::int64_t, 2> padding, std::array<std::int64_t, 2> dilation, bool ceil_mode) {
  const char* fn = "max_pool2d_backward";
  kernels::pooling::check_floating_input(fn, input);
  Geometry g;
  kernels::pooling::check_window(fn, input.shape(), kernel_size, stride, padding, dilation, ceil_mode, g);
  kernels::pooling::check_grad(fn, grad, g.out_shape);
  if (grad.dtype() != input.dtype())
    detail::fail("{}: grad has dtype {} but input has dtype {}; they must match", fn, grad.dtype(), input.dtype());
  check_indices(fn, indices, g.out_shape);
  Tensor result = detail::allocate(input.shape(), input.dtype(), fn);
  const Tensor gc = grad.contiguous();
  const Tensor ic = indices.contiguous();
  detail::dispatch_floating(input.dtype(), [&]<class T>() {
    using C = compute_t<T>;
    const T* gp = gc.data<T>();
    const std::int64_t* ip = ic.data<std::int64_t>();
    T* r = result.data<T>();
    const std::int64_t plane_in = g.in_h * g.in_w, plane_out = g.out_h * g.out_w;
    kernels::pooling::for_planes(
        g.planes, static_cast<double>(plane_in) + static_cast<double>(plane_out), [&](std::int64_t b, std::int64_t e) {
          std::vector<C> acc(static_cast<std::size_t>(plane_in));
          for (std::int64_t p = b; p < e; ++p) {
            std::fill(acc.begin(), acc.end(), C(0));
            for (std::int64_t o = 0; o < plane_out; ++o) {
              const std::int64_t at = ip[p * plane_out + o];
              if (at < 0 || at >= plane_in)
                detail::fail("{}: index {} is outside the input plane of {} x {}", fn, at, g.in_h, g.in_w);
              acc[static_cast<std::size_t>(at)] += static_cast<C>(gp[p * plane_out + o]);
            }
            for (std::int64_t i = 0; i < plane_in; ++i)
              r[p * plane_in + i] = static_cast<T>(acc[static_cast<std::size_t>(i)]);
          }
        });
  });
  return result;
}

Tensor kernels::max_pool2d_gather(const Tensor& source, const Tensor& indices, const char* fn) {
  kernels::pooling::check_floating_input(fn, source);
  const Geometry g = kernels::pooling::plane_geometry(fn, source.shape());
  detail::defined(fn, indices, "indices");
  bool same_planes = indices.dim() == source.dim();
  for (std::int64_t d = 0; same_planes && d + 2 < source.dim(); ++d)
    same_planes = indices.shape()[static_cast<std::size_t>(d)] == source.shape()[static_cast<std::size_t>(d)];
  if (indices.dtype() != DType::Int64 || !same_planes)
    detail::fail("{}: indices must be int64 with the leading dims of {}, got {} with shape {}", fn, source.shape(),
                 indices.dtype(), indices.shape());
  Tensor out = detail::allocate(indices.shape(), source.dtype(), fn);
  const Tensor ic = indices.contiguous();
  const PlaneStrides s(source);
  const std::int64_t plane_in = g.in_h * g.in_w;
  const std::int64_t plane_out = indices.numel() / std::max<std::int64_t>(1, g.planes);
  detail::dispatch_floating(source.dtype(), [&]<class T>() {
    const T* src = source.data<T>();
    const std::int64_t* ip = ic.data<std::int64_t>();
    T* o = out.data<T>();
    kernels::pooling::for_planes(g.planes, static_cast<double>(plane_out), [&](std::int64_t b, std::int64_t e) {
      for (std::int64_t p = b; p < e; ++p)
        for (std::int64_t i = 0; i < plane_out; ++i) {
          const std::int64_t at = ip[p * plane_out + i];
          if (at < 0 || at >= plane_in)
            detail::fail("{}: index {} is outside the input plane of {} x {}", fn, at, g.in_h, g.in_w);
          o[p * plane_out + i] = src[s.plane(p) + (at / g.in_w) * s.row + (at % g.in_w) * s.col];
        }
    });
  });
  return out;
}

}  // namespace ex
