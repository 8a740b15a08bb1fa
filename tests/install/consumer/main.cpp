// An outside project: only the installed headers and find_package(extensor).
#include <extensor/extensor.hpp>

#include <iostream>

int main() {
  ex::Tensor t = ex::ones({2, 3});
  double total = 0;
  for (float v : t.to_vector<float>()) total += v;
  std::cout << "sum of ones(" << t.shape() << ") = " << total << "\n";
  return total == 6 ? 0 : 1;
}
