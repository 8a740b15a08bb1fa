// prelu forward and backward: a learned negative slope per channel (axis 1) or one for
// all. The other activations are pointwise definitions (pointwise_ops.hpp).

#include <algorithm>
#include <mutex>
#include <utility>
#include <vector>

#include "common/check.hpp"
#include "core/src/dispatch_floating.hpp"
#include "core/src/kernels/forward.hpp"
#include "core/src/kernels/pointwise_ops.hpp"
#include "core/src/onednn_eltwise.hpp"
#include "core/src/parallel.hpp"
#include "core/src/strided_loop.hpp"
#include "extensor/core/creation.hpp"
#include "extensor/core/kernels/activation.hpp"

namespace ex {
namespace {

// Checks prelu's operands and returns x's channel count.
std::int64_t check_prelu(const char* op, const Tensor& x, const Tensor& alpha) {
  detail::floating(op, x);
  detail::defined(op, alpha, "alpha");
  if (alpha.dtype() != x.dtype())
    detail::fail("{}: alpha has dtype {} but x has dtype {}", op, alpha.dtype(), x.dtype());
  if (alpha.dim() > 1) detail::fail("{}: alpha must be a scalar or 1-D tensor, got shape {}", op, alpha.shape());
  // PyTorch: the channel axis is 1; rank-0 and rank-1 inputs have one channel.
  const std::int64_t channels = x.dim() >= 2 ? x.shape()[1] : 1;
  if (alpha.numel() != 1 && alpha.numel() != channels)
    detail::fail("{}: alpha has {} elements (shape {}) but x of shape {} has {} channels on axis 1; expected 1 or {}",
                 op, alpha.numel(), alpha.shape(), x.shape(), channels, channels);
  return channels;
}

}  // namespace

Tensor kernels::prelu(const Tensor& x, const Tensor& alpha) {
  check_prelu("prelu", x, alpha);
  Tensor out = detail::allocate(x.shape(), x.dtype(), "prelu");
  if (x.numel() == 0) return out;
  // alpha seen as a tensor of x's shape: stride 0 everywhere except on axis 1.
  Strides astrides(static_cast<std::size_t>(x.dim()), 0);
  if (alpha.numel() > 1) astrides[1] = alpha.strides()[0];
  detail::dispatch_floating(x.dtype(), [&]<class T>() {
    using C = compute_t<T>;
    constexpr std::int64_t sz = sizeof(T);
    detail::StridedLoop<3> loop(x.shape(), {&out.strides(), &x.strides(), &astrides}, {sz, sz, sz});
    loop.run(
        {static_cast<char*>(out.raw_data()), static_cast<char*>(x.raw_data()), static_cast<char*>(alpha.raw_data())},
        [&](const detail::Ptrs<3>& p, const detail::ByteStrides<3>& s, std::int64_t len) {
          T* o = reinterpret_cast<T*>(p[0]);
          const T* a = reinterpret_cast<const T*>(p[1]);
          const T* w = reinterpret_cast<const T*>(p[2]);
          if (s[0] == sz && s[1] == sz && s[2] == 0) {
            const C wv = static_cast<C>(*w);
            for (std::int64_t i = 0; i < len; ++i)
              o[i] = detail::convert<T>(pointwise::LeakyRelu::forward<C>(a[i], wv));
          } else if (s[0] == sz && s[1] == sz && s[2] == sz) {
            for (std::int64_t i = 0; i < len; ++i)
              o[i] = detail::convert<T>(pointwise::LeakyRelu::forward<C>(a[i], static_cast<C>(w[i])));
          } else {
            for (std::int64_t i = 0; i < len; ++i) {
              const C v = static_cast<C>(*reinterpret_cast<const T*>(p[1] + i * s[1]));
              const C wv = static_cast<C>(*reinterpret_cast<const T*>(p[2] + i * s[2]));
              *reinterpret_cast<T*>(p[0] + i * s[0]) = detail::convert<T>(pointwise::LeakyRelu::forward<C>(v, wv));
            }
          }
        });
  });
  detail::onednn::set_own_activation_impl();
  return out;
}

std::pair<Tensor, Tensor> prelu_backward(const Tensor& grad, const Tensor& x, const Tensor& alpha,
                                         OutputMask output_mask) {
  constexpr const char* op = "prelu_backward";
  check_prelu(op, x, alpha);
  detail::matches(op, grad, x, "x");
  Tensor grad_x = detail::allocate(x.shape(), x.dtype(), "prelu_backward");
  Tensor grad_alpha = zeros(alpha.shape(), alpha.dtype());
  if (x.numel() == 0) return {output_mask[0] ? grad_x : Tensor(), output_mask[1] ? grad_alpha : Tensor()};
  // Element i (row-major) uses alpha[(i / inner) % channels]: one alpha covers
  // everything, C alphas one channel of axis 1 each.
  const std::int64_t channels = alpha.numel();
  std::int64_t inner = x.numel();
  if (channels > 1) {
    inner = 1;
    for (std::size_t d = 2; d < x.shape().size(); ++d) inner *= x.shape()[d];
  }
  const Tensor xc = x.contiguous(), gc = grad.contiguous(), ac = alpha.contiguous();
  // Per-chunk sums of grad_alpha, added in chunk order so the result is deterministic.
  std::vector<std::pair<std::int64_t, std::vector<double>>> partials;
  std::mutex partials_mutex;
  detail::dispatch_floating(x.dtype(), [&]<class T>() {
    using C = compute_t<T>;
    const T* xp = static_cast<const T*>(xc.raw_data());
    const T* gp = static_cast<const T*>(gc.raw_data());
    const T* ap = static_cast<const T*>(ac.raw_data());
    T* out = static_cast<T*>(grad_x.raw_data());
    detail::parallel_for(0, x.numel(), detail::kGrainElements, [&](std::int64_t b, std::int64_t e) {
      std::vector<double> local(static_cast<std::size_t>(channels), 0.0);
      for (std::int64_t i = b; i < e;) {
        const std::int64_t row = i / inner, end = std::min(e, (row + 1) * inner);
        const std::int64_t c = row % channels;
        const C a = static_cast<C>(ap[c]);
        double acc = 0;
#pragma omp simd reduction(+ : acc)
        for (std::int64_t j = i; j < end; ++j) {
          const C xv = static_cast<C>(xp[j]), gv = static_cast<C>(gp[j]);
          const bool positive = xv > C(0);
          out[j] = detail::convert<T>(positive ? gv : a * gv);
          acc += positive ? 0.0 : static_cast<double>(xv) * static_cast<double>(gv);
        }
        local[static_cast<std::size_t>(c)] += acc;
        i = end;
      }
      const std::lock_guard<std::mutex> lock(partials_mutex);
      partials.emplace_back(b, std::move(local));
    });
    std::sort(partials.begin(), partials.end());
    std::vector<double> total(static_cast<std::size_t>(channels), 0.0);
    for (const auto& part : partials)
      for (std::size_t c = 0; c < total.size(); ++c) total[c] += part.second[c];
    // grad_alpha is a fresh contiguous tensor of alpha's shape.
    T* ga = static_cast<T*>(grad_alpha.raw_data());
    for (std::size_t c = 0; c < total.size(); ++c) ga[c] = detail::convert<T>(total[c]);
  });
  detail::onednn::set_own_activation_impl();
  if (!output_mask[0]) grad_x = Tensor();
  if (!output_mask[1]) grad_alpha = Tensor();
  return {grad_x, grad_alpha};
}

}  // namespace ex
