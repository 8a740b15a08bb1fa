#pragma once
// Back-propagation through the calling thread's tape.
//
// Threads: each thread records and back-propagates its own graphs; threads may run
// backward at the same time. Leaves (parameters) may be shared: every thread's graphs
// reach a leaf through that thread's own accumulator node, and gradients from several
// threads are added into grad() under the leaf's lock (in whatever order they arrive).

#include <vector>

#include "extensor/core/tensor.hpp"

namespace ex::autograd {

// Back-propagates from outputs, seeded with grad_outputs (one per output; an undefined
// entry means ones, allowed only for one-element outputs), accumulating into grad() of
// the leaves they depend on. Nodes run in reverse recording order, each once, with the
// sum of the gradients reaching it. Unless retain_graph, every node it runs frees what
// it saved, and a later backward through them throws ex::Error telling the user to pass
// retain_graph. Throws ex::Error "backward: ..." when an output does not require grad,
// when shapes of outputs and grad_outputs differ, when the graph was recorded on another
// thread, when called from inside a backward hook, or when a saved tensor was modified
// in place (naming the op).
//
// create_graph: the backward computation is itself recorded, so the gradients (grad() of
// the leaves) carry a graph and can be differentiated again (gradient penalties,
// Hessian-vector products, third derivatives); it implies retain_graph, and grad() is
// then replaced by a new tensor instead of being added to in place. As in PyTorch, a
// leaf then holds a gradient whose graph holds the leaf: clear it with set_grad({}) (or
// Optimizer::zero_grad(true)) when done, or prefer grad(), which stores nothing. Throws ex::Error
// naming the op when the graph holds an op whose backward is not differentiable
// (registered_ops() lists each with its first_order_reason).
void backward(const std::vector<Tensor>& outputs, const std::vector<Tensor>& grad_outputs = {},
              bool retain_graph = false, bool create_graph = false);

// The gradients of outputs with respect to inputs (one per input, in the input's shape
// and dtype), computed like backward but without touching any grad(). Inputs may be
// leaves or intermediate results that require grad. An input the outputs do not depend
// on gets an undefined Tensor with allow_unused, and throws otherwise (like PyTorch).
// With create_graph the returned gradients carry a graph (see backward). Throws
// ex::Error "grad: ..." for an input that does not require grad, besides the errors of
// backward.
std::vector<Tensor> grad(const std::vector<Tensor>& outputs, const std::vector<Tensor>& inputs,
                         const std::vector<Tensor>& grad_outputs = {}, bool retain_graph = false,
                         bool create_graph = false, bool allow_unused = false);

// While alive on a thread, backward checks every backward kernel's outputs and throws
// ex::Error naming the forward op (and its input shapes) whose backward produced NaN or
// Inf, instead of letting it spread. Nested guards restore the previous mode.
class DetectAnomalyGuard {
 public:
  DetectAnomalyGuard() noexcept;
  ~DetectAnomalyGuard();
  DetectAnomalyGuard(const DetectAnomalyGuard&) = delete;
  DetectAnomalyGuard& operator=(const DetectAnomalyGuard&) = delete;
  static bool is_enabled() noexcept;

 private:
  bool previous_;
};

}  // namespace ex::autograd
