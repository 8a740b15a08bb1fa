#pragma once
// Public activation ops. All are elementwise except softmax/log_softmax, which reduce
// along one axis; every result is a new contiguous tensor of x's shape. Half types
// (float16, bfloat16) are stored 16-bit and computed in float32. Float32 and bfloat16
// tensors of kernels::activation_onednn_min_elements() elements or more run on oneDNN.

#include <cstdint>
#include <string_view>

#include "extensor/core/kernels/activation.hpp"

namespace ex {

// max(x, 0) elementwise. Any shape (rank 0 and zero-size too), any strides. Integer
// dtypes are allowed and keep their dtype (PyTorch 1.13); the result has x's dtype.
// Throws ex::Error "relu: ..." for a bool tensor (PyTorch rejects it) or an undefined x.
Tensor relu(const Tensor& x);

// x if x >= 0 else negative_slope * x, elementwise; result has x's dtype. Floating
// dtypes only: bool and integer tensors throw ex::Error "leaky_relu: ..." like PyTorch,
// as does a non-finite negative_slope.
Tensor leaky_relu(const Tensor& x, double negative_slope = 0.01);

// Parametric ReLU like torch.nn.functional.prelu: x if x >= 0 else alpha[c] * x, where c
// is the index along axis 1. alpha must be rank 0 or 1, of x's (floating) dtype, with 1
// element (shared) or x.size(1) elements; rank-0 and rank-1 x have a single channel, so
// they take a 1-element alpha only. Result has x's shape and dtype. Throws ex::Error
// "prelu: ..." for a non-floating x, a dtype mismatch, alpha of rank > 1, or a wrong
// number of alpha elements.
Tensor prelu(const Tensor& x, const Tensor& alpha);

// 1 / (1 + exp(-x)) elementwise, stable for any |x| (exactly 0 and 1 in the limits, no
// overflow). Floating inputs keep their dtype; bool and integer inputs give float32 like
// PyTorch. Throws ex::Error "sigmoid: ..." only for an undefined x.
Tensor sigmoid(const Tensor& x);

// Hyperbolic tangent elementwise. Floating inputs keep their dtype; bool and integer
// inputs give float32 like PyTorch. Throws ex::Error "tanh: ..." only for an undefined x.
Tensor tanh(const Tensor& x);

// exp(x) / sum(exp(x)) along `axis` (negative counts from the end), computed through
// log-sum-exp so large inputs (1000, -1000) neither overflow nor underflow to NaN.
// A rank-0 x accepts axis 0 or -1 and gives 1. Result has x's shape and dtype. Floating
// dtypes only: bool and integer tensors throw ex::Error "softmax: ..." like PyTorch, as
// does an axis outside [-rank, rank).
Tensor softmax(const Tensor& x, std::int64_t axis);

// x - log(sum(exp(x))) along `axis`, via log-sum-exp (finite for very negative x).
// Shapes, dtypes and errors as softmax (messages start with "log_softmax:"); rank 0
// gives 0.
Tensor log_softmax(const Tensor& x, std::int64_t axis);

// Gaussian error linear unit elementwise: x * Phi(x) = 0.5 x (1 + erf(x / sqrt 2)) with
// approximate "none" (default), or PyTorch's 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715
// x^3))) with "tanh". Result has x's dtype. Floating dtypes only: bool and integer
// tensors throw ex::Error "gelu: ..." like PyTorch, as does any other approximate string.
Tensor gelu(const Tensor& x, std::string_view approximate = "none");

// Composite activations: written from the ops above, so they record through them (any
// order of gradient) and have no registry entry of their own; each raw backward below
// differentiates the same composition on a private graph. Floating dtypes only:
// undefined, bool and integer tensors throw ex::Error "<op>: ..." like PyTorch.

// log(1 + exp(beta x)) / beta elementwise, and x itself where beta x > threshold, like
// torch.nn.functional.softplus; no overflow for large |x|. Throws ex::Error "softplus:
// ..." also for a zero or non-finite beta.
Tensor softplus(const Tensor& x, double beta = 1.0, double threshold = 20.0);
// x * sigmoid(x) elementwise (the swish of PyTorch's torch.nn.functional.silu).
Tensor silu(const Tensor& x);
// x * tanh(softplus(x)) elementwise, like torch.nn.functional.mish.
Tensor mish(const Tensor& x);
// x where x > 0, else alpha * (exp(x) - 1), like torch.nn.functional.elu. Its
// derivative at 0 is alpha (PyTorch's); its second derivative there is the composition's,
// alpha, where PyTorch 1.13 gives 0. Throws ex::Error "elu: ..." also for a non-finite
// alpha.
Tensor elu(const Tensor& x, double alpha = 1.0);
// scale * elu(x, alpha) with PyTorch's constants (alpha 1.6732632423543772, scale
// 1.0507009873554805), like torch.nn.functional.selu.
Tensor selu(const Tensor& x);
// x where x > 0, else alpha * (exp(x / alpha) - 1), like torch.nn.functional.celu.
// Throws ex::Error "celu: ..." also for a zero or non-finite alpha.
Tensor celu(const Tensor& x, double alpha = 1.0);

// Raw backward kernels of the composites: grad (of the result's shape and dtype) times
// the derivative at x, as a new tensor of x's shape and dtype; they do not touch the
// caller's tape. Throw what the forward throws, "<op>_backward: ..." first, and for a
// grad of another shape or dtype.
Tensor softplus_backward(const Tensor& grad, const Tensor& x, double beta = 1.0, double threshold = 20.0);
Tensor silu_backward(const Tensor& grad, const Tensor& x);
Tensor mish_backward(const Tensor& grad, const Tensor& x);
Tensor elu_backward(const Tensor& grad, const Tensor& x, double alpha = 1.0);
Tensor selu_backward(const Tensor& grad, const Tensor& x);
Tensor celu_backward(const Tensor& grad, const Tensor& x, double alpha = 1.0);

}  // namespace ex
