// Tensor's op members, compound and Bool operators, and the libtorch creation defaults:
// each member against its free op (values and gradients), each default against its dtype.

#include "test_util.hpp"

namespace {

Tensor f64(std::vector<double> values, const Shape& shape) { return ex::tensor<double>(values, shape); }

// Same dtype, shape and values.
void check_same(const Tensor& a, const Tensor& b) {
  REQUIRE(a.dtype() == b.dtype());
  REQUIRE(a.shape() == b.shape());
  CHECK(a.to_vector<double>() == b.to_vector<double>());
}

}  // namespace

TEST_CASE("Tensor members give their free ops' values") {
  const Tensor a = f64({1, -2, 3, 4, 0.5, 6}, {2, 3}), b = f64({2, 2, -4, 8, 1, 3}, {2, 3});
  check_same(a.add(b), ex::add(a, b));
  check_same(a.sub(2), ex::subtract(a, 2));
  check_same(a.mul(b), ex::multiply(a, b));
  check_same(a.div(b), ex::divide(a, b));
  check_same(a.pow(2), ex::power(a, 2));
  check_same(a.remainder(b), ex::modulo(a, b));
  check_same(a.floor_divide(b), ex::floor_divide(a, b));
  check_same(a.neg(), ex::neg(a));
  check_same(a.eq(b), ex::equal(a, b));
  check_same(a.lt(1), ex::less(a, 1));
  check_same(a.ge(b), ex::greater_equal(a, b));
  check_same(a.abs().sqrt().exp().log(), ex::log(ex::exp(ex::sqrt(ex::abs(a)))));
  check_same(a.relu(), ex::relu(a));
  check_same(a.sigmoid(), ex::sigmoid(a));
  check_same(a.tanh(), ex::tanh(a));
  check_same(a.clamp(0, 3), ex::clip(a, 0, 3));
  check_same(a.clamp(1), ex::clip(a, 1, std::nullopt));
  check_same(a.softmax(1), ex::softmax(a, 1));
  check_same(a.log_softmax(0), ex::log_softmax(a, 0));
  check_values(a.sum(), {}, {12.5});
  check_values(a.sum(1), {2}, {2, 10.5});
  check_values(a.mean({1}, true), {2, 1}, {2.0 / 3, 3.5});
  check_values(a.max(), {}, {6});
  check_values(a.min(), {}, {-2});
  check_values(a.amax(0), {3}, {4, 0.5, 6});
  const auto [values, indices] = a.max(1);
  check_values(values, {2}, {3, 6});
  check_values(indices, {2}, {2, 2});
  const auto [low, where] = a.min(0, true);
  check_values(low, {1, 3}, {1, -2, 3});
  check_values(where, {1, 3}, {0, 0, 0});
  check_values(a.argmax(), {}, {5});
  check_values(a.argmin(1), {2}, {1, 1});
  check_same(a.matmul(b.t()), ex::matmul(a, ex::transpose(b)));
  check_same(a.mm(b.t()), ex::matmul(a, ex::transpose(b)));
  check_values(a.slice(0, 0, 1).flatten().dot(b.slice(0, 0, 1).flatten()), {}, {2 - 4 - 12});
  check_values(a.t(), {3, 2}, {1, 4, -2, 0.5, 3, 6});
  CHECK_THROWS_WITH_AS(ex::zeros({2, 2, 2}).t(),
                       "t: expects a tensor of rank <= 2, got shape [2, 2, 2] (use transpose)", ex::Error);
  const auto pieces = a.split({1, 2}, 1);
  REQUIRE(pieces.size() == 2);
  check_values(pieces[1], {2, 2}, {-2, 3, 0.5, 6});
  CHECK(a.tensor_split(3, 1).size() == 3);
  CHECK(a.view_as(f64({0, 0, 0, 0, 0, 0}, {3, 2})).shape() == Shape{3, 2});
  CHECK(a.reshape_as(ex::zeros({6})).shape() == Shape{6});
  CHECK(f64({1, 2, 3}, {3}).expand_as(a).shape() == Shape{2, 3});
}

