#pragma once
// Public matmul ops (declarations filled in by the matmul family's work).

#include "extensor/core/kernels/matmul.hpp"
