#pragma once
// The whole public API of extensor. Layers: core <- autograd <- nn <- optim.

#include "extensor/core.hpp"
