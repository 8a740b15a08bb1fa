// Dataset's default get_batch and TensorDataset.
#include "test_util.hpp"

namespace {

using ex::data::Example;

// Example i is (data [i, i*i] float32, target i int64 rank 0); built by get() only, so
// get_batch is the base class's stacking default.
class SquaresDataset : public ex::data::Dataset {
 public:
  explicit SquaresDataset(std::int64_t size) : size_(size) {}
  std::int64_t size() const override { return size_; }
  Example get(std::int64_t index) const override {
    check_index(index, "SquaresDataset::get");
    const auto i = static_cast<float>(index);
    return {ex::tensor({i, i * i}), ex::scalar_tensor(static_cast<double>(index), ex::DType::Int64)};
  }

 private:
  std::int64_t size_;
};

// Example i has data of shape [i + 1]: the examples cannot be stacked.
class RaggedDataset : public ex::data::Dataset {
 public:
  std::int64_t size() const override { return 3; }
  Example get(std::int64_t index) const override { return {ex::zeros({index + 1}), ex::zeros({})}; }
};

}  // namespace

TEST_CASE("Dataset::get_batch stacks get() along a new axis 0") {
  const SquaresDataset dataset(3);
  const Example batch = dataset.get_batch({2, 0, 2});
  check_values(batch.data, {3, 2}, {2, 4, 0, 0, 2, 4});
  CHECK(batch.data.dtype() == ex::DType::Float32);
  check_values(batch.target, {3}, {2, 0, 2});
  CHECK(batch.target.dtype() == ex::DType::Int64);
}

TEST_CASE("Dataset::get_batch errors") {
  const SquaresDataset dataset(3);
  CHECK_THROWS_WITH_AS(dataset.get_batch({}), doctest::Contains("get_batch: empty list of indices"), ex::Error);
  CHECK_THROWS_WITH_AS(dataset.get_batch({0, 3}),
                       doctest::Contains("get_batch: index 3 is out of range for a dataset of size 3"), ex::Error);
  CHECK_THROWS_WITH_AS(dataset.get_batch({-1}),
                       doctest::Contains("get_batch: index -1 is out of range for a dataset of size 3"), ex::Error);
  CHECK_THROWS_WITH_AS(dataset.get(7), doctest::Contains("SquaresDataset::get: index 7 is out of range"), ex::Error);
  CHECK_THROWS_WITH_AS(RaggedDataset().get_batch({0, 1}),
                       doctest::Contains("get_batch: the examples cannot be stacked (stack: tensors must have the same "
                                         "shape, got [1] (tensor 0) and [2] (tensor 1))"),
                       ex::Error);
}

TEST_CASE("TensorDataset get and get_batch on int data with float targets") {
  const ex::Tensor data = ex::arange(0, 24, 1).to(ex::DType::Int32).reshape({4, 2, 3});
  const ex::Tensor targets = ex::tensor({0.5, 1.5, 2.5, 3.5}, ex::kFloat64);
  const ex::data::TensorDataset dataset(data, targets);
  CHECK(dataset.size() == 4);

  const Example third = dataset.get(2);
  check_values(third.data, {2, 3}, {12, 13, 14, 15, 16, 17});
  CHECK(third.data.dtype() == ex::DType::Int32);
  check_values(third.target, {}, {2.5});
  CHECK(third.target.dtype() == ex::DType::Float64);
  // Contiguous inputs are kept as they are: get() returns views of them.
  CHECK(third.data.storage() == data.storage());

  const Example batch = dataset.get_batch({3, 1, 3});
  check_values(batch.data, {3, 2, 3}, {18, 19, 20, 21, 22, 23, 6, 7, 8, 9, 10, 11, 18, 19, 20, 21, 22, 23});
  CHECK(batch.data.dtype() == ex::DType::Int32);
  check_values(batch.target, {3}, {3.5, 1.5, 3.5});
  CHECK(batch.data.is_contiguous());
  CHECK(batch.data.storage() != data.storage());

  const Example none = dataset.get_batch({});
  CHECK(none.data.shape() == ex::Shape{0, 2, 3});
  CHECK(none.target.shape() == ex::Shape{0});
}

TEST_CASE("TensorDataset on float data with int, bool and half targets, non-contiguous input") {
  // data.transpose: row i is column i of the stored [3, 4] matrix.
  const ex::Tensor stored = ex::arange(0.0, 12.0, 1.0, ex::DType::Float32).reshape({3, 4});
  const ex::data::TensorDataset dataset(stored.transpose(0, 1), ex::tensor<std::int64_t>({7, 8, 9, 10}));
  check_values(dataset.get(1).data, {3}, {1, 5, 9});
  check_values(dataset.get(1).target, {}, {8});
  const Example batch = dataset.get_batch({0, 3});
  check_values(batch.data, {2, 3}, {0, 4, 8, 3, 7, 11});
  check_values(batch.target, {2}, {7, 10});

  const ex::data::TensorDataset flags(ex::tensor({1.0f, 2.0f, 3.0f}, {3, 1}), ex::tensor({true, false, true}));
  check_values(flags.get_batch({2, 1}).target, {2}, {1, 0});
  CHECK(flags.get_batch({2, 1}).target.dtype() == ex::DType::Bool);

  const ex::data::TensorDataset halves(ex::ones({2, 2}, ex::DType::Float16),
                                       ex::tensor({0.25, -1.0}).to(ex::DType::BFloat16));
  check_values(halves.get_batch({1, 0}).target, {2}, {-1.0, 0.25});
}

TEST_CASE("TensorDataset errors") {
  const ex::data::TensorDataset dataset(ex::zeros({4, 2}), ex::zeros({4}));
  CHECK_THROWS_WITH_AS(dataset.get(4),
                       doctest::Contains("TensorDataset::get: index 4 is out of range for a dataset of size 4"),
                       ex::Error);
  CHECK_THROWS_WITH_AS(dataset.get(-1), doctest::Contains("TensorDataset::get: index -1 is out of range"), ex::Error);
  CHECK_THROWS_WITH_AS(dataset.get_batch({0, 9}),
                       doctest::Contains("TensorDataset::get_batch: index 9 is out of range for a dataset of size 4"),
                       ex::Error);
  CHECK_THROWS_WITH_AS(
      ex::data::TensorDataset(ex::zeros({4, 2}), ex::zeros({3})),
      doctest::Contains("TensorDataset: data [4, 2] and targets [3] differ in size along axis 0 (4 != 3)"), ex::Error);
  CHECK_THROWS_WITH_AS(ex::data::TensorDataset(ex::zeros({}), ex::zeros({1})),
                       doctest::Contains("TensorDataset: data must have an example axis 0, got a rank-0 tensor"),
                       ex::Error);
  CHECK_THROWS_WITH_AS(ex::data::TensorDataset(ex::zeros({1}), ex::Tensor()),
                       doctest::Contains("TensorDataset: targets is an undefined tensor"), ex::Error);
}

TEST_CASE("TensorDataset with no examples") {
  const ex::data::TensorDataset empty(ex::zeros({0, 3}), ex::zeros({0}, ex::DType::Int64));
  CHECK(empty.size() == 0);
  CHECK(empty.get_batch({}).data.shape() == ex::Shape{0, 3});
  CHECK_THROWS_WITH_AS(empty.get(0), doctest::Contains("index 0 is out of range for a dataset of size 0"), ex::Error);
}
