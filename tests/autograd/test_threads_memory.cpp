// Per-thread tapes and bounded memory.

#include <doctest/doctest.h>

#include <extensor/extensor.hpp>
#include <fstream>
#include <latch>
#include <string>
#include <thread>

#include "test_util.hpp"

namespace {

Tensor total(const Tensor& t) {
  Tensor flat = t.reshape({-1});
  return ex::dot(flat, ex::ones_like(flat));
}

// A little regression trained for a few steps: everything it returns depends on every
// op of the forward and backward passes.
std::vector<double> train_small_model(std::uint64_t seed) {
  ex::Generator gen(seed);
  Tensor x = ex::randn({16, 8}, DType::Float64, gen);
  Tensor w1 = ex::randn({8, 12}, DType::Float64, gen).requires_grad_();
  Tensor w2 = ex::randn({12, 1}, DType::Float64, gen).requires_grad_();
  for (int step = 0; step < 20; ++step) {
    Tensor h = ex::matmul(x, w1);
    Tensor out = ex::matmul(h * h * 0.1 + h, w2);
    Tensor loss = total(out * out) * (1.0 / 16);
    loss.backward();
    ex::NoGradGuard no_grad;
    ex::sub_(w1, w1.grad() * 0.001);
    ex::sub_(w2, w2.grad() * 0.001);
    w1.set_grad(Tensor());
    w2.set_grad(Tensor());
  }
  std::vector<double> result = w1.to_vector<double>();
  for (double v : w2.to_vector<double>()) result.push_back(v);
  return result;
}

long resident_kib() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line))
    if (line.rfind("VmRSS:", 0) == 0) return std::stol(line.substr(6));
  return -1;
}

}  // namespace

TEST_CASE("four threads training their own models match running them one after another, bitwise") {
  std::vector<std::vector<double>> sequential;
  for (std::uint64_t seed = 0; seed < 4; ++seed) sequential.push_back(train_small_model(seed));
  std::vector<std::vector<double>> parallel(4);
  std::vector<std::thread> threads;
  for (std::uint64_t seed = 0; seed < 4; ++seed)
    threads.emplace_back([&parallel, seed] { parallel[seed] = train_small_model(seed); });
  for (auto& t : threads) t.join();
  for (std::size_t i = 0; i < 4; ++i) CHECK(parallel[i] == sequential[i]);  // bitwise
  CHECK(sequential[0] != sequential[1]);
}

TEST_CASE("a graph recorded on one thread cannot be used from another") {
  Tensor x = ex::ones({3}, DType::Float64).requires_grad_();
  Tensor y = total(x * 2.0);
  std::string backward_error, record_error;
  std::thread([&] {
    try {
      y.backward();
    } catch (const ex::Error& e) {
      backward_error = e.what();
    }
    try {
      (void)(y * 2.0);
    } catch (const ex::Error& e) {
      record_error = e.what();
    }
  }).join();
  CHECK(backward_error.find("recorded on another thread") != std::string::npos);
  CHECK(record_error.find("another thread") != std::string::npos);
  // Leaves are shared freely: a second thread may use x in its own graph.
  std::thread([&] { total(x * 3.0).backward(); }).join();
  ex::test::check_values(x.grad(), {3}, {3, 3, 3});
  y.backward();  // the owning thread still can
  ex::test::check_values(x.grad(), {3}, {5, 5, 5});
}

TEST_CASE("threads back-propagating at once through graphs that share a leaf") {
  // Every thread's graph uses the same leaf; backward and grad() run concurrently. The
  // contributions are small integers, so the sum is exact in any order.
  Tensor x = ex::ones({4}, DType::Float64).requires_grad_();
  // Each thread's graphs reach the leaf through their own accumulator node (the engine
  // keeps per-backward state in nodes); graphs of one thread share one.
  auto accumulator_of = [](const Tensor& y) { return y.grad_fn()->next_edges()[0].node; };
  const Tensor here1 = x * 2.0, here2 = x * 3.0;
  std::shared_ptr<ex::autograd::Node> other;
  Tensor kept;
  std::thread([&] {
    kept = x * 5.0;
    other = accumulator_of(kept);
  }).join();
  CHECK(accumulator_of(here1) == accumulator_of(here2));
  CHECK(other != accumulator_of(here1));
  kept = Tensor();
  other.reset();
  constexpr int kThreads = 4, kSteps = 300;
  std::latch start(kThreads);
  std::vector<std::string> errors(kThreads);
  std::vector<std::thread> threads;
  for (int k = 1; k <= kThreads; ++k)
    threads.emplace_back([&, k] {
      start.arrive_and_wait();
      for (int step = 0; step < kSteps; ++step) {
        Tensor y = total(x * static_cast<double>(k) + x);  // x is used twice in each graph
        std::vector<Tensor> g = ex::autograd::grad({y}, {x}, {}, /*retain_graph=*/true);
        if (g[0].to_vector<double>() != std::vector<double>(4, k + 1.0)) errors[k - 1] = "grad() mixed threads";
        y.backward();
      }
    });
  for (auto& t : threads) t.join();
  for (const std::string& error : errors) CHECK(error.empty());
  // sum over k = 1..4 of (k + 1) per step
  ex::test::check_values(x.grad(), {4}, std::vector<double>(4, kSteps * 14.0));
}

TEST_CASE("memory stays flat over 100k forwards without backward, and over forward+backward loops") {
  ex::Generator gen(7);
  Tensor x = ex::randn({8, 32}, DType::Float32, gen);
  Tensor w1 = ex::randn({32, 64}, DType::Float32, gen).requires_grad_();
  Tensor b1 = ex::zeros({64}).requires_grad_();
  Tensor w2 = ex::randn({64, 10}, DType::Float32, gen).requires_grad_();
  auto forward = [&] {
    Tensor h = ex::matmul(x, w1) + b1;
    return total(ex::matmul(h * h, w2));
  };
  for (int i = 0; i < 2000; ++i) forward();  // warm caches and allocator pools
  const long before = resident_kib();
  for (int i = 0; i < 100000; ++i) forward();
  const long after_forwards = resident_kib();
  for (int i = 0; i < 20000; ++i) forward().backward();
  const long after_backwards = resident_kib();
  INFO("RSS KiB: " << before << " -> " << after_forwards << " -> " << after_backwards);
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
  // The sanitizers keep freed memory in quarantine, so RSS grows without a leak; their
  // leak checker covers this case instead.
  return;
#endif
  // Each forward records 6 nodes and ~20 KiB of tensors: a leak of even one node per
  // iteration would add megabytes.
  CHECK(after_forwards - before < 4096);
  CHECK(after_backwards - before < 4096);
}
