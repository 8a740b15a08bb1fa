// Registry entries of the matmul family: each saves both operands, and each is bilinear,
// so its backward records under create_graph as the product and its backward again.

#include "extensor/autograd/ops/matmul.hpp"

#include "autograd/src/registry/entry.hpp"

namespace ex {

#define EX_MATMUL_FAMILY_OP(name, info)                                                               \
  Tensor name(const Tensor& a, const Tensor& b) {                                                     \
    if (!should_record(a, b)) return kernels::name(a, b);                                             \
    return record(info, {a, b}, no_grad([&] { return kernels::name(a, b); }),                         \
                  [a = SavedTensor(a), b = SavedTensor(b)](const Tensor& g, const NeedsGrad& needs) { \
                    return bilinear_backward(                                                         \
                        info, g, a.get(), b.get(), needs.mask(),                                      \
                        [](const Tensor& x, const Tensor& y) { return name(x, y); },                  \
                        [](const Tensor& gg, const Tensor& x, const Tensor& y, OutputMask m) {        \
                          return name##_backward(gg, x, y, m);                                        \
                        });                                                                           \
                  });                                                                                 \
  }
EX_MATMUL_FAMILY_OP(matmul, entry<"matmul">)
EX_MATMUL_FAMILY_OP(dot, entry<"dot">)
EX_MATMUL_FAMILY_OP(outer, entry<"outer">)
#undef EX_MATMUL_FAMILY_OP

}  // namespace ex
