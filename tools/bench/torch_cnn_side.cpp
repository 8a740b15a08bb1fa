// The PyTorch (libtorch 1.13) side of bench_cnn; see torch_cnn_side.hpp. It includes the
// C++ frontend's module and optimizer headers only, not all of torch/torch.h.
#include "torch_cnn_side.hpp"

#include <ATen/ATen.h>
#include <torch/nn/functional/loss.h>
#include <torch/nn/functional/pooling.h>
#include <torch/nn/module.h>
#include <torch/nn/modules/batchnorm.h>
#include <torch/nn/modules/conv.h>
#include <torch/nn/modules/dropout.h>
#include <torch/nn/modules/linear.h>
#include <torch/optim/sgd.h>

namespace torch_cnn_side {

namespace {

namespace F = torch::nn::functional;

void load(const at::Tensor& param, const float* data) {
  at::NoGradGuard no_grad;
  param.copy_(at::from_blob(const_cast<float*>(data), param.sizes(), at::kFloat));
}

struct Net : torch::nn::Module {
  torch::nn::Conv2d conv1{torch::nn::Conv2dOptions(1, 32, 3).padding(1)};
  torch::nn::BatchNorm2d bn1{32};
  torch::nn::Conv2d conv2{torch::nn::Conv2dOptions(32, 64, 3).padding(1)};
  torch::nn::BatchNorm2d bn2{64};
  torch::nn::Linear fc1{3136, 128}, fc2{128, 10};
  torch::nn::Dropout dropout{0.25};

  Net() {
    register_module("conv1", conv1);
    register_module("bn1", bn1);
    register_module("conv2", conv2);
    register_module("bn2", bn2);
    register_module("fc1", fc1);
    register_module("fc2", fc2);
    register_module("dropout", dropout);
  }
  at::Tensor forward(at::Tensor x) {
    const auto pool = F::MaxPool2dFuncOptions(2);
    x = F::max_pool2d(at::relu(bn1(conv1(x))), pool);
    x = F::max_pool2d(at::relu(bn2(conv2(x))), pool);
    x = dropout(at::relu(fc1(x.flatten(1))));
    return fc2(x);
  }
};

class TorchCnn final : public Cnn {
 public:
  TorchCnn(const Params& p, at::Tensor x, at::Tensor labels, at::Tensor infer_x, double lr)
      : net_(std::make_shared<Net>()),
        x_(std::move(x)),
        labels_(std::move(labels)),
        infer_x_(std::move(infer_x)),
        sgd_((load_all(p), net_->parameters()), torch::optim::SGDOptions(lr).momentum(0.9)) {}

  double train_step() override {
    net_->train();
    sgd_.zero_grad();
    const at::Tensor loss = F::cross_entropy(net_->forward(x_), labels_);
    loss.backward();
    sgd_.step();
    return loss.item<double>();
  }
  double infer() override {
    at::NoGradGuard no_grad;
    net_->eval();
    logits_ = net_->forward(infer_x_);
    return logits_.sum().item<double>();
  }
  std::vector<float> last_logits() const override {
    const at::Tensor flat = logits_.contiguous().reshape({-1});
    return std::vector<float>(flat.data_ptr<float>(), flat.data_ptr<float>() + flat.numel());
  }

 private:
  void load_all(const Params& p) {
    load(net_->conv1->weight, p.conv1_w);
    load(net_->conv1->bias, p.conv1_b);
    load(net_->bn1->weight, p.bn1_w);
    load(net_->bn1->bias, p.bn1_b);
    load(net_->conv2->weight, p.conv2_w);
    load(net_->conv2->bias, p.conv2_b);
    load(net_->bn2->weight, p.bn2_w);
    load(net_->bn2->bias, p.bn2_b);
    load(net_->fc1->weight, p.fc1_w);
    load(net_->fc1->bias, p.fc1_b);
    load(net_->fc2->weight, p.fc2_w);
    load(net_->fc2->bias, p.fc2_b);
  }

  std::shared_ptr<Net> net_;
  at::Tensor x_, labels_, infer_x_, logits_;
  torch::optim::SGD sgd_;
};

at::Tensor copy_of(const float* data, at::IntArrayRef shape) {
  return at::from_blob(const_cast<float*>(data), shape, at::kFloat).clone();
}

}  // namespace

std::unique_ptr<Cnn> make_cnn(const Params& p, const float* x, const std::int64_t* labels, std::int64_t batch,
                              const float* infer_x, std::int64_t infer_batch, double lr) {
  return std::make_unique<TorchCnn>(
      p, copy_of(x, {batch, 1, 28, 28}),
      at::from_blob(const_cast<std::int64_t*>(labels), {batch}, at::TensorOptions().dtype(at::kLong)).clone(),
      copy_of(infer_x, {infer_batch, 1, 28, 28}), lr);
}

}  // namespace torch_cnn_side
