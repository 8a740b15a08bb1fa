#pragma once
// Public comparison ops (declarations filled in by the comparison family's work).

#include "extensor/core/kernels/comparison.hpp"
