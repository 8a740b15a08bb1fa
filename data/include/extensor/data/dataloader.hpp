#pragma once
// DataLoader: batches of a Dataset, optionally shuffled, prepared one batch ahead on a
// background thread.

#include <cstddef>
#include <cstdint>
#include <iterator>
#include <memory>
#include <optional>

#include "extensor/core/options.hpp"
#include "extensor/data/dataset.hpp"

namespace ex::data {

// Options with chained setters: DataLoaderOptions().batch_size(64).shuffle(true).seed(1).
class DataLoaderOptions {
 public:
  DataLoaderOptions() = default;
  // Same as DataLoaderOptions().batch_size(batch_size).
  explicit DataLoaderOptions(std::int64_t batch_size) { this->batch_size(batch_size); }

  // Examples per batch (default 1). Throws ex::Error "DataLoaderOptions::batch_size: ..."
  // unless batch_size > 0 (so written out rather than with EX_OPTION).
  DataLoaderOptions& batch_size(std::int64_t batch_size);
  std::int64_t batch_size() const { return batch_size_; }

  // Visit the examples in a new random order every epoch (default false: in index order).
  EX_OPTION(bool, shuffle) = false;

 public:
  // Seed of the shuffling. Epoch e's order depends only on (seed, e), so runs with the
  // same seed see the same orders whatever the thread count. Unset (the default), the
  // loader draws a seed from ex::default_generator() when it is constructed (and its
  // options() then report it), so ex::manual_seed() makes unseeded loaders reproducible.
  // Written out rather than with EX_OPTION: the setter takes a seed, the getter says
  // whether one was set.
  DataLoaderOptions& seed(std::uint64_t seed) {
    seed_ = seed;
    return *this;
  }
  std::optional<std::uint64_t> seed() const { return seed_; }

  // Drop the last batch of an epoch when it holds fewer than batch_size examples
  // (default false: keep it).
  EX_OPTION(bool, drop_last) = false;
  // Prepare the next batch on a background thread while the caller uses the current one
  // (default true). false prepares each batch on the caller's thread when it is reached:
  // the same batches, easier to debug.
  EX_OPTION(bool, prefetch) = true;

 private:
  std::int64_t batch_size_ = 1;
  std::optional<std::uint64_t> seed_;
};

// Iterates a dataset in batches, like torch::data's data loaders:
//
//   ex::data::DataLoader loader(dataset, ex::data::DataLoaderOptions(64).shuffle(true));
//   for (int epoch = 0; epoch < 10; ++epoch)
//     for (ex::data::Example& batch : loader) { ... batch.data, batch.target ... }
//
// Each begin() starts a new epoch (ending the previous one, if still running). A batch is
// dataset->get_batch() of the next batch_size indices of the epoch's order; its tensors
// are the caller's to keep, but the Example& an iterator yields is only valid until the
// iterator moves on (copy the Example, a pair of cheap handles, to keep it).
//
// Errors: an exception thrown by the dataset while preparing a batch (on the prefetch
// thread or not) is rethrown to the caller by the dereference or ++ that reaches that
// batch, and ends the epoch (the iterator then equals end()). Leaving a loop early,
// starting a new epoch or destroying the loader stops the prefetch thread and waits for
// the batch it is preparing, if any.
//
// A loader and its iterators are used from one thread at a time (the prefetch thread is
// internal); iterators must not outlive their loader.
class DataLoader {
 public:
  struct Sentinel {};
  class Iterator;

  // Throws ex::Error "DataLoader: ..." for a null dataset or a negative dataset size.
  // A moved-from loader throws ex::Error from every member but assignment and destruction.
  DataLoader(std::shared_ptr<const Dataset> dataset, DataLoaderOptions options = DataLoaderOptions());
  ~DataLoader();
  DataLoader(DataLoader&&) noexcept;
  DataLoader& operator=(DataLoader&&) noexcept;
  DataLoader(const DataLoader&) = delete;
  DataLoader& operator=(const DataLoader&) = delete;

  // Batches per epoch: ceil(size / batch_size), or floor(size / batch_size) with drop_last.
  std::int64_t num_batches() const;
  // Epochs started so far (begin() calls, counting from set_epoch's value).
  std::int64_t epochs_started() const;
  // Makes the next begin() start epoch `epoch` (counted from 0), with the order a fresh
  // loader gives in its epoch-th begin(), so a resumed run sees the batches the
  // interrupted one would have; epochs_started() becomes epoch. Ends the running epoch,
  // as begin() does. Throws ex::Error "DataLoader::set_epoch: ..." for a negative epoch.
  void set_epoch(std::int64_t epoch);
  // The options, with the seed in use filled in.
  const DataLoaderOptions& options() const;
  // The dataset the batches come from.
  const std::shared_ptr<const Dataset>& dataset() const;

  // Starts a new epoch and returns an iterator at its first batch. Iterators of earlier
  // epochs compare equal to end(); dereferencing or incrementing one throws ex::Error.
  Iterator begin();
  Sentinel end() const { return {}; }

 private:
  struct State;  // the epoch's order, position and prefetch thread (dataloader.cpp)
  State& state() const;

  std::unique_ptr<State> state_;
};

// A single-pass (input) iterator over one epoch's batches. Copies share the epoch's
// position. Moving a DataLoader keeps its iterators valid.
class DataLoader::Iterator {
 public:
  using iterator_concept = std::input_iterator_tag;
  using iterator_category = std::input_iterator_tag;
  using value_type = Example;
  using difference_type = std::ptrdiff_t;
  using reference = Example&;
  using pointer = Example*;

  Iterator() = default;

  // The current batch, prepared or waited for on first access. Throws what the dataset
  // threw for this batch, or ex::Error "DataLoader: ..." at the end or for an iterator of
  // an earlier epoch.
  Example& operator*() const;
  Example* operator->() const { return &**this; }
  // Moves to the next batch. A batch never dereferenced is still prepared (and discarded),
  // so its error surfaces here. Throws like operator*.
  Iterator& operator++();
  void operator++(int) { ++*this; }

  // True at the end of the epoch, for an iterator of an earlier epoch, and for a
  // default-constructed one.
  friend bool operator==(const Iterator& it, Sentinel) { return it.at_end(); }

 private:
  friend class DataLoader;
  Iterator(State* state, std::int64_t epoch, std::int64_t pass) : state_(state), epoch_(epoch), pass_(pass) {}
  bool at_end() const;

  State* state_ = nullptr;
  std::int64_t epoch_ = 0;  // for messages
  std::int64_t pass_ = 0;   // which begin() made it: set_epoch can repeat epoch numbers
};

}  // namespace ex::data
