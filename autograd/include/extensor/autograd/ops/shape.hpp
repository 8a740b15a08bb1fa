#pragma once
// Public shape ops (declarations filled in by the shape family's work).

#include "extensor/core/kernels/shape.hpp"
