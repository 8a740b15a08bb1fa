#pragma once
// Which gradients a raw backward kernel of a two-input op computes.

#include <array>

namespace ex {

// {first, second}: a raw backward kernel leaves the gradient of an input whose flag is
// false undefined and spends no work on it. The engine passes which inputs of a node
// need a gradient (PyTorch's output_mask), so a layer's input batch, which needs none,
// costs no GEMM. The default computes both.
using OutputMask = std::array<bool, 2>;
inline constexpr OutputMask kBothGradients{true, true};

}  // namespace ex
