// The PyTorch (libtorch 1.13) side of bench_autograd; see torch_autograd_side.hpp. Only
// ATen is included: its ops record through libtorch's autograd when an input requires
// grad, and at::NoGradGuard is the class torch::NoGradGuard names.
#include "torch_autograd_side.hpp"

#include <ATen/ATen.h>
#include <ATen/core/grad_mode.h>

#include <vector>

namespace torch_autograd_side {

namespace {

class TorchChain final : public Chain {
 public:
  explicit TorchChain(int pairs) : pairs_(pairs), x_(at::ones({16}, at::kFloat)), ones_(at::ones({16}, at::kFloat)) {
    x_.requires_grad_();
  }
  void forward_backward() override {
    x_.mutable_grad() = at::Tensor();
    run().backward(ones_);
    last_ = x_.grad()[0].item<double>();
  }
  void forward_recording() override { last_ = run()[0].item<double>(); }
  void forward_no_grad() override {
    at::NoGradGuard no_grad;
    last_ = run()[0].item<double>();
  }
  double checksum() const override { return last_; }

 private:
  at::Tensor run() const {
    at::Tensor y = x_;
    for (int i = 0; i < pairs_; ++i) {
      y = y * 1.0001;
      y = y + 0.0001;
    }
    return y;
  }

  int pairs_;
  at::Tensor x_, ones_;
  double last_ = 0;
};

at::Tensor copy_of(const float* data, at::IntArrayRef shape) {
  return at::from_blob(const_cast<float*>(data), shape, at::kFloat).clone();
}

}  // namespace

std::unique_ptr<Chain> make_chain(int pairs) { return std::make_unique<TorchChain>(pairs); }

double train_mlp(const MlpSetup& s, int steps) {
  const std::int64_t n = s.batch;
  const at::Tensor x = copy_of(s.x, {n, s.sizes[0]});
  const at::Tensor labels =
      at::from_blob(const_cast<std::int64_t*>(s.labels), {n}, at::TensorOptions().dtype(at::kLong)).clone();
  std::vector<at::Tensor> params;
  for (int i = 0; i < 3; ++i) {
    params.push_back(copy_of(s.w[i], {s.sizes[i], s.sizes[i + 1]}).requires_grad_());
    params.push_back(copy_of(s.b[i], {s.sizes[i + 1]}).requires_grad_());
  }
  double loss_value = 0;
  for (int step = 0; step < steps; ++step) {
    at::Tensor h = x;
    for (int i = 0; i < 3; ++i) {
      h = at::matmul(h, params[2 * i]) + params[2 * i + 1];
      if (i < 2) h = at::relu(h);
    }
    const at::Tensor loss = at::cross_entropy_loss(h, labels);
    loss.backward();
    loss_value = loss.item<double>();
    at::NoGradGuard no_grad;
    for (at::Tensor& p : params) {
      p.sub_(p.grad() * s.lr);
      p.mutable_grad().zero_();
    }
  }
  return loss_value;
}

}  // namespace torch_autograd_side
