// Threads, logging, backend, shape helpers.
#include <spdlog/spdlog.h>

#include "test_util.hpp"

TEST_CASE("threads: set and get") {
  const int before = ex::get_num_threads();
  ex::set_num_threads(1);
  CHECK(ex::get_num_threads() == 1);
  ex::set_num_threads(2);
  CHECK(ex::get_num_threads() == 2);
  CHECK_THROWS_WITH_AS(ex::set_num_threads(0), "set_num_threads: thread count must be at least 1, got 0", ex::Error);
  ex::set_num_threads(before);
}

TEST_CASE("logging: one named logger, warn by default, level settable") {
  spdlog::logger& log = ex::logger();
  CHECK(log.name() == "extensor");
  CHECK(&log == spdlog::get("extensor").get());
  const auto before = log.level();
  if (!std::getenv("EXTENSOR_LOG_LEVEL")) CHECK(before == spdlog::level::warn);
  ex::set_log_level("debug");
  CHECK(log.level() == spdlog::level::debug);
  ex::set_log_level("off");
  CHECK(log.level() == spdlog::level::off);
  CHECK_THROWS_WITH_AS(ex::set_log_level("loud"), doctest::Contains("set_log_level: unknown log level 'loud'"),
                       ex::Error);
  log.set_level(before);
}

TEST_CASE("backend: oneDNN is linked") {
  const std::string info = ex::backend_info();
  CHECK(info.find("oneDNN 2.") == 0);
  CHECK(info.find("OpenMP") != std::string::npos);
}

TEST_CASE("backend: oneDNN's bfloat16 support follows the instruction set it runs on") {
  const std::string info = ex::backend_info();
  INFO(info);
  // oneDNN 2.6 has bfloat16 kernels from AVX-512 on (emulated without AVX512-BF16).
  CHECK(ex::onednn_supports_bf16() == (info.find("ISA avx512") != std::string::npos));
  // Either way a bfloat16 product large enough for oneDNN is computed.
  const ex::Tensor a = ex::ones({64, 64}, ex::DType::BFloat16);
  CHECK(ex::matmul(a, a).to_vector<double>() == std::vector<double>(64 * 64, 64.0));
}

TEST_CASE("shape: small-vector behaviour and helpers") {
  ex::Shape s{1, 2, 3, 4, 5, 6};
  s.push_back(7);  // spills to the heap
  s.push_back(8);
  CHECK(s.size() == 8);
  CHECK(s.numel() == 40320);
  ex::Shape copy = s;
  s.erase(0);
  CHECK(copy.str() == "[1, 2, 3, 4, 5, 6, 7, 8]");
  CHECK(s.str() == "[2, 3, 4, 5, 6, 7, 8]");
  ex::Shape moved = std::move(copy);
  CHECK(moved.size() == 8);
  moved.insert(0, 9);
  CHECK(moved[0] == 9);
  CHECK(ex::Shape{}.numel() == 1);
  CHECK(ex::Shape{}.str() == "[]");

  CHECK(ex::normalize_axis(-1, 3, "f") == 2);
  CHECK_THROWS_WITH_AS(ex::normalize_axis(3, 3, "sum"), "sum: axis 3 is out of range for a tensor of rank 3",
                       ex::Error);
  CHECK_THROWS_AS(ex::normalize_axis(0, 0, "sum"), ex::Error);
  CHECK(ex::contiguous_strides({2, 3, 4}) == ex::Strides{12, 4, 1});
  CHECK(ex::contiguous_strides({2, 0, 4}) == ex::Strides{4, 4, 1});
  CHECK(ex::broadcast_shapes({3, 1}, {1, 4}) == ex::Shape{3, 4});
  CHECK(ex::broadcast_shapes({4}, {2, 3, 4}) == ex::Shape{2, 3, 4});
  CHECK(ex::broadcast_shapes({}, {2, 0}) == ex::Shape{2, 0});
  CHECK_THROWS_WITH_AS(ex::broadcast_shapes({3, 2}, {4, 2}, "add"),
                       "add: shapes [3, 2] and [4, 2] cannot be broadcast (dim 0: 3 vs 4)", ex::Error);
  CHECK(ex::checked_numel({3, 4}, "f") == 12);
  CHECK_THROWS_AS(ex::checked_numel({std::int64_t{1} << 31, std::int64_t{1} << 31, 4}, "f"), ex::Error);
}
