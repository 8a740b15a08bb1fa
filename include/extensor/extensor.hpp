#pragma once
// The whole public API of extensor. Layers: core <- autograd <- nn <- optim.

#include "extensor/autograd.hpp"
#include "extensor/core.hpp"
#include "extensor/data.hpp"
#include "extensor/nn.hpp"
