#pragma once
// reduction kernels: pure compute, no tape.

#include "extensor/core/tensor.hpp"
