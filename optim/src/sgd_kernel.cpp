// SGD's fused update kernel.

#include "optim/src/sgd_kernel.hpp"

#include <type_traits>

#include "common/check.hpp"
#include "core/src/strided_loop.hpp"

namespace ex::optim::detail {

namespace {

using ex::detail::ByteStrides;
using ex::detail::Ptrs;
using ex::detail::StridedLoop;

// The options converted once to the compute type C, as PyTorch converts its scalars.
template <class C>
struct Coefficients {
  C neg_lr, momentum, one_minus_dampening, weight_decay;
  bool decay, nesterov, maximize;

  explicit Coefficients(const SGDOptions& o)
      : neg_lr(static_cast<C>(-o.lr())),
        momentum(static_cast<C>(o.momentum())),
        one_minus_dampening(static_cast<C>(1 - o.dampening())),
        weight_decay(static_cast<C>(o.weight_decay())),
        decay(o.weight_decay() != 0),
        nesterov(o.nesterov()),
        maximize(o.maximize()) {}
};

// A value rounded to the storage type T and back: PyTorch stores every intermediate
// tensor (decayed gradient, buffer) in T, which matters for float16/bfloat16 only.
template <class T, class C>
inline C stored(C v) {
  if constexpr (std::is_same_v<T, C>) {
    return v;
  } else {
    return static_cast<C>(static_cast<T>(v));
  }
}

// One element of SGD's update, in PyTorch 1.13's order of operations.
template <MomentumMode kMode, class T, class C>
inline void update_element(T& param, T grad, T& buffer, const Coefficients<C>& c) {
  const C p = static_cast<C>(param);
  C g = static_cast<C>(grad);
  if (c.maximize) g = -g;
  if (c.decay) g = stored<T>(g + c.weight_decay * p);
  if constexpr (kMode != MomentumMode::kNone) {
    C b = g;
    if constexpr (kMode == MomentumMode::kUpdate)
      b = stored<T>(stored<T>(c.momentum * static_cast<C>(buffer)) + c.one_minus_dampening * g);
    buffer = static_cast<T>(b);
    g = c.nesterov ? stored<T>(g + c.momentum * b) : b;
  }
  param = static_cast<T>(p + c.neg_lr * g);
}

template <class T>
inline T& element(char* base, std::int64_t stride, std::int64_t i) {
  return *reinterpret_cast<T*>(base + i * stride);
}

// Runs the update over the three operands; without momentum `buffer` is param again and
// is never touched.
template <MomentumMode kMode, class T>
void run(const Tensor& param, const Tensor& grad, const Tensor& buffer, const SGDOptions& options) {
  const Coefficients<compute_t<T>> c(options);
  constexpr auto size = static_cast<std::int64_t>(sizeof(T));
  const StridedLoop<3> loop(param.shape(), {&param.strides(), &grad.strides(), &buffer.strides()}, {size, size, size});
  const Ptrs<3> base{static_cast<char*>(param.raw_data()), static_cast<char*>(grad.raw_data()),
                     static_cast<char*>(buffer.raw_data())};
  loop.run(base, [&](const Ptrs<3>& ptr, const ByteStrides<3>& stride, std::int64_t n) {
    if (stride[0] == size && stride[1] == size && stride[2] == size) {
      T* p = reinterpret_cast<T*>(ptr[0]);
      const T* g = reinterpret_cast<const T*>(ptr[1]);
      T* b = reinterpret_cast<T*>(ptr[2]);
      for (std::int64_t i = 0; i < n; ++i) update_element<kMode>(p[i], g[i], b[i], c);
    } else {
      for (std::int64_t i = 0; i < n; ++i)
        update_element<kMode>(element<T>(ptr[0], stride[0], i), element<T>(ptr[1], stride[1], i),
                              element<T>(ptr[2], stride[2], i), c);
    }
  });
}

void check_operand(const Tensor& param, const Tensor& operand, const char* what) {
  if (operand.shape() != param.shape() || operand.dtype() != param.dtype())
    ex::detail::fail("step: {} of shape {} and dtype {} for a parameter of shape {} and dtype {}", what,
                     operand.shape(), operand.dtype(), param.shape(), param.dtype());
}

}  // namespace

void sgd_update(const Tensor& param, const Tensor& grad, const Tensor& buffer, MomentumMode mode,
                const SGDOptions& options) {
  if (!is_floating(param.dtype()))
    ex::detail::fail("step: parameter of shape {} has dtype {}, SGD updates floating tensors only", param.shape(),
                     param.dtype());
  check_operand(param, grad, "gradient");
  if (mode != MomentumMode::kNone) check_operand(param, buffer, "momentum buffer");
  dispatch(param.dtype(), [&]<class T>() {
    if constexpr (std::is_floating_point_v<compute_t<T>>) {
      switch (mode) {
        case MomentumMode::kNone:
          return run<MomentumMode::kNone, T>(param, grad, param, options);
        case MomentumMode::kInit:
          return run<MomentumMode::kInit, T>(param, grad, buffer, options);
        case MomentumMode::kUpdate:
          return run<MomentumMode::kUpdate, T>(param, grad, buffer, options);
      }
    }
  });
  param.storage()->bump_version();
  if (mode != MomentumMode::kNone) buffer.storage()->bump_version();
}

}  // namespace ex::optim::detail
