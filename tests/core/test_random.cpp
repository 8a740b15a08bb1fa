// Seeded random numbers: reproducibility and rough distributions.
#include <cmath>
#include <numeric>

#include "test_util.hpp"

namespace {
std::pair<double, double> mean_std(const std::vector<double>& v) {
  const double mean = std::accumulate(v.begin(), v.end(), 0.0) / static_cast<double>(v.size());
  double var = 0;
  for (double x : v) var += (x - mean) * (x - mean);
  return {mean, std::sqrt(var / static_cast<double>(v.size()))};
}
}  // namespace

TEST_CASE("random: the same seed gives the same numbers") {
  ex::manual_seed(123);
  const auto a = ex::randn({1000}).to_vector<float>();
  const auto b = ex::rand({10}, DType::Float64).to_vector<double>();
  ex::manual_seed(123);
  CHECK(ex::randn({1000}).to_vector<float>() == a);
  CHECK(ex::rand({10}, DType::Float64).to_vector<double>() == b);
  ex::manual_seed(124);
  CHECK(ex::randn({1000}).to_vector<float>() != a);
  // Consecutive draws differ.
  ex::manual_seed(123);
  const auto first = ex::rand({100}).to_vector<float>();
  CHECK(ex::rand({100}).to_vector<float>() != first);
}

TEST_CASE("random: results do not depend on the thread count") {
  ex::Generator g1(77), g2(77);
  ex::set_num_threads(1);
  const auto one = ex::randn({200000}, DType::Float32, g1).to_vector<float>();
  ex::set_num_threads(2);
  const auto two = ex::randn({200000}, DType::Float32, g2).to_vector<float>();
  CHECK(one == two);
}

TEST_CASE("random: generator state round-trips") {
  ex::Generator g(5);
  (void)ex::rand({7}, DType::Float32, g);
  const auto state = g.state();
  const auto next = ex::rand({5}, DType::Float32, g).to_vector<float>();
  g.set_state(state);
  CHECK(ex::rand({5}, DType::Float32, g).to_vector<float>() == next);
  CHECK(g.seed() == 5);
}

TEST_CASE("random: distributions over 1e5 samples") {
  ex::Generator g(2024);
  auto [um, us] = mean_std(ex::rand({100000}, DType::Float64, g).to_vector<double>());
  CHECK(um == doctest::Approx(0.5).epsilon(0.01));
  CHECK(us == doctest::Approx(1 / std::sqrt(12.0)).epsilon(0.01));
  auto [nm, ns] = mean_std(ex::randn({100000}, DType::Float32, g).to_vector<double>());
  CHECK(std::fabs(nm) < 0.015);
  CHECK(ns == doctest::Approx(1.0).epsilon(0.015));
  const auto u = ex::rand({100000}, DType::Float32, g).to_vector<float>();
  CHECK(*std::min_element(u.begin(), u.end()) >= 0.0f);
  CHECK(*std::max_element(u.begin(), u.end()) < 1.0f);
  // Half types never round up to 1.0.
  for (DType d : {DType::Float16, DType::BFloat16}) {
    const auto h = ex::rand({20000}, d, g).to_vector<float>();
    CHECK(*std::max_element(h.begin(), h.end()) < 1.0f);
  }
}

TEST_CASE("random: randint range and rough uniformity") {
  ex::Generator g(9);
  const auto v = ex::randint(-3, 4, {70000}, DType::Int64, g).to_vector<std::int64_t>();
  std::vector<int> counts(7, 0);
  for (auto x : v) {
    REQUIRE(x >= -3);
    REQUIRE(x < 4);
    ++counts[static_cast<std::size_t>(x + 3)];
  }
  for (int c : counts) CHECK(std::abs(c - 10000) < 500);
  CHECK(ex::randint(0, 256, {10}, DType::UInt8, g).dtype() == DType::UInt8);
  const auto wide = ex::randint(std::numeric_limits<std::int64_t>::min(), std::numeric_limits<std::int64_t>::max(), {4},
                                DType::Int64, g);
  CHECK(wide.numel() == 4);
}

TEST_CASE("random: errors") {
  CHECK_THROWS_WITH_AS(ex::rand({2}, DType::Int32), "rand: dtype int32 is not a floating-point type", ex::Error);
  CHECK_THROWS_AS(ex::randn({2}, DType::Bool), ex::Error);
  CHECK_THROWS_WITH_AS(ex::randint(5, 5, {2}), "randint: high (5) must be greater than low (5)", ex::Error);
  CHECK_THROWS_AS(ex::randint(0, 2, {2}, DType::Bool), ex::Error);
  CHECK_THROWS_AS(ex::rand({-2}), ex::Error);
}
