#pragma once
// matmul kernels: pure compute, no tape.

#include "extensor/core/tensor.hpp"
