// Indexing (ex::index, index_put_, Tensor::operator[], index_backward): every index
// form against hand-computed values and PyTorch's shapes, views sharing storage,
// gradients against float64 central differences, and every error path.
#include <vector>

#include "gradcheck.hpp"
#include "test_util.hpp"

namespace {

using namespace ex::indexing;
using ex::TensorIndex;
using ex::test::check_values;

// 0, 1, ..., numel - 1 in shape, float64.
Tensor iota(const Shape& shape) {
  return ex::arange(0, static_cast<double>(shape.numel()), 1, DType::Float64).reshape(shape);
}

Tensor longs(const std::vector<std::int64_t>& values, const Shape& shape) { return ex::tensor(values, shape); }

Tensor bools(const std::vector<std::int64_t>& values, const Shape& shape) {
  return ex::tensor(values, shape).to(DType::Bool);
}

// The tape's gradient of sum(w * f(x)) against central differences, for float64 x.
void check_tape_gradient(const std::function<Tensor(const Tensor&)>& f, const Tensor& x) {
  const ex::autograd::GradcheckResult r =
      ex::autograd::gradcheck([&](const std::vector<Tensor>& in) { return f(in[0]); }, {x});
  INFO(r.report);
  CHECK(r.passed);
}

}  // namespace

TEST_CASE("index: basic indices give PyTorch's shapes and values") {
  const Tensor x = iota({2, 3, 4});
  CHECK(x.index({Slice(), None, 1}).shape() == Shape{2, 1, 4});
  CHECK(x.index({Ellipsis, Slice(None, None, 2)}).shape() == Shape{2, 3, 2});
  CHECK(x.index({Slice(0, 2), None, Ellipsis, 3}).shape() == Shape{2, 1, 3});
  CHECK(x.index({1}).shape() == Shape{3, 4});
  CHECK(x.index({}).shape() == Shape{2, 3, 4});
  CHECK(x.index({Ellipsis}).shape() == Shape{2, 3, 4});
  CHECK(x.index({None, Ellipsis, None}).shape() == Shape{1, 2, 3, 4, 1});
  CHECK(x.index({1, 2, 3}).shape() == Shape{});
  check_values(x.index({1, 2, 3}), {}, {23});
  check_values(x.index({-1, Slice(1, None), -2}), {2}, {18, 22});
  check_values(x.index({0, 0, Slice(1, None, 2)}), {2}, {1, 3});
  check_values(x.index({0, Slice(-2, None), Slice(None, -2)}), {2, 2}, {4, 5, 8, 9});
  check_values(x.index({Ellipsis, 0}), {2, 3}, {0, 4, 8, 12, 16, 20});
  // Python clamps slice bounds to the axis.
  CHECK(x.index({Slice(5, 10)}).shape() == Shape{0, 3, 4});
  CHECK(x.index({Slice(-10, 1)}).shape() == Shape{1, 3, 4});
  CHECK(x.index({Slice(2, 1)}).shape() == Shape{0, 3, 4});
  check_values(x[1][2], {4}, {20, 21, 22, 23});
  check_values(x[-1][-1][-1], {}, {23});
  // Integer types of every width, and a 0-dim integer tensor, act as integers.
  check_values(x.index({std::int8_t{1}, std::uint16_t{0}, 2u}), {}, {14});
  check_values(x.index({longs({1}, {}), 0, 2}), {}, {14});
}

TEST_CASE("index: basic indexing gives views that share storage and record view ops") {
  const Tensor x = iota({2, 3, 4});
  const Tensor v = x.index({1, Slice(0, 3, 2), None});
  CHECK(v.storage() == x.storage());
  CHECK(v.shape() == Shape{2, 1, 4});
  ex::fill_(v, -1.0);  // writes through the view
  check_values(x.index({1, Slice(), 0}), {3}, {-1, 16, -1});
  Tensor row = x[0];
  ex::fill_(row.index({Slice(), 1}), 7.0);
  check_values(x.index({0, Slice(), 1}), {3}, {7, 7, 7});

  const Tensor w = iota({2, 3, 4}).requires_grad_();
  const Tensor y = w.index({Slice(), None, 1});
  CHECK(y.grad_fn() != nullptr);
  CHECK(y.storage() == w.storage());
  check_tape_gradient([](const Tensor& t) { return t.index({Slice(0, 2), None, Ellipsis, -1}); }, iota({3, 2, 4}));
  check_tape_gradient([](const Tensor& t) { return t[1].index({Slice(None, None, 2)}); }, iota({2, 5}));
}