TEST_CASE("Tensor members record on the tape as their free ops do") {
  const Tensor x = f64({0.5, -1.5, 2.0, 0.25}, {2, 2});
  const Tensor y = f64({1, 2, 3, 4}, {2, 2});
  CHECK(ex::autograd::gradcheck([](const std::vector<Tensor>& in) { return in[0].exp().mul(in[1]).sum(1).mean(); },
                                {x.clone().requires_grad_(), y.clone().requires_grad_()})
            .passed);
  CHECK(ex::autograd::gradcheck([](const std::vector<Tensor>& in) { return in[0].matmul(in[0].t()).tanh().amax(); },
                                {x.clone().requires_grad_()})
            .passed);
  CHECK(ex::autograd::gradcheck(
            [](const std::vector<Tensor>& in) { return std::get<0>(in[0].max(1)).add(in[0].clamp(-1, 1).sum()); },
            {x.clone().requires_grad_()})
            .passed);
  const Tensor leaf = x.clone().requires_grad_();
  CHECK(leaf.sum().grad_fn_name() == "sum");
  CHECK(leaf.relu().grad_fn_name() == "relu");
}

TEST_CASE("compound operators are the in-place ops: same handle, version bumped, leaves refused") {
  Tensor x = f64({1, 2, 3}, {3});
  const Tensor alias = x;
  const auto version = x.version();
  x += f64({1, 1, 1}, {3});
  x -= 0.5;
  x *= 2;
  x /= f64({1, 2, 4}, {3});
  CHECK(x.is_same(alias));
  check_values(alias, {3}, {3, 2.5, 1.75});
  CHECK(x.version() == version + 4);
  Tensor leaf = f64({1, 2}, {2}).requires_grad_();
  CHECK_THROWS_AS(leaf += 1, ex::Error);
  Tensor ints = ex::tensor({1, 2});
  CHECK_THROWS_AS(ints /= 2, ex::Error);  // int64 cannot hold the float result, as in PyTorch
  check_values(x.zero_(), {3}, {0, 0, 0});
  check_values(x.fill_(7), {3}, {7, 7, 7});
  check_values(x.clamp_(std::nullopt, 5), {3}, {5, 5, 5});
  check_values(x.copy_(f64({1, 2, 3}, {3})), {3}, {1, 2, 3});
  check_values(x.add_(1).mul_(2), {3}, {4, 6, 8});
}

TEST_CASE("comparison operators give Bool tensors, and & | ^ ~ combine Bool tensors") {
  const Tensor a = f64({1, 2, 3}, {3});
  const Tensor big = a > 1, small = a < 3;
  CHECK(big.dtype() == DType::Bool);
  check_values(big & small, {3}, {0, 1, 0});
  check_values(big | small, {3}, {1, 1, 1});
  check_values(big ^ small, {3}, {1, 0, 1});
  check_values(~big, {3}, {1, 0, 0});
  check_values(big & true, {3}, {0, 1, 1});
  check_values(false | small, {3}, {1, 1, 0});
  check_values(2 <= a, {3}, {0, 1, 1});
  CHECK_THROWS_WITH_AS(
      a & big, "operator&: expects Bool tensors, got float64 (bitwise ops on integer tensors are not supported)",
      ex::Error);
  CHECK_THROWS_WITH_AS(big | 1, "operator|: expects a bool scalar beside a Bool tensor, got 1", ex::Error);
  CHECK_THROWS_AS(~Tensor(), ex::Error);
}

