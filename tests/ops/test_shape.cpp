// Shape ops: views (values, aliasing, strides) and the copying concatenate / stack.
#include "test_util.hpp"

namespace {

// 0, 1, ..., numel-1 in shape, converted to dtype.
Tensor iota(const Shape& shape, DType dtype = DType::Float32) {
  return ex::arange(0.0, static_cast<double>(shape.numel()), 1.0, DType::Float64).reshape(shape).to(dtype);
}

// Row-major values of iota(shape) permuted by dims, computed index by index.
std::vector<double> permuted_iota(const Shape& shape, const std::vector<std::size_t>& dims) {
  const ex::Strides in_strides = ex::contiguous_strides(shape);
  std::vector<std::int64_t> index(dims.size(), 0);  // over the output's dims
  std::vector<double> out;
  for (std::int64_t n = 0; n < shape.numel(); ++n) {
    std::int64_t flat = 0;
    for (std::size_t d = 0; d < dims.size(); ++d) flat += index[d] * in_strides[dims[d]];
    out.push_back(static_cast<double>(flat));
    for (std::size_t d = dims.size(); d-- > 0;) {
      if (++index[d] < shape[dims[d]]) break;
      index[d] = 0;
    }
  }
  return out;
}

bool shares(const Tensor& a, const Tensor& b) { return a.storage().get() == b.storage().get(); }

}  // namespace

TEST_CASE("reshape: views contiguous input, copies otherwise, infers -1") {
  Tensor t = iota({2, 3});
  Tensor r = ex::reshape(t, {3, -1});
  check_values(r, {3, 2}, {0, 1, 2, 3, 4, 5});
  CHECK(shares(r, t));
  Tensor nc = ex::transpose(t, 0, 1);  // [3, 2]: 0 3 1 4 2 5
  Tensor rc = ex::reshape(nc, {6});
  check_values(rc, {6}, {0, 3, 1, 4, 2, 5});
  CHECK_FALSE(shares(rc, t));
  check_values(ex::reshape(ex::scalar_tensor(7.0), {1, 1}), {1, 1}, {7});
  check_values(ex::reshape(ex::full({1, 1}, 7.0), {}), {}, {7});
  check_values(ex::reshape(ex::zeros({0, 3}), {3, 0, 5}), {3, 0, 5}, {});
  check_values(ex::reshape(iota({4}, DType::Int16), {2, 2}), {2, 2}, {0, 1, 2, 3});
  CHECK_THROWS_WITH_AS(ex::reshape(t, {4, 2}), doctest::Contains("reshape:"), ex::Error);
  CHECK_THROWS_WITH_AS(ex::reshape(t, {-1, -1}), doctest::Contains("reshape:"), ex::Error);
  CHECK_THROWS_WITH_AS(ex::reshape(t, {-2, 3}), doctest::Contains("reshape:"), ex::Error);
  CHECK_THROWS_WITH_AS(ex::reshape(ex::zeros({0}), {-1, 0}), doctest::Contains("reshape:"), ex::Error);
  CHECK_THROWS_WITH_AS(ex::reshape(Tensor(), {1}), doctest::Contains("reshape:"), ex::Error);
}

TEST_CASE("flatten: axis ranges, rank 0, views and copies") {
  Tensor t = iota({2, 3, 4});
  CHECK(ex::flatten(t).shape() == Shape{24});
  CHECK(ex::flatten(t, 1).shape() == Shape{2, 12});
  CHECK(ex::flatten(t, 0, 1).shape() == Shape{6, 4});
  CHECK(ex::flatten(t, -2, -1).shape() == Shape{2, 12});
  CHECK(ex::flatten(t, 1, 1).shape() == Shape{2, 3, 4});
  CHECK(shares(ex::flatten(t), t));
  check_values(ex::flatten(ex::permute(t, {2, 0, 1}), 1), {4, 6},
               {0, 4, 8, 12, 16, 20, 1, 5, 9, 13, 17, 21, 2, 6, 10, 14, 18, 22, 3, 7, 11, 15, 19, 23});
  check_values(ex::flatten(ex::scalar_tensor(3.0)), {1}, {3});
  CHECK(ex::flatten(ex::zeros({2, 0, 3}), 0, 1).shape() == Shape{0, 3});
  CHECK_THROWS_WITH_AS(ex::flatten(t, 2, 1), doctest::Contains("flatten:"), ex::Error);
  CHECK_THROWS_WITH_AS(ex::flatten(t, 3), doctest::Contains("flatten:"), ex::Error);
  CHECK_THROWS_WITH_AS(ex::flatten(t, 0, -4), doctest::Contains("flatten:"), ex::Error);
}

