#pragma once
// shape kernels: pure compute, no tape.

#include "extensor/core/tensor.hpp"
