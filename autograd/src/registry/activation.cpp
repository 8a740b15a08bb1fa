#include "extensor/autograd/ops/activation.hpp"

namespace ex {

Tensor relu(const Tensor& x) { return kernels::relu(x); }
Tensor leaky_relu(const Tensor& x, double negative_slope) { return kernels::leaky_relu(x, negative_slope); }
Tensor prelu(const Tensor& x, const Tensor& alpha) { return kernels::prelu(x, alpha); }
Tensor sigmoid(const Tensor& x) { return kernels::sigmoid(x); }
Tensor tanh(const Tensor& x) { return kernels::tanh(x); }
Tensor softmax(const Tensor& x, std::int64_t axis) { return kernels::softmax(x, axis); }
Tensor log_softmax(const Tensor& x, std::int64_t axis) { return kernels::log_softmax(x, axis); }
Tensor gelu(const Tensor& x, std::string_view approximate) { return kernels::gelu(x, approximate); }

}  // namespace ex
