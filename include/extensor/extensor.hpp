#pragma once
// The whole public API of extensor. Layers: core <- autograd <- nn <- optim; data uses core.

#include "extensor/autograd.hpp"
#include "extensor/core.hpp"
#include "extensor/data.hpp"
#include "extensor/nn.hpp"
#include "extensor/optim.hpp"