TEST_CASE("squeeze and unsqueeze: negative axes, no-op squeeze, rank 0") {
  Tensor t = iota({1, 3, 1}, DType::UInt8);
  check_values(ex::squeeze(t), {3}, {0, 1, 2});
  CHECK(ex::squeeze(t, 0).shape() == Shape{3, 1});
  CHECK(ex::squeeze(t, -1).shape() == Shape{1, 3});
  CHECK(ex::squeeze(t, 1).shape() == Shape{1, 3, 1});  // size 3: unchanged
  CHECK(shares(ex::squeeze(t), t));
  CHECK(ex::squeeze(ex::scalar_tensor(1.0), 0).shape() == Shape{});
  CHECK(ex::squeeze(ex::zeros({1, 0})).shape() == Shape{0});
  CHECK(ex::unsqueeze(t, 0).shape() == Shape{1, 1, 3, 1});
  CHECK(ex::unsqueeze(t, 3).shape() == Shape{1, 3, 1, 1});
  CHECK(ex::unsqueeze(t, -1).shape() == Shape{1, 3, 1, 1});
  CHECK(ex::unsqueeze(t, -4).shape() == Shape{1, 1, 3, 1});
  check_values(ex::unsqueeze(ex::scalar_tensor(2.0), -1), {1}, {2});
  check_values(ex::unsqueeze(noncontiguous(iota({2, 2})), 1), {2, 1, 2}, {0, 1, 2, 3});
  CHECK_THROWS_WITH_AS(ex::unsqueeze(t, 4), doctest::Contains("unsqueeze:"), ex::Error);
  CHECK_THROWS_WITH_AS(ex::unsqueeze(t, -5), doctest::Contains("unsqueeze:"), ex::Error);
  CHECK_THROWS_WITH_AS(ex::squeeze(t, 3), doctest::Contains("squeeze:"), ex::Error);
  CHECK_THROWS_WITH_AS(ex::squeeze(ex::scalar_tensor(1.0), 1), doctest::Contains("squeeze:"), ex::Error);
}

TEST_CASE("transpose: two axes, and all axes reversed without arguments") {
  Tensor t = iota({2, 3, 4}, DType::Int32);
  Tensor s = ex::transpose(t, 0, -1);  // [4, 3, 2], s[k][j][i] = t[i][j][k] = 12i + 4j + k
  CHECK(s.strides() == Shape{1, 4, 12});
  Tensor r = ex::transpose(t);
  CHECK(r.shape() == Shape{4, 3, 2});
  CHECK(r.strides() == Shape{1, 4, 12});
  const std::vector<double> expected = permuted_iota({2, 3, 4}, {2, 1, 0});
  check_values(r, {4, 3, 2}, expected);
  check_values(s, {4, 3, 2}, expected);
  check_values(ex::transpose(iota({2, 3})), {3, 2}, {0, 3, 1, 4, 2, 5});
  check_values(ex::transpose(iota({3})), {3}, {0, 1, 2});
  check_values(ex::transpose(ex::scalar_tensor(5.0)), {}, {5});
  check_values(ex::transpose(ex::scalar_tensor(5.0), 0, -1), {}, {5});
  CHECK(ex::transpose(ex::zeros({0, 2})).shape() == Shape{2, 0});
  // A transposed non-contiguous input comes back to row-major order.
  Tensor nc = noncontiguous(iota({2, 3}));
  CHECK_FALSE(nc.is_contiguous());
  CHECK(ex::transpose(nc).is_contiguous());
  check_values(ex::transpose(nc), {3, 2}, {0, 3, 1, 4, 2, 5});
  CHECK_THROWS_WITH_AS(ex::transpose(t, 0, 3), doctest::Contains("transpose:"), ex::Error);
  CHECK_THROWS_WITH_AS(ex::transpose(ex::scalar_tensor(1.0), 0, 1), doctest::Contains("transpose:"), ex::Error);
  CHECK_THROWS_WITH_AS(ex::transpose(Tensor()), doctest::Contains("transpose:"), ex::Error);
}

