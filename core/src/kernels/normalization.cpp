// batch_norm forward and backward: the input is viewed as [N, C, S] (S the product of
// the spatial dims) and each channel is one task, split over threads. Statistics and
// the backward's two sums accumulate per row of S elements in compute_t<T> and over the
// N rows in float64, two passes (mean, then the centered variance) so no cancellation
// creeps in; the
// elementwise passes run in compute_t<T> (float for the half types) as x * scale + shift.

#include "extensor/core/kernels/normalization.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>

#include "common/check.hpp"
#include "core/src/convert.hpp"
#include "core/src/dispatch_floating.hpp"
#include "core/src/kernels/forward.hpp"
#include "core/src/parallel.hpp"
#include "extensor/core/creation.hpp"

namespace ex {
namespace {

// input as [N, C, S].
struct ChannelGeometry {
  std::int64_t n = 0, channels = 0, spatial = 1;
  std::int64_t per_channel() const { return n * spatial; }
};

ChannelGeometry channel_geometry(const char* op, const Tensor& input) {
  detail::floating(op, input);
  if (input.dim() < 2 || input.dim() > 4)
    detail::fail("{}: input must be [N, C], [N, C, L] or [N, C, H, W], got shape {}", op, input.shape());
  ChannelGeometry g;
  g.n = input.shape()[0];
  g.channels = input.shape()[1];
  for (std::int64_t d = 2; d < input.dim(); ++d) g.spatial *= input.shape()[static_cast<std::size_t>(d)];
  return g;
}

// A per-channel tensor (running stats, weight, bias, saved statistics): undefined, or
// floating of shape [C].
void check_channel_tensor(const char* op, const Tensor& t, std::int64_t channels, const char* what) {
  if (!t.defined()) return;
  if (!is_floating(t.dtype()))
    detail::fail("{}: {} must be floating-point, got {} with shape {}", op, what, t.dtype(), t.shape());
  if (t.dim() != 1 || t.shape()[0] != channels)
    detail::fail("{}: {} must have shape [{}] (one value per channel), got {}", op, what, channels, t.shape());
}

// A per-channel tensor as float64 values; fallback where t is undefined.
std::vector<double> channel_values(const Tensor& t, std::int64_t channels, double fallback) {
  if (!t.defined()) return std::vector<double>(static_cast<std::size_t>(channels), fallback);
  return t.contiguous().to_vector<double>();
}

// Writes value into element c of the 1-D tensor t (any floating dtype, any stride).
void store(const Tensor& t, std::int64_t c, double value) {
  detail::dispatch_floating(
      t.dtype(), [&]<class T>() { static_cast<T*>(t.raw_data())[c * t.strides()[0]] = detail::convert<T>(value); });
}

// Calls fn(c) for each channel, in parallel when the channels hold enough elements.
template <class F>
void for_each_channel(const ChannelGeometry& g, F fn) {
  const std::int64_t grain =
      std::max<std::int64_t>(1, detail::kGrainElements / std::max<std::int64_t>(1, g.per_channel()));
  detail::parallel_for(0, g.channels, grain, [&](std::int64_t c0, std::int64_t c1) {
    for (std::int64_t c = c0; c < c1; ++c) fn(c);
  });
}

DType stats_dtype(DType input) { return input == DType::Float64 ? DType::Float64 : DType::Float32; }

}  // namespace

namespace kernels {

BatchNormForward batch_norm(const Tensor& input, const Tensor& running_mean, const Tensor& running_var,
                            const Tensor& weight, const Tensor& bias, bool training, double momentum, double eps) {
  const char* op = "batch_norm";
  const ChannelGeometry geo = channel_geometry(op, input);
  check_channel_tensor(op, running_mean, geo.channels, "running_mean");
  check_channel_tensor(op, running_var, geo.channels, "running_var");
  check_channel_tensor(op, weight, geo.channels, "weight");
  check_channel_tensor(op, bias, geo.channels, "bias");
  if (running_mean.defined() != running_var.defined())
    detail::fail("{}: running_mean and running_var must both be given or both be undefined", op);
  const bool use_batch_stats = training || !running_mean.defined();
  if (!(momentum >= 0)) detail::fail("{}: momentum must be non-negative, got {}", op, momentum);
  if (!(eps >= 0)) detail::fail("{}: eps must be non-negative, got {}", op, eps);
  const std::int64_t m = geo.per_channel();
  if (use_batch_stats && m == 1)
    detail::fail("{}: expected more than 1 value per channel when training, got input shape {}", op, input.shape());
  BatchNormForward out;
  out.output = detail::allocate(input.shape(), input.dtype(), op);
  const DType sdt = stats_dtype(input.dtype());
  std::vector<double> mean(static_cast<std::size_t>(geo.channels)), invstd(mean.size()), unbiased(mean.size());
  const std::vector<double> w = channel_values(weight, geo.channels, 1.0), b = channel_values(bias, geo.channels, 0.0);
  const Tensor x = input.contiguous();
  const std::vector<double> rm = use_batch_stats ? std::vector<double>() : channel_values(running_mean, 0, 0);
  const std::vector<double> rv = use_batch_stats ? std::vector<double>() : channel_values(running_var, 0, 0);
  detail::dispatch_floating(input.dtype(), [&]<class T>() {
    using C = compute_t<T>;
    const T* xp = static_cast<const T*>(x.raw_data());
    T* yp = static_cast<T*>(out.output.raw_data());
    for_each_channel(geo, [&](std::int64_t c) {
      const auto k = static_cast<std::size_t>(c);
      if (use_batch_stats) {
        // Each row (one sample's plane) is summed in compute_t<T> across vector lanes,
        // the rows' sums in float64.
        double sum = 0, squares = 0;
        for (std::int64_t i = 0; i < geo.n; ++i) {
          const T* row = xp + (i * geo.channels + c) * geo.spatial;
          C row_sum = 0;
#pragma omp simd reduction(+ : row_sum)
          for (std::int64_t s = 0; s < geo.spatial; ++s) row_sum += static_cast<C>(row[s]);
          sum += static_cast<double>(row_sum);
        }
        const double mu = sum / static_cast<double>(m);
        const auto mu_c = static_cast<C>(mu);
        for (std::int64_t i = 0; i < geo.n; ++i) {
          const T* row = xp + (i * geo.channels + c) * geo.spatial;
          C row_squares = 0;
#pragma omp simd reduction(+ : row_squares)
          for (std::int64_t s = 0; s < geo.spatial; ++s) {
            const C d = static_cast<C>(row[s]) - mu_c;
            row_squares += d * d;
          }
          squares += static_cast<double>(row_squares);
        }
        mean[k] = mu;
        invstd[k] = 1.0 / std::sqrt(squares / static_cast<double>(m) + eps);
        unbiased[k] = squares / static_cast<double>(m - 1);
      } else {
        mean[k] = rm[k];
        invstd[k] = 1.0 / std::sqrt(rv[k] + eps);
      }
      const auto scale = static_cast<C>(invstd[k] * w[k]);
      const auto shift = static_cast<C>(b[k] - mean[k] * invstd[k] * w[k]);
      for (std::int64_t i = 0; i < geo.n; ++i) {
        const std::int64_t offset = (i * geo.channels + c) * geo.spatial;
#pragma omp simd
        for (std::int64_t s = 0; s < geo.spatial; ++s)
          yp[offset + s] = detail::convert<T>(static_cast<C>(xp[offset + s]) * scale + shift);
      }
    });
  });
  if (training && running_mean.defined() && m > 0) {
    const std::vector<double> old_mean = channel_values(running_mean, geo.channels, 0);
    const std::vector<double> old_var = channel_values(running_var, geo.channels, 0);
    for (std::int64_t c = 0; c < geo.channels; ++c) {
      const auto k = static_cast<std::size_t>(c);
      store(running_mean, c, (1 - momentum) * old_mean[k] + momentum * mean[k]);
      store(running_var, c, (1 - momentum) * old_var[k] + momentum * unbiased[k]);
    }
    running_mean.storage()->bump_version();
    running_var.storage()->bump_version();
  }
  out.mean = ex::tensor(mean, {geo.channels}).to(sdt);
  out.invstd = ex::tensor(invstd, {geo.channels}).to(sdt);
  return out;
}

}  // namespace kernels

BatchNormGradients batch_norm_backward(const Tensor& grad, const Tensor& input, const Tensor& weight,
                                       const Tensor& mean, const Tensor& invstd, bool training, BatchNormMask mask) {
  const char* op = "batch_norm_backward";
  const ChannelGeometry geo = channel_geometry(op, input);
  detail::matches(op, grad, input, "input");
  check_channel_tensor(op, weight, geo.channels, "weight");
  detail::defined(op, mean, "mean");
  detail::defined(op, invstd, "invstd");
  check_channel_tensor(op, mean, geo.channels, "mean");
  check_channel_tensor(op, invstd, geo.channels, "invstd");
  const std::int64_t m = geo.per_channel();
  const std::vector<double> w = channel_values(weight, geo.channels, 1.0);
  const std::vector<double> mu = channel_values(mean, geo.channels, 0), is = channel_values(invstd, geo.channels, 0);
  std::vector<double> sum_g(w.size()), sum_gxhat(w.size());
  BatchNormGradients out;
  if (mask.input) out.input = detail::allocate(input.shape(), input.dtype(), op);
  const Tensor x = input.contiguous(), g = grad.contiguous();
  detail::dispatch_floating(input.dtype(), [&]<class T>() {
    using C = compute_t<T>;
    const T* xp = static_cast<const T*>(x.raw_data());
    const T* gp = static_cast<const T*>(g.raw_data());
    T* gi = mask.input ? static_cast<T*>(out.input.raw_data()) : nullptr;
    for_each_channel(geo, [&](std::int64_t c) {
      const auto k = static_cast<std::size_t>(c);
      // The channel's statistics as locals and the rows as plain pointers, so the
      // reduction vectorizes with contiguous loads (indexing from the shared bases, the
      // compiler gathered).
      // As in the forward, each row sums in compute_t<T>, the rows in float64.
      const auto mean_c = static_cast<C>(mu[k]);
      double sg = 0, sgx = 0;
      for (std::int64_t i = 0; i < geo.n; ++i) {
        const std::int64_t offset = (i * geo.channels + c) * geo.spatial;
        const T* grow = gp + offset;
        const T* xrow = xp + offset;
        C row_g = 0, row_gx = 0;
#pragma omp simd reduction(+ : row_g, row_gx)
        for (std::int64_t s = 0; s < geo.spatial; ++s) {
          const C gv = static_cast<C>(grow[s]);
          row_g += gv;
          row_gx += gv * (static_cast<C>(xrow[s]) - mean_c);
        }
        sg += static_cast<double>(row_g);
        sgx += static_cast<double>(row_gx);
      }
      sgx *= is[k];
      sum_g[k] = sg;
      sum_gxhat[k] = sgx;
      if (!gi) return;
      // gi = a * g + b * x + d, from invstd * w * (g - sum_g / M - xhat * sum_gxhat / M).
      const double a = is[k] * w[k];
      const double slope = training && m > 0 ? a * is[k] * sgx / static_cast<double>(m) : 0;
      const double offset_term = training && m > 0 ? -a * sg / static_cast<double>(m) + slope * mu[k] : 0;
      const auto ca = static_cast<C>(a), cb = static_cast<C>(-slope), cd = static_cast<C>(offset_term);
      for (std::int64_t i = 0; i < geo.n; ++i) {
        const std::int64_t offset = (i * geo.channels + c) * geo.spatial;
        const T* grow = gp + offset;
        const T* xrow = xp + offset;
        T* out_row = gi + offset;
#pragma omp simd
        for (std::int64_t s = 0; s < geo.spatial; ++s)
          out_row[s] = detail::convert<T>(ca * static_cast<C>(grow[s]) + cb * static_cast<C>(xrow[s]) + cd);
      }
    });
  });
  const DType param_dtype = weight.defined() ? weight.dtype() : input.dtype();
  if (mask.weight) out.weight = ex::tensor(sum_gxhat, {geo.channels}).to(param_dtype);
  if (mask.bias) out.bias = ex::tensor(sum_g, {geo.channels}).to(param_dtype);
  return out;
}

}  // namespace ex
