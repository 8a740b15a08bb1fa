#pragma once
// The optim layer: the Optimizer base with parameter groups and state, SGD, Adam, AdamW,
// RMSprop and Adagrad.

#include "extensor/optim/adagrad.hpp"
#include "extensor/optim/adam.hpp"
#include "extensor/optim/optimizer.hpp"
#include "extensor/optim/rmsprop.hpp"
#include "extensor/optim/sgd.hpp"
