// BatchNorm1d and BatchNorm2d: ex::batch_norm with the module's parameters and buffers.

#include "extensor/nn/batchnorm.hpp"

#include <cmath>

#include "common/check.hpp"
#include "extensor/autograd/grad_mode.hpp"
#include "extensor/autograd/ops/normalization.hpp"
#include "extensor/core/creation.hpp"
#include "extensor/nn/init.hpp"
#include "module_util.hpp"

namespace ex::nn {

BatchNormBase::BatchNormBase(std::string name, const BatchNormOptions& options, std::int64_t min_rank,
                             std::int64_t max_rank, std::string rank_text)
    : Module(std::move(name)),
      options_(options),
      min_rank_(min_rank),
      max_rank_(max_rank),
      rank_text_(std::move(rank_text)) {
  const std::string module = this->name();
  if (options.num_features() < 1) detail::fail("{}: num_features must be >= 1, got {}", module, options.num_features());
  if (!(options.eps() >= 0.0) || !std::isfinite(options.eps()))
    detail::fail("{}: eps must be finite and >= 0, got {}", module, options.eps());
  if (options.momentum() && (!(*options.momentum() >= 0.0) || !std::isfinite(*options.momentum())))
    detail::fail("{}: momentum must be finite and >= 0 (or std::nullopt), got {}", module, *options.momentum());
}

void BatchNormBase::register_tensors() {
  const std::int64_t c = options_.num_features();
  const char* fn = "BatchNorm";
  weight = options_.affine() ? register_parameter("weight", detail::allocate({c}, kDefaultFloat, fn)) : Tensor();
  bias = options_.affine() ? register_parameter("bias", detail::allocate({c}, kDefaultFloat, fn)) : Tensor();
  if (options_.track_running_stats()) {
    running_mean = register_buffer("running_mean", detail::allocate({c}, kDefaultFloat, fn));
    running_var = register_buffer("running_var", detail::allocate({c}, kDefaultFloat, fn));
    num_batches_tracked = register_buffer("num_batches_tracked", detail::allocate({}, DType::Int64, fn));
  } else {
    running_mean = running_var = num_batches_tracked = Tensor();
  }
  reset_parameters();
}

void BatchNormBase::reset_running_stats() {
  if (!options_.track_running_stats()) return;
  init::zeros_(running_mean);
  init::ones_(running_var);
  init::zeros_(num_batches_tracked);
}

void BatchNormBase::reset_parameters() {
  reset_running_stats();
  if (options_.affine()) {
    init::ones_(weight);
    init::zeros_(bias);
  }
}

Tensor BatchNormBase::forward(const Tensor& input) {
  const std::string module = name();
  if (!input.defined()) detail::fail("{}: the input is undefined", module);
  if (input.dim() < min_rank_ || input.dim() > max_rank_)
    detail::fail("{}: expected {} input (got {}D input)", module, rank_text_, input.dim());
  if (input.size(1) != options_.num_features())
    detail::fail("{}: input of shape {} has {} channels (dim 1), expected num_features = {}", module, input.shape(),
                 input.size(1), options_.num_features());
  const bool training = is_training();
  double factor = options_.momentum().value_or(0.0);
  if (training && options_.track_running_stats()) {
    {
      NoGradGuard no_grad;
      num_batches_tracked.add_(1);
    }
    if (!options_.momentum()) factor = 1.0 / static_cast<double>(num_batches_tracked.item<std::int64_t>());
  }
  // Batch statistics in training and when no running statistics are kept.
  return batch_norm(input, running_mean, running_var, weight, bias, training || !running_mean.defined(), factor,
                    options_.eps());
}

std::string BatchNormBase::extra_repr() const {
  return fmt::format("{}, eps={}, momentum={}, affine={}, track_running_stats={}", options_.num_features(),
                     options_.eps(), options_.momentum() ? fmt::format("{}", *options_.momentum()) : "None",
                     detail::python_bool(options_.affine()), detail::python_bool(options_.track_running_stats()));
}

}  // namespace ex::nn
