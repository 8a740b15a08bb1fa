// conv2d and conv2d_backward: a hand-computed case, the oneDNN dtypes against the float64
// loops over strides, padding, dilation and groups, PyTorch 1.13's values
// (tools/conv_reference/gen_conv_reference.py), and every error path.
#include <doctest/doctest.h>

#include <array>
#include <fstream>
#include <map>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "test_util.hpp"

#ifndef EXTENSOR_OPS_DATA_DIR
#error "tests/CMakeLists.txt defines EXTENSOR_OPS_DATA_DIR for test_ops"
#endif

namespace {

using ex::Tensor;
using Pair = std::array<std::int64_t, 2>;

Tensor random64(const ex::Shape& shape, unsigned seed) {
  std::mt19937_64 gen(seed);
  std::uniform_real_distribution<double> dist(-1, 1);
  std::vector<double> v(static_cast<std::size_t>(shape.numel()));
  for (double& x : v) x = dist(gen);
  return ex::tensor(v, shape);
}

// Largest |a - b| relative to the largest |b|.
double relative_error(const Tensor& a, const Tensor& b) {
  const std::vector<double> x = a.to_vector<double>(), y = b.to_vector<double>();
  REQUIRE(x.size() == y.size());
  double diff = 0, scale = 1e-30;
  for (std::size_t i = 0; i < x.size(); ++i) {
    diff = std::max(diff, std::fabs(x[i] - y[i]));
    scale = std::max(scale, std::fabs(y[i]));
  }
  return diff / scale;
}

struct Params {
  const char* what;
  ex::Shape input, weight;
  bool bias;
  Pair stride, padding, dilation;
  std::int64_t groups;
};

const std::vector<Params> kParams = {
    {"plain", {2, 3, 6, 6}, {4, 3, 3, 3}, true, {1, 1}, {0, 0}, {1, 1}, 1},
    {"stride 2", {2, 4, 7, 6}, {5, 4, 3, 3}, true, {2, 2}, {0, 0}, {1, 1}, 1},
    {"padding 1", {2, 4, 5, 5}, {3, 4, 3, 3}, true, {1, 1}, {1, 1}, {1, 1}, 1},
    {"dilation 2", {2, 2, 8, 8}, {3, 2, 3, 3}, true, {1, 1}, {1, 2}, {2, 2}, 1},
    {"groups 2", {2, 4, 5, 5}, {6, 2, 3, 3}, true, {1, 1}, {1, 1}, {1, 1}, 2},
    {"depthwise", {2, 8, 6, 6}, {8, 1, 3, 3}, true, {1, 1}, {1, 1}, {1, 1}, 8},
    {"no bias", {2, 3, 5, 7}, {4, 3, 2, 3}, false, {2, 1}, {1, 0}, {1, 1}, 1},
    {"unbatched", {3, 6, 5}, {2, 3, 3, 3}, true, {1, 1}, {1, 1}, {1, 1}, 1},
    {"mnist first layer", {64, 1, 28, 28}, {32, 1, 3, 3}, true, {1, 1}, {1, 1}, {1, 1}, 1},
    {"mnist second layer", {64, 32, 14, 14}, {64, 32, 3, 3}, true, {1, 1}, {1, 1}, {1, 1}, 1},
};

// Forward and all gradients of p in dtype, returned as float64.
std::vector<Tensor> run(const Params& p, ex::DType dtype) {
  const Tensor x = random64(p.input, 1).to(dtype), w = random64(p.weight, 2).to(dtype);
  const Tensor b = p.bias ? random64({p.weight[0]}, 3).to(dtype) : Tensor();
  const Tensor y = ex::conv2d(x, w, b, p.stride, p.padding, p.dilation, p.groups);
  const Tensor g = random64(y.shape(), 4).to(dtype);
  const ex::Conv2dGradients r = ex::conv2d_backward(g, x, w, p.bias, p.stride, p.padding, p.dilation, p.groups);
  CHECK(y.dtype() == dtype);
  CHECK(r.input.dtype() == dtype);
  CHECK(r.input.shape() == x.shape());
  CHECK(r.weight.shape() == w.shape());
  CHECK(r.bias.defined() == p.bias);
  std::vector<Tensor> out{y.to(ex::DType::Float64), r.input.to(ex::DType::Float64), r.weight.to(ex::DType::Float64)};
  if (p.bias) out.push_back(r.bias.to(ex::DType::Float64));
  return out;
}

}  // namespace

