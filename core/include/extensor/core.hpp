#pragma once
// Everything in the core layer: tensors, dtypes, creation, threads, logging.

#include "extensor/core/backend.hpp"
#include "extensor/core/comparison.hpp"
#include "extensor/core/creation.hpp"
#include "extensor/core/dtype.hpp"
#include "extensor/core/error.hpp"
#include "extensor/core/half.hpp"
#include "extensor/core/init.hpp"
#include "extensor/core/logging.hpp"
#include "extensor/core/options.hpp"
#include "extensor/core/ordered_dict.hpp"
#include "extensor/core/random.hpp"
#include "extensor/core/scalar.hpp"
#include "extensor/core/shape.hpp"
#include "extensor/core/storage.hpp"
#include "extensor/core/tensor.hpp"
#include "extensor/core/threading.hpp"
