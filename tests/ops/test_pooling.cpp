// Pooling (max_pool2d, avg_pool2d, adaptive_avg_pool2d and their raw backwards): hand
// results for tiny cases, PyTorch 1.13 forward and backward values for the parameter
// combinations (tests/ops/data/pooling_reference.txt, made by
// tools/pooling_reference/gen_pooling_reference.py), every floating dtype, views,
// gradients against central differences, and every error path.
#include <fstream>
#include <limits>
#include <sstream>
#include <string>
#include <vector>

#include "gradcheck.hpp"
#include "test_util.hpp"

namespace {

using ex::test::check_values;
using Pair = std::array<std::int64_t, 2>;

// 0, 1, ..., numel - 1 in shape.
Tensor iota(const Shape& shape, DType dtype = DType::Float64) {
  return ex::arange(0, static_cast<double>(shape.numel()), 1, DType::Float64).reshape(shape).to(dtype);
}

// numel distinct values 0.1 apart in a shuffled order, so no window has ties within a
// central difference's step.
Tensor distinct(const Shape& shape) {
  std::vector<double> v(static_cast<std::size_t>(shape.numel()));
  for (std::size_t i = 0; i < v.size(); ++i) v[i] = 0.1 * static_cast<double>((i * 37) % v.size()) - 1.0;
  return ex::tensor(v, shape);
}

struct ReferenceTensor {
  Shape shape;
  std::vector<double> values;
  Tensor tensor() const { return ex::tensor(values, shape); }
};

struct ReferenceCase {
  std::string name, op;
  std::vector<std::int64_t> params;
  ReferenceTensor input, grad, output, grad_input;
};

ReferenceTensor parse_tensor(std::istringstream& line) {
  ReferenceTensor t;
  std::vector<std::int64_t> dims;
  std::string word;
  while (line >> word && word != ":") dims.push_back(std::stoll(word));
  t.shape = Shape(dims);
  double v = 0;
  while (line >> v) t.values.push_back(v);
  return t;
}

std::vector<ReferenceCase> reference_cases() {
  std::ifstream file(std::string(EXTENSOR_OPS_DATA_DIR) + "/pooling_reference.txt");
  REQUIRE(file.good());
  std::vector<ReferenceCase> cases;
  std::string text;
  while (std::getline(file, text)) {
    if (text.empty() || text[0] == '#') continue;
    std::istringstream line(text);
    std::string key;
    line >> key;
    if (key == "case") {
      cases.emplace_back();
      std::getline(line >> std::ws, cases.back().name);
    } else if (key == "op") {
      line >> cases.back().op;
    } else if (key == "params") {
      std::int64_t p = 0;
      while (line >> p) cases.back().params.push_back(p);
    } else if (key == "input") {
      cases.back().input = parse_tensor(line);
    } else if (key == "grad") {
      cases.back().grad = parse_tensor(line);
    } else if (key == "output") {
      cases.back().output = parse_tensor(line);
    } else if (key == "grad_input") {
      cases.back().grad_input = parse_tensor(line);
    }
  }
  return cases;
}

// The case's forward on x and its raw backward of grad (x's dtype).
std::pair<Tensor, Tensor> run_case(const ReferenceCase& c, const Tensor& x, const Tensor& grad) {
  const std::vector<std::int64_t>& p = c.params;
  if (c.op == "max_pool2d") {
    const Pair k{p[0], p[1]}, s{p[2], p[3]}, pad{p[4], p[5]}, d{p[6], p[7]};
    auto [out, indices] = ex::max_pool2d_with_indices(x, k, s, pad, d, p[8] != 0);
    CHECK(ex::max_pool2d(x, k, s, pad, d, p[8] != 0).to_vector<double>() == out.to_vector<double>());
    return {out, ex::max_pool2d_backward(grad, x, indices, k, s, pad, d, p[8] != 0)};
  }
  if (c.op == "avg_pool2d") {
    const Pair k{p[0], p[1]}, s{p[2], p[3]}, pad{p[4], p[5]};
    return {ex::avg_pool2d(x, k, s, pad, p[6] != 0, p[7] != 0),
            ex::avg_pool2d_backward(grad, x.shape(), k, s, pad, p[6] != 0, p[7] != 0)};
  }
  REQUIRE(c.op == "adaptive_avg_pool2d");
  return {ex::adaptive_avg_pool2d(x, {p[0], p[1]}), ex::adaptive_avg_pool2d_backward(grad, x.shape())};
}

}  // namespace

