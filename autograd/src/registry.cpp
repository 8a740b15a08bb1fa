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

const OpInfo& register_op(std::string name, std::string saves, bool custom) {
  if (name.empty()) throw Error("register_op: the op name is empty");
  Registry& r = registry();
  std::lock_guard lock(r.mutex);
  for (const OpInfo& op : r.entries)
    if (op.name == name) throw Error("register_op: an op named '" + name + "' is already registered");
  r.entries.push_back(OpInfo{std::move(name), std::move(saves), custom});
  return r.entries.back();
}

}  // namespace ex::autograd
