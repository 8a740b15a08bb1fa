#pragma once
// Every public forward op, by family.

#include "extensor/autograd/ops/activation.hpp"
#include "extensor/autograd/ops/aliases.hpp"
#include "extensor/autograd/ops/arithmetic.hpp"
#include "extensor/autograd/ops/comparison.hpp"
#include "extensor/autograd/ops/conv.hpp"
#include "extensor/autograd/ops/indexing.hpp"
#include "extensor/autograd/ops/loss.hpp"
#include "extensor/autograd/ops/math.hpp"
#include "extensor/autograd/ops/matmul.hpp"
#include "extensor/autograd/ops/normalization.hpp"
#include "extensor/autograd/ops/padding.hpp"
#include "extensor/autograd/ops/pooling.hpp"
#include "extensor/autograd/ops/reduction.hpp"
#include "extensor/autograd/ops/shape.hpp"
