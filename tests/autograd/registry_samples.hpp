#pragma once
// Gradcheck samples for every built-in registry entry (registry_samples.cpp), walked by
// test_registry.cpp: an entry without samples fails that test.

#include <map>
#include <string>
#include <vector>

#include <extensor/extensor.hpp>

namespace ex::test {

// One gradcheck of a public op: fn calls it on inputs (float64; those that
// requires_grad() are checked, or every float64 input when none does).
struct GradcheckSample {
  std::string what;
  autograd::GradcheckFn fn;
  std::vector<Tensor> inputs;
  double eps = 1e-6;
  double atol = 1e-5;
};

// Registry op name -> its samples.
using GradcheckSamples = std::map<std::string, std::vector<GradcheckSample>>;
GradcheckSamples registry_gradcheck_samples();
// Samples of the composite ops (registry.hpp's composite_ops()), by name: they record
// through the ops they are written from, so the walk checks their gradients of both
// orders and their derived raw backward, not a node of their own.
GradcheckSamples composite_samples();
// Samples of the public ops that are not differentiable (comparisons, logical ops,
// argmax/argmin), by name: the bad-input matrix walks them with the registry's.
GradcheckSamples non_differentiable_samples();

// Deterministic float64 values drawn uniformly from [lo, hi) (seeded by call order).
Tensor uniform64(const Shape& shape, double lo = -1, double hi = 1);

}  // namespace ex::test
