#pragma once
// matmul kernels: pure compute, no tape.

#include <cstdint>
#include <string>
#include <utility>

#include "extensor/core/output_mask.hpp"
#include "extensor/core/tensor.hpp"

namespace ex::kernels {

namespace detail {
// Testing hook: how the calling thread's most recent matmul was computed. backend is
// "onednn:<implementation>" (e.g. "onednn:brg:avx512_core"), "own:packed" (the blocked
// kernel), "own:simple" (the loop for small and vector products) or "empty" (nothing to
// compute); copied_a / copied_b say whether an operand was made dense first; calls
// counts the products the thread has computed so far.
struct MatmulTrace {
  std::string backend;
  bool copied_a = false;
  bool copied_b = false;
  std::uint64_t calls = 0;
};
const MatmulTrace& last_matmul_trace();
}  // namespace detail

}  // namespace ex::kernels

namespace ex {

// Raw backward kernels (no tape). Each returns {ga, gb}: fresh tensors with the shape and
// dtype of a and b; with output_mask, a gradient whose flag is false is left undefined
// and not computed (matmul_backward(g, x, w, {false, true}) runs one GEMM). The transposes are strided views, so the
// products see the operands as they are (matmul's own rules decide whether an unusual layout is made dense).

// Gradients of matmul(a, b) for grad of the result's shape and dtype, in every case
// matmul accepts: ga = grad @ b^T and gb = a^T @ grad (a 1-D operand taken as a row /
// column and the dim it adds dropped again), each summed over the batch dims where its
// operand was broadcast ([2, 1, 3, 4] @ [5, 4, 6]: ga sums over the 5, gb over the 2).
// k = 0 or an empty batch gives zero gradients. float16/bfloat16 accumulate in float32;
// integers wrap like the forward. Throws ex::Error "matmul_backward: ..." for everything
// matmul rejects and for an undefined grad or one whose shape or dtype differs from the
// result's.
std::pair<Tensor, Tensor> matmul_backward(const Tensor& grad, const Tensor& a, const Tensor& b,
                                          OutputMask output_mask = kBothGradients);

// Gradients of dot(a, b): ga = grad * b, gb = grad * a, for a rank-0 grad of the common
// dtype. Throws ex::Error "dot_backward: ..." for what dot rejects and for a grad of the
// wrong shape or dtype.
std::pair<Tensor, Tensor> dot_backward(const Tensor& grad, const Tensor& a, const Tensor& b,
                                       OutputMask output_mask = kBothGradients);

// Gradients of outer(a, b) for grad [m, n] in the promoted dtype: ga = grad @ b and
// gb = grad^T @ a, computed in the promoted dtype and converted back to a's and b's own
// dtypes (like Tensor::to). Throws ex::Error "outer_backward: ..." for undefined or
// non-1-D operands, bool (not differentiable), and a grad of the wrong shape or dtype.
std::pair<Tensor, Tensor> outer_backward(const Tensor& grad, const Tensor& a, const Tensor& b,
                                         OutputMask output_mask = kBothGradients);

}  // namespace ex
