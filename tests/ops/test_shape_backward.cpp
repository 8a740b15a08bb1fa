// Backward kernels of the shape ops: float64 gradchecks with negative axes, rank-0,
// zero-size and non-contiguous inputs; dtypes of promoting forwards; every error path.
#include <functional>
#include <vector>

#include "gradcheck.hpp"
#include "test_util.hpp"

namespace {

namespace k = ex;  // the public ops: these inputs never require grad, so nothing records

Tensor rnd(const Shape& shape, std::uint64_t seed = 1) {
  ex::Generator gen(seed);
  return ex::randn(shape, DType::Float64, gen);
}

// Gradcheck of a one-input op on x, and on a non-contiguous copy of x.
void check_unary(const std::function<Tensor(const Tensor&)>& forward,
                 const std::function<Tensor(const Tensor&, const Tensor&)>& backward, const Tensor& x) {
  INFO("input shape " << x.shape());
  for (const Tensor& input : {x, ex::test::noncontiguous(x)}) {
    ex::test::check_gradients([&](const std::vector<Tensor>& in) { return forward(in[0]); },
                              [&](const Tensor& g, const std::vector<Tensor>& in) {
                                const Tensor gx = backward(g, in[0]);
                                CHECK(gx.dtype() == DType::Float64);
                                return std::vector<Tensor>{gx};
                              },
                              {input});
  }
}

template <class F>
void throws(F&& fn, const char* message) {
  CHECK_THROWS_WITH_AS(fn(), doctest::Contains(message), ex::Error);
}

}  // namespace

TEST_CASE("reshape_backward and flatten_backward") {
  for (const auto& [in, out] : std::vector<std::pair<Shape, Shape>>{
           {{2, 3, 4}, {4, -1}}, {{}, {1}}, {{1}, {}}, {{0, 3}, {3, 0}}, {{6}, {2, 1, 3}}}) {
    check_unary([&](const Tensor& x) { return k::reshape(x, out); },
                [](const Tensor& g, const Tensor& x) { return ex::reshape_backward(g, x.shape()); }, rnd(in));
  }
  for (const auto& [start, end] : std::vector<std::pair<std::int64_t, std::int64_t>>{{0, -1}, {1, -1}, {-3, -2}}) {
    check_unary([&](const Tensor& x) { return k::flatten(x, start, end); },
                [](const Tensor& g, const Tensor& x) { return ex::flatten_backward(g, x.shape()); }, rnd({2, 3, 4}));
  }
  check_unary([](const Tensor& x) { return k::flatten(x); },
              [](const Tensor& g, const Tensor& x) { return ex::flatten_backward(g, x.shape()); }, rnd({}));
  const Tensor g = rnd({6});
  CHECK(ex::reshape_backward(g, {2, 3}).storage() == g.storage());  // a view
  throws([] { return ex::reshape_backward(Tensor(), {2}); }, "reshape_backward: grad is an undefined");
  throws([] { return ex::reshape_backward(ex::ones({6}), {4}); }, "reshape_backward: grad of shape [6] has 6");
  throws([] { return ex::reshape_backward(ex::ones({6}), {-6}); }, "reshape_backward:");
  throws([] { return ex::flatten_backward(ex::ones({6}), {7}); }, "flatten_backward: grad of shape [6]");
}

