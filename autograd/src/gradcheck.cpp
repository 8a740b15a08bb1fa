// gradcheck: the tape's gradients against float64 central differences.

#include "extensor/autograd/gradcheck.hpp"

#include <fmt/format.h>
#include <cmath>
#include <vector>

#include "common/check.hpp"
#include "extensor/autograd/engine.hpp"
#include "extensor/autograd/grad_mode.hpp"
#include "extensor/autograd/ops/shape.hpp"
#include "extensor/core/creation.hpp"
#include "extensor/core/random.hpp"

namespace ex::autograd {

namespace {

double weighted_sum(const Tensor& out, const std::vector<double>& weights) {
  const std::vector<double> values = out.to_vector<double>();
  double total = 0;
  for (std::size_t i = 0; i < values.size(); ++i) total += values[i] * weights[i];
  return total;
}

std::string index_str(std::int64_t flat, const Shape& shape) {
  std::vector<std::int64_t> index(shape.size());
  for (std::size_t d = shape.size(); d-- > 0;) {
    index[d] = flat % shape[d];
    flat /= shape[d];
  }
  return fmt::format("[{}]", fmt::join(index, ", "));
}

// The arguments fn is called with: a fresh float64 leaf for every checked input (those
// that require grad, or every float64 input when none does), the others unchanged; and
// the indices of the checked ones. Throws ex::Error "<fn>: ..." for a checked input that
// is not float64 and when none is checked.
std::pair<std::vector<Tensor>, std::vector<std::size_t>> checked_copies(const char* fn,
                                                                        const std::vector<Tensor>& inputs) {
  bool any_requires = false;
  for (const Tensor& x : inputs) any_requires |= x.defined() && x.requires_grad();
  std::vector<Tensor> args;
  std::vector<std::size_t> checked;
  for (std::size_t i = 0; i < inputs.size(); ++i) {
    const Tensor& x = inputs[i];
    const bool check = x.defined() && (any_requires ? x.requires_grad() : x.dtype() == DType::Float64);
    if (check && x.dtype() != DType::Float64)
      ex::detail::fail("{}: input {} has dtype {}; checked inputs must be float64", fn, i, dtype_name(x.dtype()));
    if (check) checked.push_back(i);
    args.push_back(check ? x.detach().clone().requires_grad_() : x);
  }
  if (checked.empty()) ex::detail::fail("{}: no input to check (no input requires grad or is float64)", fn);
  return {std::move(args), std::move(checked)};
}

// Storage offsets (in elements) of every element of t, in row-major order: perturbing
// t's data at these offsets moves exactly one element of any view without stride-0 dims.
std::vector<std::int64_t> element_offsets(const Tensor& t) {
  std::vector<std::int64_t> offsets;
  offsets.reserve(static_cast<std::size_t>(t.numel()));
  std::vector<std::int64_t> index(t.shape().size(), 0);
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

// The comparison both checkers make: for every element of every checked argument, the
// analytic gradient (undefined: zeros) against (L(x + eps) - L(x - eps)) / 2 eps with
// L = sum(fn(args) * weights), perturbing the element in place and restoring it.
GradcheckResult compare_with_differences(const char* name, const GradcheckFn& fn, std::vector<Tensor>& args,
                                         const std::vector<std::size_t>& checked, const std::vector<Tensor>& analytic,
                                         const std::vector<double>& weights, double eps, double atol, double rtol) {
  GradcheckResult result;
  double worst_excess = -INFINITY;
  NoGradGuard no_grad;
  for (std::size_t k = 0; k < checked.size(); ++k) {
    Tensor& x = args[checked[k]];
    std::vector<double> expected(static_cast<std::size_t>(x.numel()), 0.0);
    if (analytic[k].defined()) {
      if (analytic[k].shape() != x.shape())
        ex::detail::fail("{}: the gradient of input {} has shape {} but the input has shape {}", name, checked[k],
                         analytic[k].shape().str(), x.shape().str());
      expected = analytic[k].to_vector<double>();
    }
    double* data = x.data<double>();
    const std::vector<std::int64_t> offsets = element_offsets(x);
    for (std::size_t j = 0; j < offsets.size(); ++j) {
      double& element = data[offsets[j]];
      const double saved = element;
      element = saved + eps;
      const double plus = weighted_sum(fn(args), weights);
      element = saved - eps;
      const double minus = weighted_sum(fn(args), weights);
      element = saved;
      const double numeric = (plus - minus) / (2 * eps);
      const double a = expected[j];
      const double diff = std::fabs(a - numeric);
      const double excess = diff - (atol + rtol * std::fabs(numeric));
      const double score = std::isnan(excess) ? INFINITY : excess;  // NaN never passes
      result.max_abs_error = std::max(result.max_abs_error, std::isnan(diff) ? INFINITY : diff);
      if (score > 0) {
        ++result.mismatches;
        result.passed = false;
      }
      if (score > worst_excess) {
        worst_excess = score;
        result.worst_input = checked[k];
        result.worst_element = static_cast<std::int64_t>(j);
        result.analytic = a;
        result.numeric = numeric;
      }
    }
  }
  if (!result.passed) {
    const Tensor& x = args[result.worst_input];
    result.report = fmt::format(
        "{}: {} element(s) mismatched; worst: input {} (shape {}) element {} {}: analytic {:.10g}, numeric "
        "{:.10g}, |difference| {:.3g} > atol + rtol * |numeric| = {:.3g}",
        name, result.mismatches, result.worst_input, x.shape().str(), result.worst_element,
        index_str(result.worst_element, x.shape()), result.analytic, result.numeric,
        std::fabs(result.analytic - result.numeric), atol + rtol * std::fabs(result.numeric));
  }
  return result;
}

}  // namespace

GradcheckResult gradcheck(const GradcheckFn& fn, const std::vector<Tensor>& inputs, double eps, double atol,
                          double rtol) {
  auto [args, checked] = checked_copies("gradcheck", inputs);
  const Tensor out = fn(args);
  if (!out.defined() || !is_floating(out.dtype())) throw Error("gradcheck: fn must return a floating tensor");
  Generator gen(20240611);
  const Tensor g = randn(out.shape(), out.dtype(), gen);
  std::vector<Tensor> wrt;
  for (std::size_t i : checked) wrt.push_back(args[i]);
  const std::vector<Tensor> analytic = out.requires_grad() ? grad({out}, wrt, {g}, false, false, /*allow_unused=*/true)
                                                           : std::vector<Tensor>(wrt.size());
  return compare_with_differences("gradcheck", fn, args, checked, analytic, g.to_vector<double>(), eps, atol, rtol);
}

GradcheckResult gradcheck_backward(const GradcheckFn& forward, const GradcheckBackwardFn& backward,
                                   std::vector<Tensor> inputs, double eps, double atol, double rtol) {
  std::vector<std::size_t> checked;
  for (std::size_t i = 0; i < inputs.size(); ++i) {
    const Tensor& x = inputs[i];
    if (!x.defined() || x.dtype() != DType::Float64)
      ex::detail::fail("gradcheck_backward: input {} must be a defined float64 tensor", i);
    for (std::size_t d = 0; d < x.shape().size(); ++d)
      if (x.strides()[d] == 0 && x.shape()[d] > 1)
        ex::detail::fail(
            "gradcheck_backward: input {} (shape {}) has a stride-0 dim, whose elements cannot be perturbed one at a "
            "time; expand inside forward instead",
            i, x.shape().str());
    checked.push_back(i);
  }
  NoGradGuard no_grad;
  const Tensor out = forward(inputs);
  if (!out.defined() || !is_floating(out.dtype()))
    throw Error("gradcheck_backward: forward must return a floating tensor");
  Generator gen(20240611);
  const Tensor g = randn(out.shape(), out.dtype(), gen);
  const std::vector<Tensor> analytic = backward(g, inputs);
  if (analytic.size() != inputs.size())
    ex::detail::fail("gradcheck_backward: backward returned {} gradient(s) for {} input(s)", analytic.size(),
                     inputs.size());
  return compare_with_differences("gradcheck_backward", forward, inputs, checked, analytic, g.to_vector<double>(), eps,
                                  atol, rtol);
}

GradcheckResult gradgradcheck(const GradcheckFn& fn, const std::vector<Tensor>& inputs, double eps, double atol,
                              double rtol) {
  // Named members, not a structured binding: the lambda below captures checked, and
  // clang before 16 rejects capturing a structured binding.
  auto copies = checked_copies("gradgradcheck", inputs);
  std::vector<Tensor>& args = copies.first;
  const std::vector<std::size_t> checked = std::move(copies.second);
  const Tensor probe = [&] {
    NoGradGuard no_grad;
    return fn(args);
  }();
  if (!probe.defined() || !is_floating(probe.dtype())) throw Error("gradgradcheck: fn must return a floating tensor");
  Generator gen(20240612);
  args.push_back(randn(probe.shape(), DType::Float64, gen).requires_grad_());

  // The first-order gradients as one flat tensor, recorded. gradcheck calls this with its
  // own copies: requiring grad (the analytic pass) or not (the finite differences, under
  // no_grad), where local leaves stand in so grad() has something to differentiate.
  const auto first_order = [&fn, checked](const std::vector<Tensor>& in) {
    EnableGradGuard record;
    std::vector<Tensor> xs(in.begin(), in.end() - 1);
    std::vector<Tensor> wrt;
    for (std::size_t i : checked) {
      if (!xs[i].requires_grad()) xs[i] = xs[i].detach().requires_grad_();
      wrt.push_back(xs[i]);
    }
    Tensor v = in.back();
    if (!v.requires_grad()) v = v.detach().requires_grad_();
    const Tensor out = fn(xs);
    std::vector<Tensor> grads(wrt.size());
    if (out.requires_grad()) grads = grad({out}, wrt, {v.to(out.dtype())}, false, /*create_graph=*/true, true);
    std::vector<Tensor> flat;
    for (std::size_t k = 0; k < wrt.size(); ++k)
      flat.push_back(grads[k].defined() ? grads[k].to(DType::Float64).reshape({-1})
                                        : zeros({wrt[k].numel()}, DType::Float64));
    return concatenate(flat);
  };
  GradcheckResult result = gradcheck(first_order, args, eps, atol, rtol);
  if (!result.passed) result.report = "gradgradcheck" + result.report.substr(std::string("gradcheck").size());
  return result;
}

}  // namespace ex::autograd
