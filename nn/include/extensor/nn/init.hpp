#pragma once
// ex::nn::init: in-place parameter initializers, like torch.nn.init. Each overwrites
// the tensor it is given (any strides) and returns it, never records on the tape (they
// run under NoGradGuard, so they work on parameters that require grad), and bumps the
// tensor's version (a graph that saved it can no longer be back-propagated). Random
// ones draw from gen, the default generator (seeded by ex::manual_seed) when omitted,
// in float64, and round to the tensor's dtype. Every function throws ex::Error whose
// message starts with its name for an undefined tensor.

#include <cstdint>
#include <string>

#include "extensor/core/init.hpp"
#include "extensor/core/random.hpp"
#include "extensor/core/scalar.hpp"
#include "extensor/core/tensor.hpp"

namespace ex::nn::init {

using ex::calculate_fan_in_and_fan_out;
using ex::calculate_gain;

// Uniform on [a, b). Floating tensors only. Throws ex::Error "uniform_: ..." for a
// non-floating tensor, a non-finite bound or a > b.
Tensor uniform_(const Tensor& t, double a = 0.0, double b = 1.0, Generator& gen = default_generator());

// Normal with the given mean and std. Floating tensors only. Throws ex::Error
// "normal_: ..." for a non-floating tensor, a non-finite mean or std, or std < 0.
Tensor normal_(const Tensor& t, double mean = 0.0, double std = 1.0, Generator& gen = default_generator());

// Every element set to value (converted to the tensor's dtype; any dtype). Throws
// ex::Error "constant_: ..." when value does not fit an integer dtype (or is NaN there).
Tensor constant_(const Tensor& t, const Scalar& value);
// constant_(t, 0) and constant_(t, 1), with their own names in errors.
Tensor zeros_(const Tensor& t);
Tensor ones_(const Tensor& t);

// Xavier/Glorot: uniform on [-b, b] with b = gain * sqrt(6 / (fan_in + fan_out)), or
// normal with std = gain * sqrt(2 / (fan_in + fan_out)); fans from
// calculate_fan_in_and_fan_out (a Linear weight [out, in] has fan_in = in). Throws
// ex::Error "xavier_uniform_: ..." / "xavier_normal_: ..." for a tensor of rank < 2 (no
// fans, as in PyTorch) or a non-floating dtype. A zero-size tensor is left as is.
Tensor xavier_uniform_(const Tensor& t, double gain = 1.0, Generator& gen = default_generator());
Tensor xavier_normal_(const Tensor& t, double gain = 1.0, Generator& gen = default_generator());

// Kaiming/He: uniform on [-b, b] with b = gain * sqrt(3 / fan), or normal with
// std = gain / sqrt(fan), where fan is fan_in or fan_out (mode) and gain =
// calculate_gain(nonlinearity, a) (a: leaky_relu's negative slope; PyTorch's Linear uses
// a = sqrt(5)). Throws ex::Error "kaiming_uniform_: ..." / "kaiming_normal_: ..." for
// rank < 2, a non-floating dtype, a mode other than "fan_in"/"fan_out" or an unknown
// nonlinearity. A zero-size tensor is left as is.
Tensor kaiming_uniform_(const Tensor& t, double a = 0.0, const std::string& mode = "fan_in",
                        const std::string& nonlinearity = "leaky_relu", Generator& gen = default_generator());
Tensor kaiming_normal_(const Tensor& t, double a = 0.0, const std::string& mode = "fan_in",
                       const std::string& nonlinearity = "leaky_relu", Generator& gen = default_generator());

}  // namespace ex::nn::init
