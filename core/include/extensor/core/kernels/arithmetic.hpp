#pragma once
// arithmetic kernels: pure compute, no tape.

#include "extensor/core/tensor.hpp"
