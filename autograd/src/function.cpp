// Custom differentiable ops.

#include "extensor/autograd/function.hpp"
#include "common/check.hpp"

#include <fmt/format.h>

#include "autograd/src/record.hpp"
#include "extensor/core/creation.hpp"

namespace ex::autograd {

void FunctionContext::save_for_backward(const std::vector<Tensor>& tensors) {
  saved_.clear();
  saved_impls_.clear();
  for (const Tensor& t : tensors) {
    saved_.emplace_back(t);
    saved_impls_.push_back(t.unsafe_impl());
  }
}

std::vector<Tensor> FunctionContext::saved_tensors() const {
  std::vector<Tensor> out;
  for (const SavedTensor& s : saved_) out.push_back(s.get());
  return out;
}

CustomOp::CustomOp(std::string name, CustomForward forward, CustomBackward backward, DoubleBackward double_backward)
    : info_(&register_op(name, std::move(double_backward), /*custom=*/true)),
      forward_(std::move(forward)),
      backward_(std::move(backward)) {
  if (!forward_ || !backward_) ex::detail::fail("CustomOp: '{}' needs both a forward and a backward", name);
}

std::vector<Tensor> CustomOp::operator()(const std::vector<Tensor>& inputs) const {
  auto ctx = std::make_shared<FunctionContext>();
  for (const Tensor& in : inputs) ctx->needs_input_grad.push_back(detail::requires_grad(in));
  std::vector<Tensor> outputs = detail::no_grad([&] { return forward_(*ctx, inputs); });
  if (outputs.empty()) ex::detail::fail("{}: forward returned no outputs", info_->name);
  for (std::size_t i = 0; i < outputs.size(); ++i)
    if (!outputs[i].defined()) ex::detail::fail("{}: forward returned an undefined output {}", info_->name, i);
  if (!detail::should_record(inputs)) return outputs;

  // An output saved for backward would own the node that owns it: keep an alias instead.
  for (std::size_t s = 0; s < ctx->saved_.size(); ++s)
    for (const Tensor& out : outputs)
      if (ctx->saved_impls_[s] == out.unsafe_impl()) ctx->saved_[s] = SavedTensor::output(out);
  std::vector<std::pair<Shape, DType>> output_meta;
  for (const Tensor& out : outputs) output_meta.emplace_back(out.shape(), out.dtype());
  return detail::record_many(*info_, inputs, std::move(outputs),
                             [ctx, output_meta, backward = backward_](const TensorList& grads) {
                               TensorList filled = grads;
                               for (std::size_t i = 0; i < filled.size(); ++i)
                                 if (!filled[i].defined())
                                   filled[i] = zeros(output_meta[i].first, output_meta[i].second);
                               return backward(*ctx, filled);
                             });
}

}  // namespace ex::autograd