TEST_CASE("permute: values, strides and bad permutations") {
  Tensor t = iota({2, 3, 4}, DType::Float64);
  Tensor p = ex::permute(t, {1, -1, 0});  // [3, 4, 2]
  CHECK(p.strides() == Shape{4, 1, 12});
  check_values(p, {3, 4, 2}, permuted_iota({2, 3, 4}, {1, 2, 0}));
  check_values(ex::permute(ex::scalar_tensor(1.0), {}), {}, {1});
  CHECK_THROWS_WITH_AS(ex::permute(t, {0, 1}), doctest::Contains("permute:"), ex::Error);
  CHECK_THROWS_WITH_AS(ex::permute(t, {0, 1, 1}), doctest::Contains("permute:"), ex::Error);
  CHECK_THROWS_WITH_AS(ex::permute(t, {0, 1, -1, 2}), doctest::Contains("permute:"), ex::Error);
  CHECK_THROWS_WITH_AS(ex::permute(t, {0, 1, 3}), doctest::Contains("permute:"), ex::Error);
  CHECK_THROWS_WITH_AS(ex::permute(t, {2, -1, 0}), doctest::Contains("permute:"), ex::Error);
}

TEST_CASE("slice: clamping, negatives, step, empty ranges") {
  Tensor t = iota({10}, DType::Int64);
  check_values(ex::slice(t, 0, 2, 5), {3}, {2, 3, 4});
  check_values(ex::slice(t, 0, -3, 100), {3}, {7, 8, 9});
  check_values(ex::slice(t, 0, -100, 2), {2}, {0, 1});
  check_values(ex::slice(t, 0, 1, 10, 3), {3}, {1, 4, 7});
  check_values(ex::slice(t, 0, 0, 10, std::numeric_limits<std::int64_t>::max()), {1}, {0});
  check_values(ex::slice(t, 0, 5, 2), {0}, {});
  Tensor m = iota({3, 4});
  check_values(ex::slice(m, -1, 1, 4, 2), {3, 2}, {1, 3, 5, 7, 9, 11});
  check_values(ex::slice(noncontiguous(m), 0, 1, 3), {2, 4}, {4, 5, 6, 7, 8, 9, 10, 11});
  CHECK(ex::slice(ex::zeros({0, 2}), 0, 0, 5).shape() == Shape{0, 2});
  CHECK_THROWS_WITH_AS(ex::slice(t, 0, 0, 5, 0), doctest::Contains("slice:"), ex::Error);
  CHECK_THROWS_WITH_AS(ex::slice(t, 1, 0, 5), doctest::Contains("slice:"), ex::Error);
  CHECK_THROWS_WITH_AS(ex::slice(ex::scalar_tensor(1.0), 0, 0, 1), doctest::Contains("slice:"), ex::Error);
}

TEST_CASE("broadcast_to: stride 0, -1, errors name broadcast_to") {
  Tensor t = ex::tensor<float>({1, 2, 3}, {3, 1});
  Tensor b = ex::broadcast_to(t, {2, 3, 2});
  CHECK(b.strides() == Shape{0, 1, 0});
  CHECK(shares(b, t));
  check_values(b, {2, 3, 2}, {1, 1, 2, 2, 3, 3, 1, 1, 2, 2, 3, 3});
  check_values(ex::broadcast_to(t, {-1, 2}), {3, 2}, {1, 1, 2, 2, 3, 3});
  check_values(ex::broadcast_to(ex::scalar_tensor(4.0, DType::Bool), {2}), {2}, {1, 1});
  CHECK(ex::broadcast_to(t, {3, 0}).shape() == Shape{3, 0});
  CHECK(ex::broadcast_to(t, {0, 3, 1}).numel() == 0);
  CHECK_THROWS_WITH_AS(ex::broadcast_to(t, {2, 2}), doctest::Contains("broadcast_to: shape [3, 1]"), ex::Error);
  CHECK_THROWS_WITH_AS(ex::broadcast_to(t, {3}), doctest::Contains("broadcast_to:"), ex::Error);
  CHECK_THROWS_WITH_AS(ex::broadcast_to(t, {-1, 3, 1}), doctest::Contains("broadcast_to:"), ex::Error);
  CHECK_THROWS_WITH_AS(ex::broadcast_to(t, {3, -2}), doctest::Contains("broadcast_to:"), ex::Error);
}

