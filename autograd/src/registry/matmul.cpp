// Registry entries of the matmul family: each saves both operands.

#include "extensor/autograd/ops/matmul.hpp"

#include "autograd/src/record.hpp"

namespace ex {

using autograd::OpInfo;
using autograd::register_op;
using autograd::SavedTensor;
using namespace autograd::detail;

namespace {
const OpInfo& kMatmul = register_op("matmul", "a, b");
const OpInfo& kDot = register_op("dot", "a, b");
const OpInfo& kOuter = register_op("outer", "a, b");
}  // namespace

#define EX_MATMUL_FAMILY_OP(name, info)                                                                              \
  Tensor name(const Tensor& a, const Tensor& b) {                                                                    \
    if (!should_record(a, b)) return kernels::name(a, b);                                                            \
    return record(                                                                                                   \
        info, {a, b}, no_grad([&] { return kernels::name(a, b); }),                                                  \
        [a = SavedTensor(a), b = SavedTensor(b)](const Tensor& g) { return name##_backward(g, a.get(), b.get()); }); \
  }
EX_MATMUL_FAMILY_OP(matmul, kMatmul)
EX_MATMUL_FAMILY_OP(dot, kDot)
EX_MATMUL_FAMILY_OP(outer, kOuter)
#undef EX_MATMUL_FAMILY_OP

}  // namespace ex
