// The backward engine: runs the nodes reachable from the outputs in reverse recording
// order, each once with the sum of its incoming gradients.

#include "extensor/autograd/engine.hpp"
#include "common/check.hpp"

#include <fmt/format.h>
#include <algorithm>
#include <atomic>
#include <cmath>
#include <queue>

#include "autograd/src/accumulate_grad.hpp"
#include "autograd/src/record.hpp"
#include "autograd/src/tape.hpp"
#include "core/src/kernels/forward.hpp"
#include "extensor/autograd/ops/arithmetic.hpp"
#include "extensor/core/creation.hpp"
#include "extensor/core/kernels/arithmetic.hpp"

namespace ex::autograd {

namespace detail {
extern thread_local const Node* running_node;
extern thread_local const std::shared_ptr<Node>* running_node_owner;
}  // namespace detail

namespace {

// An output of a node whose gradient grad() returns instead of accumulating it.
struct Capture {
  const Node* node;
  std::uint32_t slot;
  std::size_t index;  // into the result
};

std::string shapes_str(std::span<const Shape> shapes) {
  std::string out;
  for (const Shape& s : shapes) out += (out.empty() ? "" : ", ") + s.str();
  return out;
}

bool all_finite(const Tensor& t) {
  if (!is_floating(t.dtype())) return true;
  for (double v : t.to_vector<double>())
    if (!std::isfinite(v)) return false;
  return true;
}

}  // namespace

class Engine {
 public:
  Engine(const char* fn, bool retain_graph, bool create_graph, const std::vector<Capture>* captures)
      : fn_(fn), retain_graph_(retain_graph || create_graph), captures_(captures), tape_(detail::current_tape()) {
    if (tape_.in_backward) ex::detail::fail("{}: called from inside a backward hook or kernel", fn);
    tape_.in_backward = true;
    tape_.create_graph = create_graph;  // AccumulateGrad reads it too
    // One counter for all threads, not one per tape: discover() checks a node's epoch
    // before its tape, so a node of another thread's graph must never carry an epoch
    // equal to this backward's, or it would be skipped instead of reported.
    static std::atomic<std::uint64_t> next_epoch{0};
    epoch_ = next_epoch.fetch_add(1, std::memory_order_relaxed) + 1;
  }
  ~Engine() {
    for (Node* node : visited_) node->pending_.clear();  // frees gradients an error left behind
    detail::running_node = nullptr;
    detail::running_node_owner = nullptr;
    tape_.in_backward = false;
    tape_.create_graph = false;
  }

  void run(const std::vector<Edge>& roots, TensorList root_grads, TensorList* captured) {
    discover(roots);
    if (captures_) mark_needed();
    // Pointers to the owning pointers in the edges (or roots) that reach each node: the
    // graph stays alive for the whole run, so they stay valid, and under create_graph a
    // node's saved outputs are handed out with the node as their grad_fn. No reference
    // count changes per node.
    std::priority_queue<const std::shared_ptr<Node>*, std::vector<const std::shared_ptr<Node>*>,
                        ByRecordingOrderDescending>
        ready;
    for (std::size_t i = 0; i < roots.size(); ++i) accumulate(*roots[i].node, roots[i].input_nr, root_grads[i]);
    for (const Edge& root : roots)
      if (root.node->dependencies_ == 0) {
        root.node->dependencies_ = -1;  // queued once even if it is several roots
        ready.push(&root.node);
      }
    while (!ready.empty()) {
      const std::shared_ptr<Node>& owner = *ready.top();
      ready.pop();
      Node* node = owner.get();
      // grads_ is reused from node to node (its capacity stays): no allocation per node.
      TensorList& grads = grads_;
      for (Tensor& g : node->pending_) grads.push_back(std::move(g));
      node->pending_.clear();
      run_pre_hooks(*node, grads);
      if (captures_) capture(*node, grads, *captured);
      const bool any_grad = std::any_of(grads.begin(), grads.end(), [](const Tensor& g) { return g.defined(); });
      const bool skip = !node->needed_ || !any_grad || (captures_ && is_accumulator(*node));
      TensorList input_grads = skip ? TensorList() : apply(owner, std::move(grads));
      for (std::size_t i = 0; i < node->next_edges_.size(); ++i) {
        const Edge& edge = node->next_edges_[i];
        if (!edge.node) continue;
        // A skipped node still releases its inputs' nodes: one that gets no gradient from
        // here may get one along another path.
        if (!skip && i < input_grads.size() && input_grads[i].defined())
          accumulate(*edge.node, edge.input_nr, std::move(input_grads[i]));
        if (--edge.node->dependencies_ == 0) ready.push(&edge.node);
      }
      grads.clear();  // frees this node's output gradients now, as a local list would
    }
  }

 private:
  struct ByRecordingOrderDescending {
    bool operator()(const std::shared_ptr<Node>* a, const std::shared_ptr<Node>* b) const {
      return (*a)->sequence_nr_ < (*b)->sequence_nr_;
    }
  };

  static bool is_accumulator(const Node& node) { return &node.op() == &detail::accumulate_grad_op(); }