TEST_CASE("creation defaults follow libtorch: float literals float32, integers int64, nested lists") {
  CHECK(ex::tensor({1.0, 2.0}).dtype() == DType::Float32);
  CHECK(ex::tensor({0, 2}).dtype() == DType::Int64);
  CHECK(ex::tensor({true, false}).dtype() == DType::Bool);
  CHECK(ex::tensor({1, 2.5}).dtype() == DType::Float32);
  CHECK(ex::tensor({1.0f}).dtype() == DType::Float32);
  CHECK(ex::tensor(std::vector<double>{1.0}).dtype() == DType::Float64);  // typed data keeps its type
  const Tensor m = ex::tensor({{1, 2, 3}, {4, 5, 6}});
  CHECK(m.dtype() == DType::Int64);
  check_values(m, {2, 3}, {1, 2, 3, 4, 5, 6});
  check_values(ex::tensor({{{1.5}, {2.5}}}), {1, 2, 1}, {1.5, 2.5});
  check_values(ex::tensor(3.5), {}, {3.5});
  CHECK(ex::tensor({{}, {}}).shape() == Shape{2, 0});
  check_values(ex::tensor({1, 2, 3, 4}, {2, 2}), {2, 2}, {1, 2, 3, 4});
  CHECK(ex::tensor({1, 2}, ex::kFloat64).dtype() == DType::Float64);
  CHECK_THROWS_WITH_AS(ex::tensor({{1, 2}, {3}}),
                       "tensor: ragged nested list: item 1 has shape [1] but item 0 has shape [2]", ex::Error);
  CHECK_THROWS_WITH_AS(ex::tensor({300}, ex::kUInt8), "tensor: value 300 cannot be converted to uint8 without overflow",
                       ex::Error);
  CHECK_THROWS_AS(ex::tensor({1, 2}, ex::requires_grad()), ex::Error);  // int64 cannot require grad
}

TEST_CASE("TensorOptions set the dtype and requires_grad of every creation function") {
  const Tensor z = ex::zeros({2, 3}, ex::TensorOptions().dtype(ex::kFloat64).requires_grad(true));
  CHECK(z.dtype() == DType::Float64);
  CHECK(z.requires_grad());
  CHECK(z.is_leaf());
  CHECK(ex::ones({2}, ex::dtype(ex::kInt32)).dtype() == DType::Int32);
  CHECK(ex::ones({2}, ex::kBFloat16).dtype() == DType::BFloat16);
  CHECK(ex::rand({2}, ex::requires_grad()).requires_grad());
  CHECK(ex::randn({2}, ex::dtype(ex::kFloat64).requires_grad()).dtype() == DType::Float64);
  CHECK(ex::randint(0, 5, {3}).dtype() == DType::Int64);
  CHECK(ex::randint(0, 5, {3}, ex::kInt8).dtype() == DType::Int8);
  CHECK(ex::arange(5).dtype() == DType::Int64);
  CHECK(ex::arange(5, ex::kFloat64).dtype() == DType::Float64);
  CHECK(ex::arange(0, 5, 1, ex::requires_grad().dtype(ex::kFloat32)).requires_grad());
  CHECK(ex::full({2}, 1.5, ex::requires_grad()).requires_grad());
  CHECK(ex::eye(2, -1, ex::kInt64).dtype() == DType::Int64);
  CHECK(ex::linspace(0, 1, 3, ex::kFloat64).dtype() == DType::Float64);
  const Tensor like = ex::zeros({2}, ex::kInt32);
  CHECK(ex::zeros_like(like).dtype() == DType::Int32);
  CHECK(ex::ones_like(like, ex::kFloat64).dtype() == DType::Float64);
  CHECK(ex::full_like(like, 2, ex::dtype(ex::kFloat32).requires_grad()).requires_grad());
  CHECK(ex::kLong == DType::Int64);
  CHECK(ex::kFloat == DType::Float32);
  CHECK(ex::kDouble == DType::Float64);
  CHECK_THROWS_AS(ex::zeros({2}, ex::dtype(ex::kInt64).requires_grad()), ex::Error);
}
