#pragma once
// The autograd layer: grad mode, the graph, the engine, the op registry, and every
// public differentiable op.

#include "extensor/autograd/engine.hpp"
#include "extensor/autograd/function.hpp"
#include "extensor/autograd/grad_mode.hpp"
#include "extensor/autograd/gradcheck.hpp"
#include "extensor/autograd/node.hpp"
#include "extensor/autograd/ops.hpp"
#include "extensor/autograd/registry.hpp"
#include "extensor/autograd/to_dot.hpp"
