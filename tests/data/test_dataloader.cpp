// DataLoader: batching, drop_last, seeded shuffles, prefetch, errors, early exits.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <iterator>
#include <numeric>
#include <stdexcept>
#include <thread>

#include "test_util.hpp"

namespace {

using ex::data::DataLoader;
using ex::data::DataLoaderOptions;
using ex::data::Example;

static_assert(std::input_iterator<DataLoader::Iterator>);
static_assert(std::sentinel_for<DataLoader::Sentinel, DataLoader::Iterator>);

// n examples: data row i is [i, 10 i] float32, target i int64.
std::shared_ptr<ex::data::TensorDataset> numbered(std::int64_t n) {
  const ex::Tensor ids = ex::arange(n);
  const ex::Tensor data = ex::stack({ids, ids * 10}, 1).to(ex::DType::Float32);
  return std::make_shared<ex::data::TensorDataset>(data, ids);
}

// The targets of each batch of one epoch.
std::vector<std::vector<std::int64_t>> epoch_targets(DataLoader& loader) {
  std::vector<std::vector<std::int64_t>> batches;
  for (Example& batch : loader) batches.push_back(batch.target.to_vector<std::int64_t>());
  return batches;
}

std::vector<std::int64_t> flat(const std::vector<std::vector<std::int64_t>>& batches) {
  std::vector<std::int64_t> all;
  for (const auto& batch : batches) all.insert(all.end(), batch.begin(), batch.end());
  return all;
}

// Counts get_batch calls and the threads they ran on; throws std::runtime_error for a
// batch holding `bad_index`, and sleeps `delay` per call.
class ProbeDataset : public ex::data::Dataset {
 public:
  ProbeDataset(std::int64_t size, std::int64_t bad_index = -1,
               std::chrono::milliseconds delay = std::chrono::milliseconds(0))
      : inner_(numbered(size)), bad_index_(bad_index), delay_(delay) {}
  std::int64_t size() const override { return inner_->size(); }
  Example get(std::int64_t index) const override { return inner_->get(index); }
  Example get_batch(const std::vector<std::int64_t>& indices) const override {
    ++calls;
    if (std::this_thread::get_id() != caller) ++calls_off_caller_thread;
    std::this_thread::sleep_for(delay_);
    if (std::find(indices.begin(), indices.end(), bad_index_) != indices.end())
      throw std::runtime_error("probe: bad example " + std::to_string(bad_index_));
    return inner_->get_batch(indices);
  }

  mutable std::atomic<int> calls{0};
  mutable std::atomic<int> calls_off_caller_thread{0};
  std::thread::id caller = std::this_thread::get_id();

 private:
  std::shared_ptr<ex::data::TensorDataset> inner_;
  std::int64_t bad_index_;
  std::chrono::milliseconds delay_;
};

class NegativeSizeDataset : public ex::data::Dataset {
 public:
  std::int64_t size() const override { return -1; }
  Example get(std::int64_t) const override { return {}; }
};

}  // namespace

TEST_CASE("DataLoader batches in order, keeping or dropping the last partial batch") {
  for (bool prefetch : {true, false}) {
    INFO("prefetch " << prefetch);
    DataLoader loader(numbered(10), DataLoaderOptions(4).prefetch(prefetch));
    CHECK(loader.num_batches() == 3);
    std::vector<Example> batches;
    for (Example& batch : loader) batches.push_back(batch);
    REQUIRE(batches.size() == 3);
    check_values(batches[0].data, {4, 2}, {0, 0, 1, 10, 2, 20, 3, 30});
    check_values(batches[1].target, {4}, {4, 5, 6, 7});
    check_values(batches[2].data, {2, 2}, {8, 80, 9, 90});
    check_values(batches[2].target, {2}, {8, 9});
    CHECK(batches[2].target.dtype() == ex::DType::Int64);

    DataLoader dropping(numbered(10), DataLoaderOptions(4).drop_last(true).prefetch(prefetch));
    CHECK(dropping.num_batches() == 2);
    CHECK(flat(epoch_targets(dropping)) == std::vector<std::int64_t>{0, 1, 2, 3, 4, 5, 6, 7});

    DataLoader exact(numbered(8), DataLoaderOptions(4).drop_last(true).prefetch(prefetch));
    CHECK(exact.num_batches() == 2);
    DataLoader ones(numbered(3), DataLoaderOptions().prefetch(prefetch));  // batch_size 1
    CHECK(epoch_targets(ones) == std::vector<std::vector<std::int64_t>>{{0}, {1}, {2}});
    DataLoader big(numbered(3), DataLoaderOptions(100).prefetch(prefetch));
    CHECK(epoch_targets(big) == std::vector<std::vector<std::int64_t>>{{0, 1, 2}});
    DataLoader none(numbered(3), DataLoaderOptions(100).drop_last(true).prefetch(prefetch));
    CHECK(none.num_batches() == 0);
    CHECK(epoch_targets(none).empty());
  }
}

