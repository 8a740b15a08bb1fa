#pragma once
// Public activation ops (declarations filled in by the activation family's work).

#include "extensor/core/kernels/activation.hpp"
