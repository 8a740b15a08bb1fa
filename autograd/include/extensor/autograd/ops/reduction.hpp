#pragma once
// Public reduction ops (declarations filled in by the reduction family's work).

#include "extensor/core/kernels/reduction.hpp"