TEST_CASE("DataLoader over an empty dataset yields no batches") {
  auto empty = std::make_shared<ex::data::TensorDataset>(ex::zeros({0, 2}), ex::zeros({0}));
  DataLoader loader(empty, DataLoaderOptions(3).shuffle(true));
  CHECK(loader.num_batches() == 0);
  CHECK(loader.begin() == loader.end());
}

TEST_CASE("DataLoader::set_epoch starts the order of a later epoch, as a resumed run needs") {
  for (const bool prefetch : {false, true}) {
    const auto options = DataLoaderOptions(8).shuffle(true).seed(99).prefetch(prefetch);
    DataLoader straight(numbered(30), options), resumed(numbered(30), options);
    std::vector<std::vector<std::vector<std::int64_t>>> epochs;
    for (int epoch = 0; epoch < 4; ++epoch) epochs.push_back(epoch_targets(straight));
    resumed.set_epoch(2);
    CHECK(resumed.epochs_started() == 2);
    CHECK(epoch_targets(resumed) == epochs[2]);
    CHECK(epoch_targets(resumed) == epochs[3]);
    // Back to an epoch already seen: the same order again, and a running epoch ends.
    auto running = resumed.begin();
    resumed.set_epoch(0);
    CHECK(running == resumed.end());
    CHECK_THROWS_WITH_AS(*running, doctest::Contains("DataLoader: dereferencing an iterator of epoch 5"), ex::Error);
    auto first_pass = resumed.begin();
    CHECK(first_pass->target.to_vector<std::int64_t>() == epochs[0][0]);
    resumed.set_epoch(0);
    auto second_pass = resumed.begin();
    CHECK(first_pass == resumed.end());  // the same epoch number, but an earlier begin()
    CHECK(second_pass->target.to_vector<std::int64_t>() == epochs[0][0]);
    CHECK_THROWS_WITH_AS(resumed.set_epoch(-1), "DataLoader::set_epoch: the epoch must be >= 0, got -1", ex::Error);
  }
}

TEST_CASE("DataLoader shuffles: a permutation per epoch, new each epoch, the same for the same seed") {
  const auto options = DataLoaderOptions(8).shuffle(true).seed(1234);
  DataLoader first(numbered(50), options), second(numbered(50), options);
  std::vector<std::int64_t> sorted(50);
  std::iota(sorted.begin(), sorted.end(), 0);
  std::vector<std::vector<std::int64_t>> orders;
  for (int epoch = 0; epoch < 3; ++epoch) {
    const auto batches = epoch_targets(first);
    CHECK(batches.size() == 7);
    CHECK(batches.back().size() == 2);
    std::vector<std::int64_t> order = flat(batches);
    CHECK(epoch_targets(second) == batches);  // same seed, same epoch: same batches
    CHECK(order != sorted);
    std::vector<std::int64_t> check = order;
    std::sort(check.begin(), check.end());
    CHECK(check == sorted);  // every index exactly once
    orders.push_back(order);
  }
  CHECK(orders[0] != orders[1]);
  CHECK(orders[1] != orders[2]);
  CHECK(first.epochs_started() == 3);

  // The data rows travel with their targets.
  DataLoader loader(numbered(50), options);
  for (Example& batch : loader) {
    const auto targets = batch.target.to_vector<std::int64_t>();
    const auto data = batch.data.to_vector<float>();
    for (std::size_t i = 0; i < targets.size(); ++i) {
      CHECK(data[2 * i] == static_cast<float>(targets[i]));
      CHECK(data[2 * i + 1] == static_cast<float>(10 * targets[i]));
    }
  }

  // Another seed gives another order; the thread count does not matter.
  DataLoader other(numbered(50), DataLoaderOptions(8).shuffle(true).seed(1235));
  CHECK(flat(epoch_targets(other)) != orders[0]);
  const int threads = ex::get_num_threads();
  ex::set_num_threads(1);
  DataLoader single(numbered(50), options);
  CHECK(flat(epoch_targets(single)) == orders[0]);
  ex::set_num_threads(threads);

  // drop_last with shuffling drops a different remainder each epoch, but never repeats.
  DataLoader dropping(numbered(50), DataLoaderOptions(8).shuffle(true).seed(1234).drop_last(true));
  const auto kept = flat(epoch_targets(dropping));
  CHECK(kept.size() == 48);
  CHECK(std::vector<std::int64_t>(orders[0].begin(), orders[0].begin() + 48) == kept);
}

