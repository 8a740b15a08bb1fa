// Nodes, saved tensors, the thread's tape, and wiring a recorded op into the graph.

#include "extensor/autograd/node.hpp"
#include "common/check.hpp"

#include <fmt/format.h>
#include <atomic>

#include "autograd/src/accumulate_grad.hpp"
#include "autograd/src/record.hpp"
#include "autograd/src/tape.hpp"

namespace ex::autograd {

namespace detail {

thread_local bool grad_mode_enabled = true;

Tape& current_tape() noexcept {
  static std::atomic<std::uint64_t> next_id{1};
  thread_local Tape tape{next_id.fetch_add(1, std::memory_order_relaxed)};
  return tape;
}

// The node whose backward is running on this thread (for SavedTensor's messages).
thread_local const Node* running_node = nullptr;
thread_local const std::shared_ptr<Node>* running_node_owner = nullptr;

}  // namespace detail

namespace {

// Destroying the last tensor of a long chain would destroy its nodes recursively, one
// stack frame per node. Instead the outermost destructor collects the edges that die
// with it and releases them in a loop.
thread_local std::vector<std::shared_ptr<Node>>* dying_nodes = nullptr;

std::string_view op_name_or_unknown(const Node* node) { return node ? node->name() : std::string_view("?"); }

}  // namespace

Node::Node(const OpInfo& op, std::size_t num_outputs) : op_(&op), num_outputs_(num_outputs) {
  detail::Tape& tape = detail::current_tape();
  sequence_nr_ = tape.next_sequence_nr++;
  tape_id_ = tape.id;
}

Node::~Node() {
  const bool outermost = dying_nodes == nullptr;
  std::vector<std::shared_ptr<Node>> stack;
  if (outermost) dying_nodes = &stack;
  for (Edge& edge : next_edges_)
    if (edge.node && edge.node.use_count() == 1) dying_nodes->push_back(std::move(edge.node));
  if (!outermost) return;
  while (!stack.empty()) {
    std::shared_ptr<Node> node = std::move(stack.back());
    stack.pop_back();
    node.reset();  // its destructor pushes the nodes that die with it
  }
  dying_nodes = nullptr;
}

std::string_view Node::name() const noexcept { return op_->name; }

std::size_t Node::add_pre_hook(std::uint32_t output_nr, GradHook hook) {
  static std::atomic<std::size_t> next_handle{1};
  const std::size_t handle = next_handle.fetch_add(1, std::memory_order_relaxed);
  pre_hooks_.push_back(PreHook{output_nr, handle, std::move(hook)});
  return handle;
}

bool Node::remove_pre_hook(std::size_t handle) {
  for (auto it = pre_hooks_.begin(); it != pre_hooks_.end(); ++it)
    if (it->handle == handle) {
      pre_hooks_.erase(it);
      return true;
    }
  return false;
}

SavedTensor::SavedTensor(const Tensor& tensor) : tensor_(tensor), version_(tensor.defined() ? tensor.version() : 0) {}

SavedTensor SavedTensor::output(const Tensor& output, std::uint32_t output_nr) {
  // An alias without autograd state: the node must not own the tensor that owns it.
  SavedTensor saved;
  saved.tensor_ = output.detach();
  saved.version_ = output.version();
  saved.output_nr_ = output_nr;
  saved.is_output_ = true;
  return saved;
}

Tensor SavedTensor::unpack() const {
  const Tensor& tensor = get();
  // Under create_graph the running node's own output is handed out attached to the node
  // again, so a derivative written in terms of it reaches the node's inputs.
  if (!is_output_ || !GradMode::is_enabled() || !detail::running_node_owner) return tensor;
  Tensor alias = tensor.detach();
  AutogradMeta& meta = detail::ensure_meta(alias);
  meta.requires_grad = true;
  meta.grad_fn = *detail::running_node_owner;
  meta.output_nr = output_nr_;
  return alias;
}

const Tensor& SavedTensor::get() const {
  const Node* node = detail::running_node;
  if (!tensor_.defined())
    throw Error(
        fmt::format("{}: trying to backward through the graph a second time (or to use saved tensors after they were "
                    "freed); pass retain_graph=true to the first backward to keep them",
                    op_name_or_unknown(node)));
  if (tensor_.version() != version_)
    ex::detail::fail(
        "{}: a tensor of shape {} needed for gradient computation has been modified by an inplace operation "
        "(it is at version {}, it was saved at version {}); use clone() before the in-place op",
        op_name_or_unknown(node), tensor_.shape().str(), tensor_.version(), version_);
  return tensor_;
}

namespace detail {

bool should_record(const std::vector<Tensor>& inputs) noexcept {
  if (!GradMode::is_enabled()) return false;
  for (const Tensor& t : inputs)
    if (requires_grad(t)) return true;
  return false;
}

Edge gradient_edge(const Tensor& input, const OpInfo& op) {
  if (!requires_grad(input)) return {};
  AutogradMeta& meta = *input.unsafe_impl()->autograd_meta;
  if (meta.grad_fn) {
    if (meta.grad_fn->tape_id() != current_tape().id)
      throw Error(
          fmt::format("{}: an input (shape {}) belongs to a graph recorded on another thread; each thread records and "
                      "back-propagates its own graphs (detach() the tensor to use its value here)",
                      op.name, input.shape().str()));
    return {meta.grad_fn, meta.output_nr};
  }
  if (std::shared_ptr<Node> accumulator = current_accumulator(meta)) return {std::move(accumulator), 0};
  std::shared_ptr<Node> accumulator = make_pooled<AccumulateGrad>(input.impl_ptr());
  std::lock_guard lock(meta.mutex);
  // Entries of graphs that died (and of threads that ended) are dropped here, so the
  // list holds at most one entry per thread currently using the leaf.
  std::erase_if(meta.grad_accumulators, [](const auto& entry) { return entry.second.expired(); });
  meta.grad_accumulators.emplace_back(accumulator->tape_id(), accumulator);
  return {std::move(accumulator), 0};
}

namespace {

template <class Inputs>
void connect_impl(std::shared_ptr<Node> node, SmallVector<Edge, 2>& edges, const Inputs& inputs, Tensor* outputs,
                  std::size_t num_outputs) {
  edges.reserve(inputs.size());
  bool shares_storage_with_input = false;
  for (const Tensor& input : inputs) {
    edges.push_back(gradient_edge(input, node->op()));
    for (std::size_t i = 0; i < num_outputs; ++i)
      if (input.defined() && outputs[i].defined() && outputs[i].storage() == input.storage())
        shares_storage_with_input = true;
  }
  std::size_t last = 0;  // the last defined output takes over node's reference
  for (std::size_t i = 0; i < num_outputs; ++i)
    if (outputs[i].defined()) last = i;
  for (std::size_t i = 0; i < num_outputs; ++i) {
    Tensor& out = outputs[i];
    if (!out.defined()) continue;
    if (out.unsafe_impl()->autograd_meta) out = out.detach();  // an input passed through
    AutogradMeta& meta = ensure_meta(out);
    meta.requires_grad = true;
    meta.grad_fn = i == last ? std::move(node) : node;
    meta.output_nr = static_cast<std::uint32_t>(i);
    meta.is_view = shares_storage_with_input;
  }
}

}  // namespace

}  // namespace detail

// Node's edges (protected) and input metadata (private) are written here when an op
// records: GraphBuilder is a friend of Node for that.
struct GraphBuilder {
  template <class Inputs>
  static void connect(std::shared_ptr<Node> node, const Inputs& inputs, Tensor* outputs, std::size_t num_outputs) {
    record_input_shapes(*node, inputs);
    SmallVector<Edge, 2>& edges = node->next_edges_;  // the outputs keep node alive
    detail::connect_impl(std::move(node), edges, inputs, outputs, num_outputs);
  }
  static void connect_inplace(std::shared_ptr<Node> node, detail::InputList inputs, const Tensor& self) {
    node->next_edges_.reserve(inputs.size());
    for (const Tensor& input : inputs) node->next_edges_.push_back(detail::gradient_edge(input, node->op()));
    record_input_shapes(*node, inputs);
    AutogradMeta& meta = detail::ensure_meta(self);
    meta.requires_grad = true;
    meta.grad_fn = std::move(node);
    meta.output_nr = 0;
  }
  template <class Inputs>
  static void record_input_shapes(Node& node, const Inputs& inputs) {
    node.input_shapes_.reserve(inputs.size());
    node.input_dtypes_.reserve(inputs.size());
    for (const Tensor& input : inputs) {
      if (input.defined()) {
        node.input_shapes_.push_back(input.shape());  // copied into place, no temporary
        node.input_dtypes_.push_back(input.dtype());
      } else {
        node.input_shapes_.push_back(Shape{});
        node.input_dtypes_.push_back(kDefaultFloat);
      }
    }
  }
};

namespace detail {

void connect(std::shared_ptr<Node> node, InputList inputs, Tensor* outputs, std::size_t num_outputs) {
  GraphBuilder::connect(std::move(node), inputs, outputs, num_outputs);
}
void connect(std::shared_ptr<Node> node, const std::vector<Tensor>& inputs, Tensor* outputs, std::size_t num_outputs) {
  GraphBuilder::connect(std::move(node), inputs, outputs, num_outputs);
}

void connect_inplace(std::shared_ptr<Node> node, InputList inputs, const Tensor& self) {
  GraphBuilder::connect_inplace(std::move(node), inputs, self);
}

void check_inplace(const Tensor& self, const OpInfo& op) {
  const TensorImpl* impl = self.unsafe_impl();
  if (!impl || !impl->autograd_meta || !impl->autograd_meta->requires_grad) return;
  const AutogradMeta& meta = *impl->autograd_meta;
  if (!meta.grad_fn)
    ex::detail::fail(
        "{}: a leaf tensor that requires grad (shape {}) cannot be modified in place while recording; wrap the "
        "update in ex::NoGradGuard or use an out-of-place op",
        op.name, self.shape().str());
  if (meta.is_view)
    throw Error(
        fmt::format("{}: in-place modification of a view (shape {}, made by {}) of a tensor that requires grad is not "
                    "supported; clone() the view first",
                    op.name, self.shape().str(), meta.grad_fn->name()));
}

}  // namespace detail
}  // namespace ex::autograd