  void discover(const std::vector<Edge>& roots) {
    std::vector<Node*> stack;
    auto visit = [&](Node* node) {
      if (node->epoch_ == epoch_) return;
      if (node->tape_id_ != tape_.id)
        throw Error(
            fmt::format("{}: the graph was recorded on another thread (op '{}'); each thread back-propagates only the "
                        "graphs it recorded",
                        fn_, node->name()));
      node->epoch_ = epoch_;
      node->dependencies_ = 0;
      node->needed_ = captures_ == nullptr;
      node->pending_.assign(node->num_outputs_, Tensor());
      visited_.push_back(node);
      stack.push_back(node);
    };
    for (const Edge& root : roots) visit(root.node.get());
    while (!stack.empty()) {
      Node* node = stack.back();
      stack.pop_back();
      for (const Edge& edge : node->next_edges_)
        if (edge.node) {
          visit(edge.node.get());
          ++edge.node->dependencies_;
        }
    }
  }

  // grad(): only nodes on a path to a captured output run. A node's inputs were
  // recorded before it, so visiting in recording order sees children first.
  void mark_needed() {
    std::vector<Node*> order = visited_;
    // Leaf accumulators (numbered last so they run as soon as ready) have no children.
    auto rank = [](const Node* n) { return is_accumulator(*n) ? 0 : n->sequence_nr_ + 1; };
    std::sort(order.begin(), order.end(), [&](Node* a, Node* b) { return rank(a) < rank(b); });
    for (Node* node : order) {
      bool needed = false;
      for (const Capture& c : *captures_) needed |= c.node == node;
      for (const Edge& edge : node->next_edges_) needed |= edge.node && edge.node->needed_;
      node->needed_ = needed;  // captured accumulators never run: run() skips them in grad()
    }
  }

  void accumulate(Node& node, std::uint32_t slot, Tensor grad) {
    Tensor& pending = node.pending_[slot];
    if (!pending.defined())
      pending = std::move(grad);
    else
      pending = tape_.create_graph ? add(pending, grad) : kernels::add(pending, grad);  // add records the sum
  }

  static void run_pre_hooks(Node& node, TensorList& grads) {
    for (const Node::PreHook& hook : node.pre_hooks_) {
      Tensor& g = grads[hook.output_nr];
      if (!g.defined()) continue;
      if (Tensor replaced = hook.fn(g); replaced.defined()) g = std::move(replaced);
    }
  }

  void capture(Node& node, const TensorList& grads, TensorList& captured) const {
    for (const Capture& c : *captures_) {
      if (c.node != &node || !grads[c.slot].defined()) continue;
      const Tensor& g = grads[c.slot];
      captured[c.index] = is_accumulator(node) ? static_cast<const detail::AccumulateGrad&>(node).run_hooks(g) : g;
    }
  }

  TensorList apply(const std::shared_ptr<Node>& owner, TensorList&& grads) {
    Node& node = *owner;
    if (node.released_)
      ex::detail::fail(
          "{}: trying to backward through the graph a second time (op '{}' already freed its saved tensors); "
          "pass retain_graph=true to the first backward to keep them",
          fn_, node.name());
    if (tape_.create_graph && !node.op().differentiable_backward && !is_accumulator(node))
      ex::detail::fail(
          "{}: create_graph=true: the backward of '{}' is not differentiable ({})", fn_, node.name(),
          node.op().first_order_reason.empty() ? "no recorded derivative yet" : node.op().first_order_reason);
    detail::running_node = &node;
    detail::running_node_owner = &owner;
    TensorList input_grads;
    if (tape_.create_graph) {
      // The backward functions see grad mode on and record what they compute, so the
      // gradients carry a graph of their own.
      EnableGradGuard record;
      input_grads = node.apply(std::move(grads));
    } else {
      NoGradGuard no_grad;
      input_grads = node.apply(std::move(grads));
    }
    detail::running_node = nullptr;
    detail::running_node_owner = nullptr;
    if (!retain_graph_ && !is_accumulator(node)) {
      node.release_saved();
      node.released_ = true;
    }
    if (!is_accumulator(node) && input_grads.size() != node.next_edges_.size())
      ex::detail::fail("{}: the backward of '{}' returned {} gradients for {} inputs", fn_, node.name(),
                       input_grads.size(), node.next_edges_.size());
    for (std::size_t i = 0; i < input_grads.size(); ++i) {
      Tensor& g = input_grads[i];
      if (!g.defined() || !node.next_edges_[i].node) continue;
      if (g.shape() != node.input_shapes_[i])
        ex::detail::fail("{}: the backward of '{}' returned a gradient of shape {} for input {} of shape {}", fn_,
                         node.name(), g.shape().str(), i, node.input_shapes_[i].str());
      if (g.dtype() != node.input_dtypes_[i]) g = g.to(node.input_dtypes_[i]);
    }
    if (tape_.anomaly_mode)
      for (std::size_t i = 0; i < input_grads.size(); ++i)
        if (input_grads[i].defined() && node.next_edges_[i].node && !all_finite(input_grads[i]))
          ex::detail::fail(
              "{}: the backward of '{}' (forward inputs of shapes {}) returned NaN or Inf in the gradient of "
              "input {}",
              fn_, node.name(), shapes_str(node.input_shapes()), i);
    return input_grads;
  }

