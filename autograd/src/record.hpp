#pragma once
// Private: how a differentiable op records itself. Every entry of the registry
// (autograd/src/registry/*.cpp) follows one pattern (pointwise ops go through
// record_pointwise, autograd/src/registry/pointwise.hpp, which does this for them):
//
//   Tensor dot(const Tensor& a, const Tensor& b) {
//     if (!should_record(a, b)) return kernels::dot(a, b);
//     return record(entry<"dot">, {a, b}, no_grad([&] { return kernels::dot(a, b); }),
//                   [a = SavedTensor(a), b = SavedTensor(b)](const Tensor& g, const NeedsGrad& needs) {
//                     return dot_backward(g, a.get(), b.get(), needs.mask()); });
//   }
//
// The forward kernel runs with recording off, so kernels that use Tensor's view members
// internally never record. The backward lambda gets the gradient of the output (or, for
// several outputs, a TensorList) and returns the input gradients as a Tensor, a pair, a
// tuple or a TensorList (one per input, undefined where not needed). A lambda taking a
// NeedsGrad as well learns which inputs need a gradient and passes needs.mask() to a
// two-input raw backward, which then computes only those.

#include <initializer_list>
#include <optional>
#include <tuple>
#include <type_traits>
#include <utility>

#include "autograd/src/node_pool.hpp"
#include "extensor/autograd/grad_mode.hpp"
#include "extensor/autograd/node.hpp"
#include "extensor/autograd/registry.hpp"
#include "extensor/core/output_mask.hpp"

namespace ex::autograd::detail {

inline bool requires_grad(const Tensor& t) noexcept {
  const TensorImpl* impl = t.unsafe_impl();
  return impl && impl->autograd_meta && impl->autograd_meta->requires_grad;
}
// Whether an op over these inputs records: grad mode is on and one of them requires grad.
// An undefined input never records, so the op's kernel runs and reports it by name;
// should_record_optional admits undefined inputs (absent optional tensors).
template <class... Ts>
bool should_record(const Ts&... inputs) noexcept {
  return GradMode::is_enabled() && (requires_grad(inputs) || ...) && (inputs.defined() && ...);
}
template <class... Ts>
bool should_record_optional(const Ts&... inputs) noexcept {
  return GradMode::is_enabled() && (requires_grad(inputs) || ...);
}
// A list of inputs (concatenate, stack, custom ops) may hold undefined tensors: the op
// decides (custom ops pass them on as absent inputs).
bool should_record(const std::vector<Tensor>& inputs) noexcept;

template <class F>
auto no_grad(F&& f) {
  NoGradGuard guard;
  return f();
}

// One input in the list record(op, {a, b}, ...) takes: a reference, so listing the
// inputs does not copy their handles (each copy costs two atomic reference-count
// updates, a measurable part of recording a small op).
class InputRef {
 public:
  InputRef(const Tensor& tensor) noexcept : tensor_(&tensor) {}  // NOLINT: implicit, for {a, b}
  operator const Tensor&() const noexcept { return *tensor_; }   // NOLINT: implicit, for range-for
 private:
  const Tensor* tensor_;
};
using InputList = std::initializer_list<InputRef>;

// The edge a gradient for input must follow: its grad_fn, or its leaf accumulator.
// Throws ex::Error naming op when input belongs to another thread's graph.
Edge gradient_edge(const Tensor& input, const OpInfo& op);
// The autograd state of t, created on first use.
AutogradMeta& ensure_meta(const Tensor& t);
// Wires a freshly made node: edges to inputs, sequence number, its outputs' state (the
// outputs take over the caller's reference to node). Outputs that already carry
// autograd state (an input passed through) become aliases.
void connect(std::shared_ptr<Node> node, InputList inputs, Tensor* outputs, std::size_t num_outputs);
void connect(std::shared_ptr<Node> node, const std::vector<Tensor>& inputs, Tensor* outputs, std::size_t num_outputs);
// In-place ops: self becomes output 0 of node (its history is rebased). Throws ex::Error
// naming op for a leaf that requires grad and for a view of a tensor that requires grad.
void check_inplace(const Tensor& self, const OpInfo& op);
void connect_inplace(std::shared_ptr<Node> node, InputList inputs, const Tensor& self);

inline TensorList to_list(Tensor t) {
  TensorList list(1);  // not {std::move(t)}: an initializer list would copy t
  list[0] = std::move(t);
  return list;
}
inline TensorList to_list(TensorList list) { return list; }
template <class A, class B>
TensorList to_list(std::pair<A, B> p) {
  return {std::move(p.first), std::move(p.second)};
}
template <class... Ts>
TensorList to_list(std::tuple<Ts...> t) {
  return std::apply([](auto&&... xs) { return TensorList{std::move(xs)...}; }, std::move(t));
}

// Which inputs of the running node need a gradient, for backward lambdas that take it
// as their second argument: needs.mask() is the OutputMask of a two-input raw backward.
class NeedsGrad {
 public:
  explicit NeedsGrad(const Node& node) noexcept : node_(&node) {}
  bool operator[](std::size_t i) const noexcept { return node_->needs_input_grad(i); }
  OutputMask mask() const noexcept { return {(*this)[0], (*this)[1]}; }

