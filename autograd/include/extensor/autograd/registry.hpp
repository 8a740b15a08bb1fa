#pragma once
// The registry of differentiable ops: every op that records on the tape has one entry,
// holding its name and what its node saves; nodes point at their entry. The backward
// formulas live next to each entry's recording code in autograd/src/registry/.

#include <string>
#include <vector>

namespace ex::autograd {

struct OpInfo {
  std::string name;     // the public op ("add", "relu", "Tensor::reshape" for members)
  std::string saves;    // what its node keeps for backward, e.g. "x", "output", "nothing"
  bool custom = false;  // registered by the user (register_op / CustomOp)
};

// Every registered op, built-in entries first, in registration order. Thread-safe.
std::vector<const OpInfo*> registered_ops();
// The entry named name, or nullptr.
const OpInfo* find_op(const std::string& name);
// Adds an entry and returns it (entries live for the whole program). Throws ex::Error
// "register_op: ..." if the name is empty or already registered.
const OpInfo& register_op(std::string name, std::string saves, bool custom = false);

}  // namespace ex::autograd
