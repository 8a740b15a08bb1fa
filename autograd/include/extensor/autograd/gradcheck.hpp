#pragma once
// Finite-difference gradient checking against the tape.

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "extensor/core/tensor.hpp"

namespace ex::autograd {

// What gradcheck found. The worst element is the one furthest beyond its tolerance (or,
// when all pass, the one with the largest absolute difference).
struct GradcheckResult {
  bool passed = true;
  double max_abs_error = 0;  // largest |analytic - numeric| over all checked elements
  std::size_t worst_input = 0;
  std::int64_t worst_element = 0;  // row-major index into that input
  double analytic = 0;
  double numeric = 0;
  std::int64_t mismatches = 0;  // elements beyond atol + rtol * |numeric|
  std::string report;           // a readable account of the worst element ("" if passed)
  explicit operator bool() const noexcept { return passed; }
};

using GradcheckFn = std::function<Tensor(const std::vector<Tensor>&)>;

// Checks the gradients the tape computes for fn against float64 central differences
// (f(x + eps) - f(x - eps)) / 2 eps, for every element of every checked input, like
// torch.autograd.gradcheck. fn maps the inputs to one floating tensor of any shape; the
// scalar differentiated is sum(fn(inputs) * g) for a fixed random g, so every output
// element takes part. Checked inputs: those that requires_grad(), or, when none does,
// every float64 input; the others (integer targets, constants) are passed unchanged.
// gradcheck works on contiguous copies of the checked inputs and never modifies the
// caller's tensors. An element passes when |analytic - numeric| <= atol + rtol *
// |numeric|. Throws ex::Error "gradcheck: ..." when a checked input is not float64,
// when no input is checked, or when fn returns a non-floating tensor.
GradcheckResult gradcheck(const GradcheckFn& fn, const std::vector<Tensor>& inputs, double eps = 1e-6,
                          double atol = 1e-5, double rtol = 1e-3);

// A raw backward kernel under test: the gradients of sum(forward(inputs) * grad) with
// respect to each input, one per input (undefined where there is none).
using GradcheckBackwardFn = std::function<std::vector<Tensor>(const Tensor& grad, const std::vector<Tensor>& inputs)>;

// Checks a raw backward kernel (ex::<op>_backward chained by hand, or your own) against
// float64 central differences of forward, with the same scalar, tolerances and result
// as gradcheck; nothing is recorded. Unlike gradcheck it runs on the inputs exactly as
// given, so views (transposed, sliced) exercise the kernels' strided paths; an element
// being perturbed is restored before the next. Throws ex::Error "gradcheck_backward:
// ..." for an input that is undefined, not float64, or has a stride-0 dim of size > 1
// (its elements cannot move one at a time), when forward returns a non-floating
// tensor, and when backward returns the wrong number of gradients or one of the wrong
// shape.
GradcheckResult gradcheck_backward(const GradcheckFn& forward, const GradcheckBackwardFn& backward,
                                   std::vector<Tensor> inputs, double eps = 1e-6, double atol = 1e-5,
                                   double rtol = 1e-3);

// Checks second derivatives, like torch.autograd.gradgradcheck: gradcheck of the map
// (inputs, v) -> the gradients of sum(fn(inputs) * v) with respect to the checked
// inputs, computed by grad() with create_graph and flattened into one tensor, v being a
// fixed random float64 tensor of fn's output shape that is checked too. It thereby
// compares the tape's derivatives of the recorded backward (with respect to the inputs
// and to the output gradient) with central differences of first-order gradients. The
// checked inputs are chosen as in gradcheck, and errors are those of gradcheck and of
// grad() with create_graph (an op whose backward is not differentiable throws naming
// it); the report says "gradgradcheck" and numbers v as the last input.
GradcheckResult gradgradcheck(const GradcheckFn& fn, const std::vector<Tensor>& inputs, double eps = 1e-6,
                              double atol = 1e-5, double rtol = 1e-3);

}  // namespace ex::autograd
