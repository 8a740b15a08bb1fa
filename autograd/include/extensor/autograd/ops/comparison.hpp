#pragma once
// The comparison and logical ops, which have no gradients: they live in core.

#include "extensor/core/comparison.hpp"
