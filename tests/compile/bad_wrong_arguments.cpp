// Calling a holder with arguments its module's forward does not accept.
// expect-error: no match for call to
#include <extensor/extensor.hpp>

int main() {
  ex::nn::Linear fc(2, 2);
  (void)fc(ex::ones({1, 2}), ex::ones({1, 2}));
}
