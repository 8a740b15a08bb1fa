#pragma once
// The optim layer: the Optimizer base with parameter groups and state, and SGD.

#include "extensor/optim/optimizer.hpp"
#include "extensor/optim/sgd.hpp"
