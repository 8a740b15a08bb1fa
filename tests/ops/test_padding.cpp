// pad: hand-computed values in every mode, PyTorch 1.13 references for forward and
// backward, autograd, dtypes, views and every error path.

#include <doctest/doctest.h>

#include <extensor/autograd/ops/normalization.hpp>
#include <extensor/autograd/ops/padding.hpp>
#include <extensor/extensor.hpp>

#include "gradcheck.hpp"
#include "norm_pad_reference.hpp"
#include "test_util.hpp"

using ex::PadMode;
using ex::test::check_values;

namespace {
ex::Tensor row(std::vector<double> v) { return ex::tensor(v, {1, 1, static_cast<std::int64_t>(v.size())}); }
}  // namespace

TEST_CASE("pad constant reflect and replicate by hand") {
  const ex::Tensor x = row({1, 2, 3});
  check_values(ex::pad(x, {2, 1}, PadMode::Constant, 9), {1, 1, 6}, {9, 9, 1, 2, 3, 9});
  check_values(ex::pad(x, {2, 2}, PadMode::Reflect), {1, 1, 7}, {3, 2, 1, 2, 3, 2, 1});
  check_values(ex::pad(x, {2, 1}, PadMode::Replicate), {1, 1, 6}, {1, 1, 1, 2, 3, 3});
  // Negative pads crop, in any mode.
  check_values(ex::pad(x, {-1, 1}), {1, 1, 3}, {2, 3, 0});
  check_values(ex::pad(x, {-1, -2}), {1, 1, 0}, {});
  // Two dims: pairs start from the last dim.
  const ex::Tensor m = ex::tensor(std::vector<double>{1, 2, 3, 4}, {1, 2, 2});
  check_values(ex::pad(m, {1, 0, 0, 1}, PadMode::Replicate), {1, 3, 3}, {1, 1, 2, 3, 3, 4, 3, 3, 4});
  check_values(ex::pad(m, {0, 0, 1, 0}), {1, 3, 2}, {0, 0, 1, 2, 3, 4});
  // Unbatched [C, L] in reflect mode, and no pads at all (a copy, not an alias).
  check_values(ex::pad(ex::tensor(std::vector<double>{1, 2, 3}, {1, 3}), {1, 1}, PadMode::Reflect), {1, 5},
               {2, 1, 2, 3, 2});
  const ex::Tensor copy = ex::pad(m, {});
  check_values(copy, {1, 2, 2}, {1, 2, 3, 4});
  CHECK(copy.raw_data() != m.raw_data());
}

TEST_CASE("pad matches PyTorch forward and backward") {
  struct Case {
    const char* name;
    ex::Shape shape;
    std::vector<std::int64_t> pads;
    PadMode mode;
    double value;
  };
  const Case cases[] = {
      {"const1d", {2, 3, 5}, {2, 1}, PadMode::Constant, 1.5},
      {"const2d_crop", {2, 3, 4}, {1, -1, -1, 2}, PadMode::Constant, 0.0},
      {"reflect1d", {2, 3, 5}, {3, 2}, PadMode::Reflect, 0.0},
      {"reflect2d", {1, 2, 3, 4}, {2, 3, 1, 2}, PadMode::Reflect, 0.0},
      {"replicate1d", {3, 4}, {2, 3}, PadMode::Replicate, 0.0},
      {"replicate2d", {1, 2, 3, 3}, {1, 2, 3, 0}, PadMode::Replicate, 0.0},
  };
  for (const Case& c : cases) {
    INFO(c.name);
    const std::string prefix = std::string("pad ") + c.name;
    const ex::Tensor x = ex::test::wave(c.shape, 0).requires_grad_();
    const ex::Tensor y = ex::pad(x, c.pads, c.mode, c.value);
    check_values(y, y.shape(), ex::test::norm_pad_reference(prefix + " out"), 1e-12, 1e-12);
    const ex::Tensor g = ex::test::wave(y.shape(), 2);
    const std::vector<double> expected = ex::test::norm_pad_reference(prefix + " grad");
    check_values(ex::pad_backward(g, c.shape, c.pads, c.mode), c.shape, expected, 1e-12, 1e-12);
    ex::sum(ex::multiply(y, g)).backward();
    check_values(x.grad(), c.shape, expected, 1e-12, 1e-12);
    // A transposed view of the same values pads to the same result.
    const ex::Tensor view = ex::test::noncontiguous(x.detach());
    check_values(ex::pad(view, c.pads, c.mode, c.value), y.shape(), y.to_vector<double>(), 0, 0);
  }
}

