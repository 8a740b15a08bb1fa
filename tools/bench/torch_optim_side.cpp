// The PyTorch (libtorch 1.13) side of bench_optim; see torch_optim_side.hpp. It includes
// the C++ frontend's optimizer header only, not all of torch/torch.h.
#include "torch_optim_side.hpp"

#include <ATen/ATen.h>
#include <torch/optim/adam.h>

namespace torch_optim_side {

namespace {

at::Tensor copy_of(const float* data, const std::vector<std::int64_t>& shape) {
  return at::from_blob(const_cast<float*>(data), shape, at::kFloat).clone();
}

class TorchAdam final : public AdamRun {
 public:
  TorchAdam(std::vector<at::Tensor> params, double lr)
      : params_(std::move(params)), adam_(params_, torch::optim::AdamOptions(lr)) {}
  void step() override { adam_.step(); }
  std::vector<float> values(std::size_t i) const override {
    const at::Tensor flat = params_.at(i).detach().contiguous().reshape({-1});
    return std::vector<float>(flat.data_ptr<float>(), flat.data_ptr<float>() + flat.numel());
  }

 private:
  std::vector<at::Tensor> params_;
  torch::optim::Adam adam_;
};

}  // namespace

std::unique_ptr<AdamRun> make_adam(const std::vector<Param>& params, double lr) {
  std::vector<at::Tensor> tensors;
  for (const Param& p : params) {
    at::Tensor t = copy_of(p.data, p.shape).requires_grad_();
    t.mutable_grad() = copy_of(p.grad, p.shape);
    tensors.push_back(t);
  }
  return std::make_unique<TorchAdam>(std::move(tensors), lr);
}

}  // namespace torch_optim_side
