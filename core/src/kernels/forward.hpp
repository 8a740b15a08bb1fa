#pragma once
// Private: the forward kernels of the public ops that record on the tape. Each is
// pure compute with the contract, dtypes and error messages of its public op (which
// documents them, in extensor/autograd/ops/); the public op runs it with recording off
// and records its node. Only the layers above core call these; users call the public
// ops. The pointwise ops have no entries here: their engine is
// pointwise::Pointwise<Op> (pointwise.hpp).

#include <array>
#include <cstdint>
#include <optional>
#include <vector>

#include "extensor/core/axes.hpp"
#include "extensor/core/kernels/loss.hpp"
#include "extensor/core/kernels/normalization.hpp"
#include "extensor/core/kernels/padding.hpp"
#include "extensor/core/scalar.hpp"
#include "extensor/core/shape.hpp"
#include "extensor/core/tensor.hpp"

namespace ex::kernels {

// activation
Tensor prelu(const Tensor& x, const Tensor& alpha);
Tensor softmax(const Tensor& x, std::int64_t axis);
Tensor log_softmax(const Tensor& x, std::int64_t axis);

// arithmetic
Tensor add(const Tensor& a, const Tensor& b);
Tensor add(const Tensor& a, const Scalar& b);
Tensor add(const Scalar& a, const Tensor& b);
Tensor subtract(const Tensor& a, const Tensor& b);
Tensor subtract(const Tensor& a, const Scalar& b);
Tensor subtract(const Scalar& a, const Tensor& b);
Tensor multiply(const Tensor& a, const Tensor& b);
Tensor multiply(const Tensor& a, const Scalar& b);
Tensor multiply(const Scalar& a, const Tensor& b);
Tensor divide(const Tensor& a, const Tensor& b);
Tensor divide(const Tensor& a, const Scalar& b);
Tensor divide(const Scalar& a, const Tensor& b);
Tensor floor_divide(const Tensor& a, const Tensor& b);
Tensor floor_divide(const Tensor& a, const Scalar& b);
Tensor floor_divide(const Scalar& a, const Tensor& b);
Tensor modulo(const Tensor& a, const Tensor& b);
Tensor modulo(const Tensor& a, const Scalar& b);
Tensor modulo(const Scalar& a, const Tensor& b);
Tensor power(const Tensor& base, const Tensor& exponent);
Tensor power(const Tensor& base, const Scalar& exponent);
Tensor power(const Scalar& base, const Tensor& exponent);
Tensor neg(const Tensor& a);
Tensor add_(const Tensor& self, const Tensor& other);
Tensor add_(const Tensor& self, const Scalar& other);
Tensor sub_(const Tensor& self, const Tensor& other);
Tensor sub_(const Tensor& self, const Scalar& other);
Tensor mul_(const Tensor& self, const Tensor& other);
Tensor mul_(const Tensor& self, const Scalar& other);
Tensor div_(const Tensor& self, const Tensor& other);
Tensor div_(const Tensor& self, const Scalar& other);
Tensor zero_(const Tensor& self);
Tensor fill_(const Tensor& self, const Scalar& value);
Tensor copy_(const Tensor& dst, const Tensor& src);
Tensor clamp_(const Tensor& self, const std::optional<Scalar>& min, const std::optional<Scalar>& max);

// conv
Tensor conv2d(const Tensor& input, const Tensor& weight, const Tensor& bias, std::array<std::int64_t, 2> stride,
              std::array<std::int64_t, 2> padding, std::array<std::int64_t, 2> dilation, std::int64_t groups);

// loss
Tensor mse_loss(const Tensor& input, const Tensor& target, Reduction reduction);
Tensor l1_loss(const Tensor& input, const Tensor& target, Reduction reduction);
Tensor smooth_l1_loss(const Tensor& input, const Tensor& target, Reduction reduction, double beta);
Tensor binary_cross_entropy(const Tensor& input, const Tensor& target, const Tensor& weight, Reduction reduction);
Tensor binary_cross_entropy_with_logits(const Tensor& input, const Tensor& target, const Tensor& weight,
                                        Reduction reduction, const Tensor& pos_weight);
Tensor cross_entropy(const Tensor& input, const Tensor& target, const Tensor& weight, std::int64_t ignore_index,
                     Reduction reduction, double label_smoothing);
Tensor nll_loss(const Tensor& input, const Tensor& target, const Tensor& weight, std::int64_t ignore_index,
                Reduction reduction);

// math
Tensor clip(const Tensor& x, const std::optional<Scalar>& min, const std::optional<Scalar>& max);

// matmul
Tensor matmul(const Tensor& a, const Tensor& b);
Tensor dot(const Tensor& a, const Tensor& b);
Tensor outer(const Tensor& a, const Tensor& b);

// reduction
Tensor sum(const Tensor& x, const Axes& axes = {}, bool keepdims = false);
Tensor mean(const Tensor& x, const Axes& axes = {}, bool keepdims = false);
Tensor max_reduce(const Tensor& x, const Axes& axes = {}, bool keepdims = false);
Tensor min_reduce(const Tensor& x, const Axes& axes = {}, bool keepdims = false);
Tensor argmax(const Tensor& x);
Tensor argmax(const Tensor& x, std::int64_t axis, bool keepdims = false);
Tensor argmin(const Tensor& x);
Tensor argmin(const Tensor& x, std::int64_t axis, bool keepdims = false);

// shape
Tensor reshape(const Tensor& t, const Shape& shape);
Tensor flatten(const Tensor& t, std::int64_t start_axis = 0, std::int64_t end_axis = -1);
Tensor squeeze(const Tensor& t);
Tensor squeeze(const Tensor& t, std::int64_t axis);
Tensor unsqueeze(const Tensor& t, std::int64_t axis);
Tensor transpose(const Tensor& t, std::int64_t axis0, std::int64_t axis1);
Tensor transpose(const Tensor& t);
Tensor permute(const Tensor& t, const std::vector<std::int64_t>& dims);
Tensor slice(const Tensor& t, std::int64_t axis, std::int64_t start, std::int64_t stop, std::int64_t step = 1);
Tensor broadcast_to(const Tensor& t, const Shape& shape);
std::vector<Tensor> split(const Tensor& t, const std::vector<std::int64_t>& sizes, std::int64_t axis = 0);
std::vector<Tensor> split(const Tensor& t, std::int64_t sections, std::int64_t axis = 0);
Tensor concatenate(const std::vector<Tensor>& tensors, std::int64_t axis = 0);
Tensor stack(const std::vector<Tensor>& tensors, std::int64_t axis = 0);

// normalization: updates running_mean and running_var in place (training, when defined)
BatchNormForward batch_norm(const Tensor& input, const Tensor& running_mean, const Tensor& running_var,
                            const Tensor& weight, const Tensor& bias, bool training, double momentum, double eps);

// padding
Tensor pad(const Tensor& input, const std::vector<std::int64_t>& pads, PadMode mode, double value);
}  // namespace ex::kernels
