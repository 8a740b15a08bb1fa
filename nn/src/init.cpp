// nn::init: in-place initializers over core's random fills, without recording.

#include "extensor/nn/init.hpp"

#include <cmath>
#include <string_view>

#include "common/check.hpp"
#include "extensor/autograd/grad_mode.hpp"
#include "extensor/autograd/ops/arithmetic.hpp"
#include "extensor/core/creation.hpp"

namespace ex::nn::init {

namespace {

void check_floating(const Tensor& t, const char* fn) {
  if (!t.defined()) detail::fail("{}: the tensor is undefined (default-constructed)", fn);
  if (!is_floating(t.dtype())) detail::fail("{}: dtype {} is not a floating type", fn, t.dtype());
}

// Runs write (which stores into t's data directly, as core's initializers do) without
// recording, and bumps t's version as every in-place write must.
template <class Write>
Tensor overwrite(const Tensor& t, Write&& write) {
  NoGradGuard no_grad;
  write();
  t.storage()->bump_version();
  return t;
}

// Copies src into t without recording (copy_ bumps the version itself).
Tensor assign(const Tensor& t, const Tensor& src) {
  NoGradGuard no_grad;
  return copy_(t, src);
}

// fill_ under fn's name, so its conversion errors start with fn.
Tensor fill_as(const Tensor& t, const Scalar& value, const char* fn) {
  if (!t.defined()) detail::fail("{}: the tensor is undefined (default-constructed)", fn);
  NoGradGuard no_grad;
  try {
    return fill_(t, value);
  } catch (const Error& e) {
    constexpr std::string_view prefix = "fill_: ";
    std::string_view message = e.what();
    if (message.starts_with(prefix)) message.remove_prefix(prefix.size());
    ex::detail::fail("{}: {}", fn, message);
  }
}

}  // namespace

Tensor uniform_(const Tensor& t, double a, double b, Generator& gen) {
  check_floating(t, "uniform_");
  if (!std::isfinite(a) || !std::isfinite(b)) detail::fail("uniform_: the bounds must be finite, got [{}, {}]", a, b);
  if (a > b) detail::fail("uniform_: expects a <= b, got a = {} > b = {}", a, b);
  return assign(t, rand(t.shape(), DType::Float64, gen) * (b - a) + a);
}

Tensor normal_(const Tensor& t, double mean, double std, Generator& gen) {
  check_floating(t, "normal_");
  if (!std::isfinite(mean) || !std::isfinite(std))
    detail::fail("normal_: mean and std must be finite, got mean = {}, std = {}", mean, std);
  if (std < 0) detail::fail("normal_: expects std >= 0, got {}", std);
  return assign(t, randn(t.shape(), DType::Float64, gen) * std + mean);
}

Tensor constant_(const Tensor& t, const Scalar& value) { return fill_as(t, value, "constant_"); }
Tensor zeros_(const Tensor& t) { return fill_as(t, 0, "zeros_"); }
Tensor ones_(const Tensor& t) { return fill_as(t, 1, "ones_"); }

Tensor xavier_uniform_(const Tensor& t, double gain, Generator& gen) {
  return overwrite(t, [&] { ex::xavier_uniform_(t, gain, gen); });
}
Tensor xavier_normal_(const Tensor& t, double gain, Generator& gen) {
  return overwrite(t, [&] { ex::xavier_normal_(t, gain, gen); });
}
Tensor kaiming_uniform_(const Tensor& t, double a, const std::string& mode, const std::string& nonlinearity,
                        Generator& gen) {
  return overwrite(t, [&] { ex::kaiming_uniform_(t, a, mode, nonlinearity, gen); });
}
Tensor kaiming_normal_(const Tensor& t, double a, const std::string& mode, const std::string& nonlinearity,
                       Generator& gen) {
  return overwrite(t, [&] { ex::kaiming_normal_(t, a, mode, nonlinearity, gen); });
}

}  // namespace ex::nn::init
