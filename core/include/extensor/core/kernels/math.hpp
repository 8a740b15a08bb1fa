#pragma once
// math kernels: pure compute, no tape.

#include "extensor/core/tensor.hpp"