TEST_CASE("index: integer tensors gather copies, with negatives, repeats and broadcasting") {
  const Tensor x = iota({3, 4});
  const Tensor rows = longs({2, 0, -1, 2}, {4});
  const Tensor r = x.index({rows});
  CHECK(r.storage() != x.storage());
  check_values(r, {4, 4}, {8, 9, 10, 11, 0, 1, 2, 3, 8, 9, 10, 11, 8, 9, 10, 11});
  check_values(x[rows.index({Slice(0, 2)})], {2, 4}, {8, 9, 10, 11, 0, 1, 2, 3});
  // Every integer dtype works (but UInt8, a mask as in PyTorch: below).
  for (DType dtype : {DType::Int8, DType::Int16, DType::Int32, DType::UInt16, DType::UInt32, DType::UInt64}) {
    INFO(ex::dtype_name(dtype));
    check_values(x.index({Slice(), longs({3, 1}, {2}).to(dtype)}), {3, 2}, {3, 1, 7, 5, 11, 9});
  }
  // Two adjacent index tensors broadcast ([2, 1] with [3]) and replace their axes in place.
  const Tensor y = iota({2, 3, 4});
  check_values(y.index({Slice(), longs({0, 2}, {2, 1}), longs({1, 2, 3}, {3})}), {2, 2, 3},
               {1, 2, 3, 9, 10, 11, 13, 14, 15, 21, 22, 23});
  // Separated by a slice, the index axes go first: [2] then the sliced axis of size 3.
  check_values(y.index({longs({0, 1}, {2}), Slice(), longs({3, 0}, {2})}), {2, 3}, {3, 7, 11, 12, 16, 20});
  // With an integer in between, the integer selects first and the tensors are adjacent.
  check_values(y.index({longs({0, 1}, {2}), 1, longs({3, 0}, {2})}), {2}, {7, 16});
  // A tensor after None and Ellipsis; an index tensor with an empty dim.
  CHECK(y.index({None, Ellipsis, longs({0, 0, 0}, {3})}).shape() == Shape{1, 2, 3, 3});
  CHECK(y.index({longs({}, {0})}).shape() == Shape{0, 3, 4});
  // Bool indices add an axis and index it: true keeps it, false empties it.
  CHECK(y.index({true}).shape() == Shape{1, 2, 3, 4});
  CHECK(y.index({Slice(), false}).shape() == Shape{2, 0, 3, 4});
  CHECK(y.index({bools({1}, {})}).shape() == Shape{1, 2, 3, 4});
  // Non-floating tensors index too.
  check_values(longs({5, 6, 7}, {3}).index({longs({2, 2}, {2})}), {2}, {7, 7});
}

TEST_CASE("index: boolean masks keep the true positions in row-major order") {
  const Tensor x = iota({2, 3});
  const Tensor mask = bools({1, 0, 1, 0, 1, 1}, {2, 3});
  check_values(x.index({mask}), {4}, {0, 2, 4, 5});
  check_values(x[x > 2.5], {3}, {3, 4, 5});
  check_values(x.index({Slice(), bools({0, 1, 1}, {3})}), {2, 2}, {1, 2, 4, 5});
  check_values(x.index({bools({1, 1, 0, 0, 0, 1}, {2, 3}).to(DType::UInt8)}), {3}, {0, 1, 5});
  const Tensor y = iota({2, 3, 2});
  check_values(y.index({mask}), {4, 2}, {0, 1, 4, 5, 8, 9, 10, 11});
  check_values(y.index({mask, 1}), {4}, {1, 5, 9, 11});
  CHECK(y.index({bools({0, 0, 0, 0, 0, 0}, {2, 3})}).shape() == Shape{0, 2});
  // A mask over a transposed view.
  check_values(x.transpose(0, 1).index({bools({1, 0, 0, 1, 1, 0}, {3, 2})}), {3}, {0, 4, 2});
}

