// Weight initializers: scaled uniform / normal fills drawn from ex::Generator.
#include "extensor/core/init.hpp"

#include <cmath>

#include "common/check.hpp"
#include "core/src/strided_loop.hpp"
#include "extensor/core/creation.hpp"

namespace ex {

namespace {

enum class Dist { Uniform, Normal };

std::pair<std::int64_t, std::int64_t> fans(const Shape& shape, const char* fn) {
  if (shape.size() < 2)
    detail::fail("{}: fan in and fan out cannot be computed for shape {} with fewer than 2 dims", fn, shape);
  checked_numel(shape, fn);
  std::int64_t receptive = 1;
  for (std::size_t i = 2; i < shape.size(); ++i) receptive *= shape[i];
  return {shape[1] * receptive, shape[0] * receptive};
}

double gain(const std::string& nonlinearity, std::optional<double> param, const char* fn) {
  static constexpr const char* kUnit[] = {"linear",           "conv1d",           "conv2d",           "conv3d",
                                          "conv_transpose1d", "conv_transpose2d", "conv_transpose3d", "sigmoid"};
  for (const char* name : kUnit)
    if (nonlinearity == name) return 1.0;
  if (nonlinearity == "tanh") return 5.0 / 3.0;
  if (nonlinearity == "relu") return std::sqrt(2.0);
  if (nonlinearity == "selu") return 3.0 / 4.0;
  if (nonlinearity == "leaky_relu") {
    const double slope = param.value_or(0.01);
    if (!std::isfinite(slope)) detail::fail("{}: negative slope {} of leaky_relu is not finite", fn, slope);
    return std::sqrt(2.0 / (1.0 + slope * slope));
  }
  detail::fail("{}: unsupported nonlinearity '{}'", fn, nonlinearity);
}

void check_dtype(DType dtype, const char* fn) {
  if (!is_floating(dtype)) detail::fail("{}: dtype {} is not a floating type", fn, dtype);
}

// Validates and returns the fan that kaiming's mode selects.
std::int64_t mode_fan(const Shape& shape, const std::string& mode, const char* fn) {
  const auto [fan_in, fan_out] = fans(shape, fn);
  if (mode == "fan_in") return fan_in;
  if (mode == "fan_out") return fan_out;
  detail::fail("{}: mode must be 'fan_in' or 'fan_out', got '{}'", fn, mode);
}

// Overwrites t with uniform values on [-scale, scale] or normal values with std scale.
Tensor fill(const Tensor& t, Dist dist, double scale, Generator& gen) {
  if (t.numel() == 0) return t;
  const Tensor src =
      dist == Dist::Uniform ? rand(t.shape(), DType::Float64, gen) : randn(t.shape(), DType::Float64, gen);
  const double mul = dist == Dist::Uniform ? 2.0 * scale : scale, add = dist == Dist::Uniform ? -scale : 0.0;
  dispatch(t.dtype(), [&]<class T>() {
    detail::map_unary<T, double>(src, t, [mul, add](double u) { return detail::convert<T>(u * mul + add); });
  });
  return t;
}

// Shared front ends: fn names the public function; std_of computes the scale from the
// validated shape once we know there is something to fill.
template <class Scale>
Tensor make(const Shape& shape, DType dtype, Dist dist, Generator& gen, const char* fn, Scale&& scale) {
  check_dtype(dtype, fn);
  const double s = scale();  // validates rank, dims, mode, nonlinearity
  return fill(detail::allocate(shape, dtype, fn), dist, s, gen);
}
template <class Scale>
Tensor fill_(const Tensor& t, Dist dist, Generator& gen, const char* fn, Scale&& scale) {
  if (!t.defined()) detail::fail("{}: the tensor is undefined (default-constructed)", fn);
  check_dtype(t.dtype(), fn);
  const double s = scale();
  return fill(t, dist, s, gen);
}

double xavier_scale(const Shape& shape, double g, Dist dist, const char* fn) {
  const auto [fan_in, fan_out] = fans(shape, fn);
  if (fan_in + fan_out == 0) return 0.0;  // zero-size: nothing is drawn
  const double std = g * std::sqrt(2.0 / static_cast<double>(fan_in + fan_out));
  return dist == Dist::Uniform ? std::sqrt(3.0) * std : std;
}

double kaiming_scale(const Shape& shape, double a, const std::string& mode, const std::string& nonlinearity, Dist dist,
                     const char* fn) {
  const std::int64_t fan = mode_fan(shape, mode, fn);
  const double g = gain(nonlinearity, a, fn);
  if (fan == 0) return 0.0;  // zero-size: nothing is drawn
  const double std = g / std::sqrt(static_cast<double>(fan));
  return dist == Dist::Uniform ? std::sqrt(3.0) * std : std;
}

}  // namespace

std::pair<std::int64_t, std::int64_t> calculate_fan_in_and_fan_out(const Shape& shape) {
  return fans(shape, "calculate_fan_in_and_fan_out");
}

double calculate_gain(const std::string& nonlinearity, std::optional<double> param) {
  return gain(nonlinearity, param, "calculate_gain");
}

#define EX_XAVIER(NAME, DIST)                                                                                   \
  Tensor NAME(const Shape& shape, double g, DType dtype) { return NAME(shape, g, dtype, default_generator()); } \
  Tensor NAME(const Shape& shape, double g, DType dtype, Generator& gen) {                                      \
    return make(shape, dtype, DIST, gen, #NAME, [&] { return xavier_scale(shape, g, DIST, #NAME); });           \
  }                                                                                                             \
  Tensor NAME##_(const Tensor& t, double g) { return NAME##_(t, g, default_generator()); }                      \
  Tensor NAME##_(const Tensor& t, double g, Generator& gen) {                                                   \
    return fill_(t, DIST, gen, #NAME "_", [&] { return xavier_scale(t.shape(), g, DIST, #NAME "_"); });         \
  }
EX_XAVIER(xavier_uniform, Dist::Uniform)
EX_XAVIER(xavier_normal, Dist::Normal)
#undef EX_XAVIER

#define EX_KAIMING(NAME, DIST)                                                                                     \
  Tensor NAME(const Shape& shape, double a, const std::string& mode, const std::string& nl, DType dtype) {         \
    return NAME(shape, a, mode, nl, dtype, default_generator());                                                   \
  }                                                                                                                \
  Tensor NAME(const Shape& shape, double a, const std::string& mode, const std::string& nl, DType dtype,           \
              Generator& gen) {                                                                                    \
    return make(shape, dtype, DIST, gen, #NAME, [&] { return kaiming_scale(shape, a, mode, nl, DIST, #NAME); });   \
  }                                                                                                                \
  Tensor NAME##_(const Tensor& t, double a, const std::string& mode, const std::string& nl) {                      \
    return NAME##_(t, a, mode, nl, default_generator());                                                           \
  }                                                                                                                \
  Tensor NAME##_(const Tensor& t, double a, const std::string& mode, const std::string& nl, Generator& gen) {      \
    return fill_(t, DIST, gen, #NAME "_", [&] { return kaiming_scale(t.shape(), a, mode, nl, DIST, #NAME "_"); }); \
  }
EX_KAIMING(kaiming_uniform, Dist::Uniform)
EX_KAIMING(kaiming_normal, Dist::Normal)
#undef EX_KAIMING

}  // namespace ex