TEST_CASE("split by sizes: views that alias the input") {
  Tensor t = iota({2, 5}, DType::Int8);
  auto parts = ex::split(t, std::vector<std::int64_t>{2, 0, 3}, 1);
  REQUIRE(parts.size() == 3);
  check_values(parts[0], {2, 2}, {0, 1, 5, 6});
  check_values(parts[1], {2, 0}, {});
  check_values(parts[2], {2, 3}, {2, 3, 4, 7, 8, 9});
  CHECK(shares(parts[2], t));
  ex::detail::copy_convert(ex::full({2, 3}, -1.0), parts[2]);  // write through a piece
  check_values(t, {2, 5}, {0, 1, -1, -1, -1, 5, 6, -1, -1, -1});
  auto rows = ex::split(noncontiguous(iota({3, 2})), std::vector<std::int64_t>{1, 2}, -2);
  check_values(rows[1], {2, 2}, {2, 3, 4, 5});
  CHECK(ex::split(ex::zeros({0}), std::vector<std::int64_t>{0, 0}).size() == 2);
  CHECK_THROWS_WITH_AS(ex::split(t, std::vector<std::int64_t>{2, 2}, 1),
                       doctest::Contains("split: sizes [2, 2] do not sum to the size 5"), ex::Error);
  CHECK_THROWS_WITH_AS(ex::split(t, std::vector<std::int64_t>{6, -1}, 1), doctest::Contains("split:"), ex::Error);
  CHECK_THROWS_WITH_AS(ex::split(t, std::vector<std::int64_t>{1, 1}, 2), doctest::Contains("split:"), ex::Error);
  CHECK_THROWS_WITH_AS(ex::split(ex::scalar_tensor(1.0), std::vector<std::int64_t>{1}), doctest::Contains("split:"),
                       ex::Error);
}

TEST_CASE("split by section count: np.array_split sizes") {
  auto sizes = [](const std::vector<Tensor>& parts) {
    std::vector<std::int64_t> s;
    for (const Tensor& p : parts) s.push_back(p.shape()[0]);
    return s;
  };
  Tensor t = iota({7});
  auto parts = ex::split(t, 3);
  CHECK(sizes(parts) == std::vector<std::int64_t>{3, 2, 2});
  check_values(parts[1], {2}, {3, 4});
  check_values(parts[2], {2}, {5, 6});
  CHECK(sizes(ex::split(iota({2}), 3)) == std::vector<std::int64_t>{1, 1, 0});
  CHECK(sizes(ex::split(iota({6}), 2)) == std::vector<std::int64_t>{3, 3});
  CHECK(sizes(ex::split(ex::zeros({0}), 2)) == std::vector<std::int64_t>{0, 0});
  auto cols = ex::split(iota({2, 4}, DType::Float16), 2, -1);
  check_values(cols[1], {2, 2}, {2, 3, 6, 7});
  CHECK_THROWS_WITH_AS(ex::split(t, 0), doctest::Contains("split: sections must be at least 1"), ex::Error);
  CHECK_THROWS_WITH_AS(ex::split(t, std::int64_t{1} << 40), doctest::Contains("split:"), ex::Error);
  CHECK_THROWS_WITH_AS(ex::split(t, 2, 1), doctest::Contains("split:"), ex::Error);
}

TEST_CASE("concatenate: values along every axis, every dtype class") {
  Tensor a = iota({2, 3});
  Tensor b = ex::full({2, 2}, 9.0);
  check_values(ex::concatenate({a, b}, 1), {2, 5}, {0, 1, 2, 9, 9, 3, 4, 5, 9, 9});
  check_values(ex::concatenate({a, b}, -1), {2, 5}, {0, 1, 2, 9, 9, 3, 4, 5, 9, 9});
  check_values(ex::concatenate({a, ex::full({1, 3}, -1.0), a}), {5, 3},
               {0, 1, 2, 3, 4, 5, -1, -1, -1, 0, 1, 2, 3, 4, 5});
  check_values(ex::concatenate({iota({3})}), {3}, {0, 1, 2});
  for (DType dt :
       {DType::Bool, DType::Int8, DType::UInt16, DType::Int64, DType::Float16, DType::BFloat16, DType::Float64}) {
    INFO(ex::dtype_name(dt));
    Tensor x = ex::ones({2, 1}, dt), y = ex::zeros({2, 2}, dt);
    Tensor c = ex::concatenate({y, x}, 1);
    CHECK(c.dtype() == dt);
    check_values(c, {2, 3}, {0, 0, 1, 0, 0, 1});
  }
  // Rank 3, middle axis: several blocks per input.
  Tensor p = iota({2, 2, 2}), q = ex::full({2, 1, 2}, 100.0);
  check_values(ex::concatenate({p, q}, 1), {2, 3, 2}, {0, 1, 2, 3, 100, 100, 4, 5, 6, 7, 100, 100});
}

