#pragma once
// activation kernels: pure compute, no tape. The public ops in ex:: (autograd layer)
// call these; each validates its arguments and throws ex::Error naming the public op.
//
// Backends: float32 and bfloat16 tensors of at least activation_onednn_min_elements()
// elements go to oneDNN (eltwise relu/logistic/tanh/gelu_erf/gelu_tanh, softmax_v2
// accurate/log) on a dense copy of the input; everything else (float64, float16,
// integer inputs, small tensors) runs our own loops, half types computing in float32.

#include <cstdint>
#include <string>
#include <string_view>

#include "extensor/core/tensor.hpp"

namespace ex::kernels {

// Default size (in elements) from which float32/bfloat16 sigmoid, tanh, gelu and
// softmax use oneDNN (relu and leaky_relu: 16 times that, since our plain loop is as
// fast as oneDNN's there); below it the per-call overhead of oneDNN (1-2 us) costs
// more than our own loop (measured: sigmoid on 512 floats 1.7 us either way, on 4096
// 2 us in oneDNN against 10 us in ours).
inline constexpr std::int64_t kActivationOneDnnMinElements = 1024;
// The threshold in force (process-wide), and a setter that returns the previous value:
// tests and benchmarks use it to force either backend (0: always oneDNN where it has
// the dtype; a huge value: never). Negative values count as 0.
std::int64_t activation_onednn_min_elements();
std::int64_t set_activation_onednn_min_elements(std::int64_t elements);

// max(x, 0), same shape and dtype as x (integer dtypes too). Throws for Bool.
Tensor relu(const Tensor& x);
// x < 0 ? negative_slope * x : x; floating dtypes only (throws for bool/integers).
Tensor leaky_relu(const Tensor& x, double negative_slope);
// x < 0 ? alpha[c] * x : x with c the index on axis 1 (alpha of 1 or x.size(1) elements).
Tensor prelu(const Tensor& x, const Tensor& alpha);
// 1 / (1 + exp(-x)); integer/bool inputs give float32.
Tensor sigmoid(const Tensor& x);
// tanh(x); integer/bool inputs give float32.
Tensor tanh(const Tensor& x);
// exp(x - logsumexp(x, axis)) along axis; floating dtypes only.
Tensor softmax(const Tensor& x, std::int64_t axis);
// x - logsumexp(x, axis) along axis; floating dtypes only.
Tensor log_softmax(const Tensor& x, std::int64_t axis);
// x * Phi(x) ("none") or its tanh approximation ("tanh"); floating dtypes only.
Tensor gelu(const Tensor& x, std::string_view approximate);

// Diagnostics: the implementation the last activation kernel on this thread ran,
// "extensor" for our own loops or oneDNN's name ("jit:avx512_core", ...).
std::string last_activation_impl();

}  // namespace ex::kernels
