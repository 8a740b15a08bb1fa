#pragma once
// The PyTorch side of bench_optim, behind an interface that includes no libtorch header
// (see torch_side.hpp for why): torch::optim::Adam, libtorch's C++ frontend optimizer,
// over copies of parameters and gradients the caller owns.
#include <cstdint>
#include <memory>
#include <vector>

namespace torch_optim_side {

// A dense row-major float32 parameter and its gradient, owned by the caller; both are
// copied, so the caller's arrays are only read.
struct Param {
  const float* data;
  const float* grad;
  std::vector<std::int64_t> shape;
};

// torch::optim::Adam over copies of the parameters, each with its fixed gradient.
class AdamRun {
 public:
  virtual ~AdamRun() = default;
  // One optimizer.step() (the gradients stay as they are).
  virtual void step() = 0;
  // Parameter i's current values, flattened.
  virtual std::vector<float> values(std::size_t i) const = 0;
};

// Adam with lr and PyTorch's other defaults (betas 0.9, 0.999, eps 1e-8, no weight decay,
// no amsgrad).
std::unique_ptr<AdamRun> make_adam(const std::vector<Param>& params, double lr);

}  // namespace torch_optim_side