TEST_CASE("concatenate: dtypes promote like promote_types") {
  Tensor i = ex::tensor<std::int32_t>({1, -2});
  Tensor d = ex::tensor<double>({0.5});
  Tensor c = ex::concatenate({i, d});
  CHECK(c.dtype() == DType::Float64);
  check_values(c, {3}, {1, -2, 0.5});
  Tensor u = ex::tensor<std::uint8_t>({200}), s = ex::tensor<std::int8_t>({-3});
  Tensor us = ex::concatenate({u, s});
  CHECK(us.dtype() == DType::Int16);
  check_values(us, {2}, {200, -3});
  Tensor bl = ex::tensor<bool>({true, false});
  Tensor bu = ex::concatenate({bl, u});
  CHECK(bu.dtype() == DType::UInt8);
  check_values(bu, {3}, {1, 0, 200});
  Tensor hb = ex::concatenate({ex::ones({1}, DType::Float16), ex::ones({1}, DType::BFloat16)});
  CHECK(hb.dtype() == DType::Float32);
  check_values(hb, {2}, {1, 1});
}

TEST_CASE("concatenate: non-contiguous, expanded and zero-size inputs") {
  Tensor a = noncontiguous(iota({2, 2}));
  Tensor e = ex::broadcast_to(ex::tensor<float>({7}), {2, 3});
  check_values(ex::concatenate({a, e}, 1), {2, 5}, {0, 1, 7, 7, 7, 2, 3, 7, 7, 7});
  check_values(ex::concatenate({e, ex::zeros({2, 0}), a}, 1), {2, 5}, {7, 7, 7, 0, 1, 7, 7, 7, 2, 3});
  check_values(ex::concatenate({noncontiguous(iota({3})), iota({2})}), {5}, {0, 1, 2, 0, 1});
  CHECK(ex::concatenate({ex::zeros({0, 3}), ex::zeros({0, 3})}).shape() == Shape{0, 3});
  CHECK(ex::concatenate({ex::zeros({2, 0}), ex::zeros({2, 0})}, 1).shape() == Shape{2, 0});
  CHECK(ex::concatenate({ex::zeros({0, 3}), ex::zeros({2, 3})}).shape() == Shape{2, 3});
}

TEST_CASE("concatenate: 1-D [0] tensors are skipped for shapes like torch.cat, not for dtype") {
  Tensor legacy = ex::zeros({0}, DType::Float64);
  Tensor x = ex::tensor<std::int32_t>({1, 2, 3, 4}, {2, 2});
  Tensor c = ex::concatenate({legacy, x, legacy}, 1);
  CHECK(c.dtype() == DType::Float64);
  check_values(c, {2, 2}, {1, 2, 3, 4});
  Tensor only = ex::concatenate({ex::zeros({0}, DType::Int8), ex::zeros({0}, DType::Int16)});
  CHECK(only.shape() == Shape{0});
  CHECK(only.dtype() == DType::Int16);
  CHECK_THROWS_WITH_AS(ex::concatenate({legacy}, 1), doctest::Contains("concatenate:"), ex::Error);
  // A [0, 2] tensor is not legacy: its shape must match.
  CHECK_THROWS_WITH_AS(ex::concatenate({ex::zeros({0, 2}), ex::zeros({1, 3})}), doctest::Contains("concatenate:"),
                       ex::Error);
}

