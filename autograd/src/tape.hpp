#pragma once
// Private: the calling thread's tape. Nodes are reference-counted by the tensors that
// can reach them, so the tape itself only numbers them (reverse recording order is the
// order backward runs them in) and marks which thread owns them.

#include <cstdint>

namespace ex::autograd::detail {

struct Tape {
  std::uint64_t id;  // unique per thread
  std::uint64_t next_sequence_nr = 0;
  bool anomaly_mode = false;
  bool in_backward = false;
  bool create_graph = false;  // the running backward records its computation
};

Tape& current_tape() noexcept;

}  // namespace ex::autograd::detail