TEST_CASE("squeeze_backward and unsqueeze_backward") {
  const Tensor x = rnd({2, 1, 3, 1});
  check_unary([](const Tensor& t) { return k::squeeze(t); },
              [](const Tensor& g, const Tensor& t) { return ex::squeeze_backward(g, t.shape()); }, x);
  for (const std::int64_t axis : {-1, 1, 0, -4}) {
    check_unary([&](const Tensor& t) { return k::squeeze(t, axis); },
                [](const Tensor& g, const Tensor& t) { return ex::squeeze_backward(g, t.shape()); }, x);
  }
  check_unary([](const Tensor& t) { return k::squeeze(t, -1); },
              [](const Tensor& g, const Tensor& t) { return ex::squeeze_backward(g, t.shape()); }, rnd({}));
  check_unary([](const Tensor& t) { return k::squeeze(t); },
              [](const Tensor& g, const Tensor& t) { return ex::squeeze_backward(g, t.shape()); }, rnd({1, 0, 1}));
  for (const std::int64_t axis : {0, -1, 2, -3}) {
    check_unary([&](const Tensor& t) { return k::unsqueeze(t, axis); },
                [&](const Tensor& g, const Tensor&) { return ex::unsqueeze_backward(g, axis); }, rnd({2, 3}));
  }
  for (const std::int64_t axis : {0, -1}) {
    check_unary([&](const Tensor& t) { return k::unsqueeze(t, axis); },
                [&](const Tensor& g, const Tensor&) { return ex::unsqueeze_backward(g, axis); }, rnd({}));
    check_unary([&](const Tensor& t) { return k::unsqueeze(t, axis); },
                [&](const Tensor& g, const Tensor&) { return ex::unsqueeze_backward(g, axis); }, rnd({0, 2}));
  }
  const Tensor gt = ex::test::noncontiguous(rnd({2, 3}));  // a strided grad still gives a view
  const Tensor gs = ex::squeeze_backward(gt, {1, 2, 1, 3});
  CHECK(gs.storage() == gt.storage());
  ex::test::check_values(gs, {1, 2, 1, 3}, gt.to_vector<double>(), 0, 0);
  throws([] { return ex::squeeze_backward(Tensor(), {2}); }, "squeeze_backward: grad is an undefined");
  throws(
      [] {
        return ex::squeeze_backward(ex::ones({2, 3}), {3, 1, 2});
      },
      "squeeze_backward: grad of shape [2, 3] is not the input shape [3, 1, 2]");
  throws([] { return ex::squeeze_backward(ex::ones({2, 3}), {2, 3, 4}); }, "squeeze_backward:");
  throws([] { return ex::squeeze_backward(ex::ones({2, 1, 3}), {2, 3}); }, "squeeze_backward:");
  throws([] { return ex::unsqueeze_backward(Tensor(), 0); }, "unsqueeze_backward: grad is an undefined");
  throws(
      [] {
        return ex::unsqueeze_backward(ex::ones({2, 3}), 0);
      },
      "unsqueeze_backward: grad of shape [2, 3] has size 2 on axis 0");
  throws([] { return ex::unsqueeze_backward(ex::ones({2, 1}), 2); }, "unsqueeze_backward:");
  throws([] { return ex::unsqueeze_backward(ex::ones({}), 0); }, "unsqueeze_backward:");
}

TEST_CASE("transpose_backward and permute_backward") {
  for (const auto& [a0, a1] : std::vector<std::pair<std::int64_t, std::int64_t>>{{0, -1}, {-2, 1}, {1, 1}}) {
    check_unary([&](const Tensor& t) { return k::transpose(t, a0, a1); },
                [&](const Tensor& g, const Tensor&) { return ex::transpose_backward(g, a0, a1); }, rnd({2, 3, 4}));
  }
  check_unary([](const Tensor& t) { return k::transpose(t, 0, -1); },
              [](const Tensor& g, const Tensor&) { return ex::transpose_backward(g, 0, -1); }, rnd({}));
  check_unary([](const Tensor& t) { return k::transpose(t, 0, 1); },
              [](const Tensor& g, const Tensor&) { return ex::transpose_backward(g, 0, 1); }, rnd({0, 3}));
  for (const Shape& s : {Shape{2, 3, 4}, Shape{}, Shape{3}}) {
    check_unary([](const Tensor& t) { return k::transpose(t); },
                [](const Tensor& g, const Tensor&) { return ex::transpose_backward(g); }, rnd(s));
  }
  for (const std::vector<std::int64_t>& dims :
       std::vector<std::vector<std::int64_t>>{{2, 0, 1}, {-1, 0, -2}, {1, 2, 0}}) {
    check_unary([&](const Tensor& t) { return k::permute(t, dims); },
                [&](const Tensor& g, const Tensor&) { return ex::permute_backward(g, dims); }, rnd({2, 3, 4}));
  }
  check_unary([](const Tensor& t) { return k::permute(t, {}); },
              [](const Tensor& g, const Tensor&) { return ex::permute_backward(g, {}); }, rnd({}));
  check_unary(
      [](const Tensor& t) {
        return k::permute(t, {1, 0});
      },
      [](const Tensor& g, const Tensor&) {
        return ex::permute_backward(g, {1, 0});
      },
      rnd({0, 2}));
  throws([] { return ex::transpose_backward(Tensor(), 0, 1); }, "transpose_backward: grad is an undefined");
  throws([] { return ex::transpose_backward(Tensor()); }, "transpose_backward: grad is an undefined");
  throws([] { return ex::transpose_backward(ex::ones({2, 3}), 0, 2); }, "transpose_backward:");
  throws([] { return ex::transpose_backward(ex::ones({}), 0, 1); }, "transpose_backward:");
  throws([] { return ex::permute_backward(Tensor(), {0}); }, "permute_backward: grad is an undefined");
  throws([] { return ex::permute_backward(ex::ones({2, 3}), {0}); }, "permute_backward: 1 dims given");
  throws([] { return ex::permute_backward(ex::ones({2, 3}), {0, -2}); }, "permute_backward: axis -2 repeats");
  throws([] { return ex::permute_backward(ex::ones({2, 3}), {0, 2}); }, "permute_backward:");
}

