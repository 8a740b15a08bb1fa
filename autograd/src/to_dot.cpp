// to_dot: Graphviz text of a tensor's graph.

#include "extensor/autograd/to_dot.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <unordered_map>
#include <vector>

#include "autograd/src/accumulate_grad.hpp"

namespace ex::autograd {

namespace {

std::string shapes_label(const std::vector<Shape>& shapes) {
  std::vector<std::string> parts;
  for (const Shape& s : shapes) parts.push_back(s.str());
  return fmt::format("{}", fmt::join(parts, " "));
}

}  // namespace

std::string to_dot(const Tensor& t) {
  if (!t.defined()) throw Error("to_dot: the tensor is undefined");
  std::string dot = "digraph extensor {\n  rankdir=BT;\n  node [fontname=\"monospace\"];\n";
  dot += fmt::format("  output [label=\"output\\n{}\", shape=doubleoctagon];\n", t.shape().str());
  std::shared_ptr<Node> root = t.grad_fn();
  if (!root) {
    if (t.requires_grad()) dot += "  output [style=filled, fillcolor=lightblue, xlabel=\"leaf\"];\n";
    return dot + "}\n";
  }
  std::unordered_map<const Node*, std::size_t> ids;
  std::vector<const Node*> stack{root.get()};
  ids[root.get()] = 0;
  while (!stack.empty()) {
    const Node* node = stack.back();
    stack.pop_back();
    const std::size_t id = ids[node];
    if (const auto* acc = dynamic_cast<const detail::AccumulateGrad*>(node)) {
      dot += fmt::format("  n{} [label=\"leaf\\n{}\", style=filled, fillcolor=lightblue];\n", id,
                         acc->leaf()->shape.str());
    } else {
      dot += fmt::format("  n{} [label=\"{}\\n{}\", shape=box{}];\n", id, node->name(),
                         shapes_label(node->input_shapes()), node->released() ? ", style=dashed" : "");
    }
    for (const Edge& edge : node->next_edges()) {
      if (!edge.node) continue;
      auto [it, fresh] = ids.try_emplace(edge.node.get(), ids.size());
      if (fresh) stack.push_back(edge.node.get());
      dot += fmt::format("  n{} -> n{};\n", it->second, id);
    }
  }
  dot += "  n0 -> output;\n";
  return dot + "}\n";
}

}  // namespace ex::autograd
