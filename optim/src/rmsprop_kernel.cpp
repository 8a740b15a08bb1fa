// RMSprop's fused update kernel.

#include <cmath>
#include <tuple>
#include <vector>

#include "core/src/dispatch_floating.hpp"
#include "optim/src/adaptive_kernels.hpp"
#include "optim/src/adaptive_state.hpp"
#include "optim/src/fused_update.hpp"

namespace ex::optim::detail {

namespace {

// The step's numbers in the compute type C, formed in double and converted once.
template <class C>
struct RMSpropCoefficients {
  C alpha, one_minus_alpha, eps, weight_decay, momentum, neg_lr;
  bool maximize, decay;

  explicit RMSpropCoefficients(const RMSpropStep& s)
      : alpha(static_cast<C>(s.alpha)),
        one_minus_alpha(static_cast<C>(1 - s.alpha)),
        eps(static_cast<C>(s.eps)),
        weight_decay(static_cast<C>(s.weight_decay)),
        momentum(static_cast<C>(s.momentum)),
        neg_lr(static_cast<C>(-s.lr)),
        maximize(s.maximize),
        decay(s.weight_decay != 0) {}
};

// One element of the update, in the order and with the roundings of PyTorch 1.13's
// single-tensor ops (add_ with alpha and addcmul_ fused, addcdiv_ not). kCentered and
// kMomentum choose the state: square_avg, then momentum_buffer if kMomentum, then
// grad_avg if kCentered.
template <bool kCentered, bool kMomentum, class P, class C>
struct RMSpropElement {
  RMSpropCoefficients<C> c;

  template <class... Rest>
  void operator()(P& param, P grad, C& square_avg, Rest&... rest) const {
    C g = static_cast<C>(grad);
    if (c.maximize) g = -g;
    C p = static_cast<C>(param);
    if (c.decay) g = mul_add(c.weight_decay, p, g);
    square_avg = mul_add(c.one_minus_alpha * g, g, square_avg * c.alpha);
    const auto state = std::tie(rest...);
    C avg;
    if constexpr (kCentered) {
      C& grad_avg = std::get < kMomentum ? 1 : 0 > (state);
      grad_avg = mul_add(c.one_minus_alpha, g, grad_avg * c.alpha);
      avg = std::sqrt(mul_add(-grad_avg, grad_avg, square_avg));
    } else {
      avg = std::sqrt(square_avg);
    }
    avg = avg + c.eps;
    if constexpr (kMomentum) {
      C& buffer = std::get<0>(state);
      buffer = buffer * c.momentum + g / avg;
      p = mul_add(c.neg_lr, buffer, p);
    } else {
      p = p + c.neg_lr * g / avg;
    }
    param = static_cast<P>(p);
  }
};

template <bool kCentered, bool kMomentum, class P>
void run(const Tensor& param, const Tensor& grad, const Tensor& square_avg, const Tensor& momentum_buffer,
         const Tensor& grad_avg, const RMSpropStep& s) {
  using C = compute_t<P>;
  const RMSpropElement<kCentered, kMomentum, P, C> update{RMSpropCoefficients<C>(s)};
  if constexpr (kCentered && kMomentum) {
    for_each_element<P, C, 3>(param, grad, {&square_avg, &momentum_buffer, &grad_avg}, update);
  } else if constexpr (kMomentum) {
    for_each_element<P, C, 2>(param, grad, {&square_avg, &momentum_buffer}, update);
  } else if constexpr (kCentered) {
    for_each_element<P, C, 2>(param, grad, {&square_avg, &grad_avg}, update);
  } else {
    for_each_element<P, C, 1>(param, grad, {&square_avg}, update);
  }
}

}  // namespace

void rmsprop_update(const Tensor& param, const Tensor& grad, const Tensor& square_avg, const Tensor& momentum_buffer,
                    const Tensor& grad_avg, const RMSpropStep& s) {
  const bool momentum = s.momentum > 0;
  std::vector<const Tensor*> written{&square_avg};
  if (momentum) written.push_back(&momentum_buffer);
  if (s.centered) written.push_back(&grad_avg);
  const Tensor g = checked_update_operands("RMSprop", param, grad, written);
  ex::detail::dispatch_floating(param.dtype(), [&]<class P>() {
    if (s.centered && momentum) return run<true, true, P>(param, g, square_avg, momentum_buffer, grad_avg, s);
    if (momentum) return run<false, true, P>(param, g, square_avg, momentum_buffer, grad_avg, s);
    if (s.centered) return run<true, false, P>(param, g, square_avg, momentum_buffer, grad_avg, s);
    return run<false, false, P>(param, g, square_avg, momentum_buffer, grad_avg, s);
  });
  param.storage()->bump_version();
  for (const Tensor* state : written) state->storage()->bump_version();
}

}  // namespace ex::optim::detail
