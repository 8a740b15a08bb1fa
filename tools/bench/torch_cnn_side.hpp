#pragma once
// The PyTorch side of bench_cnn, behind an interface that includes no libtorch header
// (see torch_side.hpp for why): the Fashion-MNIST CNN written with libtorch's C++ frontend
// (torch::nn::Conv2d, BatchNorm2d, Linear, Dropout modules and torch::optim::SGD), its
// parameters copied from arrays the caller owns.
#include <cstdint>
#include <memory>
#include <vector>

namespace torch_cnn_side {

// The network's initial parameters, dense row-major float32 arrays owned by the caller
// (copied, only read): conv1 [32, 1, 3, 3] with bias [32], bn1 weight and bias [32],
// conv2 [64, 32, 3, 3] with bias [64], bn2 weight and bias [64], fc1 [128, 3136] with bias
// [128], fc2 [10, 128] with bias [10]. Running statistics start at mean 0, variance 1.
struct Params {
  const float *conv1_w, *conv1_b, *bn1_w, *bn1_b, *conv2_w, *conv2_b, *bn2_w, *bn2_b, *fc1_w, *fc1_b, *fc2_w, *fc2_b;
};

class Cnn {
 public:
  virtual ~Cnn() = default;
  // One training step on the training batch: zero_grad, forward in training mode
  // (batch statistics, dropout 0.25), cross-entropy, backward, SGD step. Returns the loss.
  virtual double train_step() = 0;
  // The forward in eval mode (running statistics, no dropout) under NoGradGuard on the
  // inference batch; returns the sum of the logits.
  virtual double infer() = 0;
  // The logits of the last infer(), flattened.
  virtual std::vector<float> last_logits() const = 0;
};

// x: [batch, 1, 28, 28], labels: [batch] in [0, 10); infer_x: [infer_batch, 1, 28, 28].
// SGD with lr and momentum 0.9.
std::unique_ptr<Cnn> make_cnn(const Params& p, const float* x, const std::int64_t* labels, std::int64_t batch,
                              const float* infer_x, std::int64_t infer_batch, double lr);

}  // namespace torch_cnn_side
