#pragma once
// Private: SGD's fused update, one pass over a parameter, its gradient and its momentum
// buffer.

#include "extensor/core/tensor.hpp"
#include "extensor/optim/sgd.hpp"

namespace ex::optim::detail {

// What step() does with the momentum buffer of one parameter.
enum class MomentumMode {
  kNone,    // momentum == 0: no buffer (pass an undefined tensor)
  kInit,    // first step: buffer = the (decayed) gradient
  kUpdate,  // buffer = momentum * buffer + (1 - dampening) * gradient
};

// Applies SGD's update rule (see ex::optim::SGD) to param in place, reading grad and,
// unless mode is kNone, writing buffer, in one loop that reads each element once. param,
// grad and buffer must share shape and floating dtype (any strides; param and buffer not
// expanded); throws ex::Error "step: ..." naming the shapes or dtypes otherwise. Bumps
// the storage versions of param and buffer.
void sgd_update(const Tensor& param, const Tensor& grad, const Tensor& buffer, MomentumMode mode,
                const SGDOptions& options);

}  // namespace ex::optim::detail
