#pragma once
// matmul kernels: pure compute, no tape.

#include <string>

#include "extensor/core/tensor.hpp"

namespace ex::kernels {

// Matrix product with NumPy/PyTorch semantics (see ex::matmul for the contract).
Tensor matmul(const Tensor& a, const Tensor& b);
// Inner product of two 1-D tensors of the same length and dtype; rank-0 result.
Tensor dot(const Tensor& a, const Tensor& b);
// Outer product of two 1-D tensors: [m] x [n] -> [m, n] in the promoted dtype.
Tensor outer(const Tensor& a, const Tensor& b);

namespace detail {
// Testing hook: how the calling thread's most recent matmul was computed. backend is
// "onednn:<implementation>" (e.g. "onednn:brg:avx512_core"), "own:packed" (the blocked
// kernel), "own:simple" (the loop for small and vector products) or "empty" (nothing to
// compute); copied_a / copied_b say whether an operand was made dense first.
struct MatmulTrace {
  std::string backend;
  bool copied_a = false;
  bool copied_b = false;
};
const MatmulTrace& last_matmul_trace();
}  // namespace detail

}  // namespace ex::kernels
