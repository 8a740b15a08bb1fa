#pragma once
// comparison kernels: pure compute, no tape.

#include "extensor/core/tensor.hpp"
