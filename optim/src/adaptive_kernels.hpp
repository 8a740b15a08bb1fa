#pragma once
// Private: the fused updates of Adam/AdamW, RMSprop and Adagrad. Each applies its
// optimizer's rule (see the public headers) to one parameter in place, reading its
// gradient and reading and writing its state tensors in one loop that touches each
// element once, under the caller's NoGradGuard. Each throws ex::Error "step: ..." unless
// the parameter is floating, the gradient has its shape and dtype and every state
// tensor its shape and detail::state_dtype, and bumps the storage versions of the
// parameter and the states it writes.

#include <cstdint>

#include "extensor/core/tensor.hpp"

namespace ex::optim::detail {

// One Adam or AdamW step of one parameter.
struct AdamStep {
  double lr, beta1, beta2, eps, weight_decay;
  bool amsgrad, maximize;
  bool decoupled;     // AdamW: decay the parameter instead of adding to the gradient
  std::int64_t step;  // the parameter's step count after this step (>= 1)
};
// max_exp_avg_sq is read and written with amsgrad only (pass an undefined tensor without).
void adam_update(const Tensor& param, const Tensor& grad, const Tensor& exp_avg, const Tensor& exp_avg_sq,
                 const Tensor& max_exp_avg_sq, const AdamStep& s);

// One RMSprop step of one parameter.
struct RMSpropStep {
  double lr, alpha, eps, weight_decay, momentum;
  bool centered, maximize;
};
// momentum_buffer is used when momentum > 0 and grad_avg when centered (pass undefined
// tensors otherwise).
void rmsprop_update(const Tensor& param, const Tensor& grad, const Tensor& square_avg, const Tensor& momentum_buffer,
                    const Tensor& grad_avg, const RMSpropStep& s);

// One Adagrad step of one parameter.
struct AdagradStep {
  double lr, lr_decay, weight_decay, eps;
  bool maximize;
  std::int64_t step;  // the parameter's step count after this step (>= 1)
};
void adagrad_update(const Tensor& param, const Tensor& grad, const Tensor& sum, const AdagradStep& s);

}  // namespace ex::optim::detail
