// DataLoader: per-epoch index orders (seeded Philox shuffles) cut into batches, served
// through an input iterator from the prefetch thread or the caller's thread.
#include "extensor/data/dataloader.hpp"

#include <algorithm>
#include <numeric>
#include <utility>
#include <vector>

#include "common/check.hpp"
#include "data/src/batch_prefetcher.hpp"
#include "extensor/core/random.hpp"

namespace ex::data {

using ex::detail::fail;

DataLoaderOptions& DataLoaderOptions::batch_size(std::int64_t batch_size) {
  if (batch_size <= 0) fail("DataLoaderOptions::batch_size: batch_size must be positive, got {}", batch_size);
  batch_size_ = batch_size;
  return *this;
}

namespace {

// A 64-bit Philox draw: words 0 and 1 of the block at `counter` under `key`.
std::uint64_t philox64(std::uint64_t key, std::uint64_t counter) {
  const auto words = Generator::philox(key, counter);
  return (std::uint64_t{words[0]} << 32) | words[1];
}

// Epoch `epoch`'s random order of [0, n): a Fisher-Yates shuffle whose draws come from
// Philox under key `seed`, counters from epoch * 2^40 on. It depends only on (n, seed,
// epoch), never on threads or on other generators.
std::vector<std::int64_t> shuffled_order(std::int64_t n, std::uint64_t seed, std::int64_t epoch) {
  std::vector<std::int64_t> order(static_cast<std::size_t>(n));
  std::iota(order.begin(), order.end(), std::int64_t{0});
  std::uint64_t counter = static_cast<std::uint64_t>(epoch) << 40;
  for (std::int64_t i = n - 1; i > 0; --i) {
    // Uniform in [0, i] by rejection: draws at or above `limit` would favour small values.
    const auto bound = static_cast<std::uint64_t>(i) + 1;
    const std::uint64_t limit = UINT64_MAX - UINT64_MAX % bound;
    std::uint64_t draw = philox64(seed, counter++);
    while (draw >= limit) draw = philox64(seed, counter++);
    std::swap(order[static_cast<std::size_t>(i)], order[draw % bound]);
  }
  return order;
}

// A seed for a loader given none: the next draw of the default generator, so that
// ex::manual_seed() fixes it.
std::uint64_t seed_from_default_generator() {
  Generator& generator = default_generator();
  return philox64(generator.seed(), generator.reserve(1));
}

}  // namespace

struct DataLoader::State {
  State(std::shared_ptr<const Dataset> dataset_in, DataLoaderOptions options_in)
      : dataset(std::move(dataset_in)), options(std::move(options_in)) {
    if (!dataset) fail("DataLoader: dataset is null");
    size = dataset->size();
    if (size < 0) fail("DataLoader: the dataset reports a negative size {}", size);
    const std::int64_t batch = options.batch_size();
    num_batches = options.drop_last() ? size / batch : size / batch + (size % batch != 0);
    if (!options.seed()) options.seed(seed_from_default_generator());
    if (!options.shuffle()) {
      order.resize(static_cast<std::size_t>(size));
      std::iota(order.begin(), order.end(), std::int64_t{0});
    }
  }

  void start_epoch() {
    prefetcher.stop();
    current.reset();
    position = 0;
    if (options.shuffle()) order = shuffled_order(size, *options.seed(), epoch);
    ++epoch;
    ++pass;
    if (options.prefetch() && num_batches > 0)
      prefetcher.start(num_batches, [this](std::int64_t batch) { return produce(batch); });
  }

  void set_epoch(std::int64_t next) {
    if (next < 0) fail("DataLoader::set_epoch: the epoch must be >= 0, got {}", next);
    prefetcher.stop();
    current.reset();
    position = num_batches;
    epoch = next;
    ++pass;
  }