TEST_CASE("index: gradients of advanced indexing match central differences") {
  const Tensor rows = longs({2, 0, 2, -1}, {4});  // repeats sum
  check_tape_gradient([&](const Tensor& t) { return t.index({rows}); }, iota({3, 2}));
  check_tape_gradient([&](const Tensor& t) { return t.index({Slice(), rows}); }, iota({2, 3}));
  check_tape_gradient([](const Tensor& t) { return t.index({t > 2.5}); }, iota({2, 3}));
  check_tape_gradient(
      [](const Tensor& t) {
        return t.index({longs({1, 0}, {2}), Slice(), longs({0, 1}, {2})});
      },
      iota({2, 3, 2}));
  // The gradient of repeated rows is their count.
  const Tensor x = ex::ones({3, 2}, DType::Float64).requires_grad_();
  ex::sum(x.index({rows})).backward();
  check_values(x.grad(), {3, 2}, {1, 1, 0, 0, 3, 3});
}

TEST_CASE("index_backward: the raw kernel matches central differences and sums repeats") {
  const std::vector<std::vector<TensorIndex>> cases = {
      {longs({2, 0, 2, -1}, {4})},
      {Slice(), bools({1, 0, 1}, {3})},
      {None, Ellipsis, longs({1, 1}, {2}), 0},
      {Slice(1, None), None, -1},
  };
  for (const std::vector<TensorIndex>& indices : cases) {
    const Tensor x = iota({3, 3, 2});
    check_gradients([&](const std::vector<Tensor>& in) { return ex::index(in[0], indices); },
                    [&](const Tensor& g, const std::vector<Tensor>& in) {
                      return std::vector<Tensor>{ex::index_backward(g, in[0].shape(), indices)};
                    },
                    {x});
    check_gradients([&](const std::vector<Tensor>& in) { return ex::index(in[0], indices); },
                    [&](const Tensor& g, const std::vector<Tensor>& in) {
                      return std::vector<Tensor>{ex::index_backward(g, in[0].shape(), indices)};
                    },
                    {ex::test::noncontiguous(x)});
  }
  check_values(ex::index_backward(ex::ones({3}, DType::Float32), {2}, {longs({1, 1, 0}, {3})}), {2}, {1, 2});
  CHECK_THROWS_WITH_AS(ex::index_backward(ex::ones({2}), {2}, {longs({1, 1, 0}, {3})}),
                       doctest::Contains("index_backward: grad has shape [2]"), ex::Error);
  CHECK_THROWS_WITH_AS(ex::index_backward(Tensor(), {2}, {0}),
                       doctest::Contains("index_backward: grad is an undefined"), ex::Error);
}

