#pragma once
// The registry of differentiable ops: every op that records on the tape has one entry,
// holding its name and how it differentiates a second time; nodes point at their
// entry. The backward formulas live next to each entry's recording code in
// autograd/src/registry/ (pointwise ops: one definition each, see pointwise.hpp there).

#include <string>
#include <utility>
#include <vector>

namespace ex::autograd {

struct OpInfo {
  std::string name;     // the public op ("add", "relu", "Tensor::reshape" for members)
  bool custom = false;  // registered by the user (register_op / CustomOp)
  // Whether its backward records under create_graph, so its gradients can be
  // differentiated again. Where not, first_order_reason says why, and a backward with
  // create_graph through the op throws ex::Error quoting it.
  bool differentiable_backward = false;
  std::string first_order_reason;
  // For the node a differentiable backward records (a linear or bilinear backward, whose
  // own derivative is its forward op): the op it differentiates. Such entries are
  // checked through that op's gradgradcheck, not on their own.
  const OpInfo* derivative_of = nullptr;
};

// How an entry is differentiated a second time (the second argument of register_op).
struct DoubleBackward {
  bool differentiable = true;
  std::string first_order_reason;  // when not differentiable: why
  const OpInfo* derivative_of = nullptr;
};
// The usual case: the op's backward records under create_graph.
inline DoubleBackward differentiable() { return {}; }
// The op supports first-order gradients only, for the reason given.
inline DoubleBackward first_order_only(std::string reason) { return {false, std::move(reason), nullptr}; }

// Every registered op, built-in entries first, in registration order. Thread-safe.
std::vector<const OpInfo*> registered_ops();
// The entry named name, or nullptr.
const OpInfo* find_op(const std::string& name);
// Adds an entry and returns it (entries live for the whole program). Throws ex::Error
// "register_op: ..." if the name is empty or already registered.
// What a node keeps for backward is the recording code's business (SavedTensor), not
// the entry's.
const OpInfo& register_op(std::string name, DoubleBackward double_backward = differentiable(), bool custom = false);
// The composite tier: public ops written from other public ops (softplus, silu, mish).
// They have no entry (their gradient is their composition's); their names are listed
// here so the registry test knows them. register_composite returns true, so it can
// initialize a static; it throws ex::Error "register_composite: ..." for an empty name
// or one already listed or registered as an op.
bool register_composite(std::string name);
std::vector<std::string> composite_ops();

// The entry of the node that op's differentiable backward records ("<op>_backward",
// derivative_of = &op), registered on first use. Thread-safe.
const OpInfo& backward_op_of(const OpInfo& op);

}  // namespace ex::autograd
