#pragma once
// Weight initializers (torch.nn.init): Xavier/Glorot and Kaiming/He, uniform and
// normal. Not differentiable: they make or overwrite data. Each draws from an
// ex::Generator (the default generator when none is given), so the same seed gives the
// same weights. Floating dtypes only (float16, bfloat16, float32, float64); values
// are drawn in float64 and rounded to the dtype.

#include <cstdint>
#include <optional>
#include <string>
#include <utility>

#include "extensor/core/random.hpp"
#include "extensor/core/tensor.hpp"

namespace ex {

// (fan_in, fan_out) of a weight of this shape, as torch.nn.init computes them: with
// receptive field r = product of the dims after the first two (1 for rank 2),
// fan_in = shape[1] * r and fan_out = shape[0] * r. So a Linear weight [out, in] gives
// (in, out) and a Conv2d weight [out, in, kh, kw] gives (in*kh*kw, out*kh*kw).
// Throws ex::Error "calculate_fan_in_and_fan_out: ..." for rank < 2 or a negative dim.
std::pair<std::int64_t, std::int64_t> calculate_fan_in_and_fan_out(const Shape& shape);

// The recommended gain for a nonlinearity, like torch.nn.init.calculate_gain: 1 for
// "linear", "conv1d/2d/3d", "conv_transpose1d/2d/3d", "sigmoid"; 5/3 for "tanh";
// sqrt(2) for "relu"; sqrt(2 / (1 + slope^2)) for "leaky_relu" (slope = param, 0.01
// when absent); 3/4 for "selu". param is ignored by the others. Throws ex::Error
// "calculate_gain: ..." for any other name or a non-finite slope.
double calculate_gain(const std::string& nonlinearity, std::optional<double> param = std::nullopt);

// Uniform on [-b, b] with b = gain * sqrt(6 / (fan_in + fan_out)) (Glorot & Bengio).
// Returns a new contiguous tensor of shape/dtype. Throws ex::Error "xavier_uniform: ..."
// for rank < 2, a negative dim, or a non-floating dtype.
Tensor xavier_uniform(const Shape& shape, double gain = 1.0, DType dtype = kDefaultFloat);
Tensor xavier_uniform(const Shape& shape, double gain, DType dtype, Generator& gen);
// Fills t (any strides; its shape gives the fans) in place and returns it. Throws
// ex::Error "xavier_uniform_: ..." for an undefined t, rank < 2 or a non-floating dtype.
// A zero-size t is left as is.
Tensor xavier_uniform_(const Tensor& t, double gain = 1.0);
Tensor xavier_uniform_(const Tensor& t, double gain, Generator& gen);

// Normal with mean 0 and std = gain * sqrt(2 / (fan_in + fan_out)). Same shapes,
// dtypes and errors ("xavier_normal: ...", "xavier_normal_: ...") as xavier_uniform.
Tensor xavier_normal(const Shape& shape, double gain = 1.0, DType dtype = kDefaultFloat);
Tensor xavier_normal(const Shape& shape, double gain, DType dtype, Generator& gen);
Tensor xavier_normal_(const Tensor& t, double gain = 1.0);
Tensor xavier_normal_(const Tensor& t, double gain, Generator& gen);

// Uniform on [-b, b] with b = sqrt(3) * gain / sqrt(fan), where fan is fan_in or
// fan_out (mode "fan_in" / "fan_out") and gain = calculate_gain(nonlinearity, a)
// (a: the negative slope of leaky_relu) (He et al.). Throws ex::Error
// "kaiming_uniform: ..." for rank < 2, a negative dim, a non-floating dtype, a bad mode
// or nonlinearity. A zero-size shape gives an empty tensor; the in-place form leaves a
// zero-size t as is.
Tensor kaiming_uniform(const Shape& shape, double a = 0.0, const std::string& mode = "fan_in",
                       const std::string& nonlinearity = "leaky_relu", DType dtype = kDefaultFloat);
Tensor kaiming_uniform(const Shape& shape, double a, const std::string& mode, const std::string& nonlinearity,
                       DType dtype, Generator& gen);
Tensor kaiming_uniform_(const Tensor& t, double a = 0.0, const std::string& mode = "fan_in",
                        const std::string& nonlinearity = "leaky_relu");
Tensor kaiming_uniform_(const Tensor& t, double a, const std::string& mode, const std::string& nonlinearity,
                        Generator& gen);

// Normal with mean 0 and std = gain / sqrt(fan), fan and gain as in kaiming_uniform.
// Errors start with "kaiming_normal: " / "kaiming_normal_: ".
Tensor kaiming_normal(const Shape& shape, double a = 0.0, const std::string& mode = "fan_in",
                      const std::string& nonlinearity = "leaky_relu", DType dtype = kDefaultFloat);
Tensor kaiming_normal(const Shape& shape, double a, const std::string& mode, const std::string& nonlinearity,
                      DType dtype, Generator& gen);
Tensor kaiming_normal_(const Tensor& t, double a = 0.0, const std::string& mode = "fan_in",
                       const std::string& nonlinearity = "leaky_relu");
Tensor kaiming_normal_(const Tensor& t, double a, const std::string& mode, const std::string& nonlinearity,
                       Generator& gen);

}  // namespace ex