TEST_CASE("conv2d: a hand-computed 3x3 input with a diagonal 2x2 kernel") {
  const Tensor x = ex::tensor(std::vector<double>{1, 2, 3, 4, 5, 6, 7, 8, 9}, {1, 1, 3, 3});
  const Tensor w = ex::tensor(std::vector<double>{1, 0, 0, 1}, {1, 1, 2, 2});
  const Tensor b = ex::tensor(std::vector<double>{10}, {1});
  for (ex::DType dtype : {ex::DType::Float64, ex::DType::Float32, ex::DType::BFloat16, ex::DType::Float16}) {
    INFO("dtype " << ex::dtype_name(dtype));
    const Tensor y = ex::conv2d(x.to(dtype), w.to(dtype), b.to(dtype));
    ex::test::check_values(y, {1, 1, 2, 2}, {16, 18, 22, 24}, 1e-6, dtype == ex::DType::BFloat16 ? 1e-2 : 1e-3);
    const Tensor g = ex::ones({1, 1, 2, 2}, dtype);
    const ex::Conv2dGradients r = ex::conv2d_backward(g, x.to(dtype), w.to(dtype), true);
    ex::test::check_values(r.input, {1, 1, 3, 3}, {1, 1, 0, 1, 2, 1, 0, 1, 1});
    ex::test::check_values(r.weight, {1, 1, 2, 2}, {12, 16, 24, 28}, 1e-6, 1e-2);
    ex::test::check_values(r.bias, {1}, {4});
  }
}

TEST_CASE("conv2d: float32 on oneDNN matches the float64 loops over strides and padding and dilation and groups") {
  for (const Params& p : kParams) {
    INFO(p.what);
    const std::vector<Tensor> ref = run(p, ex::DType::Float64), f32 = run(p, ex::DType::Float32);
    for (std::size_t i = 0; i < ref.size(); ++i) {
      INFO("result " << i << " (output, grad input, grad weight, grad bias)");
      CHECK(relative_error(f32[i], ref[i]) < 1e-5);
    }
  }
}

TEST_CASE("conv2d: bfloat16 and float16 follow float32 to their precision") {
  for (const Params& p : kParams) {
    INFO(p.what);
    const std::vector<Tensor> f32 = run(p, ex::DType::Float32);
    const std::vector<Tensor> bf16 = run(p, ex::DType::BFloat16), f16 = run(p, ex::DType::Float16);
    for (std::size_t i = 0; i < f32.size(); ++i) {
      INFO("result " << i);
      CHECK(relative_error(bf16[i], f32[i]) < 3e-2);
      CHECK(relative_error(f16[i], f32[i]) < 3e-3);
    }
  }
}

TEST_CASE("conv2d: non-contiguous inputs and an empty batch") {
  const Tensor base = random64({2, 3, 6, 5}, 7);
  const Tensor xt = base.transpose(2, 3).contiguous().transpose(2, 3);  // same values, other strides
  const Tensor w = random64({4, 3, 3, 3}, 8);
  for (ex::DType dtype : {ex::DType::Float64, ex::DType::Float32}) {
    const Tensor a = ex::conv2d(base.to(dtype), w.to(dtype), {}, {1, 1}, {1, 1});
    const Tensor b = ex::conv2d(xt.to(dtype).transpose(2, 3).contiguous().transpose(2, 3),
                                w.to(dtype).transpose(2, 3).contiguous().transpose(2, 3), {}, {1, 1}, {1, 1});
    CHECK(relative_error(b, a) < 1e-6);
  }
  const Tensor empty = ex::conv2d(ex::zeros({0, 3, 6, 5}), w.to(ex::DType::Float32), {}, {1, 1}, {1, 1});
  CHECK(empty.shape() == ex::Shape{0, 4, 6, 5});
  const ex::Conv2dGradients r = ex::conv2d_backward(ex::zeros({0, 4, 6, 5}), ex::zeros({0, 3, 6, 5}),
                                                    w.to(ex::DType::Float32), true, {1, 1}, {1, 1});
  ex::test::check_values(r.bias, {4}, {0, 0, 0, 0});
  CHECK(r.weight.shape() == w.shape());
  CHECK(r.input.shape() == ex::Shape{0, 3, 6, 5});
}

TEST_CASE("conv2d_backward: the mask leaves unrequested gradients undefined") {
  const Tensor x = random64({2, 3, 5, 5}, 9).to(ex::DType::Float32),
               w = random64({4, 3, 3, 3}, 10).to(ex::DType::Float32);
  const Tensor g = random64({2, 4, 3, 3}, 11).to(ex::DType::Float32);
  const ex::Conv2dGradients only_weight =
      ex::conv2d_backward(g, x, w, true, {1, 1}, {0, 0}, {1, 1}, 1, {false, true, false});
  CHECK_FALSE(only_weight.input.defined());
  CHECK(only_weight.weight.defined());
  CHECK_FALSE(only_weight.bias.defined());
  const ex::Conv2dGradients all = ex::conv2d_backward(g, x, w, true);
  CHECK(relative_error(only_weight.weight, all.weight) == 0);
  const ex::Conv2dGradients no_bias = ex::conv2d_backward(g, x, w, false);
  CHECK_FALSE(no_bias.bias.defined());
}