TEST_CASE("pad dtypes") {
  const ex::Tensor ints = ex::tensor(std::vector<std::int64_t>{1, 2, 3}, {3});
  const ex::Tensor p = ex::pad(ints, {1, 1}, PadMode::Constant, 7);
  CHECK(p.dtype() == ex::DType::Int64);
  check_values(p, {5}, {7, 1, 2, 3, 7});
  const ex::Tensor flags = ex::tensor(std::vector<bool>{true, false}, {2});
  check_values(ex::pad(flags, {0, 2}, PadMode::Constant, 1), {4}, {1, 0, 1, 1});
  for (ex::DType dt : {ex::DType::Float32, ex::DType::BFloat16, ex::DType::Float16}) {
    const ex::Tensor x = row({1, 2, 3}).to(dt);
    const ex::Tensor y = ex::pad(x, {2, 2}, PadMode::Reflect);
    CHECK(y.dtype() == dt);
    check_values(y, {1, 1, 7}, {3, 2, 1, 2, 3, 2, 1});
    check_values(ex::pad_backward(ex::ones({1, 1, 7}, dt), {1, 1, 3}, {2, 2}, PadMode::Reflect), {1, 1, 3}, {2, 3, 2});
  }
  // Rank 0 takes no pairs; an empty input pads to its fill.
  check_values(ex::pad(ex::tensor(std::vector<double>{4}, {}), {}), {}, {4});
  check_values(ex::pad(ex::zeros({2, 0}), {1, 1}, PadMode::Constant, 3), {2, 2}, {3, 3, 3, 3});
}

TEST_CASE("pad backward accumulates at edges and reflections") {
  const ex::Shape s{1, 1, 3};
  const ex::Tensor g = row({1, 10, 100, 1000, 10000, 100000});
  check_values(ex::pad_backward(g, s, {2, 1}, PadMode::Replicate), s, {111, 1000, 110000});
  check_values(ex::pad_backward(g, s, {2, 1}, PadMode::Reflect), s, {100, 1010 + 100000, 10001});
  check_values(ex::pad_backward(g, s, {2, 1}, PadMode::Constant), s, {100, 1000, 10000});
  ex::test::check_gradients(
      [](const std::vector<ex::Tensor>& in) {
        return ex::pad(in[0], {1, 2, 2, 1}, PadMode::Reflect);
      },
      [](const ex::Tensor& grad, const std::vector<ex::Tensor>& in) {
        return std::vector<ex::Tensor>{ex::pad_backward(grad, in[0].shape(), {1, 2, 2, 1}, PadMode::Reflect)};
      },
      {ex::test::wave({2, 3, 4}, 1)});
}

TEST_CASE("pad errors") {
  const ex::Tensor x = ex::zeros({2, 3, 4});
  auto throws = [](auto f, const char* text) { CHECK_THROWS_WITH_AS(f(), doctest::Contains(text), ex::Error); };
  throws([&] { return ex::pad(ex::Tensor(), {1, 1}); }, "pad: input is an undefined tensor");
  throws([&] { return ex::pad(x, {1}); }, "pad: pads must come in (left, right) pairs");
  throws([&] { return ex::pad(x, {1, 1, 1, 1, 1, 1, 1, 1}); }, "pad: 4 pad pairs for an input of shape [2, 3, 4]");
  throws([&] { return ex::pad(x, {4, 0}, PadMode::Reflect); }, "pad: reflect pad (4, 0) must be less than the size 4");
  throws([&] { return ex::pad(x, {-3, -2}); }, "pad: pad (-3, -2) makes dim 2 of shape [2, 3, 4] negative");
  throws([&] { return ex::pad(ex::zeros({4}), {1, 1}, PadMode::Reflect); }, "pad: reflect padding takes");
  throws([&] { return ex::pad(x, {1, 1, 1, 1, 1, 1}, PadMode::Replicate); }, "pad: replicate padding takes");
  throws([&] { return ex::pad(ex::zeros({2, 3, 0}), {1, 1}, PadMode::Replicate); }, "pad: replicate pad of the empty");
  throws([&] { return ex::pad(x, {1, 1}, static_cast<PadMode>(7)); }, "pad: invalid pad mode 7");
  throws(
      [&] {
        return ex::pad(ex::zeros({2}, ex::DType::UInt8), {1, 1}, PadMode::Constant, 300);
      },
      "pad: value 300 cannot be converted");
  throws(
      [&] {
        return ex::pad_backward(ex::zeros({2, 3, 5}), {2, 3, 4}, {1, 1});
      },
      "pad_backward: grad has shape [2, 3, 5]");
  throws([&] { return ex::pad_backward(ex::zeros({2}, ex::DType::Int64), {2}, {}); }, "pad_backward: grad must be");
}
