#pragma once
// The optim layer: the Optimizer base with parameter groups and state, SGD, Adam, AdamW,
// RMSprop and Adagrad, and the learning-rate schedulers.

#include "extensor/optim/adagrad.hpp"
#include "extensor/optim/adam.hpp"
#include "extensor/optim/checkpoint.hpp"
#include "extensor/optim/lr_scheduler.hpp"
#include "extensor/optim/one_cycle_lr.hpp"
#include "extensor/optim/optimizer.hpp"
#include "extensor/optim/reduce_lr_on_plateau.hpp"
#include "extensor/optim/rmsprop.hpp"
#include "extensor/optim/sequential_lr.hpp"
#include "extensor/optim/sgd.hpp"
