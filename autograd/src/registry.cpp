// The registry's storage: a list that entries join at static initialization.

#include "extensor/autograd/registry.hpp"

#include <deque>
#include <mutex>

#include "extensor/core/error.hpp"

namespace ex::autograd {

namespace {
struct Registry {
  std::mutex mutex;
  std::deque<OpInfo> entries;  // a deque never moves its elements: references stay valid
  std::vector<std::string> composites;
};
Registry& registry() {
  static Registry instance;  // built on first use, so entries may register from any TU
  return instance;
}
}  // namespace

std::vector<const OpInfo*> registered_ops() {
  Registry& r = registry();
  std::lock_guard lock(r.mutex);
  std::vector<const OpInfo*> out;
  for (const OpInfo& op : r.entries) out.push_back(&op);
  return out;
}

const OpInfo* find_op(const std::string& name) {
  Registry& r = registry();
  std::lock_guard lock(r.mutex);
  for (const OpInfo& op : r.entries)
    if (op.name == name) return &op;
  return nullptr;
}

namespace {
const OpInfo& add_entry(Registry& r, OpInfo entry) {
  if (entry.name.empty()) throw Error("register_op: the op name is empty");
  for (const OpInfo& op : r.entries)
    if (op.name == entry.name) throw Error("register_op: an op named '" + entry.name + "' is already registered");
  r.entries.push_back(std::move(entry));
  return r.entries.back();
}
}  // namespace

const OpInfo& register_op(std::string name, DoubleBackward double_backward, bool custom) {
  Registry& r = registry();
  std::lock_guard lock(r.mutex);
  OpInfo entry;
  entry.name = std::move(name);
  entry.custom = custom;
  entry.differentiable_backward = double_backward.differentiable;
  entry.first_order_reason = std::move(double_backward.first_order_reason);
  entry.derivative_of = double_backward.derivative_of;
  return add_entry(r, std::move(entry));
}

bool register_composite(std::string name) {
  if (name.empty()) throw Error("register_composite: the op name is empty");
  Registry& r = registry();
  std::lock_guard lock(r.mutex);
  for (const std::string& c : r.composites)
    if (c == name) throw Error("register_composite: '" + name + "' is already listed");
  for (const OpInfo& op : r.entries)
    if (op.name == name) throw Error("register_composite: '" + name + "' is a registered op");
  r.composites.push_back(std::move(name));
  return true;
}

std::vector<std::string> composite_ops() {
  Registry& r = registry();
  std::lock_guard lock(r.mutex);
  return r.composites;
}

const OpInfo& backward_op_of(const OpInfo& op) {
  Registry& r = registry();
  std::lock_guard lock(r.mutex);
  for (const OpInfo& entry : r.entries)
    if (entry.derivative_of == &op) return entry;
  OpInfo entry;
  entry.name = op.name + "_backward";
  entry.differentiable_backward = true;
  entry.derivative_of = &op;
  return add_entry(r, std::move(entry));
}

}  // namespace ex::autograd