TEST_CASE("max_pool2d: hand results and indices") {
  const Tensor x = iota({1, 1, 4, 4});
  auto [out, indices] = ex::max_pool2d_with_indices(x, {2, 2});
  check_values(out, {1, 1, 2, 2}, {5, 7, 13, 15});
  CHECK(indices.dtype() == DType::Int64);
  CHECK(indices.to_vector<std::int64_t>() == std::vector<std::int64_t>{5, 7, 13, 15});
  // Overlapping windows share their maximum, so the backward accumulates there.
  const Tensor y = ex::tensor(std::vector<double>{1, 9, 2, 3, 4, 5, 6, 7, 8}, {1, 3, 3});
  auto [o2, i2] = ex::max_pool2d_with_indices(y, {2, 2}, {1, 1});
  check_values(o2, {1, 2, 2}, {9, 9, 7, 8});
  check_values(ex::max_pool2d_backward(ex::ones({1, 2, 2}, DType::Float64), y, i2, {2, 2}, {1, 1}), {1, 3, 3},
               {0, 2, 0, 0, 0, 0, 0, 1, 1});
  // Padding is -inf: a window of negative values keeps its maximum.
  check_values(ex::max_pool2d(ex::neg(ex::add(iota({1, 2, 2}), 1.0)), {3, 3}, {1, 1}, {1, 1}), {1, 2, 2},
               {-1, -1, -1, -1});
  // Dilation 2 over a 5-wide row: elements 0, 2, 4.
  check_values(
      ex::max_pool2d(ex::tensor(std::vector<double>{1, 9, 2, 9, 3}, {1, 1, 5}), {1, 3}, {1, 1}, {0, 0}, {1, 2}),
      {1, 1, 1}, {3});
}

TEST_CASE("max_pool2d: NaN in a window is its maximum") {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const Tensor x = ex::tensor(std::vector<double>{1, nan, 3, 4, 5, 6, 7, nan}, {1, 2, 4});
  auto [out, indices] = ex::max_pool2d_with_indices(x, {2, 2});
  check_values(out, {1, 1, 2}, {nan, nan});
  CHECK(indices.to_vector<std::int64_t>() == std::vector<std::int64_t>{1, 7});
}

TEST_CASE("avg_pool2d: hand results for count_include_pad and ceil_mode") {
  const Tensor x = iota({1, 1, 3, 3});
  // Padding 1, kernel 2, stride 2: windows cover 1, 2, 2 and 4 input elements.
  check_values(ex::avg_pool2d(x, {2, 2}, {2, 2}, {1, 1}), {1, 1, 2, 2}, {0 / 4.0, 3 / 4.0, 9 / 4.0, 24 / 4.0});
  check_values(ex::avg_pool2d(x, {2, 2}, {2, 2}, {1, 1}, false, false), {1, 1, 2, 2}, {0, 1.5, 4.5, 6});
  // ceil_mode adds a last window past the input; its divisor stops at the input (no
  // padding there), so it is the mean of what it covers either way.
  check_values(ex::avg_pool2d(x, {2, 2}, {2, 2}, {0, 0}, true), {1, 1, 2, 2}, {2, 3.5, 6.5, 8});
  check_values(
      ex::avg_pool2d_backward(ex::ones({1, 1, 2, 2}, DType::Float64), {1, 1, 3, 3}, {2, 2}, {2, 2}, {0, 0}, true),
      {1, 1, 3, 3}, {0.25, 0.25, 0.5, 0.25, 0.25, 0.5, 0.5, 0.5, 1});
}

