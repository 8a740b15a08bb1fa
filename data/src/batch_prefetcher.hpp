#pragma once
// Private: the DataLoader's background thread.

#include <condition_variable>
#include <cstdint>
#include <exception>
#include <functional>
#include <mutex>
#include <optional>
#include <thread>

#include "extensor/data/dataset.hpp"

namespace ex::data::detail {

// Prepares batches 0..count-1 of an epoch on a background thread, exactly one ahead of
// the consumer: batch b+1 is prepared while the consumer holds batch b, and nothing
// more, so memory stays at two batches. An exception thrown while preparing a batch is
// handed to the consumer in that batch's place and ends the thread.
class BatchPrefetcher {
 public:
  using Produce = std::function<Example(std::int64_t batch)>;

  BatchPrefetcher() = default;
  ~BatchPrefetcher() { stop(); }
  BatchPrefetcher(const BatchPrefetcher&) = delete;
  BatchPrefetcher& operator=(const BatchPrefetcher&) = delete;

  // Starts a thread preparing batches 0..count-1 with produce. Stops the previous one.
  void start(std::int64_t count, Produce produce);
  // The next batch, waited for; rethrows what its preparation threw. At most `count`
  // calls per start (more throw ex::Error rather than wait forever).
  Example take();
  // Asks the thread to finish and joins it, after the batch it is preparing, if any.
  void stop() noexcept;

 private:
  void run(std::int64_t count, const Produce& produce);

  std::mutex mutex_;
  std::condition_variable changed_;
  bool stop_requested_ = false;
  bool slot_full_ = false;       // slot_ or error_ holds the next batch's outcome
  std::optional<Example> slot_;  // guarded by mutex_
  std::exception_ptr error_;     // guarded by mutex_
  std::int64_t remaining_ = 0;   // batches of this epoch not yet taken (consumer only)
  std::thread thread_;           // last, so it never outlives the state it uses
};

}  // namespace ex::data::detail
