#pragma once
// A float64 central-difference checker for the raw backward kernels (ex::<op>_backward),
// which never record on the tape. It checks the backward function it is given, on the
// inputs exactly as given, so non-contiguous views exercise the kernels' strided paths.
// The public ex::autograd::gradcheck (extensor/autograd/gradcheck.hpp) checks what the
// tape computes instead, on contiguous copies of the inputs: tests of recorded ops and
// custom functions use that one.
//
// forward(inputs) -> output; backward(grad_output, inputs) -> one gradient per input
// (an undefined Tensor for an input that gets none). The checker draws a random
// grad_output g (seeded), so the scalar it differentiates is L = sum(forward(x) * g);
// for every element j of every input it compares dL/dx_j from backward with
// (L(x_j + eps) - L(x_j - eps)) / (2 eps). Inputs must be float64 and may be
// non-contiguous views, but must not overlap themselves (no stride-0 dims: expand inside
// forward instead), because a perturbation must move exactly one element.

#include <doctest/doctest.h>

#include <cmath>
#include <extensor/extensor.hpp>
#include <functional>
#include <string>
#include <vector>

#include "test_util.hpp"

namespace ex::test {

using ForwardFn = std::function<Tensor(const std::vector<Tensor>&)>;
using BackwardFn = std::function<std::vector<Tensor>(const Tensor&, const std::vector<Tensor>&)>;

namespace detail_gradcheck {

// Storage offsets (in elements, from the first element) of every element of t, in
// row-major order.
inline std::vector<std::int64_t> element_offsets(const Tensor& t) {
  std::vector<std::int64_t> offsets;
  offsets.reserve(static_cast<std::size_t>(t.numel()));
  Shape index(t.shape().size(), 0);
  for (std::int64_t n = 0; n < t.numel(); ++n) {
    std::int64_t off = 0;
    for (std::size_t d = 0; d < index.size(); ++d) off += index[d] * t.strides()[d];
    offsets.push_back(off);
    for (std::size_t d = index.size(); d-- > 0;) {
      if (++index[d] < t.shape()[d]) break;
      index[d] = 0;
    }
  }
  return offsets;
}

inline double weighted_sum(const Tensor& out, const std::vector<double>& weights) {
  const std::vector<double> values = out.to_vector<double>();
  double total = 0;
  for (std::size_t i = 0; i < values.size(); ++i) total += values[i] * weights[i];
  return total;
}

}  // namespace detail_gradcheck

// Runs the check; with report (the default) every mismatching element fails a doctest
// CHECK naming its input, index, analytic and numeric values. Returns the largest
// |analytic - numeric| over all elements.
inline double check_gradients(const ForwardFn& forward, const BackwardFn& backward, std::vector<Tensor> inputs,
                              double eps = 1e-6, double atol = 1e-6, double rtol = 1e-5, bool report = true) {
  for (const Tensor& x : inputs) {
    REQUIRE(x.dtype() == DType::Float64);
    for (std::size_t d = 0; d < x.shape().size(); ++d) REQUIRE((x.strides()[d] != 0 || x.shape()[d] <= 1));
  }
  const Tensor out = forward(inputs);
  Generator gen(1234);
  const Tensor g = randn(out.shape(), DType::Float64, gen);
  const std::vector<double> weights = g.to_vector<double>();
  const std::vector<Tensor> grads = backward(g, inputs);
  REQUIRE(grads.size() == inputs.size());

  double worst = 0;
  for (std::size_t i = 0; i < inputs.size(); ++i) {
    Tensor& x = inputs[i];
    std::vector<double> analytic(static_cast<std::size_t>(x.numel()), 0.0);
    if (grads[i].defined()) {
      REQUIRE(grads[i].shape() == x.shape());
      analytic = grads[i].to_vector<double>();
    }
    double* base = x.data<double>();
    const auto offsets = detail_gradcheck::element_offsets(x);
    for (std::size_t j = 0; j < offsets.size(); ++j) {
      double& element = base[offsets[j]];
      const double saved = element;
      element = saved + eps;
      const double plus = detail_gradcheck::weighted_sum(forward(inputs), weights);
      element = saved - eps;
      const double minus = detail_gradcheck::weighted_sum(forward(inputs), weights);
      element = saved;
      const double numeric = (plus - minus) / (2 * eps);
      const double diff = std::fabs(analytic[j] - numeric);
      worst = std::max(worst, diff);
      if (report && !(diff <= atol + rtol * std::fabs(numeric))) {
        INFO("input " << i << " element " << j << ": analytic " << analytic[j] << ", numeric " << numeric);
        CHECK(diff <= atol + rtol * std::fabs(numeric));
      }
    }
  }
  return worst;
}

}  // namespace ex::test

using ex::test::check_gradients;