TEST_CASE("adaptive_avg_pool2d: hand results") {
  const Tensor x = iota({1, 3, 3});
  check_values(ex::adaptive_avg_pool2d(x, {1, 1}), {1, 1, 1}, {4});
  // 3 into 2: windows [0, 2) and [1, 3).
  check_values(ex::adaptive_avg_pool2d(x, {2, 2}), {1, 2, 2}, {2, 3, 5, 6});
  check_values(ex::adaptive_avg_pool2d_backward(ex::ones({1, 2, 2}, DType::Float64), {1, 3, 3}), {1, 3, 3},
               {0.25, 0.5, 0.25, 0.5, 1, 0.5, 0.25, 0.5, 0.25});
}

TEST_CASE("pooling: PyTorch 1.13 reference values") {
  const std::vector<ReferenceCase> cases = reference_cases();
  REQUIRE(cases.size() >= 18);
  for (const ReferenceCase& c : cases) {
    INFO("case: ", c.name);
    const Tensor x = c.input.tensor(), g = c.grad.tensor();
    auto [out, grad_input] = run_case(c, x, g);
    check_values(out, c.output.shape, c.output.values, 1e-12, 1e-12);
    check_values(grad_input, c.grad_input.shape, c.grad_input.values, 1e-12, 1e-12);
    // Non-contiguous input and grad read through their strides.
    auto [out_view, grad_view] = run_case(c, ex::test::noncontiguous(x), ex::test::noncontiguous(g));
    check_values(out_view, c.output.shape, c.output.values, 1e-12, 1e-12);
    check_values(grad_view, c.grad_input.shape, c.grad_input.values, 1e-12, 1e-12);
    // Lower precisions compute in float32 and round their results.
    for (DType dtype : {DType::Float32, DType::Float16, DType::BFloat16}) {
      INFO("dtype: ", ex::dtype_name(dtype));
      const double tol = dtype == DType::Float32 ? 1e-5 : dtype == DType::Float16 ? 2e-2 : 1e-1;
      auto [o, gi] = run_case(c, x.to(dtype), g.to(dtype));
      CHECK(o.dtype() == dtype);
      CHECK(gi.dtype() == dtype);
      if (c.op != "max_pool2d" || dtype != DType::BFloat16) {
        check_values(o, c.output.shape, c.output.values, tol, tol);
        check_values(gi, c.grad_input.shape, c.grad_input.values, 2 * tol, 2 * tol);
      }
    }
  }
}

TEST_CASE("pooling: raw backwards against central differences") {
  const Tensor x = distinct({2, 2, 5, 6});
  ex::test::check_gradients(
      [](const std::vector<Tensor>& in) {
        return ex::avg_pool2d(in[0], {3, 2}, {2, 1}, {1, 1}, true, false);
      },
      [](const Tensor& g, const std::vector<Tensor>& in) {
        return std::vector<Tensor>{ex::avg_pool2d_backward(g, in[0].shape(), {3, 2}, {2, 1}, {1, 1}, true, false)};
      },
      {x});
  ex::test::check_gradients(
      [](const std::vector<Tensor>& in) {
        return ex::adaptive_avg_pool2d(in[0], {3, 4});
      },
      [](const Tensor& g, const std::vector<Tensor>& in) {
        return std::vector<Tensor>{ex::adaptive_avg_pool2d_backward(g, in[0].shape())};
      },
      {x});
  ex::test::check_gradients(
      [](const std::vector<Tensor>& in) {
        return ex::max_pool2d(in[0], {3, 3}, {2, 2}, {1, 1}, {1, 2}, true);
      },
      [](const Tensor& g, const std::vector<Tensor>& in) {
        auto [out, indices] = ex::max_pool2d_with_indices(in[0], {3, 3}, {2, 2}, {1, 1}, {1, 2}, true);
        return std::vector<Tensor>{ex::max_pool2d_backward(g, in[0], indices, {3, 3}, {2, 2}, {1, 1}, {1, 2}, true)};
      },
      {x});
}