 private:
  const Node* node_;
};

// A node whose backward is a lambda holding what the op saved. The lambda takes the
// output gradient (a Tensor, or a TensorList for several outputs) and optionally a
// NeedsGrad.
template <class Backward>
class LambdaNode final : public Node {
 public:
  LambdaNode(const OpInfo& op, std::size_t num_outputs, Backward&& backward)
      : Node(op, num_outputs), backward_(std::move(backward)) {}
  TensorList apply(TensorList&& grads) override {
    if constexpr (std::is_invocable_v<Backward&, const Tensor&, const NeedsGrad&>)
      return to_list((*backward_)(grads[0], NeedsGrad(*this)));
    else if constexpr (std::is_invocable_v<Backward&, const Tensor&>)
      return to_list((*backward_)(grads[0]));
    else
      return to_list((*backward_)(grads));
  }
  void release_saved() override { backward_.reset(); }

 private:
  std::optional<Backward> backward_;
};

// Records output as made by op from inputs; returns it with its autograd state set.
template <class Backward>
Tensor record(const OpInfo& op, InputList inputs, Tensor output, Backward&& backward) {
  auto node = make_pooled<LambdaNode<std::decay_t<Backward>>>(op, 1, std::forward<Backward>(backward));
  connect(std::move(node), inputs, &output, 1);
  return output;
}

// What the backward of an op of one tensor keeps: the input x (Save::Input) or, where
// its kernel is cheaper from it, the output (Save::Output: exp, sqrt, sigmoid, ...).
// record_unary (autograd/src/derivatives.hpp) takes it.
enum class Save { Input, Output };

// In-place ops: self, already modified, becomes the node's output. Call check_inplace
// before modifying self.
template <class Backward>
Tensor record_inplace(const OpInfo& op, InputList inputs, const Tensor& self, Backward&& backward) {
  auto node = make_pooled<LambdaNode<std::decay_t<Backward>>>(op, 1, std::forward<Backward>(backward));
  connect_inplace(std::move(node), inputs, self);
  return self;
}

// Several outputs (split) or a list of inputs (concatenate, stack).
template <class Inputs, class Backward>
TensorList record_many(const OpInfo& op, const Inputs& inputs, TensorList outputs, Backward&& backward) {
  auto node = make_pooled<LambdaNode<std::decay_t<Backward>>>(op, outputs.size(), std::forward<Backward>(backward));
  connect(std::move(node), inputs, outputs.data(), outputs.size());
  return outputs;
}

}  // namespace ex::autograd::detail
