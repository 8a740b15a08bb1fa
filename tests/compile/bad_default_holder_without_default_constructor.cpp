// Linear has no default constructor, so neither has its holder: give it nullptr or sizes.
// expect-error: use of deleted function|no matching function for call to
#include <extensor/extensor.hpp>

int main() {
  ex::nn::Linear fc;
  (void)fc;
}