TEST_CASE("pooling: empty batch") {
  const Tensor x = ex::zeros({0, 2, 4, 4}, DType::Float32);
  CHECK(ex::max_pool2d(x, {2, 2}).shape() == Shape{0, 2, 2, 2});
  CHECK(ex::avg_pool2d(x, {2, 2}).shape() == Shape{0, 2, 2, 2});
  CHECK(ex::adaptive_avg_pool2d(x, {3, 1}).shape() == Shape{0, 2, 3, 1});
}

TEST_CASE("max_pool2d: errors name the op") {
  const Tensor x = iota({1, 2, 4, 4});
  const auto throws = [](auto&& f, const char* text) { CHECK_THROWS_WITH_AS(f(), doctest::Contains(text), ex::Error); };
  throws([&] { return ex::max_pool2d(Tensor(), {2, 2}); }, "max_pool2d: input is an undefined tensor");
  throws([&] { return ex::max_pool2d(iota({4, 4}), {2, 2}); }, "max_pool2d: expected a 3-D");
  throws([&] { return ex::max_pool2d(iota({1, 0, 4, 4}), {2, 2}); }, "max_pool2d: input of shape [1, 0, 4, 4]");
  throws(
      [&] {
        return ex::max_pool2d(iota({1, 2, 4, 4}, DType::Int64), {2, 2});
      },
      "max_pool2d: input must be floating");
  throws([&] { return ex::max_pool2d(x, {0, 2}); }, "max_pool2d: kernel_size must be positive, got [0, 2]");
  throws([&] { return ex::max_pool2d(x, {2, 2}, {-1, 1}); }, "max_pool2d: stride must be positive");
  throws([&] { return ex::max_pool2d(x, {2, 2}, {0, 1}); }, "max_pool2d: stride must be positive");
  throws([&] { return ex::max_pool2d(x, {2, 2}, {}, {0, 0}, {0, 1}); }, "max_pool2d: dilation must be positive");
  throws([&] { return ex::max_pool2d(x, {2, 2}, {}, {-1, 0}); }, "max_pool2d: padding must be non-negative");
  throws([&] { return ex::max_pool2d(x, {2, 2}, {}, {2, 0}); }, "max_pool2d: padding [2, 0] must be at most half");
  throws([&] { return ex::max_pool2d(x, {5, 5}); }, "max_pool2d: input of shape [1, 2, 4, 4] with kernel_size [5, 5]");
  throws([&] { return ex::max_pool2d(x, {2, 2}, {}, {0, 0}, {std::int64_t{1} << 40, 1}); }, "max_pool2d: kernel_size");
  auto [out, indices] = ex::max_pool2d_with_indices(x, {2, 2});
  throws(
      [&] {
        return ex::max_pool2d_backward(ex::ones({1, 2, 3, 2}, DType::Float64), x, indices, {2, 2});
      },
      "max_pool2d_backward: grad has shape [1, 2, 3, 2]");
  throws(
      [&] {
        return ex::max_pool2d_backward(out.to(DType::Float32), x, indices, {2, 2});
      },
      "max_pool2d_backward: grad has dtype float32");
  throws(
      [&] {
        return ex::max_pool2d_backward(out, x, indices.to(DType::Int32), {2, 2});
      },
      "max_pool2d_backward: indices must be int64");
  throws(
      [&] {
        return ex::max_pool2d_backward(out, x, ex::full_like(indices, 16), {2, 2});
      },
      "max_pool2d_backward: index 16 is outside");
}