TEST_CASE("concatenate_backward and stack_backward") {
  struct Case {
    std::vector<Shape> shapes;
    std::int64_t axis;
  };
  for (const Case& c : std::vector<Case>{{{{2, 3}, {4, 3}}, 0},
                                         {{{2, 3}, {2, 1}, {2, 2}}, -1},
                                         {{{0}, {2, 3}, {0}, {1, 3}}, 0},  // 1-D [0] inputs are skipped
                                         {{{2, 0}, {2, 3}}, 1},
                                         {{{0}, {0}}, -1},
                                         {{{2, 0, 3}, {2, 0, 1}}, -1}}) {
    std::vector<Tensor> inputs;
    for (std::size_t i = 0; i < c.shapes.size(); ++i) inputs.push_back(ex::test::noncontiguous(rnd(c.shapes[i], i)));
    ex::test::check_gradients(
        [&](const std::vector<Tensor>& in) { return k::concatenate(in, c.axis); },
        [&](const Tensor& g, const std::vector<Tensor>&) { return ex::concatenate_backward(g, c.shapes, c.axis); },
        inputs);
  }
  for (const auto& [shape, axis] : std::vector<std::pair<Shape, std::int64_t>>{
           {{2, 3}, 0}, {{2, 3}, -1}, {{2, 3}, 1}, {{}, 0}, {{}, -1}, {{0, 2}, 1}}) {
    const std::vector<Tensor> inputs = {rnd(shape, 1), ex::test::noncontiguous(rnd(shape, 2)), rnd(shape, 3)};
    ex::test::check_gradients(
        [&](const std::vector<Tensor>& in) { return k::stack(in, axis); },
        [&](const Tensor& g, const std::vector<Tensor>&) { return ex::stack_backward(g, 3, axis); }, inputs);
  }
  // Views of grad; with input dtypes, each gradient in its input's dtype.
  const Tensor g = ex::arange(0, 6, 1, DType::Float64).reshape({3, 2});
  auto parts = ex::concatenate_backward(g, {{1, 2}, {2, 2}}, 0);
  CHECK(parts[1].storage() == g.storage());
  ex::test::check_values(parts[1], {2, 2}, {2, 3, 4, 5});
  parts = ex::concatenate_backward(g, {{1, 2}, {2, 2}}, 0, {DType::Float32, DType::Float64});
  CHECK(parts[0].dtype() == DType::Float32);
  CHECK(parts[1].dtype() == DType::Float64);
  ex::test::check_values(parts[0], {1, 2}, {0, 1});
  auto rows = ex::stack_backward(g, 2, -1, {DType::Int32, DType::Float64});
  CHECK(rows[0].dtype() == DType::Int32);
  ex::test::check_values(rows[0], {3}, {0, 2, 4});
  ex::test::check_values(rows[1], {3}, {1, 3, 5});

  throws([] { return ex::concatenate_backward(Tensor(), {{2}}, 0); }, "concatenate_backward: grad is an undefined");
  throws([&] { return ex::concatenate_backward(g, {}, 0); }, "concatenate_backward: expected a non-empty");
  throws([&] { return ex::concatenate_backward(g, {{}}, 0); }, "concatenate_backward: input 0 has rank 0");
  throws([&] { return ex::concatenate_backward(g, {{1, 2}, {2, 2}}, 2); }, "concatenate_backward:");
  throws(
      [&] {
        return ex::concatenate_backward(g, {{1, 2}, {2, 3}}, 0);
      },
      "concatenate_backward: input shapes [1, 2] (input 0) and [2, 3] (input 1)");
  throws([&] { return ex::concatenate_backward(g, {{1, 2}, {2}}, 0); }, "concatenate_backward: input shapes");
  throws(
      [&] {
        return ex::concatenate_backward(g, {{1, 2}, {1, 2}}, 0);
      },
      "concatenate_backward: grad has shape [3, 2], but the concatenation has shape [2, 2]");
  throws(
      [&] {
        return ex::concatenate_backward(g, {{1, 2}, {2, 2}}, 0, {DType::Float32});
      },
      "concatenate_backward: 1 input dtypes given for 2 inputs");
  throws(
      [&] {
        return ex::concatenate_backward(g, {{1, 2}, {2, 2}}, 0, {DType::Float32, DType::Int64});
      },
      "concatenate_backward: grad has dtype float64, but the inputs' dtypes promote to float32");
  throws([] { return ex::stack_backward(Tensor(), 1, 0); }, "stack_backward: grad is an undefined");
  throws([&] { return ex::stack_backward(g, 0, 0); }, "stack_backward: count must be at least 1");
  throws([&] { return ex::stack_backward(g, 2, 0); }, "stack_backward: grad of shape [3, 2] has size 3 on axis 0");
  throws([&] { return ex::stack_backward(g, 3, 2); }, "stack_backward:");
  throws([] { return ex::stack_backward(ex::ones({}), 1, 0); }, "stack_backward:");
  throws([&] { return ex::stack_backward(g, 3, 0, {DType::Float64}); }, "stack_backward: 1 input dtypes");
}

