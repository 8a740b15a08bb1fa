#pragma once
// activation kernels: pure compute, no tape.

#include "extensor/core/tensor.hpp"
