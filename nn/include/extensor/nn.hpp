#pragma once
// The nn layer: Module, layers, losses, the functional API, initializers, summary,
// gradient clipping, safetensors files.

#include "extensor/nn/activation.hpp"
#include "extensor/nn/batchnorm.hpp"
#include "extensor/nn/cloneable.hpp"
#include "extensor/nn/container.hpp"
#include "extensor/nn/conv.hpp"
#include "extensor/nn/dropout.hpp"
#include "extensor/nn/expanding_array.hpp"
#include "extensor/nn/flatten.hpp"
#include "extensor/nn/functional.hpp"
#include "extensor/nn/init.hpp"
#include "extensor/nn/linear.hpp"
#include "extensor/nn/loss.hpp"
#include "extensor/nn/module.hpp"
#include "extensor/nn/module_holder.hpp"
#include "extensor/nn/padding.hpp"
#include "extensor/nn/pooling.hpp"
#include "extensor/nn/serialize.hpp"
#include "extensor/nn/state_dict.hpp"
#include "extensor/nn/summary.hpp"
#include "extensor/nn/utils.hpp"