namespace {
struct ReferenceCase {
  std::string name;
  Pair stride, padding, dilation;
  std::int64_t groups = 1;
  bool bias = false;
  std::map<std::string, Tensor> tensors;
};

std::vector<ReferenceCase> read_reference() {
  const std::string path = std::string(EXTENSOR_OPS_DATA_DIR) + "/conv2d_reference.txt";
  std::ifstream file(path);
  INFO("reading " << path);
  REQUIRE(file.is_open());
  std::vector<ReferenceCase> cases;
  for (std::string text; std::getline(file, text);) {
    std::istringstream line(text);
    std::string kind, word;
    line >> kind;
    if (kind == "case") {
      ReferenceCase& c = cases.emplace_back();
      int bias = 0;
      line >> c.name >> word >> c.stride[0] >> c.stride[1] >> word >> c.padding[0] >> c.padding[1] >> word >>
          c.dilation[0] >> c.dilation[1] >> word >> c.groups >> word >> bias;
      c.bias = bias != 0;
    } else if (!kind.empty()) {
      REQUIRE(!cases.empty());
      std::int64_t rank = 0;
      line >> rank;
      ex::Shape shape;
      for (std::int64_t d = 0; d < rank; ++d) {
        std::int64_t s = 0;
        line >> s;
        shape.push_back(s);
      }
      std::vector<double> values(static_cast<std::size_t>(shape.numel()));
      for (double& v : values) line >> v;
      REQUIRE(line);
      cases.back().tensors[kind] = ex::tensor(values, shape);
    }
  }
  return cases;
}
}  // namespace

TEST_CASE("conv2d: PyTorch 1.13 values for output and gradients") {
  const std::vector<ReferenceCase> cases = read_reference();
  REQUIRE(cases.size() == 6);
  for (const ReferenceCase& c : cases) {
    for (ex::DType dtype : {ex::DType::Float64, ex::DType::Float32}) {
      INFO(c.name << " in " << ex::dtype_name(dtype));
      auto t = [&](const std::string& name) { return c.tensors.at(name).to(dtype); };
      const double tol = dtype == ex::DType::Float64 ? 1e-12 : 1e-5;
      const Tensor b = c.bias ? t("bias") : Tensor();
      const Tensor y = ex::conv2d(t("input"), t("weight"), b, c.stride, c.padding, c.dilation, c.groups);
      CHECK(relative_error(y, c.tensors.at("output")) < tol);
      const ex::Conv2dGradients r = ex::conv2d_backward(t("grad_output"), t("input"), t("weight"), c.bias, c.stride,
                                                        c.padding, c.dilation, c.groups);
      CHECK(relative_error(r.input, c.tensors.at("grad_input")) < tol);
      CHECK(relative_error(r.weight, c.tensors.at("grad_weight")) < tol);
      if (c.bias) CHECK(relative_error(r.bias, c.tensors.at("grad_bias")) < tol);
      // The recording op gives the same gradients through the tape.
      const Tensor x = t("input").detach().clone().requires_grad_();
      const Tensor w = t("weight").detach().clone().requires_grad_();
      const Tensor recorded = ex::conv2d(x, w, b, c.stride, c.padding, c.dilation, c.groups);
      REQUIRE(x.requires_grad());
      REQUIRE(recorded.grad_fn_name() == "conv2d");
      const Tensor loss = ex::sum(ex::multiply(recorded, t("grad_output")));
      REQUIRE(loss.requires_grad());
      loss.backward();
      REQUIRE(x.grad().defined());
      CHECK(relative_error(x.grad(), c.tensors.at("grad_input")) < tol);
      CHECK(relative_error(w.grad(), c.tensors.at("grad_weight")) < tol);
    }
  }
}

