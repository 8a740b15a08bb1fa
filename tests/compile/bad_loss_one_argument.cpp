// A loss needs a target: calling it with the input alone.
// expect-error: no match for call to
#include <extensor/extensor.hpp>

int main() {
  ex::nn::L1Loss l1;
  (void)l1(ex::ones({2}));
}
