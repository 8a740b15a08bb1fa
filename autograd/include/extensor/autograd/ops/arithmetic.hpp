#pragma once
// Public arithmetic ops (declarations filled in by the arithmetic family's work).

#include "extensor/core/kernels/arithmetic.hpp"
