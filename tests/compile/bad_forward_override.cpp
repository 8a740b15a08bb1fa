// Module has no virtual forward to override: the old spelling fails to compile instead
// of throwing at run time.
// expect-error: marked.+override.+but does not override
#include <extensor/extensor.hpp>

struct Net : ex::nn::Module {
  ex::Tensor forward(const ex::Tensor& x) override { return x; }
};

int main() { Net net; }
