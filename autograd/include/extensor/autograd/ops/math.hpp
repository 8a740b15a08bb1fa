#pragma once
// Public math ops (declarations filled in by the math family's work).

#include "extensor/core/kernels/math.hpp"
