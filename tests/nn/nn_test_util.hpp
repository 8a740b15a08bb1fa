#pragma once
// Helpers shared by the nn suites.

#include <string>
#include <vector>

#include "test_util.hpp"

namespace ex::test {

// Names of named entries (pairs), in order.
template <class Named>
std::vector<std::string> names_of(const Named& entries) {
  std::vector<std::string> out;
  for (const auto& entry : entries) out.push_back(entry.first);
  return out;
}

// Copies values (row-major) into t without recording.
inline void assign(const Tensor& t, const std::vector<double>& values) {
  NoGradGuard no_grad;
  copy_(t, tensor(values, t.shape()).to(t.dtype()));
}

// Checks that a and b have the same shape and values within atol.
inline void check_same_values(const Tensor& a, const Tensor& b, double atol = 1e-6) {
  REQUIRE(b.defined());
  check_values(a, b.shape(), b.to_vector<double>(), atol, 0.0);
}

// p -= lr * p.grad() for every parameter of model, without recording.
inline void sgd_step(nn::Module& model, double lr) {
  NoGradGuard no_grad;
  for (const Tensor& p : model.parameters()) sub_(p, p.grad() * lr);
}

// Mean and (sample) standard deviation of the values of t.
struct Moments {
  double mean = 0, std = 0, min = 0, max = 0;
};
inline Moments moments(const Tensor& t) {
  const std::vector<double> v = t.to_vector<double>();
  Moments m{0, 0, v.front(), v.front()};
  for (double x : v) {
    m.mean += x;
    m.min = std::min(m.min, x);
    m.max = std::max(m.max, x);
  }
  m.mean /= static_cast<double>(v.size());
  for (double x : v) m.std += (x - m.mean) * (x - m.mean);
  m.std = std::sqrt(m.std / static_cast<double>(v.size() - 1));
  return m;
}

}  // namespace ex::test

// The names the nn suites share.
using ex::nn::Linear;
using ex::nn::LinearImpl;
using ex::test::check_same_values;
