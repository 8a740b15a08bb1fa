// Adam's and AdamW's fused update kernel.

#include <cmath>

#include "core/src/dispatch_floating.hpp"
#include "optim/src/adaptive_kernels.hpp"
#include "optim/src/adaptive_state.hpp"
#include "optim/src/fused_update.hpp"

namespace ex::optim::detail {

namespace {

// The step's numbers in the compute type C. They are formed in double, as PyTorch's
// Python code forms them (1 - beta1, lr / (1 - beta1^t), ...), and converted once, as
// PyTorch converts a number operand to the tensor's dtype.
template <class C>
struct AdamCoefficients {
  C beta1, one_minus_beta1, beta2, one_minus_beta2, weight_decay, decay_factor, neg_step_size, bias_correction2_sqrt,
      eps;
  bool maximize, l2_decay, decoupled_decay;

  explicit AdamCoefficients(const AdamStep& s) {
    const auto t = static_cast<double>(s.step);
    beta1 = static_cast<C>(s.beta1);
    one_minus_beta1 = static_cast<C>(1 - s.beta1);
    beta2 = static_cast<C>(s.beta2);
    one_minus_beta2 = static_cast<C>(1 - s.beta2);
    weight_decay = static_cast<C>(s.weight_decay);
    decay_factor = static_cast<C>(1 - s.lr * s.weight_decay);
    neg_step_size = static_cast<C>(-(s.lr / (1 - std::pow(s.beta1, t))));
    bias_correction2_sqrt = static_cast<C>(std::sqrt(1 - std::pow(s.beta2, t)));
    eps = static_cast<C>(s.eps);
    maximize = s.maximize;
    // PyTorch skips a zero L2 term and multiplies by 1 - lr * 0 = 1: both leave p and g.
    l2_decay = !s.decoupled && s.weight_decay != 0;
    decoupled_decay = s.decoupled && s.weight_decay != 0;
  }
};

// The larger of a and b, NaN when either is, as torch.maximum.
template <class C>
inline C maximum(C a, C b) {
  return a < b || b != b ? b : a;
}

// One element of the update, in the order and with the roundings of PyTorch 1.13's
// single-tensor ops: mul_ then add_ (alpha: fused), addcmul_ (fused), sqrt, division by
// the bias correction, add_ of eps, addcdiv_ (not fused). P: the parameter's element
// type; C: the compute type, which is also the moments' element type.
template <class P, class C>
struct AdamElement {
  AdamCoefficients<C> c;

  template <class... Max>
  void operator()(P& param, P grad, C& exp_avg, C& exp_avg_sq, Max&... max_exp_avg_sq) const {
    C g = static_cast<C>(grad);
    if (c.maximize) g = -g;
    C p = static_cast<C>(param);
    if (c.decoupled_decay) p = p * c.decay_factor;
    if (c.l2_decay) g = mul_add(c.weight_decay, p, g);
    exp_avg = mul_add(c.one_minus_beta1, g, exp_avg * c.beta1);
    exp_avg_sq = mul_add(c.one_minus_beta2 * g, g, exp_avg_sq * c.beta2);
    C second_moment = exp_avg_sq;
    ((second_moment = max_exp_avg_sq = maximum(max_exp_avg_sq, exp_avg_sq)), ...);  // amsgrad only
    const C denom = std::sqrt(second_moment) / c.bias_correction2_sqrt + c.eps;
    param = static_cast<P>(p + c.neg_step_size * exp_avg / denom);
  }
};

}  // namespace

void adam_update(const Tensor& param, const Tensor& grad, const Tensor& exp_avg, const Tensor& exp_avg_sq,
                 const Tensor& max_exp_avg_sq, const AdamStep& s) {
  const char* optimizer = s.decoupled ? "AdamW" : "Adam";
  const Tensor g = s.amsgrad ? checked_update_operands(optimizer, param, grad, {&exp_avg, &exp_avg_sq, &max_exp_avg_sq})
                             : checked_update_operands(optimizer, param, grad, {&exp_avg, &exp_avg_sq});
  ex::detail::dispatch_floating(param.dtype(), [&]<class P>() {
    using C = compute_t<P>;
    const AdamElement<P, C> update{AdamCoefficients<C>(s)};
    if (s.amsgrad) {
      for_each_element<P, C, 3>(param, g, {&exp_avg, &exp_avg_sq, &max_exp_avg_sq}, update);
    } else {
      for_each_element<P, C, 2>(param, g, {&exp_avg, &exp_avg_sq}, update);
    }
  });
  param.storage()->bump_version();
  exp_avg.storage()->bump_version();
  exp_avg_sq.storage()->bump_version();
  if (s.amsgrad) max_exp_avg_sq.storage()->bump_version();
}

}  // namespace ex::optim::detail
