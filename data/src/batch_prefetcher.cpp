// The DataLoader's background thread: a one-slot hand-off between producer and consumer.
#include "data/src/batch_prefetcher.hpp"

#include <utility>

#include "common/check.hpp"

namespace ex::data::detail {

void BatchPrefetcher::start(std::int64_t count, Produce produce) {
  stop();
  stop_requested_ = false;
  slot_full_ = false;
  slot_.reset();
  error_ = nullptr;
  remaining_ = count;
  thread_ = std::thread([this, count, produce = std::move(produce)] { run(count, produce); });
}

void BatchPrefetcher::run(std::int64_t count, const Produce& produce) {
  for (std::int64_t batch = 0; batch < count; ++batch) {
    {
      // Wait until the consumer has taken the previous batch, so that this one is
      // prepared while the consumer works on that one.
      std::unique_lock lock(mutex_);
      changed_.wait(lock, [this] { return stop_requested_ || !slot_full_; });
      if (stop_requested_) return;
    }
    std::optional<Example> prepared;
    std::exception_ptr error;
    try {
      prepared = produce(batch);
    } catch (...) {
      error = std::current_exception();
    }
    {
      std::lock_guard lock(mutex_);
      slot_ = std::move(prepared);
      error_ = error;
      slot_full_ = true;
    }
    changed_.notify_all();
    if (error) return;
  }
}

Example BatchPrefetcher::take() {
  if (remaining_ <= 0) ex::detail::fail("DataLoader: internal error: no batch is being prepared");
  --remaining_;
  std::unique_lock lock(mutex_);
  changed_.wait(lock, [this] { return slot_full_; });
  std::optional<Example> batch = std::exchange(slot_, std::nullopt);
  std::exception_ptr error = std::exchange(error_, nullptr);
  slot_full_ = false;
  lock.unlock();
  changed_.notify_all();
  if (error) {
    remaining_ = 0;  // the thread has ended
    std::rethrow_exception(error);
  }
  return std::move(*batch);
}

void BatchPrefetcher::stop() noexcept {
  if (!thread_.joinable()) return;
  {
    std::lock_guard lock(mutex_);
    stop_requested_ = true;
  }
  changed_.notify_all();
  thread_.join();
  remaining_ = 0;
}

}  // namespace ex::data::detail
