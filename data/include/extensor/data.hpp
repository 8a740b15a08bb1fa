#pragma once
// Everything in the data area: datasets, the data loader, IDX files and Fashion-MNIST.

#include "extensor/data/dataloader.hpp"
#include "extensor/data/dataset.hpp"
#include "extensor/data/fashion_mnist.hpp"