  const char* fn_;
  bool retain_graph_;
  const std::vector<Capture>* captures_;
  detail::Tape& tape_;
  std::uint64_t epoch_;
  std::vector<Node*> visited_;
  TensorList grads_;  // the output gradients of the node being run
};

namespace {

// Validates outputs and their seeds; returns the root edges and the seed gradients.
std::pair<std::vector<Edge>, TensorList> roots_of(const char* fn, const std::vector<Tensor>& outputs,
                                                  const std::vector<Tensor>& grad_outputs, bool create_graph) {
  if (outputs.empty()) ex::detail::fail("{}: no outputs given", fn);
  if (!grad_outputs.empty() && grad_outputs.size() != outputs.size())
    ex::detail::fail("{}: {} grad_outputs given for {} outputs", fn, grad_outputs.size(), outputs.size());
  std::vector<Edge> roots;
  TensorList grads;
  for (std::size_t i = 0; i < outputs.size(); ++i) {
    const Tensor& out = outputs[i];
    if (!detail::requires_grad(out))
      ex::detail::fail("{}: output {} (shape {}) does not require grad and has no grad_fn", fn, i,
                       out.defined() ? out.shape().str() : std::string("undefined"));
    Tensor grad = grad_outputs.empty() ? Tensor() : grad_outputs[i];
    if (!grad.defined()) {
      if (out.numel() != 1)
        throw Error(
            fmt::format("{}: grad can be implicitly created only for one-element outputs; output {} has shape {}", fn,
                        i, out.shape().str()));
      grad = ones(out.shape(), out.dtype());
    } else if (grad.shape() != out.shape()) {
      ex::detail::fail("{}: grad of shape {} given for output {} of shape {}", fn, grad.shape().str(), i,
                       out.shape().str());
    } else if (grad.dtype() != out.dtype()) {
      grad = grad.to(out.dtype());
    }
    AutogradMeta& meta = *out.unsafe_impl()->autograd_meta;
    roots.push_back(meta.grad_fn ? Edge{meta.grad_fn, meta.output_nr}
                                 : detail::gradient_edge(out, detail::accumulate_grad_op()));
    grads.push_back(create_graph ? grad : grad.detach());
  }
  return {std::move(roots), std::move(grads)};
}

}  // namespace

void backward(const std::vector<Tensor>& outputs, const std::vector<Tensor>& grad_outputs, bool retain_graph,
              bool create_graph) {
  auto [roots, grads] = roots_of("backward", outputs, grad_outputs, create_graph);
  Engine("backward", retain_graph, create_graph, nullptr).run(roots, std::move(grads), nullptr);
}

std::vector<Tensor> grad(const std::vector<Tensor>& outputs, const std::vector<Tensor>& inputs,
                         const std::vector<Tensor>& grad_outputs, bool retain_graph, bool create_graph,
                         bool allow_unused) {
  auto [roots, grads] = roots_of("grad", outputs, grad_outputs, create_graph);
  std::vector<Capture> captures;
  std::vector<std::shared_ptr<Node>> keep_alive;
  for (std::size_t i = 0; i < inputs.size(); ++i) {
    const Tensor& in = inputs[i];
    if (!detail::requires_grad(in))
      ex::detail::fail("grad: input {} (shape {}) does not require grad", i,
                       in.defined() ? in.shape().str() : std::string("undefined"));
    AutogradMeta& meta = *in.unsafe_impl()->autograd_meta;
    std::shared_ptr<Node> node = meta.grad_fn ? meta.grad_fn : detail::current_accumulator(meta);
    if (!node && allow_unused) continue;
    if (!node) ex::detail::fail("grad: input {} (shape {}) was not used to compute the outputs", i, in.shape().str());
    captures.push_back(Capture{node.get(), meta.grad_fn ? meta.output_nr : 0u, i});
    keep_alive.push_back(std::move(node));
  }
  TensorList result(inputs.size());
  Engine("grad", retain_graph, create_graph, &captures).run(roots, std::move(grads), &result);
  for (std::size_t i = 0; i < result.size(); ++i) {
    if (!result[i].defined() && allow_unused) continue;
    if (!result[i].defined())
      throw Error(
          fmt::format("grad: input {} (shape {}) was not used to compute the outputs", i, inputs[i].shape().str()));
    if (result[i].dtype() != inputs[i].dtype()) result[i] = result[i].to(inputs[i].dtype());
  }
  return result;
}

DetectAnomalyGuard::DetectAnomalyGuard() noexcept : previous_(detail::current_tape().anomaly_mode) {
  detail::current_tape().anomaly_mode = true;
}
DetectAnomalyGuard::~DetectAnomalyGuard() { detail::current_tape().anomaly_mode = previous_; }
bool DetectAnomalyGuard::is_enabled() noexcept { return detail::current_tape().anomaly_mode; }

}  // namespace ex::autograd