TEST_CASE("conv2d: bad input throws naming the shapes") {
  using ex::DType;
  const Tensor x = ex::zeros({2, 4, 5, 5}), w = ex::zeros({6, 2, 3, 3}), b = ex::zeros({6});
  auto throws = [](auto f, const char* start) {
    CHECK_THROWS_WITH_AS(f(), doctest::Contains(start), ex::Error);
    CHECK(ex::test::error_of(f).rfind("conv2d", 0) == 0);
  };
  throws([&] { return ex::conv2d(Tensor(), w); }, "conv2d: input is an undefined tensor");
  throws([&] { return ex::conv2d(x, Tensor()); }, "conv2d: weight is an undefined tensor");
  throws(
      [&] {
        return ex::conv2d(ex::zeros({4, 5}), w);
      },
      "conv2d: expected input of shape [N, C, H, W] or [C, H, W], got [4, 5]");
  throws([&] { return ex::conv2d(x, ex::zeros({6, 2, 3})); }, "conv2d: expected weight of shape");
  throws([&] { return ex::conv2d(x, w); },
         "conv2d: input of shape [2, 4, 5, 5] has 4 channels but weight of shape [6, 2, 3, 3] with groups 1 expects 2");
  throws(
      [&] {
        return ex::conv2d(x, ex::zeros({5, 2, 3, 3}), {}, {1, 1}, {0, 0}, {1, 1}, 2);
      },
      "conv2d: weight of shape [5, 2, 3, 3] has 5 output channels, not divisible by groups 2");
  throws([&] { return ex::conv2d(x, w, b, {1, 1}, {0, 0}, {1, 1}, 0); }, "conv2d: groups must be positive, got 0");
  throws([&] { return ex::conv2d(x, w, b, {1, 1}, {0, 0}, {1, 1}, -2); }, "conv2d: groups must be positive");
  throws(
      [&] {
        return ex::conv2d(x, ex::zeros({6, 2, 6, 3}), b, {1, 1}, {0, 0}, {1, 1}, 2);
      },
      "conv2d: kernel of shape [6, 2, 6, 3]");
  throws([&] { return ex::conv2d(x, w, b, {1, 1}, {0, 0}, {3, 1}, 2); }, "does not fit input of shape [2, 4, 5, 5]");
  throws([&] { return ex::conv2d(x, w, b, {0, 1}, {0, 0}, {1, 1}, 2); }, "conv2d: stride must be positive, got (0, 1)");
  throws([&] { return ex::conv2d(x, w, b, {1, -1}, {0, 0}, {1, 1}, 2); }, "conv2d: stride must be positive");
  throws(
      [&] {
        return ex::conv2d(x, w, b, {1, 1}, {0, 0}, {1, 0}, 2);
      },
      "conv2d: dilation must be positive, got (1, 0)");
  throws(
      [&] {
        return ex::conv2d(x, w, b, {1, 1}, {-1, 0}, {1, 1}, 2);
      },
      "conv2d: padding must be non-negative, got (-1, 0)");
  throws(
      [&] {
        return ex::conv2d(x, w, ex::zeros({5}), {1, 1}, {0, 0}, {1, 1}, 2);
      },
      "conv2d: expected bias of shape [6] for weight of shape [6, 2, 3, 3], got [5]");
  throws(
      [&] {
        return ex::conv2d(x, w, ex::zeros({6, 1}), {1, 1}, {0, 0}, {1, 1}, 2);
      },
      "conv2d: expected bias of shape [6]");
  throws(
      [&] {
        return ex::conv2d(x, w.to(DType::Float64), b, {1, 1}, {0, 0}, {1, 1}, 2);
      },
      "conv2d: input has dtype float32 but weight has dtype float64");
  throws(
      [&] {
        return ex::conv2d(x, w, b.to(DType::Float64), {1, 1}, {0, 0}, {1, 1}, 2);
      },
      "conv2d: bias has dtype float64 but input has dtype float32");
  throws(
      [&] {
        return ex::conv2d(x.to(DType::Int32), w.to(DType::Int32), {}, {1, 1}, {0, 0}, {1, 1}, 2);
      },
      "conv2d: input must be floating-point");
  throws(
      [&] {
        return ex::conv2d_backward(ex::zeros({2, 6, 2, 2}), x, w, true, {1, 1}, {0, 0}, {1, 1}, 2);
      },
      "conv2d_backward: grad has shape [2, 6, 2, 2] and dtype float32 but the result has shape [2, 6, 3, 3]");
  throws(
      [&] {
        return ex::conv2d_backward(Tensor(), x, w, true, {1, 1}, {0, 0}, {1, 1}, 2);
      },
      "conv2d_backward: grad is an undefined tensor");
}

TEST_CASE("conv2d: on the tape an input that needs no gradient gets none") {
  const Tensor x = random64({2, 3, 6, 6}, 12).to(ex::DType::Float32);
  const Tensor w = random64({4, 3, 3, 3}, 13).to(ex::DType::Float32).requires_grad_();
  const Tensor b = random64({4}, 14).to(ex::DType::Float32).requires_grad_();
  const Tensor y = ex::conv2d(x, w, b, {1, 1}, {1, 1});
  const Tensor g = random64(y.shape(), 15).to(ex::DType::Float32);
  ex::sum(ex::multiply(y, g)).backward();
  CHECK_FALSE(x.grad().defined());
  const ex::Conv2dGradients r = ex::conv2d_backward(g, x, w.detach(), true, {1, 1}, {1, 1});
  CHECK(relative_error(w.grad(), r.weight) == 0);
  CHECK(relative_error(b.grad(), r.bias) == 0);
}
