#pragma once
// ex::nn::summary: a table of a model's layers, output shapes and parameter counts.

#include <functional>
#include <string>

#include "extensor/core/dtype.hpp"
#include "extensor/core/shape.hpp"
#include "extensor/nn/container.hpp"

namespace ex::nn {

// Runs one forward pass of module on zeros of input_shape (batch axis included, e.g.
// {1, 784}) and dtype, under NoGradGuard and in evaluation mode (so Dropout draws no
// random numbers and normalization layers update no statistics; every module's
// training flag is restored afterwards), and returns a table with one row per module
// call made through call_forward (holders' operator(), Sequential), in call order: the module's dotted name
// ("(root)" for module itself, "(unregistered)" for a module outside its tree), its
// type, the shape of its output, and the number of its own parameters (children's
// parameters are counted on their own rows, so the column sums to the total). Below
// the table: total, trainable (requires grad) and non-trainable parameter counts over
// module.parameters(), and the input shape. Numbers are printed with thousands
// separators ("401,920"). Throws ex::Error "summary: ..." for a negative dim, and
// whatever the forward throws for an input it does not accept.
// module is a module object or its holder (summary(*net, ...) or summary(net, ...));
// its forward must take one tensor (TensorToTensorModule), checked at compile time.
template <TensorToTensorModule M>
std::string summary(M& module, const Shape& input_shape, DType dtype = kDefaultFloat);
template <class Impl>
std::string summary(ModuleHolder<Impl>& module, const Shape& input_shape, DType dtype = kDefaultFloat) {
  return summary(*module, input_shape, dtype);
}

}  // namespace ex::nn

namespace ex::detail {
// nn::summary over run, which calls module's forward.
std::string module_summary(nn::Module& module, const std::function<Tensor(const Tensor&)>& run,
                           const Shape& input_shape, DType dtype);
}  // namespace ex::detail

namespace ex::nn {

template <TensorToTensorModule M>
std::string summary(M& module, const Shape& input_shape, DType dtype) {
  return ex::detail::module_summary(
      module, [&](const Tensor& input) -> Tensor { return call_forward(module, input); }, input_shape, dtype);
}

}  // namespace ex::nn
