#pragma once
// Datasets: indexed collections of (data, target) examples that a DataLoader batches.

#include <cstdint>
#include <vector>

#include "extensor/core/tensor.hpp"

namespace ex::data {

// One example, or a batch of them stacked along a new axis 0.
struct Example {
  Tensor data;
  Tensor target;
};

// An indexed collection of examples, held by std::shared_ptr (a DataLoader takes a
// std::shared_ptr<const Dataset>). Subclasses implement size() and get(); get_batch()
// has a default that stacks get() results, which subclasses may replace with a faster
// gather. A DataLoader calls get/get_batch from its prefetch thread, one call at a time;
// a dataset shared by several loaders must allow concurrent const calls (the datasets
// here only read, so they do).
class Dataset {
 public:
  virtual ~Dataset() = default;

  // The number of examples; indices run over [0, size()).
  virtual std::int64_t size() const = 0;

  // Example `index`. Implementations throw ex::Error naming the index and the size when
  // index is outside [0, size()) (check_index does that).
  virtual Example get(std::int64_t index) const = 0;

  // The examples at `indices` (in that order, repeats allowed) stacked along a new axis
  // 0: data [k, ...] and target [k, ...] where get() gives data [...] and target [...].
  // The default calls get() per index and stacks the results into new contiguous tensors.
  // Throws ex::Error "get_batch: ..." for an empty index list (no example to take the
  // shapes from), an index outside [0, size()), or examples whose shapes or dtypes differ.
  virtual Example get_batch(const std::vector<std::int64_t>& indices) const;

 protected:
  // Throws ex::Error "<fn>: index <index> is out of range for a dataset of size <size>"
  // unless 0 <= index < size().
  void check_index(std::int64_t index, const char* fn) const;
};

// A dataset over two tensors whose axis 0 indexes the examples: example i is
// (data[i], targets[i]), like torch.utils.data.TensorDataset.
class TensorDataset : public Dataset {
 public:
  // data [N, ...] and targets [N, ...] of any dtypes. Both are kept contiguous (a copy is
  // made only of an input that is not), so get() returns views and get_batch() copies
  // whole rows. Throws ex::Error "TensorDataset: ..." for an undefined tensor, a rank-0
  // tensor, or data.size(0) != targets.size(0).
  TensorDataset(Tensor data, Tensor targets);

  std::int64_t size() const override { return size_; }

  // (data[index], targets[index]): views sharing storage with data() and targets(), of
  // shapes data.shape()[1:] and targets.shape()[1:] (rank 0 for 1-D targets). Throws
  // ex::Error "TensorDataset::get: index ..." for an index outside [0, size()).
  Example get(std::int64_t index) const override;

  // New contiguous tensors data [k, ...] and targets [k, ...] of the stored dtypes, one
  // row copied per index (an empty list gives k = 0). Throws ex::Error
  // "TensorDataset::get_batch: index ..." for an index outside [0, size()).
  Example get_batch(const std::vector<std::int64_t>& indices) const override;

  // The stored (contiguous) tensors, [N, ...] each.
  const Tensor& data() const { return data_; }
  const Tensor& targets() const { return targets_; }

 private:
  Tensor data_;
  Tensor targets_;
  std::int64_t size_;
};

}  // namespace ex::data
