#pragma once
// Private: what every registry file (autograd/src/registry/*.cpp) starts from: the
// recording helpers, and entry<"name">, the registry entry of the op named name. Naming
// an entry is all it takes to register it: the entry is created at static
// initialization, once, however many files name it.

#include <algorithm>
#include <cstddef>

#include "autograd/src/derivatives.hpp"
#include "autograd/src/record.hpp"
#include "core/src/kernels/forward.hpp"
#include "extensor/autograd/registry.hpp"

namespace ex::autograd::detail {

// A string literal as a template argument.
template <std::size_t N>
struct OpName {
  constexpr OpName(const char (&name)[N]) { std::copy_n(name, N, value); }  // NOLINT: implicit, for entry<"add">
  char value[N];
};

template <OpName Name>
inline const OpInfo& entry = register_op(Name.value);

}  // namespace ex::autograd::detail

namespace ex {

using autograd::OpInfo;
using autograd::SavedTensor;
using autograd::TensorList;
using namespace autograd::detail;

}  // namespace ex
