#pragma once
// The PyTorch side of bench_autograd, behind an interface that includes no libtorch
// header (see torch_side.hpp for why): the same workloads as bench_autograd.cpp's own
// side, written with libtorch's autograd (ATen ops on tensors that require grad).
#include <cstdint>
#include <memory>

namespace torch_autograd_side {

// bench_autograd's chain on a 16-element float32 leaf x = 1: `pairs` times
// y = y * 1.0001; y = y + 0.0001 (2 * pairs elementwise ops).
class Chain {
 public:
  virtual ~Chain() = default;
  // Records the chain, then y.backward(ones) into x.grad (cleared first).
  virtual void forward_backward() = 0;
  // Records the chain and drops the graph without a backward.
  virtual void forward_recording() = 0;
  // The chain under torch::NoGradGuard (nothing recorded).
  virtual void forward_no_grad() = 0;
  // x.grad[0] after the last forward_backward (1.0001^pairs), or the last y[0].
  virtual double checksum() const = 0;
};
std::unique_ptr<Chain> make_chain(int pairs);

// A 784-512-256-10 MLP (matmul + bias, relu; cross_entropy on the logits) trained by
// SGD on one fixed batch. Every pointer is a dense row-major float32 array (labels:
// int64 class indices) owned by the caller; the weights are copied, so the caller's
// arrays are only read.
struct MlpSetup {
  std::int64_t batch, sizes[4];  // sizes: input, hidden 1, hidden 2, classes
  const float* x;                // [batch, sizes[0]]
  const std::int64_t* labels;    // [batch]
  const float* w[3];             // [sizes[i], sizes[i + 1]]
  const float* b[3];             // [sizes[i + 1]]
  float lr;
};
// Runs `steps` forward + backward + SGD steps (the update and the zeroing of the
// gradients under NoGradGuard); returns the last step's loss.
double train_mlp(const MlpSetup& setup, int steps);

}  // namespace torch_autograd_side
