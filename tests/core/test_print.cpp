// operator<< prints like PyTorch, plus shape and dtype.
#include <sstream>

#include "test_util.hpp"

namespace {
std::string str(const ex::Tensor& t) {
  std::ostringstream os;
  os << t;
  return os.str();
}
}  // namespace

TEST_CASE("print: small tensors") {
  CHECK(str(ex::arange(0.0, 4.0, 1.0, DType::Float32).reshape({2, 2})) ==
        "tensor([[0., 1.],\n        [2., 3.]], shape=[2, 2], dtype=float32)");
  CHECK(str(ex::tensor({1.5f, -2.0f, 0.25f})) == "tensor([ 1.5000, -2.0000,  0.2500], shape=[3], dtype=float32)");
  CHECK(str(ex::tensor(std::vector<std::int32_t>{1, -20, 300})) == "tensor([  1, -20, 300], shape=[3], dtype=int32)");
  CHECK(str(ex::tensor(std::vector<bool>{true, false})) == "tensor([ True, False], shape=[2], dtype=bool)");
  CHECK(str(ex::scalar_tensor(2.5, DType::Float64)) == "tensor(2.5000, shape=[], dtype=float64)");
  CHECK(str(ex::zeros({0, 3})) == "tensor([], shape=[0, 3], dtype=float32)");
  CHECK(str(ex::tensor({1e-5, 1.0}, ex::kFloat64)) == "tensor([1.0000e-05, 1.0000e+00], shape=[2], dtype=float64)");
  CHECK(str(ex::tensor({NAN, INFINITY, -1.0f})) == "tensor([nan, inf, -1.], shape=[3], dtype=float32)");
  CHECK(str(ex::tensor(std::vector<std::int64_t>{std::numeric_limits<std::int64_t>::max()})) ==
        "tensor([9223372036854775807], shape=[1], dtype=int64)");
  CHECK(str(ex::ones({2, 1, 2}, DType::Int8)) ==
        "tensor([[[1, 1]],\n\n        [[1, 1]]], shape=[2, 1, 2], dtype=int8)");
}

TEST_CASE("print: big tensors elide the middle") {
  const std::string s = str(ex::arange(2000).reshape({2, 1000}));
  CHECK(s ==
        "tensor([[   0,    1,    2,  ...,  997,  998,  999],\n"
        "        [1000, 1001, 1002,  ..., 1997, 1998, 1999]], shape=[2, 1000], dtype=int64)");
  const std::string rows = str(ex::zeros({1001, 1}, DType::Int32));
  CHECK(rows.find("...") != std::string::npos);
  CHECK(ex::to_string(ex::zeros({3})) == str(ex::zeros({3})));
}
