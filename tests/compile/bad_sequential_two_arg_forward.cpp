// Sequential chains one-tensor forwards: a module whose forward needs two is refused.
// expect-error: Sequential::push_back: the module's forward must accept one Tensor
#include <extensor/extensor.hpp>

struct TwoArgsImpl : ex::nn::Module {
  ex::Tensor forward(const ex::Tensor& x, const ex::Tensor& mask) { return x * mask; }
};
EX_MODULE(TwoArgs);

int main() { ex::nn::Sequential seq(ex::nn::Linear(2, 2), TwoArgs()); }