TEST_CASE("split_backward") {
  // The forward keeps pieces 0 and 2 (piece 1 gets no gradient), flattened and joined.
  for (const auto& [shape, axis] :
       std::vector<std::pair<Shape, std::int64_t>>{{{2, 6}, -1}, {{6, 2}, 0}, {{2, 6, 0}, 1}, {{6}, 0}}) {
    const std::vector<std::int64_t> sizes = {1, 2, 3};
    ex::test::check_gradients(
        [&](const std::vector<Tensor>& in) {
          const auto p = k::split(in[0], sizes, axis);
          return k::concatenate({k::flatten(p[0]), k::flatten(p[2])}, 0);
        },
        [&](const Tensor& g, const std::vector<Tensor>& in) {
          const auto p = k::split(in[0], sizes, axis);
          const auto gs = ex::concatenate_backward(g, {Shape{p[0].numel()}, Shape{p[2].numel()}}, 0);
          const std::vector<Tensor> grads = {ex::reshape_backward(gs[0], p[0].shape()), Tensor(),
                                             ex::reshape_backward(gs[1], p[2].shape())};
          const Tensor inferred = ex::split_backward(grads, in[0].shape(), axis);  // sizes from the grads
          const Tensor given = ex::split_backward(grads, in[0].shape(), axis, sizes);
          ex::test::check_values(inferred, given.shape(), given.to_vector<double>(), 0, 0);
          return std::vector<Tensor>{given};
        },
        {ex::test::noncontiguous(rnd(shape))});
  }
  // All pieces defined: the same as concatenate; several undefined with sizes given.
  const Tensor a = ex::arange(0, 4, 1, DType::Float32).reshape({2, 2});
  const Tensor b = ex::arange(4, 6, 1, DType::Float32).reshape({2, 1});
  ex::test::check_values(ex::split_backward({a, b}, {2, 3}, -1), {2, 3}, {0, 1, 4, 2, 3, 5});
  ex::test::check_values(ex::split_backward({Tensor(), b, Tensor()}, {2, 4}, 1, {2, 1, 1}), {2, 4},
                         {0, 0, 4, 0, 0, 0, 5, 0});
  ex::test::check_values(ex::split_backward({ex::ones({0})}, {0}, 0), {0}, {});

  throws([] { return ex::split_backward({}, {2}, 0); }, "split_backward: expected a non-empty list");
  throws([] { return ex::split_backward({Tensor()}, {2}, 0); }, "split_backward: every gradient is undefined");
  throws(
      [&] {
        return ex::split_backward({a, Tensor(), Tensor()}, {2, 4}, 1);
      },
      "split_backward: more than one gradient is undefined");
  throws(
      [&] {
        return ex::split_backward({a, b.to(DType::Float64)}, {2, 3}, 1);
      },
      "split_backward: gradients have different dtypes");
  throws([&] { return ex::split_backward({a, b}, {2, 3}, 2); }, "split_backward:");
  throws([&] { return ex::split_backward({a}, {}, 0); }, "split_backward:");
  throws(
      [&] {
        return ex::split_backward({a, b}, {2, 4}, 1);
      },
      "split_backward: the pieces' sizes [2, 1] do not sum to the size 4");
  throws([&] { return ex::split_backward({a, b}, {2, 3}, 1, {2}); }, "split_backward: 1 sizes given for 2");
  throws([&] { return ex::split_backward({a, b}, {2, 3}, 1, {4, -1}); }, "split_backward: negative piece size -1");
  throws(
      [&] {
        return ex::split_backward({a, b}, {2, 3}, 1, {1, 2});
      },
      "split_backward: gradient 0 has shape [2, 2], expected [2, 1]");
  throws(
      [&] {
        return ex::split_backward({a, b.reshape({2})}, {2, 3}, 1, {2, 1});
      },
      "split_backward: gradient of shape [2] does not fit");
}