TEST_CASE("concatenate: errors name shapes and axis") {
  Tensor a = ex::zeros({2, 2}), b = ex::zeros({2, 3});
  CHECK_THROWS_WITH_AS(ex::concatenate({a, b}, 0),
                       doctest::Contains("concatenate: shapes [2, 2] (tensor 0) and [2, 3] (tensor 1) differ in dim 1"),
                       ex::Error);
  CHECK_THROWS_WITH_AS(ex::concatenate({a, b}, 0), doctest::Contains("axis 0"), ex::Error);
  CHECK_THROWS_WITH_AS(ex::concatenate({a, ex::zeros({2, 2, 1})}, 0), doctest::Contains("same rank"), ex::Error);
  CHECK_THROWS_WITH_AS(ex::concatenate({}), doctest::Contains("concatenate: expected a non-empty list"), ex::Error);
  CHECK_THROWS_WITH_AS(ex::concatenate({ex::scalar_tensor(1.0), ex::scalar_tensor(2.0)}),
                       doctest::Contains("concatenate: zero-dimensional tensor (at position 0)"), ex::Error);
  CHECK_THROWS_WITH_AS(ex::concatenate({a, a}, 2), doctest::Contains("concatenate:"), ex::Error);
  CHECK_THROWS_WITH_AS(ex::concatenate({a, Tensor()}), doctest::Contains("concatenate:"), ex::Error);
  const Tensor huge = ex::broadcast_to(ex::zeros({1}, ex::DType::Bool), {std::int64_t{1} << 61});
  CHECK_THROWS_WITH_AS(ex::concatenate({huge, huge, huge}), doctest::Contains("concatenate:"), ex::Error);
}

TEST_CASE("concatenate: large inputs take the threaded copy and stay exact") {
  const int saved = ex::get_num_threads();
  ex::set_num_threads(4);
  const std::int64_t rows = 3, n = 70000;
  Tensor a = iota({rows, n}, DType::Int32);
  Tensor b = ex::broadcast_to(ex::tensor<std::int32_t>({-1}), {rows, 5});
  Tensor c = iota({rows, n / 2}, DType::Int32);
  Tensor out = ex::concatenate({a, b, c}, 1);
  REQUIRE(out.shape() == Shape{rows, n + 5 + n / 2});
  const std::int32_t* o = out.data<std::int32_t>();
  bool ok = true;
  for (std::int64_t r = 0; r < rows && ok; ++r) {
    const std::int32_t* row = o + r * (n + 5 + n / 2);
    for (std::int64_t j = 0; j < n; ++j) ok = ok && row[j] == r * n + j;
    for (std::int64_t j = 0; j < 5; ++j) ok = ok && row[n + j] == -1;
    for (std::int64_t j = 0; j < n / 2; ++j) ok = ok && row[n + 5 + j] == r * (n / 2) + j;
  }
  CHECK(ok);
  Tensor big = ex::concatenate({iota({200000}, DType::Float64), iota({100000}, DType::Float64)});
  CHECK(big.to_vector<double>()[199999] == 199999);
  CHECK(big.to_vector<double>()[200000] == 0);
  CHECK(big.to_vector<double>()[299999] == 99999);
  ex::set_num_threads(saved);
}

TEST_CASE("stack: new axis anywhere, rank 0, promotion, errors") {
  Tensor a = iota({2, 3}), b = ex::full({2, 3}, -1.0);
  check_values(ex::stack({a, b}), {2, 2, 3}, {0, 1, 2, 3, 4, 5, -1, -1, -1, -1, -1, -1});
  check_values(ex::stack({a, b}, 1), {2, 2, 3}, {0, 1, 2, -1, -1, -1, 3, 4, 5, -1, -1, -1});
  check_values(ex::stack({a, b}, -1), {2, 3, 2}, {0, -1, 1, -1, 2, -1, 3, -1, 4, -1, 5, -1});
  check_values(ex::stack({a, noncontiguous(a)}, 2), {2, 3, 2}, {0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5});
  Tensor s = ex::stack({ex::scalar_tensor(1.0, DType::Int64), ex::scalar_tensor(2.5, DType::Float32)});
  CHECK(s.dtype() == DType::Float32);
  check_values(s, {2}, {1, 2.5});
  CHECK(ex::stack({ex::zeros({0}), ex::zeros({0})}).shape() == Shape{2, 0});
  CHECK(ex::stack({ex::zeros({0}), ex::zeros({0})}, 1).shape() == Shape{0, 2});
  CHECK_THROWS_WITH_AS(ex::stack({}), doctest::Contains("stack: expected a non-empty list"), ex::Error);
  CHECK_THROWS_WITH_AS(ex::stack({a, ex::zeros({3, 2})}), doctest::Contains("stack: tensors must have the same shape"),
                       ex::Error);
  CHECK_THROWS_WITH_AS(ex::stack({a, ex::zeros({0})}), doctest::Contains("[0] (tensor 1)"), ex::Error);
  CHECK_THROWS_WITH_AS(ex::stack({a, b}, 3), doctest::Contains("stack:"), ex::Error);
  CHECK_THROWS_WITH_AS(ex::stack({a, b}, -4), doctest::Contains("stack:"), ex::Error);
}
