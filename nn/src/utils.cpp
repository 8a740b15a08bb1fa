// nn::utils: gradient clipping by total norm and by value, PyTorch 1.13's arithmetic.

#include "extensor/nn/utils.hpp"

#include <cmath>
#include <limits>

#include "common/check.hpp"
#include "extensor/autograd/grad_mode.hpp"
#include "extensor/autograd/ops/arithmetic.hpp"
#include "extensor/autograd/ops/math.hpp"
#include "extensor/autograd/ops/reduction.hpp"
#include "extensor/autograd/ops/shape.hpp"
#include "extensor/core/creation.hpp"

namespace ex::nn::utils {

namespace {

constexpr char kNormFn[] = "clip_grad_norm_";
constexpr char kValueFn[] = "clip_grad_value_";

bool is_expanded(const Tensor& t) {
  for (std::int64_t d = 0; d < t.dim(); ++d)
    if (t.shape()[d] > 1 && t.strides()[d] == 0) return true;
  return false;
}

// The gradients of the parameters that have one (detached: scaling them must not
// record), after checking every parameter; same_dtype requires one dtype for all.
std::vector<Tensor> gradients(const std::vector<Tensor>& parameters, const char* fn, bool same_dtype) {
  std::vector<Tensor> grads;
  std::size_t first = 0;
  for (std::size_t i = 0; i < parameters.size(); ++i) {
    if (!parameters[i].defined()) ex::detail::fail("{}: parameter {} is undefined (default-constructed)", fn, i);
    const Tensor grad = parameters[i].grad();
    if (!grad.defined()) continue;
    if (!is_floating(grad.dtype()))
      ex::detail::fail("{}: the gradient of parameter {} has dtype {}; only floating gradients can be clipped", fn, i,
                       grad.dtype());
    if (is_expanded(grad))
      ex::detail::fail(
          "{}: the gradient of parameter {} (shape {}, strides {}) is an expanded view and cannot be changed "
          "in place",
          fn, i, grad.shape(), grad.strides());
    if (grads.empty()) first = i;
    if (same_dtype && !grads.empty() && grad.dtype() != grads.front().dtype())
      ex::detail::fail("{}: the gradients have different dtypes: parameter {}'s is {}, parameter {}'s is {}", fn, first,
                       grads.front().dtype(), i, grad.dtype());
    grads.push_back(grad.detach());
  }
  return grads;
}

// torch.norm(x, p) for p > 0, as a rank-0 tensor of x's dtype: inf gives the largest
// |element| (0 for an empty x), other orders (sum |x|^p)^(1/p).
Tensor norm(const Tensor& x, double p) {
  if (std::isinf(p)) return x.numel() == 0 ? zeros({}, x.dtype()) : max_reduce(abs(x));
  if (p == 1) return sum(abs(x));
  if (p == 2) return sqrt(sum(x * x));
  return power(sum(power(abs(x), p)), 1.0 / p);
}

// The factor every gradient is multiplied by, in the computation type C (the dtype of
// the norm tensor PyTorch computes it in): max_norm / (total + 1e-6) clamped to 1, with
// PyTorch's division of a number by a tensor, a reciprocal then a product.
template <class C>
double clip_coefficient(double total, double max_norm) {
  const C coefficient = C(1) / (static_cast<C>(total) + static_cast<C>(1e-6)) * static_cast<C>(max_norm);
  return static_cast<double>(coefficient > C(1) ? C(1) : coefficient);  // nan stays nan, as torch.clamp
}

}  // namespace

double clip_grad_norm_(const std::vector<Tensor>& parameters, double max_norm, double norm_type,
                       bool error_if_nonfinite) {
  if (!(max_norm >= 0)) ex::detail::fail("{}: invalid max_norm {} (must be >= 0)", kNormFn, max_norm);
  if (!(norm_type > 0))
    ex::detail::fail("{}: invalid norm_type {} (must be > 0, or infinity for the largest |element|)", kNormFn,
                     norm_type);
  const std::vector<Tensor> grads = gradients(parameters, kNormFn, true);
  if (grads.empty()) return 0.0;
  const DType compute = grads.front().dtype() == DType::Float64 ? DType::Float64 : DType::Float32;
  NoGradGuard no_grad;
  std::vector<Tensor> norms;
  norms.reserve(grads.size());
  for (const Tensor& grad : grads) norms.push_back(norm(grad.to(compute), norm_type));
  const double total = norm(stack(norms), norm_type).item<double>();
  if (error_if_nonfinite && !std::isfinite(total))
    ex::detail::fail(
        "{}: the total norm of order {} of the gradients is {}, so they cannot be clipped; pass error_if_nonfinite = "
        "false to scale them by it anyway",
        kNormFn, norm_type, total);
  const double coefficient =
      compute == DType::Float64 ? clip_coefficient<double>(total, max_norm) : clip_coefficient<float>(total, max_norm);
  for (const Tensor& grad : grads) mul_(grad, coefficient);
  return total;
}

double clip_grad_norm_(const Tensor& parameter, double max_norm, double norm_type, bool error_if_nonfinite) {
  return clip_grad_norm_(std::vector<Tensor>{parameter}, max_norm, norm_type, error_if_nonfinite);
}

void clip_grad_value_(const std::vector<Tensor>& parameters, double clip_value) {
  if (!(clip_value >= 0)) ex::detail::fail("{}: invalid clip_value {} (must be >= 0)", kValueFn, clip_value);
  const std::vector<Tensor> grads = gradients(parameters, kValueFn, false);
  NoGradGuard no_grad;
  for (const Tensor& grad : grads) clamp_(grad, -clip_value, clip_value);
}

void clip_grad_value_(const Tensor& parameter, double clip_value) {
  clip_grad_value_(std::vector<Tensor>{parameter}, clip_value);
}

}  // namespace ex::nn::utils