TEST_CASE("avg_pool2d and adaptive_avg_pool2d: errors name the op") {
  const Tensor x = iota({2, 4, 4});
  const auto throws = [](auto&& f, const char* text) { CHECK_THROWS_WITH_AS(f(), doctest::Contains(text), ex::Error); };
  throws([&] { return ex::avg_pool2d(Tensor(), {2, 2}); }, "avg_pool2d: input is an undefined tensor");
  throws([&] { return ex::avg_pool2d(iota({1, 1, 1, 4, 4}), {2, 2}); }, "avg_pool2d: expected a 3-D");
  throws([&] { return ex::avg_pool2d(iota({2, 4, 4}, DType::Bool), {2, 2}); }, "avg_pool2d: input must be floating");
  throws([&] { return ex::avg_pool2d(x, {2, -2}); }, "avg_pool2d: kernel_size must be positive");
  throws([&] { return ex::avg_pool2d(x, {2, 2}, {1, -1}); }, "avg_pool2d: stride must be positive");
  throws([&] { return ex::avg_pool2d(x, {2, 2}, {}, {0, -1}); }, "avg_pool2d: padding must be non-negative");
  throws([&] { return ex::avg_pool2d(x, {3, 3}, {}, {1, 2}); }, "avg_pool2d: padding [1, 2] must be at most half");
  throws([&] { return ex::avg_pool2d(x, {5, 1}); }, "avg_pool2d: input of shape [2, 4, 4]");
  throws(
      [&] {
        return ex::avg_pool2d_backward(ex::ones({2, 3, 2}, DType::Float64), x.shape(), {2, 2});
      },
      "avg_pool2d_backward: grad has shape [2, 3, 2]");
  throws(
      [&] {
        return ex::avg_pool2d_backward(Tensor(), x.shape(), {2, 2});
      },
      "avg_pool2d_backward: grad is an undefined tensor");
  throws([&] { return ex::adaptive_avg_pool2d(Tensor(), {2, 2}); }, "adaptive_avg_pool2d: input is an undefined");
  throws([&] { return ex::adaptive_avg_pool2d(iota({4}), {2, 2}); }, "adaptive_avg_pool2d: expected a 3-D");
  throws([&] { return ex::adaptive_avg_pool2d(x, {0, 2}); }, "adaptive_avg_pool2d: output_size must be positive");
  throws([&] { return ex::adaptive_avg_pool2d(x, {2, -1}); }, "adaptive_avg_pool2d: output_size must be positive");
  throws([&] { return ex::adaptive_avg_pool2d(x, {std::int64_t{1} << 40, 1}); }, "adaptive_avg_pool2d: input of shape");
  throws(
      [&] {
        return ex::adaptive_avg_pool2d(iota({2, 4, 4}, DType::Int32), {2, 2});
      },
      "adaptive_avg_pool2d: input must be floating");
  throws(
      [&] {
        return ex::adaptive_avg_pool2d_backward(ex::ones({3, 2, 2}, DType::Float64), x.shape());
      },
      "adaptive_avg_pool2d_backward: grad has shape [3, 2, 2]");
  throws(
      [&] {
        return ex::adaptive_avg_pool2d_backward(ex::ones({2, 2}, DType::Float64), x.shape());
      },
      "adaptive_avg_pool2d_backward: grad of shape [2, 2]");
}

TEST_CASE("pooling: windows of 2^31 are clipped to the input") {
  const std::int64_t k31 = std::int64_t{1} << 31, k30 = std::int64_t{1} << 30;
  const Tensor x = ex::ones({1, 1, 1}, DType::Float64);
  // Output size: (1 + 2 * 2^30 - (2^31 - 1) - 1) / 1 + 1 = 2 per dim.
  check_values(ex::max_pool2d(x, {k31, k31}, {1, 1}, {k30, k30}), {1, 2, 2}, {1, 1, 1, 1});
  check_values(ex::avg_pool2d(x, {k31, k31}, {1, 1}, {k30, k30}, false, false), {1, 2, 2}, {1, 1, 1, 1});
}

