#pragma once
// Batch normalization modules over ex::batch_norm: BatchNorm1d and BatchNorm2d, with
// PyTorch 1.13's parameters, buffers and running-statistics updates.

#include <cstdint>
#include <optional>
#include <string>
#include <utility>

#include "extensor/core/options.hpp"
#include "extensor/nn/cloneable.hpp"

namespace ex::nn {

// Options of BatchNorm1d and BatchNorm2d: BatchNorm2dOptions(64).eps(1e-3).momentum(0.01).
class BatchNormOptions {
 public:
  BatchNormOptions(std::int64_t num_features)  // NOLINT(google-explicit-constructor): libtorch's spelling
      : num_features_(num_features) {}
  // C, the size of dim 1 of the input.
  EX_OPTION(std::int64_t, num_features);
  // Added to the variance before its square root.
  EX_OPTION(double, eps) = 1e-5;
  // running = (1 - momentum) running + momentum batch; std::nullopt (PyTorch's None)
  // makes the running statistics the cumulative average of every batch's.
  EX_OPTION(std::optional<double>, momentum) = 0.1;
  // Whether the layer has the learnable per-channel weight and bias.
  EX_OPTION(bool, affine) = true;
  // Whether the layer keeps running statistics (used in evaluation mode).
  EX_OPTION(bool, track_running_stats) = true;
};
using BatchNorm1dOptions = BatchNormOptions;
using BatchNorm2dOptions = BatchNormOptions;

// What BatchNorm1d and BatchNorm2d share (they differ in the ranks they accept).
// Parameters (with affine): weight [C] (ones) and bias [C] (zeros); buffers (with
// track_running_stats): running_mean [C] (zeros), running_var [C] (ones), both float32,
// and num_batches_tracked, an int64 scalar (0): PyTorch's names, order and dtypes, so its
// state dicts load unchanged. forward normalizes with the batch's statistics in training
// mode, or always when there are no running statistics; in training mode with running
// statistics it first adds 1 to num_batches_tracked and then updates running_mean and
// running_var in place (the variance unbiased) with momentum, or with 1 /
// num_batches_tracked when momentum is std::nullopt. In evaluation mode the running
// statistics are used and left as they are.
class BatchNormBase : public Module {
 public:
  // input [N, C, ...] of the accepted ranks, the parameters' floating dtype -> the same
  // shape and dtype, recording on the tape (gradients reach input, weight and bias).
  // Throws ex::Error "BatchNorm2d: expected 4D input (got 3D input)" for another rank
  // (PyTorch's message), "BatchNorm2d: ..." for an undefined input or a dim 1 other than
  // num_features, and what ex::batch_norm throws (a single value per channel in training).
  Tensor forward(const Tensor& input);
  // Running statistics back to zeros (mean), ones (var) and 0 (num_batches_tracked), in
  // place; nothing without track_running_stats.
  void reset_running_stats();
  // reset_running_stats(), and weight and bias back to ones and zeros (with affine).
  void reset_parameters();
  // PyTorch's: "4, eps=1e-05, momentum=0.1, affine=True, track_running_stats=True".
  std::string extra_repr() const override;
  const BatchNormOptions& options() const noexcept { return options_; }

  Tensor weight;               // [C]; undefined without affine
  Tensor bias;                 // [C]; undefined without affine
  Tensor running_mean;         // [C]; undefined without track_running_stats
  Tensor running_var;          // [C]; undefined without track_running_stats
  Tensor num_batches_tracked;  // int64 scalar; undefined without track_running_stats

 protected:
  // min_rank..max_rank: the input ranks accepted; rank_text their PyTorch wording ("4D").
  // Throws ex::Error "<name>: num_features must be >= 1, got 0", and for a non-finite
  // or negative eps or momentum.
  BatchNormBase(std::string name, const BatchNormOptions& options, std::int64_t min_rank, std::int64_t max_rank,
                std::string rank_text);
  // Registers new parameters and buffers and initializes them (reset_parameters).
  void register_tensors();

 private:
  BatchNormOptions options_;
  std::int64_t min_rank_;
  std::int64_t max_rank_;
  std::string rank_text_;
};

// Batch normalization over [N, C] or [N, C, L] inputs (statistics per channel over N, or
// N and L), like torch.nn.BatchNorm1d; see BatchNormBase. Throws ex::Error
// "BatchNorm1d: expected 2D or 3D input (got 4D input)" for other ranks.
// The holder is BatchNorm1d: nn::BatchNorm1d(16), nn::BatchNorm1d(nn::BatchNorm1dOptions(16).affine(false)).
class BatchNorm1dImpl : public Cloneable<BatchNorm1dImpl, BatchNormBase> {
 public:
  explicit BatchNorm1dImpl(const BatchNorm1dOptions& options) : Cloneable("BatchNorm1d", options, 2, 3, "2D or 3D") {
    register_tensors();
  }
  void reset() override { register_tensors(); }
};
EX_MODULE(BatchNorm1d);

// Batch normalization over [N, C, H, W] inputs (statistics per channel over N, H and W),
// like torch.nn.BatchNorm2d; see BatchNormBase. Throws ex::Error "BatchNorm2d: expected
// 4D input (got 3D input)" for other ranks.
// The holder is BatchNorm2d: nn::BatchNorm2d(16).
class BatchNorm2dImpl : public Cloneable<BatchNorm2dImpl, BatchNormBase> {
 public:
  explicit BatchNorm2dImpl(const BatchNorm2dOptions& options) : Cloneable("BatchNorm2d", options, 4, 4, "4D") {
    register_tensors();
  }
  void reset() override { register_tensors(); }
};
EX_MODULE(BatchNorm2d);

}  // namespace ex::nn
