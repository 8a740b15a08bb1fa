#pragma once
// The PyTorch 1.13 reference values of pad and batch_norm, printed once by
// tools/nn_reference/gen_norm_pad_reference.py into tests/ops/data/norm_pad_reference.txt,
// and the input formula that script uses.

#include <cmath>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "test_util.hpp"

namespace ex::test {

// wave(shape, k)[i] = sin(0.7 i + k) over the flattened index, float64.
inline Tensor wave(const Shape& shape, double k) {
  std::vector<double> v(static_cast<std::size_t>(shape.numel()));
  for (std::size_t i = 0; i < v.size(); ++i) v[i] = std::sin(0.7 * static_cast<double>(i) + k);
  return ex::tensor(v, shape);
}

// The reference values under name ("pad reflect1d out"); fails the test when missing.
inline std::vector<double> norm_pad_reference(const std::string& name) {
  static const std::map<std::string, std::vector<double>> table = [] {
    std::map<std::string, std::vector<double>> t;
    std::ifstream in(std::string(EXTENSOR_OPS_DATA_DIR) + "/norm_pad_reference.txt");
    std::string line;
    while (std::getline(in, line)) {
      const auto colon = line.find(':');
      if (colon == std::string::npos) continue;
      std::istringstream values(line.substr(colon + 1));
      std::vector<double>& v = t[line.substr(0, colon)];
      for (double d; values >> d;) v.push_back(d);
    }
    return t;
  }();
  const auto it = table.find(name);
  REQUIRE_MESSAGE(it != table.end(), "no reference values named " << name);
  return it->second;
}

}  // namespace ex::test