TEST_CASE("max_pool2d: dilated windows starting in the padding") {
  // Kernel 3, dilation 3, stride 2, padding 1 over a row of 7 (PyTorch 1.13's values):
  // windows start at -1 and 1, so their elements are {-1, 2, 5} (-1 is padding) and
  // {1, 4, 7} (7 is past the end).
  const Tensor x = ex::tensor(std::vector<double>{0, 1, 6, 3, 4, 2, 5}, {1, 1, 7});
  auto [out, indices] = ex::max_pool2d_with_indices(x, {1, 3}, {1, 2}, {0, 1}, {1, 3});
  check_values(out, {1, 1, 2}, {6, 4});
  CHECK(indices.to_vector<std::int64_t>() == std::vector<std::int64_t>{2, 4});
}

TEST_CASE("max_pool2d: windows inside the input give a naive loop's maxima and first indices, ties and NaN included") {
  // Values from {0, ..., 4} (so windows tie) with a few NaN; every window lies inside the
  // input (no padding), the case max_pool2d runs as one flat loop per window element.
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const std::int64_t n = 2, c = 3, h = 9, w = 11;
  std::vector<double> v(static_cast<std::size_t>(n * c * h * w));
  for (std::size_t i = 0; i < v.size(); ++i) v[i] = i % 97 == 5 ? nan : static_cast<double>((i * 7) % 5);
  const Tensor x = ex::tensor(v, {n, c, h, w});
  struct Config {
    Pair kernel, stride, dilation;
  };
  for (const Config& cfg : {Config{{2, 2}, {2, 2}, {1, 1}}, Config{{3, 2}, {1, 3}, {1, 1}},
                            Config{{2, 3}, {2, 1}, {2, 2}}, Config{{1, 1}, {1, 1}, {1, 1}}}) {
    const std::int64_t oh = (h - cfg.dilation[0] * (cfg.kernel[0] - 1) - 1) / cfg.stride[0] + 1;
    const std::int64_t ow = (w - cfg.dilation[1] * (cfg.kernel[1] - 1) - 1) / cfg.stride[1] + 1;
    std::vector<double> expected;
    std::vector<std::int64_t> expected_at;
    for (std::int64_t p = 0; p < n * c; ++p)
      for (std::int64_t i = 0; i < oh; ++i)
        for (std::int64_t j = 0; j < ow; ++j) {
          double best = -std::numeric_limits<double>::infinity();
          std::int64_t at = i * cfg.stride[0] * w + j * cfg.stride[1];
          for (std::int64_t a = 0; a < cfg.kernel[0]; ++a)
            for (std::int64_t b = 0; b < cfg.kernel[1]; ++b) {
              const std::int64_t y = i * cfg.stride[0] + a * cfg.dilation[0];
              const std::int64_t z = j * cfg.stride[1] + b * cfg.dilation[1];
              const double value = v[static_cast<std::size_t>(p * h * w + y * w + z)];
              if (value > best || std::isnan(value)) {
                best = value;
                at = y * w + z;
              }
            }
          expected.push_back(best);
          expected_at.push_back(at);
        }
    for (DType dtype : {DType::Float64, DType::Float32, DType::BFloat16}) {
      for (bool view : {false, true}) {
        INFO("kernel ", cfg.kernel[0], "x", cfg.kernel[1], ", stride ", cfg.stride[0], "x", cfg.stride[1],
             ", dilation ", cfg.dilation[0], ", dtype ", ex::dtype_name(dtype), ", view ", view);
        const Tensor input = view ? ex::test::noncontiguous(x.to(dtype)) : x.to(dtype);
        auto [out, indices] = ex::max_pool2d_with_indices(input, cfg.kernel, cfg.stride, {0, 0}, cfg.dilation);
        check_values(out, {n, c, oh, ow}, expected, 0, 0);
        CHECK(indices.to_vector<std::int64_t>() == expected_at);
      }
    }
  }
}
