#pragma once
// Custom differentiable ops (the role of torch.autograd.Function): a forward function,
// a backward function, and a registry entry, so the op records on the tape like the
// built-in ones.

#include <any>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "extensor/autograd/node.hpp"
#include "extensor/autograd/registry.hpp"

namespace ex::autograd {

// What a custom op's forward hands to its backward.
class FunctionContext {
 public:
  // Keeps tensors (inputs or outputs of the forward) for backward. Each is checked on
  // use: modifying one in place after the forward makes saved_tensors() throw ex::Error.
  void save_for_backward(const std::vector<Tensor>& tensors);
  // The saved tensors, in order. Throws ex::Error (naming the op) if one was modified in
  // place since it was saved or freed by an earlier backward without retain_graph.
  std::vector<Tensor> saved_tensors() const;
  // Any other values the backward needs (sizes, flags, ...).
  std::map<std::string, std::any> saved_data;
  // needs_input_grad[i]: whether input i requires grad (backward may skip the others).
  std::vector<bool> needs_input_grad;

 private:
  friend class CustomOp;
  std::vector<SavedTensor> saved_;
  std::vector<const TensorImpl*> saved_impls_;  // to re-save outputs without a cycle
};

using CustomForward = std::function<std::vector<Tensor>(FunctionContext&, const std::vector<Tensor>& inputs)>;
// Gets one gradient per output (zeros where no gradient reached an output) and returns
// one gradient per input (undefined for inputs that need none), each of its input's
// shape.
using CustomBackward = std::function<std::vector<Tensor>(FunctionContext&, const std::vector<Tensor>& grad_outputs)>;

// A user-defined differentiable op. Construct it once (e.g. as a static) and call it
// like a function:
//   static const ex::autograd::CustomOp cube("cube",
//       [](auto& ctx, const auto& in) { ctx.save_for_backward({in[0]}); return std::vector{in[0] * in[0] * in[0]}; },
//       [](auto& ctx, const auto& g) { auto x = ctx.saved_tensors()[0]; return std::vector{g[0] * 3.0 * x * x}; });
//   ex::Tensor y = cube({x})[0];
// The forward runs with recording off (its ops do not record); when grad mode is on and
// an input requires grad, the outputs get a node that calls backward. The constructor
// registers the name (registered_ops() lists it with custom = true) and throws ex::Error
// "register_op: ..." if it is empty or taken; forward and backward must be non-empty.
// A backward written in public ops records under create_graph, so the op differentiates
// twice; one that is not (it calls raw kernels or reads values) passes
// first_order_only("why") (PyTorch's once_differentiable), and create_graph through it
// throws ex::Error quoting the reason.
class CustomOp {
 public:
  CustomOp(std::string name, CustomForward forward, CustomBackward backward,
           DoubleBackward double_backward = differentiable());
  // Runs the op. Throws ex::Error "<name>: ..." if forward returns no outputs or an
  // undefined one; backward errors surface from backward() naming the op.
  std::vector<Tensor> operator()(const std::vector<Tensor>& inputs) const;
  const OpInfo& info() const noexcept { return *info_; }

 private:
  const OpInfo* info_;
  CustomForward forward_;
  CustomBackward backward_;
};

}  // namespace ex::autograd
