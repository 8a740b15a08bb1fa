#pragma once
// ex::nn::summary: a table of a model's layers, output shapes and parameter counts.

#include <string>

#include "extensor/core/dtype.hpp"
#include "extensor/core/shape.hpp"
#include "extensor/nn/module.hpp"

namespace ex::nn {

// Runs one forward pass of module on zeros of input_shape (batch axis included, e.g.
// {1, 784}) and dtype, under NoGradGuard and in evaluation mode (so Dropout draws no
// random numbers and normalization layers update no statistics; every module's
// training flag is restored afterwards), and returns a table with one row per module
// call made through Module::operator(), in call order: the module's dotted name
// ("(root)" for module itself, "(unregistered)" for a module outside its tree), its
// type, the shape of its output, and the number of its own parameters (children's
// parameters are counted on their own rows, so the column sums to the total). Below
// the table: total, trainable (requires grad) and non-trainable parameter counts over
// module.parameters(), and the input shape. Numbers are printed with thousands
// separators ("401,920"). Throws ex::Error "summary: ..." for a negative dim, and
// whatever the forward throws for an input it does not accept.
std::string summary(Module& module, const Shape& input_shape, DType dtype = kDefaultFloat);

}  // namespace ex::nn
