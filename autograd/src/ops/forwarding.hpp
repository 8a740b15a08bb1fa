#pragma once
// Private: the three public forms of a binary op (tensor-tensor, tensor-scalar,
// scalar-tensor), each calling `call` with the same arguments and recording nothing.
// Only ops without gradients use it (the comparisons); ops that record on the tape
// define their three forms in autograd/src/registry/.

#include "extensor/core/scalar.hpp"
#include "extensor/core/tensor.hpp"

#define EX_FORWARD_BINARY(name, call)                                  \
  Tensor name(const Tensor& a, const Tensor& b) { return call(a, b); } \
  Tensor name(const Tensor& a, const Scalar& b) { return call(a, b); } \
  Tensor name(const Scalar& a, const Tensor& b) { return call(a, b); }
