#pragma once
// The graph behind a tensor: nodes on the calling thread's tape, the edges between them,
// the tensors they save, and the autograd state a tensor carries.

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "extensor/autograd/small_vector.hpp"
#include "extensor/core/tensor.hpp"

namespace ex::autograd {

class Node;
struct OpInfo;
using TensorList = std::vector<Tensor>;
using GradHook = std::function<Tensor(const Tensor&)>;

// Where a gradient goes: output `input_nr` of `node`. A null node means the input needs
// no gradient.
struct Edge {
  std::shared_ptr<Node> node;
  std::uint32_t input_nr = 0;
  bool valid() const noexcept { return node != nullptr; }
};

// The autograd state of a tensor (TensorImpl::autograd_meta). Leaves keep their
// gradient and hooks here; results of recorded ops point at the node that made them.
struct AutogradMeta {
  bool requires_grad = false;
  bool retains_grad = false;
  bool is_view = false;           // shares storage with an input of the op that made it
  std::uint32_t output_nr = 0;    // which output of grad_fn this tensor is
  std::shared_ptr<Node> grad_fn;  // null for leaves
  Tensor grad;
  // Leaves: the node that adds into grad, one per tape (thread) whose live graphs use
  // the leaf, so threads back-propagating at once never share a node's engine state.
  std::vector<std::pair<std::uint64_t, std::weak_ptr<Node>>> grad_accumulators;
  std::vector<std::pair<std::size_t, GradHook>> hooks;  // leaves: run before accumulation
  std::mutex mutex;  // a leaf may be shared by threads: guards grad, hooks, accumulators
};

// A tensor a node keeps for its backward, with the storage version it had when saved:
// reading it after an in-place op changed it throws (PyTorch's "modified by an inplace
// operation").
class SavedTensor {
 public:
  SavedTensor() = default;
  // Saves an input of the op. Outputs must go through save_output so the node does not
  // own the tensor that owns the node.
  explicit SavedTensor(const Tensor& tensor);
  static SavedTensor output(const Tensor& output, std::uint32_t output_nr = 0);
  // The saved tensor. Throws ex::Error naming the op being differentiated when the
  // tensor was modified in place after it was saved, or when it was already freed by a
  // backward without retain_graph.
  const Tensor& get() const;
  // get() for derivatives that record (create_graph): a saved output comes back as
  // output output_nr of the running node, so gradients flow through it to the node's
  // inputs. Otherwise the same as get().
  Tensor unpack() const;
  bool defined() const noexcept { return tensor_.defined(); }

 private:
  Tensor tensor_;
  std::uint64_t version_ = 0;
  std::uint32_t output_nr_ = 0;
  bool is_output_ = false;
};

// One recorded op application on a thread's tape: which op (its registry entry), the
// edges to the nodes that produced its inputs, and (in subclasses) what it saved.
class Node {
 public:
  explicit Node(const OpInfo& op, std::size_t num_outputs = 1);
  virtual ~Node();
  Node(const Node&) = delete;
  Node& operator=(const Node&) = delete;

  const OpInfo& op() const noexcept { return *op_; }
  std::string_view name() const noexcept;
  // Gradients of the inputs (one per next edge; undefined where an input needs none)
  // from the gradients of the outputs (undefined where no gradient reached an output).
  virtual TensorList apply(TensorList&& grad_outputs) = 0;
  // Drops what the node saved; called after a backward that does not retain the graph.
  virtual void release_saved() {}

  std::span<const Edge> next_edges() const noexcept { return next_edges_.span(); }
  // Whether input i gets a gradient: it requires grad and, during grad(), lies on a path
  // to an input asked for. Backward functions skip the gradients nobody needs.
  bool needs_input_grad(std::size_t i) const noexcept {
    return i < next_edges_.size() && next_edges_[i].node && next_edges_[i].node->needed_;
  }
  std::size_t num_outputs() const noexcept { return num_outputs_; }
  std::uint64_t sequence_nr() const noexcept { return sequence_nr_; }
  std::uint64_t tape_id() const noexcept { return tape_id_; }  // the recording thread's tape
  bool released() const noexcept { return released_; }
  // Shapes and dtypes of the forward inputs: the engine checks each gradient against
  // them (converting the dtype where a backward kernel returned another), and error
  // messages and to_dot name them.
  std::span<const Shape> input_shapes() const noexcept { return input_shapes_.span(); }
  std::span<const DType> input_dtypes() const noexcept { return input_dtypes_.span(); }

  // Hooks on the gradient of output `output_nr` (non-leaf register_hook, retain_grad).
  std::size_t add_pre_hook(std::uint32_t output_nr, GradHook hook);
  bool remove_pre_hook(std::size_t handle);

 protected:
  // Inline room for two inputs and one output: recording an ordinary op allocates
  // nothing but the node itself.
  SmallVector<Edge, 2> next_edges_;
  // For nodes with no inputs (leaf accumulators): run as soon as their gradient is
  // complete, so grad() of a leaf is filled before unrelated nodes run.
  void run_as_soon_as_ready() noexcept { sequence_nr_ = UINT64_MAX; }

 private:
  friend struct GraphBuilder;
  friend class Engine;
  struct PreHook {
    std::uint32_t output_nr;
    std::size_t handle;
    GradHook fn;
  };
  const OpInfo* op_;
  std::size_t num_outputs_;
  std::uint64_t sequence_nr_;
  std::uint64_t tape_id_;
  bool released_ = false;
  SmallVector<Shape, 2> input_shapes_;
  SmallVector<DType, 2> input_dtypes_;
  std::vector<PreHook> pre_hooks_;
  // Engine scratch, valid during one backward on the owning thread.
  std::uint64_t epoch_ = 0;
  std::int64_t dependencies_ = 0;
  bool needed_ = true;
  SmallVector<Tensor, 1> pending_;  // the gradients of the outputs, summed as they arrive
};

}  // namespace ex::autograd
