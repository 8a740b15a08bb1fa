#pragma once
// Private: the engine that runs every pointwise definition (pointwise_ops.hpp).
//
//   Pointwise<Op>::forward(x, param)          y = Op(x), a new contiguous tensor
//   Pointwise<Op>::backward(grad, v, param)   grad * Op'(x), v being what Op::saves
//
// Both validate their arguments and throw ex::Error naming Op::name or
// Op::backward_name; param is the op's scalar parameter (leaky_relu's slope), 0 for
// the others. The engine is instantiated for every op in PointwiseOps only.

#include "core/src/kernels/pointwise_ops.hpp"
#include "extensor/core/tensor.hpp"

namespace ex::pointwise {

template <class Op>
struct Pointwise {
  static Tensor forward(const Tensor& x, double param = 0.0);
  static Tensor backward(const Tensor& grad, const Tensor& v, double param = 0.0);
};

}  // namespace ex::pointwise
