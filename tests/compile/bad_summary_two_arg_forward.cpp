// nn::summary runs forward on one tensor: a module whose forward needs two is refused.
// expect-error: no matching function for call to.+summary
#include <extensor/extensor.hpp>

struct TwoArgsImpl : ex::nn::Module {
  ex::Tensor forward(const ex::Tensor& x, const ex::Tensor& mask) { return x * mask; }
};
EX_MODULE(TwoArgs);

int main() {
  TwoArgs net;
  (void)ex::nn::summary(net, {1, 2});
}
