// Threads training their own models while DataLoaders are created, abandoned mid-epoch,
// fully iterated and destroyed around them; CI runs it under ThreadSanitizer.
#include <algorithm>
#include <atomic>
#include <latch>
#include <numeric>
#include <string>
#include <thread>

#include "test_util.hpp"

namespace {

using ex::data::DataLoader;
using ex::data::DataLoaderOptions;
using ex::data::Example;

constexpr int kTrainers = 4;

// Examples of a loader's dataset: data row i is [i, -i] float32, target i int64, so a
// batch's targets name the examples it holds.
std::shared_ptr<const ex::data::TensorDataset> identified(std::int64_t n) {
  const Tensor ids = ex::arange(n);
  return std::make_shared<ex::data::TensorDataset>(ex::stack({ids, -ids}, 1).to(ex::DType::Float32), ids);
}

// Iterates one whole epoch and returns an empty string when it held every example once,
// each data row with its target, or what went wrong.
std::string check_full_epoch(DataLoader& loader) {
  std::vector<std::int64_t> seen;
  for (Example& batch : loader) {
    const std::vector<std::int64_t> targets = batch.target.to_vector<std::int64_t>();
    const std::vector<float> data = batch.data.to_vector<float>();
    for (std::size_t i = 0; i < targets.size(); ++i)
      if (data[2 * i] != static_cast<float>(targets[i]) || data[2 * i + 1] != -static_cast<float>(targets[i]))
        return "a data row does not match its target " + std::to_string(targets[i]);
    seen.insert(seen.end(), targets.begin(), targets.end());
  }
  std::sort(seen.begin(), seen.end());
  std::vector<std::int64_t> expected(static_cast<std::size_t>(loader.dataset()->size()));
  std::iota(expected.begin(), expected.end(), std::int64_t{0});
  return seen == expected ? "" : "an epoch did not hold every example exactly once";
}

// One round of loader churn over `dataset`: loaders that are destroyed while their
// prefetch thread prepares the first batch, abandoned after a batch or two, replaced by
// move-assignment mid-epoch, and iterated to the end. The unseeded ones draw their seeds
// from the default generator, which other threads use at the same time.
std::string churn_loaders(const std::shared_ptr<const ex::data::TensorDataset>& dataset, std::uint64_t seed) {
  const auto options = DataLoaderOptions(7).shuffle(true);
  {
    DataLoader loader(dataset, options);
    loader.begin();  // destroyed at once, its prefetch thread just started on batch 0
  }
  DataLoader loader(dataset, DataLoaderOptions(options).seed(seed));
  int taken = 0;
  for (Example& batch : loader) {
    if (batch.target.numel() != 7) return "a batch of the wrong size";
    if (++taken == 2) break;  // abandoned while batch 2 is being prepared
  }
  auto it = loader.begin();
  (void)*it;
  loader = DataLoader(dataset, options);  // the old loader stops mid-epoch
  return check_full_epoch(loader);
}

// A classifier trained with SGD on its own random data, read through a shuffling,
// prefetching loader; every value depends only on seed. With churn, each step also
// starts a loader over `shared` and abandons it. Returns the final parameters.
std::vector<float> train(std::uint64_t seed, const std::shared_ptr<const ex::data::TensorDataset>& shared, bool churn) {
  ex::Generator gen(seed);
  const Tensor x = ex::randn({48, 6}, ex::DType::Float32, gen);
  const Tensor y = ex::randint(0, 3, {48}, ex::DType::Int64, gen);
  ex::nn::Sequential model(ex::nn::Linear(6, 16), ex::nn::ReLU(), ex::nn::Linear(16, 3));
  // Linear draws its initial values from the process-wide generator, whose draws other
  // threads interleave; this model's own generator makes them reproducible.
  for (const Tensor& p : model->parameters()) ex::nn::init::uniform_(p, -0.4, 0.4, gen);
  ex::optim::SGD optimizer(model->parameters(), ex::optim::SGDOptions(0.1).momentum(0.9));
  DataLoader loader(std::make_shared<ex::data::TensorDataset>(x, y), DataLoaderOptions(12).shuffle(true).seed(seed));
  for (int epoch = 0; epoch < 20; ++epoch)
    for (Example& batch : loader) {
      if (churn) {
        DataLoader abandoned(shared, DataLoaderOptions(5).shuffle(true));
        (void)*abandoned.begin();
      }
      optimizer.zero_grad();
      ex::cross_entropy(model(batch.data), batch.target).backward();
      optimizer.step();
    }
  std::vector<float> params;
  for (const Tensor& p : model->parameters())
    for (float v : p.to_vector<float>()) params.push_back(v);
  return params;
}

}  // namespace

TEST_CASE("threads training models while DataLoaders start, stop and finish around them match training alone") {
  const auto shared = identified(40);
  std::vector<std::vector<float>> alone;
  for (std::uint64_t seed = 0; seed < kTrainers; ++seed) alone.push_back(train(seed, shared, false));
  CHECK(alone[0] != alone[1]);

  // Trainers churn loaders over the shared dataset at every step; two more threads churn
  // and fully check loaders until the trainers are done.
  std::vector<std::vector<float>> together(kTrainers);
  std::vector<std::string> errors(kTrainers + 2);
  std::atomic<int> training{kTrainers};
  std::latch start(kTrainers + 2);
  std::vector<std::thread> threads;
  for (int k = 0; k < kTrainers; ++k)
    threads.emplace_back([&, k] {
      start.arrive_and_wait();
      try {
        together[k] = train(static_cast<std::uint64_t>(k), shared, true);
      } catch (const std::exception& e) {
        errors[k] = e.what();
      }
      --training;
    });
  std::vector<int> rounds(2);
  for (int k = 0; k < 2; ++k)
    threads.emplace_back([&, k] {
      start.arrive_and_wait();
      try {
        do {
          errors[kTrainers + k] = churn_loaders(shared, 100 + k);
          ++rounds[k];
        } while (training > 0 && errors[kTrainers + k].empty());
      } catch (const std::exception& e) {
        errors[kTrainers + k] = e.what();
      }
    });
  for (auto& t : threads) t.join();
  for (const std::string& error : errors) CHECK(error.empty());
  for (int k = 0; k < kTrainers; ++k) CHECK(together[k] == alone[k]);  // bitwise
  MESSAGE("churn rounds: " << rounds[0] << ", " << rounds[1]);
}
