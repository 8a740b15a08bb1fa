#pragma once
// The whole public API of extensor. Layers: core <- autograd <- nn <- optim.

#include "extensor/autograd/ops.hpp"
#include "extensor/core.hpp"