TEST_CASE("DataLoader without a seed follows ex::manual_seed") {
  ex::manual_seed(99);
  DataLoader first(numbered(40), DataLoaderOptions(5).shuffle(true));
  ex::manual_seed(99);
  DataLoader second(numbered(40), DataLoaderOptions(5).shuffle(true));
  REQUIRE(first.options().seed().has_value());
  CHECK(first.options().seed() == second.options().seed());
  CHECK(epoch_targets(first) == epoch_targets(second));
  DataLoader third(numbered(40), DataLoaderOptions(5).shuffle(true));  // the generator moved on
  CHECK(third.options().seed() != first.options().seed());
}

TEST_CASE("DataLoader gives the same batches with and without prefetch") {
  const auto options = DataLoaderOptions(7).shuffle(true).seed(5);
  DataLoader background(numbered(30), DataLoaderOptions(options).prefetch(true));
  DataLoader foreground(numbered(30), DataLoaderOptions(options).prefetch(false));
  for (int epoch = 0; epoch < 2; ++epoch) {
    std::vector<Example> a, b;
    for (Example& batch : background) a.push_back(batch);
    for (Example& batch : foreground) b.push_back(batch);
    REQUIRE(a.size() == b.size());
    for (std::size_t i = 0; i < a.size(); ++i) {
      CHECK(a[i].data.to_vector<float>() == b[i].data.to_vector<float>());
      CHECK(a[i].target.to_vector<std::int64_t>() == b[i].target.to_vector<std::int64_t>());
    }
  }
}

TEST_CASE("DataLoader prefetches on a background thread, one batch ahead") {
  auto probe = std::make_shared<ProbeDataset>(20);
  DataLoader loader(probe, DataLoaderOptions(2));
  int seen = 0;
  for (Example& batch : loader) {
    CHECK(batch.target.numel() == 2);
    ++seen;
    CHECK(probe->calls <= seen + 1);  // never more than the next batch in preparation
  }
  CHECK(seen == 10);
  CHECK(probe->calls == 10);
  CHECK(probe->calls_off_caller_thread == 10);

  auto sync_probe = std::make_shared<ProbeDataset>(20);
  DataLoader sync(sync_probe, DataLoaderOptions(2).prefetch(false));
  for (Example& batch : sync) CHECK(batch.target.numel() == 2);
  CHECK(sync_probe->calls == 10);
  CHECK(sync_probe->calls_off_caller_thread == 0);
}

TEST_CASE("DataLoader rethrows the dataset's exception to the caller and ends the epoch") {
  for (bool prefetch : {true, false}) {
    INFO("prefetch " << prefetch);
    auto probe = std::make_shared<ProbeDataset>(10, /*bad_index=*/5);
    DataLoader loader(probe, DataLoaderOptions(2).prefetch(prefetch));
    auto it = loader.begin();
    check_values(it->target, {2}, {0, 1});
    ++it;
    check_values((*it).target, {2}, {2, 3});
    ++it;
    CHECK_THROWS_WITH_AS(*it, "probe: bad example 5", std::runtime_error);
    CHECK(it == loader.end());
    CHECK_THROWS_WITH_AS(*it, doctest::Contains("DataLoader: dereferencing an iterator at the end of the epoch"),
                         ex::Error);

    // A range-for sees the exception at the failing batch, after the good ones.
    int good = 0;
    auto run = [&] {
      for (Example& batch : loader) good += static_cast<int>(batch.target.numel() > 0);
    };
    CHECK_THROWS_WITH_AS(run(), "probe: bad example 5", std::runtime_error);
    CHECK(good == 2);

    // Incrementing past a batch that was never dereferenced still reports its error.
    auto skipping = loader.begin();
    ++skipping;
    ++skipping;
    CHECK_THROWS_AS(++skipping, std::runtime_error);
    CHECK(skipping == loader.end());
  }
}