  // Batch `batch` of the current order; runs on the prefetch thread when prefetching.
  Example produce(std::int64_t batch) const {
    const std::int64_t begin = batch * options.batch_size();
    const std::int64_t end = std::min(begin + options.batch_size(), size);
    return dataset->get_batch(std::vector<std::int64_t>(order.begin() + begin, order.begin() + end));
  }

  // The batch at `position`, from the prefetch thread or made here. A failure ends the
  // epoch: later batches are never prepared, and iterators compare equal to end().
  Example take() {
    try {
      return options.prefetch() ? prefetcher.take() : produce(position);
    } catch (...) {
      position = num_batches;
      current.reset();
      prefetcher.stop();
      throw;
    }
  }

  void check_iterator(std::int64_t iterator_epoch, std::int64_t iterator_pass, const char* action) const {
    if (iterator_pass != pass)
      fail("DataLoader: {} an iterator of epoch {}, but the loader is at epoch {} (each begin() starts a new epoch)",
           action, iterator_epoch, epoch);
    if (position >= num_batches) fail("DataLoader: {} an iterator at the end of the epoch", action);
  }

  Example& current_batch(std::int64_t iterator_epoch, std::int64_t iterator_pass) {
    check_iterator(iterator_epoch, iterator_pass, "dereferencing");
    if (!current) current = take();
    return *current;
  }

  void advance(std::int64_t iterator_epoch, std::int64_t iterator_pass) {
    check_iterator(iterator_epoch, iterator_pass, "incrementing");
    if (!current) take();  // prepared and dropped, so that its error is not lost
    current.reset();
    ++position;
  }

  bool at_end(std::int64_t iterator_pass) const { return iterator_pass != pass || position >= num_batches; }

  std::shared_ptr<const Dataset> dataset;
  DataLoaderOptions options;  // its seed is always set (drawn when the caller gave none)
  std::int64_t size = 0;
  std::int64_t num_batches = 0;
  std::int64_t epoch = 0;  // epochs started; the current one's iterators carry this number
  std::int64_t pass = 0;   // begin() and set_epoch() calls: only the latest begin()'s iterators are live
  std::vector<std::int64_t> order;
  std::int64_t position = 0;           // the batch the epoch's iterators are at
  std::optional<Example> current;      // that batch, once taken
  detail::BatchPrefetcher prefetcher;  // last: destroyed (joined) first, before what it reads
};

DataLoader::DataLoader(std::shared_ptr<const Dataset> dataset, DataLoaderOptions options)
    : state_(std::make_unique<State>(std::move(dataset), std::move(options))) {}
DataLoader::~DataLoader() = default;
DataLoader::DataLoader(DataLoader&&) noexcept = default;
DataLoader& DataLoader::operator=(DataLoader&&) noexcept = default;

DataLoader::State& DataLoader::state() const {
  if (!state_) fail("DataLoader: the loader was moved from");
  return *state_;
}

std::int64_t DataLoader::num_batches() const { return state().num_batches; }
std::int64_t DataLoader::epochs_started() const { return state().epoch; }
void DataLoader::set_epoch(std::int64_t epoch) { state().set_epoch(epoch); }
const DataLoaderOptions& DataLoader::options() const { return state().options; }
const std::shared_ptr<const Dataset>& DataLoader::dataset() const { return state().dataset; }

DataLoader::Iterator DataLoader::begin() {
  State& s = state();
  s.start_epoch();
  return Iterator(&s, s.epoch, s.pass);
}

Example& DataLoader::Iterator::operator*() const {
  if (!state_) fail("DataLoader: dereferencing a default-constructed iterator");
  return state_->current_batch(epoch_, pass_);
}

DataLoader::Iterator& DataLoader::Iterator::operator++() {
  if (!state_) fail("DataLoader: incrementing a default-constructed iterator");
  state_->advance(epoch_, pass_);
  return *this;
}

bool DataLoader::Iterator::at_end() const { return !state_ || state_->at_end(pass_); }

}  // namespace ex::data
