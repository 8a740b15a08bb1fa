// Where graph nodes live: their inline lists (SmallVector) and the per-thread free lists
// they are allocated from, which must survive graphs that cross threads.

#include <doctest/doctest.h>

#include <cmath>
#include <extensor/autograd/small_vector.hpp>
#include <extensor/extensor.hpp>
#include <string>
#include <thread>
#include <vector>

#include "test_util.hpp"

namespace {

// y = x * 2 - 1 applied `pairs` times; dy/dx = 2^pairs.
Tensor chain(const Tensor& x, int pairs) {
  Tensor y = x;
  for (int i = 0; i < pairs; ++i) y = y * 2.0 - 1.0;
  return y;
}

}  // namespace

TEST_CASE("SmallVector keeps N elements inline and spills the rest to the heap") {
  ex::autograd::SmallVector<std::string, 2> v;
  CHECK(v.empty());
  v.push_back("a");
  v.push_back(std::string("b"));
  const std::string* inline_data = v.data();
  CHECK(v.size() == 2);
  v.push_back("c");  // spills: every element moves to the heap, in order
  CHECK(v.data() != inline_data);
  CHECK(std::vector<std::string>(v.begin(), v.end()) == std::vector<std::string>{"a", "b", "c"});
  v.push_back("d");
  CHECK(v.span().size() == 4);
  CHECK(v[3] == "d");
  v.clear();
  CHECK(v.empty());
  CHECK(v.data() == inline_data);  // back inline after clear
  v.assign(3, "x");
  CHECK(std::vector<std::string>(v.begin(), v.end()) == std::vector<std::string>{"x", "x", "x"});
  v.assign(1, "y");
  CHECK(v.size() == 1);
  CHECK(v.data() == inline_data);
  CHECK(v[0] == "y");
}

TEST_CASE("ops with more inputs than a node keeps inline get every gradient") {
  // concatenate of five leaves: the node's edges and input shapes spill to the heap.
  std::vector<Tensor> parts;
  for (int i = 0; i < 5; ++i) parts.push_back(ex::full({i + 1}, i + 1.0).requires_grad_());
  Tensor weights = ex::arange(15.0);
  ex::dot(ex::concatenate(parts), weights).backward();
  std::int64_t offset = 0;
  for (int i = 0; i < 5; ++i) {
    std::vector<double> expected;
    for (int j = 0; j <= i; ++j) expected.push_back(static_cast<double>(offset++));
    check_values(parts[static_cast<std::size_t>(i)].grad(), {i + 1}, expected);
  }
}

TEST_CASE("a graph recorded on one thread is freed on another, whose nodes are then reused") {
  Tensor x = ex::ones({3}).requires_grad_();
  Tensor y;
  // The recording thread exits (its free lists are released) while y still holds the graph.
  std::thread([&] { y = chain(x, 20); }).join();
  CHECK(y.requires_grad());
  y = Tensor();  // the nodes are freed here, into this thread's lists
  for (int round = 0; round < 3; ++round) {
    x.set_grad(Tensor());
    chain(x, 20).backward(ex::ones({3}));  // recorded from the blocks just freed
    check_values(x.grad(), {3}, {std::ldexp(1.0, 20), std::ldexp(1.0, 20), std::ldexp(1.0, 20)});
  }
}

TEST_CASE("threads that record, back-propagate and free graphs at once get the sequential results") {
  constexpr int kThreads = 4, kRounds = 30;
  std::vector<Tensor> leaves, handed_over(kThreads);
  for (int t = 0; t < kThreads; ++t) leaves.push_back(ex::full({4}, 1.0 + t).requires_grad_());
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t)
    threads.emplace_back([&, t] {
      for (int r = 0; r < kRounds; ++r) {
        chain(leaves[static_cast<std::size_t>(t)], 10).backward(ex::ones({4}));
        // Also leave a graph behind for the main thread to free.
        if (r == kRounds - 1) handed_over[static_cast<std::size_t>(t)] = chain(ex::ones({4}).requires_grad_(), 50);
      }
    });
  for (std::thread& th : threads) th.join();
  handed_over.clear();
  for (const Tensor& x : leaves) check_values(x.grad(), {4}, std::vector<double>(4, kRounds * std::ldexp(1.0, 10)));
}