TEST_CASE("DataLoader: leaving a loop early, restarting and destroying mid-epoch join cleanly") {
  auto probe = std::make_shared<ProbeDataset>(100, -1, std::chrono::milliseconds(20));
  {
    DataLoader loader(probe, DataLoaderOptions(10));
    for (Example& batch : loader) {
      CHECK(batch.target.numel() == 10);
      break;  // the thread is preparing batch 1
    }
    auto stale = loader.begin();  // a new epoch stops the old thread
    auto fresh = loader.begin();
    CHECK(stale == loader.end());
    CHECK_THROWS_WITH_AS(*stale,
                         doctest::Contains("DataLoader: dereferencing an iterator of epoch 2, but the loader is at "
                                           "epoch 3"),
                         ex::Error);
    CHECK_THROWS_WITH_AS(++stale, doctest::Contains("DataLoader: incrementing an iterator of epoch 2"), ex::Error);
    check_values(fresh->target, {10}, {0, 1, 2, 3, 4, 5, 6, 7, 8, 9});
  }  // destroyed with the thread preparing batch 1 of epoch 3
  const int calls = probe->calls;
  CHECK(calls <= 5);  // epoch 1: two batches at most, epoch 2: one at most, epoch 3: two at most
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  CHECK(probe->calls == calls);  // nothing runs after destruction

  {
    DataLoader loader(probe, DataLoaderOptions(10));
    auto it = loader.begin();  // destroyed before the first batch is even taken
    (void)it;
  }
  DataLoader moved_from(probe, DataLoaderOptions(10));
  auto it = moved_from.begin();
  DataLoader moved_to(std::move(moved_from));
  check_values(it->target, {10}, {0, 1, 2, 3, 4, 5, 6, 7, 8, 9});  // iterators survive a move
  CHECK(moved_to.num_batches() == 10);
  CHECK_THROWS_WITH_AS(moved_from.num_batches(), doctest::Contains("DataLoader: the loader was moved from"), ex::Error);
}

TEST_CASE("DataLoader and DataLoaderOptions errors") {
  CHECK_THROWS_WITH_AS(DataLoaderOptions(0),
                       doctest::Contains("DataLoaderOptions::batch_size: batch_size must be positive, got 0"),
                       ex::Error);
  CHECK_THROWS_WITH_AS(DataLoaderOptions().batch_size(-3), doctest::Contains("DataLoaderOptions::batch_size:"),
                       ex::Error);
  CHECK_THROWS_WITH_AS(DataLoader(nullptr), doctest::Contains("DataLoader: dataset is null"), ex::Error);
  CHECK_THROWS_WITH_AS(DataLoader(std::make_shared<NegativeSizeDataset>()),
                       doctest::Contains("DataLoader: the dataset reports a negative size -1"), ex::Error);

  DataLoader::Iterator unset;
  CHECK(unset == DataLoader::Sentinel{});
  CHECK_THROWS_WITH_AS(*unset, doctest::Contains("DataLoader: dereferencing a default-constructed iterator"),
                       ex::Error);
  CHECK_THROWS_WITH_AS(++unset, doctest::Contains("DataLoader: incrementing a default-constructed iterator"),
                       ex::Error);

  DataLoader loader(numbered(2), DataLoaderOptions(2));
  auto it = loader.begin();
  ++it;
  CHECK(it == loader.end());
  CHECK_THROWS_WITH_AS(++it, doctest::Contains("DataLoader: incrementing an iterator at the end of the epoch"),
                       ex::Error);
}