TEST_CASE("slice_backward") {
  struct Case {
    Shape shape;
    std::int64_t axis, start, stop, step;
  };
  for (const Case& c : std::vector<Case>{{{5, 4}, 0, 1, 5, 2},
                                         {{5, 4}, -1, -3, 100, 1},
                                         {{5, 4}, 1, 3, 1, 1},  // empty slice: all zeros
                                         {{7}, 0, 0, 7, 3},
                                         {{0, 3}, 1, 0, 2, 1},
                                         {{2, 3, 4}, -2, -100, -1, 2}}) {
    check_unary([&](const Tensor& t) { return k::slice(t, c.axis, c.start, c.stop, c.step); },
                [&](const Tensor& g, const Tensor& t) {
                  return ex::slice_backward(g, t.shape(), c.axis, c.start, c.stop, c.step);
                },
                rnd(c.shape));
  }
  const Tensor g = ex::full({2}, 3.0, DType::Int32);
  const Tensor gx = ex::slice_backward(g, {5}, 0, 1, 4, 2);
  CHECK(gx.dtype() == DType::Int32);
  ex::test::check_values(gx, {5}, {0, 3, 0, 3, 0});

  throws([] { return ex::slice_backward(Tensor(), {5}, 0, 0, 1); }, "slice_backward: grad is an undefined");
  throws([&] { return ex::slice_backward(g, {}, 0, 0, 1); }, "slice_backward:");
  throws([&] { return ex::slice_backward(g, {5}, 1, 0, 1); }, "slice_backward:");
  throws([&] { return ex::slice_backward(g, {5}, 0, 0, 5, 0); }, "slice_backward: step must be at least 1, got 0");
  throws([&] { return ex::slice_backward(g, {5}, 0, 0, 5, 1); },
         "slice_backward: grad has shape [2], but slicing [5] on axis 0 with 0:5:1 gives [5]");
  throws([&] { return ex::slice_backward(g, {-5}, 0, 0, 5); }, "slice_backward:");
}

TEST_CASE("broadcast_to_backward") {
  for (const auto& [in, out] : std::vector<std::pair<Shape, Shape>>{{{3, 1}, {2, 3, 4}},
                                                                    {{}, {2, 3}},
                                                                    {{}, {}},
                                                                    {{2, 3}, {2, 3}},
                                                                    {{0, 1}, {0, 3}},
                                                                    {{1}, {0}},
                                                                    {{1, 3}, {2, 1, 3}}}) {
    check_unary([&](const Tensor& t) { return k::broadcast_to(t, out).contiguous(); },
                [&](const Tensor& g, const Tensor& t) { return ex::broadcast_to_backward(g, t.shape()); }, rnd(in));
  }
  ex::test::check_values(ex::broadcast_to_backward(ex::ones({2, 3}, DType::Int32), {3}), {3}, {2, 2, 2});
  CHECK(ex::broadcast_to_backward(ex::ones({2, 3}, DType::Int32), {3}).dtype() == DType::Int32);
  throws([] { return ex::broadcast_to_backward(Tensor(), {2}); }, "broadcast_to_backward: grad is an undefined");
  throws(
      [] {
        return ex::broadcast_to_backward(ex::ones({2, 3}), {2});
      },
      "broadcast_to_backward: input shape [2] does not broadcast to grad's shape [2, 3]");
  throws([] { return ex::broadcast_to_backward(ex::ones({3}), {1, 3}); }, "broadcast_to_backward: input shape");
  throws([] { return ex::broadcast_to_backward(ex::ones({3}), {-3}); }, "broadcast_to_backward:");
}
