// Creation functions.
#include "test_util.hpp"

TEST_CASE("creation: constant fills in every dtype") {
  check_values(ex::zeros({2, 2}), {2, 2}, {0, 0, 0, 0});
  check_values(ex::ones({3}, DType::Int8), {3}, {1, 1, 1});
  check_values(ex::full({2}, -1.5, DType::Float16), {2}, {-1.5, -1.5});
  check_values(ex::full({2}, 3.9, DType::Int32), {2}, {3, 3});
  check_values(ex::full({1}, 2, DType::Bool), {1}, {1});
  check_values(ex::scalar_tensor(4.25, DType::Float64), {}, {4.25});
  CHECK(ex::ones({2}, DType::BFloat16).dtype() == DType::BFloat16);
  ex::Tensor like = ex::zeros({2, 3}, DType::UInt16);
  CHECK(ex::ones_like(like).dtype() == DType::UInt16);
  check_values(ex::full_like(like, 9), {2, 3}, {9, 9, 9, 9, 9, 9});
  CHECK(ex::zeros_like(like, DType::Float64).dtype() == DType::Float64);
  CHECK(ex::empty_like(like).shape() == ex::Shape{2, 3});
  // Large fills take the parallel path.
  ex::Tensor big = ex::full({100000}, 0.5);
  CHECK(big.to_vector<float>()[99999] == 0.5f);
}

TEST_CASE("creation: arange") {
  CHECK(ex::arange(5).dtype() == DType::Int64);
  check_values(ex::arange(5), {5}, {0, 1, 2, 3, 4});
  CHECK(ex::arange(0.0, 1.0, 0.25).dtype() == DType::Float32);
  check_values(ex::arange(0.0, 1.0, 0.25), {4}, {0, 0.25, 0.5, 0.75});
  check_values(ex::arange(5, 0, -2), {3}, {5, 3, 1});
  check_values(ex::arange(1.0, 2.0, 0.3, DType::Float64), {4}, {1.0, 1.3, 1.6, 1.9}, 1e-12);
  CHECK(ex::arange(3, 3).numel() == 0);
  CHECK_THROWS_WITH_AS(ex::arange(0, 5, 0), "arange: step must be nonzero", ex::Error);
  CHECK_THROWS_WITH_AS(ex::arange(0, 5, -1), doctest::Contains("arange: step -1 does not lead"), ex::Error);
  CHECK_THROWS_AS(ex::arange(0.0, INFINITY, 1.0, DType::Float32), ex::Error);
  CHECK_THROWS_AS(ex::arange(0.0, 1e300, 1e-300, DType::Float32), ex::Error);
}

TEST_CASE("creation: eye and linspace") {
  check_values(ex::eye(2), {2, 2}, {1, 0, 0, 1});
  check_values(ex::eye(2, 3, DType::Int32), {2, 3}, {1, 0, 0, 0, 1, 0});
  CHECK(ex::eye(0).numel() == 0);
  CHECK_THROWS_WITH_AS(ex::eye(-1), "eye: n must be non-negative, got -1", ex::Error);
  check_values(ex::linspace(0, 1, 5), {5}, {0, 0.25, 0.5, 0.75, 1});
  check_values(ex::linspace(2, -2, 3, DType::Float64), {3}, {2, 0, -2});
  check_values(ex::linspace(3, 7, 1), {1}, {3});
  CHECK(ex::linspace(0, 1, 0).numel() == 0);
  CHECK(ex::linspace(0.1, 0.7, 7, DType::Float64).to_vector<double>().back() == 0.7);  // exact end
  CHECK_THROWS_AS(ex::linspace(0, 1, -2), ex::Error);
}

TEST_CASE("creation: tensor() from values") {
  ex::Tensor t = ex::tensor({1.0f, 2.0f, 3.0f, 4.0f, 5.0f, 6.0f}, {2, 3});
  CHECK(t.dtype() == DType::Float32);
  check_values(t, {2, 3}, {1, 2, 3, 4, 5, 6});
  CHECK(ex::tensor(std::vector<std::int16_t>{-7}).dtype() == DType::Int16);
  CHECK(ex::tensor(std::vector<bool>{true, false, true}).to_vector<bool>() == std::vector<bool>{true, false, true});
  CHECK(ex::tensor({ex::Half(1.5f)}).dtype() == DType::Float16);
  CHECK(ex::tensor(std::vector<double>{}).shape() == ex::Shape{0});
  CHECK(ex::tensor({42.0}, ex::Shape{}).item<double>() == 42.0);
  CHECK_THROWS_WITH_AS(ex::tensor({1.0, 2.0, 3.0}, {2, 2}), "tensor: 3 values do not fill shape [2, 2] (4 elements)",
                       ex::Error);
}