TEST_CASE("index_put_: writes values, broadcasts them and bumps the version") {
  Tensor x = iota({2, 3});
  const std::uint64_t version = x.version();
  x.index_put_({x < 2.5}, 0.0);  // the most common use: x[x < t] = 0
  check_values(x, {2, 3}, {0, 0, 0, 3, 4, 5});
  CHECK(x.version() > version);
  x.index_put_({Slice(), 1}, ex::tensor<double>({-1, -2}, {2}));
  check_values(x, {2, 3}, {0, -1, 0, 3, -2, 5});
  x.index_put_({longs({1, 0}, {2})}, ex::tensor<double>({7, 8, 9}, {3}));  // broadcast over rows
  check_values(x, {2, 3}, {7, 8, 9, 7, 8, 9});
  x.index_put_({1, longs({0, 2}, {2})}, ex::tensor<double>({1, 2}, {1, 2}));  // extra leading 1
  check_values(x, {2, 3}, {7, 8, 9, 1, 8, 2});
  x.index_put_({Slice(0, 1)}, 5);  // basic indices with a Scalar
  check_values(x, {2, 3}, {5, 5, 5, 1, 8, 2});
  // accumulate sums repeats.
  Tensor acc = ex::zeros({3}, DType::Float64);
  ex::index_put_(acc, {longs({0, 2, 0, 0}, {4})}, ex::tensor<double>({1, 2, 3, 4}, {4}), /*accumulate=*/true);
  check_values(acc, {3}, {8, 0, 2});
  // Through a view of another tensor: the base sees the writes.
  Tensor base = ex::zeros({2, 4}, DType::Int32);
  base.transpose(0, 1).index_put_({longs({3}, {1})}, 4);
  check_values(base, {2, 4}, {0, 0, 0, 4, 0, 0, 0, 4});
  // Empty index tensors and all-false masks write nothing.
  base.index_put_({bools({0, 0}, {2})}, 9);
  check_values(base.index({Slice(), 3}), {2}, {4, 4});
}

TEST_CASE("index_put_: gradients w.r.t. self and value match central differences") {
  const Tensor rows = longs({2, 0}, {2});
  const auto check = [](const std::function<Tensor(const std::vector<Tensor>&)>& f, const std::vector<Tensor>& in) {
    const ex::autograd::GradcheckResult r = ex::autograd::gradcheck(f, in);
    INFO(r.report);
    CHECK(r.passed);
  };
  check([&](const std::vector<Tensor>& in) { return ex::clone(in[0]).index_put_({rows}, in[1]); },
        {iota({3, 2}), iota({2, 2})});
  check([&](const std::vector<Tensor>& in) { return ex::clone(in[0]).index_put_({rows}, in[1]); },
        {iota({3, 2}), iota({2})});
  check(
      [](const std::vector<Tensor>& in) {
        const Tensor c = ex::clone(in[0]);
        return ex::multiply(c.index_put_({in[0] > 2.5}, 0.0), in[0]);
      },
      {iota({2, 3})});
  check([&](const std::vector<Tensor>& in) { return ex::index_put_(ex::clone(in[0]), {rows}, in[1], true); },
        {iota({3, 2}), iota({1, 2})});
  check(
      [](const std::vector<Tensor>& in) {
        return ex::clone(in[0]).index_put_({Slice(), -1}, in[1]);
      },
      {iota({3, 2}), iota({3})});
  // Self's gradient is zero where values were written; value's is the gradient there.
  const Tensor x = ex::ones({3}, DType::Float64).requires_grad_();
  const Tensor v = ex::ones({1}, DType::Float64).requires_grad_();
  const Tensor y = ex::multiply(x, 1.0).index_put_({longs({2, 0}, {2})}, v);
  ex::sum(ex::multiply(y, ex::tensor<double>({1, 2, 3}, {3}))).backward();
  check_values(x.grad(), {3}, {0, 2, 0});
  check_values(v.grad(), {1}, {4});
}

