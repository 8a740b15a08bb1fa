#pragma once
// check_gradients: the raw backward kernels (ex::<op>_backward) against float64 central
// differences, through the public ex::autograd::gradcheck_backward, which runs on the
// inputs exactly as given so non-contiguous views exercise the kernels' strided paths.
// forward(inputs) -> output; backward(grad_output, inputs) -> one gradient per input (an
// undefined Tensor for an input that gets none). Inputs must be float64 and may be
// views, but not expanded ones (expand inside forward instead).

#include <doctest/doctest.h>

#include <extensor/extensor.hpp>
#include <functional>
#include <vector>

#include "test_util.hpp"

namespace ex::test {

using ForwardFn = std::function<Tensor(const std::vector<Tensor>&)>;
using BackwardFn = std::function<std::vector<Tensor>(const Tensor&, const std::vector<Tensor>&)>;

// Runs the check; with report (the default) a mismatch fails a doctest CHECK carrying
// the checker's account of the worst element. Returns the largest |analytic - numeric|
// over all elements.
inline double check_gradients(const ForwardFn& forward, const BackwardFn& backward, std::vector<Tensor> inputs,
                              double eps = 1e-6, double atol = 1e-6, double rtol = 1e-5, bool report = true) {
  const autograd::GradcheckResult result =
      autograd::gradcheck_backward(forward, backward, std::move(inputs), eps, atol, rtol);
  if (report) {
    INFO(result.report);
    CHECK(result.passed);
  }
  return result.max_abs_error;
}

}  // namespace ex::test

using ex::test::check_gradients;
