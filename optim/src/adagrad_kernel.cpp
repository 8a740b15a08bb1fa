// Adagrad's fused update kernel.

#include <cmath>

#include "core/src/dispatch_floating.hpp"
#include "optim/src/adaptive_kernels.hpp"
#include "optim/src/adaptive_state.hpp"
#include "optim/src/fused_update.hpp"

namespace ex::optim::detail {

namespace {

// One element of the update, in the order and with the roundings of PyTorch 1.13's
// single-tensor ops (add_ with alpha and addcmul_ fused, addcdiv_ not). C: the compute
// type, also the element type of the sum.
template <class P, class C>
struct AdagradElement {
  C neg_clr, weight_decay, eps;
  bool maximize, decay;

  void operator()(P& param, P grad, C& sum) const {
    C g = static_cast<C>(grad);
    if (maximize) g = -g;
    const C p = static_cast<C>(param);
    if (decay) g = mul_add(weight_decay, p, g);
    sum = mul_add(g, g, sum);
    const C denom = std::sqrt(sum) + eps;
    param = static_cast<P>(p + neg_clr * g / denom);
  }
};

}  // namespace

void adagrad_update(const Tensor& param, const Tensor& grad, const Tensor& sum, const AdagradStep& s) {
  const Tensor g = checked_update_operands("Adagrad", param, grad, {&sum});
  // The decayed learning rate, in double as PyTorch's Python code computes it.
  const double clr = s.lr / (1 + static_cast<double>(s.step - 1) * s.lr_decay);
  ex::detail::dispatch_floating(param.dtype(), [&]<class P>() {
    using C = compute_t<P>;
    const AdagradElement<P, C> update{static_cast<C>(-clr), static_cast<C>(s.weight_decay), static_cast<C>(s.eps),
                                      s.maximize, s.weight_decay != 0};
    for_each_element<P, C, 1>(param, g, {&sum}, update);
  });
  param.storage()->bump_version();
  sum.storage()->bump_version();
}

}  // namespace ex::optim::detail
