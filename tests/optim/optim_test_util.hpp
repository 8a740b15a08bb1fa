#pragma once
// Helpers the optim suites share.

#include <cstdint>
#include <string>
#include <vector>

#include "test_util.hpp"

namespace ex::test {

// The names of the state optimizer keeps for param, in order; param must have state.
inline std::vector<std::string> state_names(const optim::Optimizer& optimizer, const Tensor& param) {
  const optim::ParamState* state = optimizer.find_state(param);
  REQUIRE(state != nullptr);
  std::vector<std::string> names;
  for (const auto& [name, tensor] : *state) names.push_back(name);
  return names;
}

// Checks that a step changed param in place and off the tape: the same data, a newer
// storage version, still a leaf that requires grad, and grad mode on again.
inline void check_updated_in_place(const Tensor& param, const void* data, std::uint64_t version) {
  CHECK(param.raw_data() == data);
  CHECK(param.version() > version);
  CHECK(param.is_leaf());
  CHECK(param.requires_grad());
  CHECK(param.grad_fn() == nullptr);
  CHECK(GradMode::is_enabled());
}

}  // namespace ex::test