TEST_CASE("index and index_put_: bad indices throw ex::Error naming the op and the values") {
  const Tensor x = iota({2, 3});
  CHECK_THROWS_WITH_AS(iota({3}).index({5}), "index: index 5 is out of range for axis 0 of size 3", ex::Error);
  CHECK_THROWS_WITH_AS(x.index({Slice(), -4}), "index: index -4 is out of range for axis 1 of size 3", ex::Error);
  CHECK_THROWS_WITH_AS(x[2], "index: index 2 is out of range for axis 0 of size 2", ex::Error);
  CHECK_THROWS_WITH_AS(x.index({Slice(), longs({0, 3}, {2})}), "index: index 3 is out of range for axis 1 of size 3",
                       ex::Error);
  CHECK_THROWS_WITH_AS(x.index({longs({-3}, {1})}), "index: index -3 is out of range for axis 0 of size 2", ex::Error);
  CHECK_THROWS_WITH_AS(x.index({longs({300}, {1}).to(DType::UInt16)}),
                       "index: index 300 is out of range for axis 0 of size 2", ex::Error);
  CHECK_THROWS_WITH_AS(x.index({0, 1, 2}), doctest::Contains("index: too many indices for a tensor of dimension 2"),
                       ex::Error);
  CHECK_THROWS_WITH_AS(x.index({bools({1, 0}, {2}), 0, 0}), doctest::Contains("index: too many indices"), ex::Error);
  CHECK_THROWS_WITH_AS(ex::scalar_tensor(1.0)[0], doctest::Contains("index: too many indices"), ex::Error);
  CHECK_THROWS_WITH_AS(x.index({Ellipsis, 0, Ellipsis}), doctest::Contains("index: an index list can hold at most one"),
                       ex::Error);
  CHECK_THROWS_WITH_AS(x.index({Slice(None, None, -1)}), "index: slice step must be at least 1, got -1 (for axis 0)",
                       ex::Error);
  CHECK_THROWS_WITH_AS(x.index({Slice(), Slice(0, 2, 0)}),
                       doctest::Contains("step must be at least 1, got 0 (for axis 1)"), ex::Error);
  CHECK_THROWS_WITH_AS(
      x.index({bools({1, 0, 1}, {3})}),
      doctest::Contains("index: the mask of shape [3] does not match the indexed axes 0..0 of shape [2]"), ex::Error);
  CHECK_THROWS_WITH_AS(x.index({ex::tensor<double>({0}, {1})}),
                       doctest::Contains("index: tensors used as indices must be Bool or integer tensors, got float64"),
                       ex::Error);
  CHECK_THROWS_WITH_AS(x.index({Tensor()}), doctest::Contains("index: index tensor is an undefined tensor"), ex::Error);
  CHECK_THROWS_WITH_AS(x.index({longs({0, 1}, {2}), longs({0, 1, 2}, {3})}),
                       doctest::Contains("index: shapes [2] and [3] cannot be broadcast"), ex::Error);
  CHECK_THROWS_WITH_AS(ex::index(Tensor(), {0}), doctest::Contains("index: input is an undefined tensor"), ex::Error);

  Tensor y = iota({2, 3});
  CHECK_THROWS_WITH_AS(y.index_put_({5}, 1.0), "index_put_: index 5 is out of range for axis 0 of size 2", ex::Error);
  CHECK_THROWS_WITH_AS(
      y.index_put_({longs({0}, {1})}, ex::tensor<double>({1, 2}, {2})),
      doctest::Contains("index_put_: a value of shape [2] cannot be broadcast to the indexed shape [1, 3]"), ex::Error);
  CHECK_THROWS_WITH_AS(y.index_put_({longs({0}, {1})}, ex::ones({3}, DType::Float32)),
                       doctest::Contains("index_put_: value has dtype float32 but self has dtype float64"), ex::Error);
  CHECK_THROWS_WITH_AS(ex::zeros({2}, DType::Int8).index_put_({0}, 300),
                       doctest::Contains("index_put_: value 300 cannot be converted to int8"), ex::Error);
  CHECK_THROWS_WITH_AS(y.index_put_({0}, Tensor()), doctest::Contains("index_put_: value is an undefined tensor"),
                       ex::Error);
  CHECK_THROWS_WITH_AS(ex::zeros({1}, DType::Float64).expand({3}).index_put_({longs({0}, {1})}, 1.0),
                       doctest::Contains("index_put_: the output of shape [3]"), ex::Error);
  check_values(y, {2, 3}, {0, 1, 2, 3, 4, 5});  // no failed call wrote anything
  const Tensor leaf = iota({2, 3}).requires_grad_();
  CHECK_THROWS_WITH_AS(leaf.index_put_({0}, 1.0), doctest::Contains("index_put_: a leaf tensor that requires grad"),
                       ex::Error);
  {
    ex::NoGradGuard no_grad;  // outside recording a leaf may be written
    leaf.index_put_({0}, 1.0);
  }
  check_values(leaf.index({0}), {3}, {1, 1, 1});
}
