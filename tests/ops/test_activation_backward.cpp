// Raw backward kernels of the activation family: float64 gradchecks of every kernel, the
// conventions at kinks and in saturation, the fast paths (oneDNN and our float32/half
// loops) against the float64 result, and every error path.

#include <cmath>
#include <functional>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include "activation_backend.hpp"
#include "gradcheck.hpp"
#include "test_util.hpp"

namespace {

using Backend = ex::test::ActivationBackend;
using Unary = std::function<Tensor(const Tensor&)>;
using UnaryBackward = std::function<Tensor(const Tensor& grad, const Tensor& x)>;

// Random float64 values of the given shape, kept at least 0.05 away from 0 so central
// differences never straddle the kink of relu-like ops.
Tensor away_from_zero(const ex::Shape& shape, std::uint64_t seed = 7) {
  ex::Generator gen(seed);
  std::vector<double> v = ex::randn(shape, DType::Float64, gen).to_vector<double>();
  for (double& e : v)
    if (std::fabs(e) < 0.05) e = e < 0 ? -0.05 - e : 0.05 + e;
  return ex::tensor(v, shape);
}

// t's values times k, as a new float64 tensor.
Tensor scaled(const Tensor& t, double k) {
  std::vector<double> v = t.to_vector<double>();
  for (double& e : v) e *= k;
  return ex::tensor(v, t.shape());
}

double sum_of(const Tensor& t) {
  double total = 0;
  for (double v : t.to_vector<double>()) total += v;
  return total;
}

// The inputs every elementwise gradcheck runs on: a matrix, a 3-D tensor, rank 0,
// zero-size dims, and non-contiguous views (transposed storage, a strided slice).
std::vector<Tensor> elementwise_inputs() {
  const Tensor m = away_from_zero({3, 4});
  return {m,
          away_from_zero({2, 3, 2}, 11),
          ex::scalar_tensor(-0.7, DType::Float64),
          ex::scalar_tensor(1.3, DType::Float64),
          ex::zeros({0, 3}, DType::Float64),
          ex::test::noncontiguous(m),
          away_from_zero({4, 6}, 13).slice(1, 0, 6, 2)};
}

// An elementwise op and its backward, which takes the op's input (from_output false)
// or its output (sigmoid, tanh).
struct Case {
  std::string name;
  Unary forward;
  UnaryBackward backward;  // (grad, what backward needs)
  bool from_output;
  bool onednn;  // whether float32/bfloat16 may run on oneDNN
};

std::vector<Case> cases() {
  return {
      {"relu", [](const Tensor& x) { return ex::relu(x); },
       [](const Tensor& g, const Tensor& x) { return ex::relu_backward(g, x); }, false, false},
      {"leaky_relu(0.2)", [](const Tensor& x) { return ex::leaky_relu(x, 0.2); },
       [](const Tensor& g, const Tensor& x) { return ex::leaky_relu_backward(g, x, 0.2); }, false, false},
      {"sigmoid", [](const Tensor& x) { return ex::sigmoid(x); },
       [](const Tensor& g, const Tensor& y) { return ex::sigmoid_backward(g, y); }, true, false},
      {"tanh", [](const Tensor& x) { return ex::tanh(x); },
       [](const Tensor& g, const Tensor& y) { return ex::tanh_backward(g, y); }, true, false},
      {"gelu", [](const Tensor& x) { return ex::gelu(x, "none"); },
       [](const Tensor& g, const Tensor& x) { return ex::gelu_backward(g, x, "none"); }, false, true},
      {"gelu(tanh)", [](const Tensor& x) { return ex::gelu(x, "tanh"); },
       [](const Tensor& g, const Tensor& x) { return ex::gelu_backward(g, x, "tanh"); }, false, true},
  };
}

// Calls c.backward with the forward tensor it expects for input x.
Tensor run_backward(const Case& c, const Tensor& grad, const Tensor& x) {
  return c.backward(grad, c.from_output ? c.forward(x) : x);
}

// Tolerance of a dtype's result against the float64 one (relative to the values' size).
const ex::test::DTypeTolerance tol{1e-10, 1e-5, 4e-3, 3e-2, 3e-2};

const DType kLowPrecision[] = {DType::Float32, DType::BFloat16, DType::Float16};

bool onednn_dtype(DType dt) { return ex::test::onednn_runs(dt); }

// The implementation check of a fast path: oneDNN (never its reference path) where it
// is expected, our own loop otherwise.
void check_impl(bool expect_onednn) {
  const std::string impl = ex::kernels::last_activation_impl();
  INFO("impl: " << impl);
  if (expect_onednn) {
    CHECK(impl != "extensor");
    CHECK(impl.rfind("ref", 0) != 0);
  } else {
    CHECK(impl == "extensor");
  }
}

// Softmax-family gradcheck of one input along one axis.
void check_softmax(bool log, const Tensor& x, std::int64_t axis) {
  INFO(std::string(log ? "log_softmax" : "softmax") << " shape " << x.shape().str() << " axis " << axis);
  check_gradients(
      [&](const std::vector<Tensor>& in) { return log ? ex::log_softmax(in[0], axis) : ex::softmax(in[0], axis); },
      [&](const Tensor& g, const std::vector<Tensor>& in) -> std::vector<Tensor> {
        if (log) return {ex::log_softmax_backward(g, ex::log_softmax(in[0], axis), axis)};
        return {ex::softmax_backward(g, ex::softmax(in[0], axis), axis)};
      },
      {x});
}

}  // namespace

TEST_CASE("activation backward: gradcheck of every elementwise kernel") {
  for (const Case& c : cases()) {
    for (const Tensor& x : elementwise_inputs()) {
      INFO(c.name << " shape " << x.shape().str());
      check_gradients([&](const std::vector<Tensor>& in) { return c.forward(in[0]); },
                      [&](const Tensor& g, const std::vector<Tensor>& in) -> std::vector<Tensor> {
                        const Tensor gx = run_backward(c, g, in[0]);
                        CHECK(gx.dtype() == DType::Float64);
                        return {gx};
                      },
                      {x});
    }
  }
}

TEST_CASE("activation backward: gradients from non-contiguous grad tensors") {
  const Tensor x = away_from_zero({4, 5});
  const Tensor g = ex::randn({5, 4}, DType::Float64).transpose(0, 1);  // strided upstream gradient
  for (const Case& c : cases()) {
    INFO(c.name);
    const Tensor expected = run_backward(c, g.contiguous(), x);
    check_values(run_backward(c, g, x), x.shape(), expected.to_vector<double>(), 1e-15, 1e-15);
    check_values(run_backward(c, g, ex::test::noncontiguous(x)), x.shape(), expected.to_vector<double>(), 1e-15, 1e-15);
  }
}

TEST_CASE("activation backward: float32 and half results match float64 on both backends") {
  const Tensor x64 = scaled(away_from_zero({8, 33}, 21), 3.0);
  const Tensor g64 = ex::randn({8, 33}, DType::Float64);
  for (const Case& c : cases()) {
    for (DType dt : kLowPrecision) {
      for (bool onednn : {false, true}) {
        Backend backend(onednn);
        INFO(c.name << " " << std::string(ex::dtype_name(dt)) << std::string(onednn ? " onednn" : " own"));
        // The low-precision run starts from the rounded inputs; compare with float64
        // run on the same rounded values.
        const Tensor x = x64.to(dt), g = g64.to(dt);
        const std::vector<double> ref = run_backward(c, g.to(DType::Float64), x.to(DType::Float64)).to_vector<double>();
        const Tensor y = c.from_output ? c.forward(x) : x;
        const Tensor gx = c.backward(g, y);
        check_impl(onednn && c.onednn && onednn_dtype(dt));
        CHECK(gx.dtype() == dt);
        // Sigmoid/tanh take the rounded y, so their error scales with the output's.
        check_values(gx, x.shape(), ref, tol(dt) * 4, tol(dt) * 4);
        check_values(c.backward(ex::test::noncontiguous(g), ex::test::noncontiguous(y)), x.shape(),
                     gx.to_vector<double>(), 0, 0);
      }
    }
  }
}

TEST_CASE("activation backward: large dense float inputs (non-temporal stores) match the strided loop and float64") {
  // From 32 MiB moved, relu/leaky_relu/sigmoid/tanh backward of dense float and double
  // inputs run the streaming loop on simd vectors; a strided view of the same values
  // runs the scalar loop. Both must agree bit for bit, and with float64 to rounding, at
  // 1 and 2 threads (the second thread's chunk starts off a 64-byte line).
  const int before = ex::get_num_threads();
  const auto run = [](DType dt, std::int64_t n) {
    ex::Generator gen(static_cast<std::uint64_t>(n));
    const Tensor x = ex::multiply(ex::randn({n}, dt, gen), 3.0), g = ex::randn({n}, dt, gen);
    const Tensor g64 = g.to(DType::Float64);
    const std::vector<double> gv = g64.to_vector<double>();
    for (const Case& c : cases()) {
      if (c.onednn) continue;  // gelu: scalar erf/tanh, never streamed
      INFO(c.name << " " << std::string(ex::dtype_name(dt)) << " threads " << ex::get_num_threads());
      const Tensor v = c.from_output ? c.forward(x) : x;  // rounded like the dtype's own forward
      const Tensor gx = c.backward(g, v);
      CHECK(gx.dtype() == dt);
      const std::vector<double> got = gx.to_vector<double>();
      const std::vector<double> strided =
          c.backward(ex::test::noncontiguous(g), ex::test::noncontiguous(v)).to_vector<double>();
      const std::vector<double> ref = c.backward(g64, v.to(DType::Float64)).to_vector<double>();
      // A few roundings of g-sized terms (tanh's 1 - y * y may cancel).
      const double eps = dt == DType::Float32 ? 5e-7 : 1e-15;
      std::int64_t differ = 0, off = 0;
      for (std::int64_t i = 0; i < n; ++i) {
        if (got[i] != strided[i]) ++differ;
        if (!(std::fabs(got[i] - ref[i]) <= eps * (std::fabs(ref[i]) + std::fabs(gv[i])))) ++off;
      }
      CHECK(differ == 0);
      CHECK(off == 0);
    }
  };
  ex::set_num_threads(1);
  run(DType::Float32, 2900003);  // 12 bytes an element: 35 MB
  ex::set_num_threads(2);
  run(DType::Float32, 2900003);
  run(DType::Float64, 1500001);  // 24 bytes an element: 36 MB
  ex::set_num_threads(before);
}

TEST_CASE("activation backward: relu and leaky_relu at exactly 0 and at NaN follow PyTorch") {
  const Tensor x = ex::tensor<double>({0.0, -0.0, -1.0, 2.0, std::nan("")});
  const Tensor g = ex::tensor<double>({3.0, 3.0, 3.0, 3.0, 3.0});
  for (DType dt : {DType::Float64, DType::Float32, DType::BFloat16, DType::Float16}) {
    INFO(std::string(ex::dtype_name(dt)));
    check_values(ex::relu_backward(g.to(dt), x.to(dt)), {5}, {0, 0, 0, 3, 3});
    check_values(ex::leaky_relu_backward(g.to(dt), x.to(dt), 0.25), {5}, {0.75, 0.75, 0.75, 3, 0.75});
  }
  // Integer relu keeps the dtype.
  const Tensor gi = ex::relu_backward(ex::tensor<std::int32_t>({5, 6, 7, 8}), ex::tensor<std::int32_t>({-2, 0, 1, 9}));
  CHECK(gi.dtype() == DType::Int32);
  check_values(gi, {4}, {0, 0, 7, 8});
  check_values(ex::relu_backward(ex::tensor<std::uint8_t>({4, 5}), ex::tensor<std::uint8_t>({0, 3})), {2}, {0, 5});
  // Large float32 tensors: the same convention (relu-like backwards always run our loop).
  for (bool onednn : {false, true}) {
    Backend backend(onednn);
    const Tensor big = ex::zeros({4096});
    CHECK(sum_of(ex::relu_backward(ex::ones({4096}), big)) == 0);
    check_impl(false);
    CHECK(sum_of(ex::leaky_relu_backward(ex::ones({4096}), big, 0.5)) == 2048);
    check_impl(false);
  }
}

TEST_CASE("activation backward: sigmoid, tanh and gelu saturate without NaN") {
  const Tensor x = ex::tensor<double>({100.0, -100.0, 1e4, -1e4});
  for (DType dt : {DType::Float64, DType::Float32, DType::BFloat16, DType::Float16}) {
    for (bool onednn : {false, true}) {
      Backend backend(onednn);
      INFO(std::string(ex::dtype_name(dt)) << std::string(onednn ? " onednn" : " own"));
      const Tensor xd = x.to(dt), g = ex::ones({4}, dt);
      // sigmoid'(-100) = e^-100 = 3.7e-44 (a float32 denormal): "0" within 1e-30, not NaN.
      check_values(ex::sigmoid_backward(g, ex::sigmoid(xd)), {4}, {0, 0, 0, 0}, 1e-30, 0);
      check_values(ex::tanh_backward(g, ex::tanh(xd)), {4}, {0, 0, 0, 0}, 0, 0);
      if (dt != DType::Float16) {  // 1e4 is finite in every dtype but float16's range ends at 65504
        check_values(ex::gelu_backward(g, xd, "none"), {4}, {1, 0, 1, 0}, 0, 0);
        check_values(ex::gelu_backward(g, xd, "tanh"), {4}, {1, 0, 1, 0}, 0, 0);
      }
    }
  }
  // Where x^3 overflows float32, the tanh form still saturates to exactly 1 and 0.
  check_values(ex::gelu_backward(ex::ones({2}), ex::tensor<float>({1e20f, -1e20f}), "tanh"), {2}, {1, 0}, 0, 0);
  // The formula at moderate values: sigmoid'(0) = 1/4, tanh'(0) = 1, gelu'(0) = 1/2.
  const Tensor zero = ex::zeros({1}, DType::Float64), one = ex::ones({1}, DType::Float64);
  check_values(ex::sigmoid_backward(one, ex::sigmoid(zero)), {1}, {0.25});
  check_values(ex::tanh_backward(one, ex::tanh(zero)), {1}, {1});
  check_values(ex::gelu_backward(one, zero, "none"), {1}, {0.5});
  check_values(ex::gelu_backward(one, zero, "tanh"), {1}, {0.5});
}

TEST_CASE("activation backward: softmax and log_softmax gradcheck on every axis") {
  const Tensor x = away_from_zero({3, 4, 5}, 31);
  for (bool log : {false, true}) {
    for (std::int64_t axis : {0, 1, 2, -1, -2, -3}) check_softmax(log, x, axis);
    check_softmax(log, ex::test::noncontiguous(x), 1);
    check_softmax(log, ex::test::noncontiguous(x), -1);
    check_softmax(log, x.slice(2, 0, 5, 2), 2);
    check_softmax(log, away_from_zero({6}, 3), 0);
    check_softmax(log, away_from_zero({6}, 3), -1);
    check_softmax(log, ex::scalar_tensor(0.3, DType::Float64), 0);
    check_softmax(log, ex::scalar_tensor(0.3, DType::Float64), -1);
    check_softmax(log, ex::zeros({2, 0, 3}, DType::Float64), 1);
    check_softmax(log, ex::zeros({2, 0, 3}, DType::Float64), 0);
    check_softmax(log, ex::zeros({0, 4}, DType::Float64), -1);
  }
  // Rank 0: the gradient is exactly 0 (softmax is constant 1, log_softmax constant 0).
  const Tensor s = ex::scalar_tensor(2.0, DType::Float64), g = ex::scalar_tensor(5.0, DType::Float64);
  check_values(ex::softmax_backward(g, ex::softmax(s, 0), 0), {}, {0}, 0, 0);
  check_values(ex::log_softmax_backward(g, ex::log_softmax(s, -1), -1), {}, {0}, 0, 0);
}

TEST_CASE("activation backward: softmax float32 and half match float64 on every axis and both backends") {
  // Large enough for the parallel row path and several lane blocks of the middle-axis path.
  for (const ex::Shape& shape : {ex::Shape{3, 7, 300}, ex::Shape{40, 2000}}) {
    const Tensor x64 = scaled(ex::randn(shape, DType::Float64), 2.0);
    const Tensor g64 = ex::randn(shape, DType::Float64);
    for (bool log : {false, true}) {
      for (std::int64_t axis = 0; axis < static_cast<std::int64_t>(shape.size()); ++axis) {
        for (DType dt : kLowPrecision) {
          for (bool onednn : {false, true}) {
            Backend backend(onednn);
            INFO(std::string(log ? "log_softmax" : "softmax")
                 << " " << shape.str() << " axis " << axis << " " << std::string(ex::dtype_name(dt))
                 << std::string(onednn ? " onednn" : ""));
            const Tensor x = x64.to(dt), g = g64.to(dt);
            const Tensor y = log ? ex::log_softmax(x, axis) : ex::softmax(x, axis);
            const Tensor y64 = y.to(DType::Float64);
            const Tensor ref = log ? ex::log_softmax_backward(g.to(DType::Float64), y64, axis)
                                   : ex::softmax_backward(g.to(DType::Float64), y64, axis);
            const Tensor gx = log ? ex::log_softmax_backward(g, y, axis) : ex::softmax_backward(g, y, axis);
            const bool last = axis == static_cast<std::int64_t>(shape.size()) - 1;
            // oneDNN takes log_softmax, and softmax in bfloat16, over the last axis only.
            check_impl(onednn && ex::test::onednn_runs_softmax_backward(dt) && last && (log || dt == DType::BFloat16));
            CHECK(gx.dtype() == dt);
            // Compared with the float64 gradient of the same rounded y and g.
            const double t = tol(dt) * 4;
            check_values(gx, shape, ref.to_vector<double>(), t, t);
          }
        }
      }
    }
  }
}

TEST_CASE("activation backward: oneDNN softmax backwards take strided grad and y, and negative axes") {
  Backend backend(true);
  for (const auto& [log, dt] : {std::pair{true, DType::Float32}, std::pair{false, DType::BFloat16}}) {
    const Tensor x = ex::randn({16, 8, 32}).to(dt);
    const Tensor g = ex::randn({16, 32, 8}).to(dt).transpose(1, 2);
    for (std::int64_t axis : {-1, 2}) {
      INFO(std::string(log ? "log_softmax " : "softmax ") << std::string(ex::dtype_name(dt)) << " axis " << axis);
      const Tensor y = log ? ex::log_softmax(x, axis) : ex::softmax(x, axis);
      const Tensor y_strided = y.transpose(0, 1).contiguous().transpose(0, 1);
      const Tensor gx = log ? ex::log_softmax_backward(g, y_strided, axis) : ex::softmax_backward(g, y_strided, axis);
      check_impl(ex::test::onednn_runs_softmax_backward(dt));
      const Tensor g64 = g.to(DType::Float64), y64 = y.to(DType::Float64);
      const Tensor ref = log ? ex::log_softmax_backward(g64, y64, axis) : ex::softmax_backward(g64, y64, axis);
      check_values(gx, x.shape(), ref.to_vector<double>(), tol(dt) * 4, tol(dt) * 4);
    }
  }
}

TEST_CASE("activation backward: prelu gradcheck with one alpha and with one per channel") {
  struct Setup {
    Tensor x, alpha;
  };
  const Tensor x4 = away_from_zero({2, 3, 2, 2}, 41);
  const std::vector<Setup> setups = {
      {away_from_zero({5}, 43), ex::tensor<double>({0.25})},
      {ex::scalar_tensor(-0.8, DType::Float64), ex::tensor<double>({0.3})},
      {away_from_zero({4, 3}, 45), ex::tensor<double>({0.25})},
      {away_from_zero({4, 3}, 45), ex::tensor<double>({0.1, -0.2, 0.3})},
      {away_from_zero({4, 3}, 45), ex::scalar_tensor(0.4, DType::Float64)},
      {x4, ex::tensor<double>({0.2})},
      {x4, ex::tensor<double>({0.1, 0.5, -0.3})},
      {ex::test::noncontiguous(x4), ex::tensor<double>({0.1, 0.5, -0.3})},
      {ex::zeros({0, 3}, DType::Float64), ex::tensor<double>({0.1, 0.5, -0.3})},
      {away_from_zero({4, 6}, 47).slice(1, 0, 6, 2), ex::test::noncontiguous(ex::tensor<double>({0.1, 0.5, -0.3}))},
  };
  for (const Setup& s : setups) {
    INFO("x " << s.x.shape().str() << " alpha " << s.alpha.shape().str());
    check_gradients([](const std::vector<Tensor>& in) { return ex::prelu(in[0], in[1]); },
                    [](const Tensor& g, const std::vector<Tensor>& in) -> std::vector<Tensor> {
                      auto [gx, galpha] = ex::prelu_backward(g, in[0], in[1]);
                      CHECK(galpha.shape() == in[1].shape());
                      CHECK(gx.dtype() == DType::Float64);
                      return {gx, galpha};
                    },
                    {s.x, s.alpha});
  }
}

TEST_CASE("activation backward: prelu at 0, large inputs and low-precision dtypes") {
  // At x == 0 the slope side is taken: grad_x = alpha * grad, no grad_alpha contribution.
  auto [gx, ga] = ex::prelu_backward(ex::tensor<double>({2.0, 2.0, 2.0}), ex::tensor<double>({0.0, -1.0, 3.0}),
                                     ex::tensor<double>({0.25}));
  check_values(gx, {3}, {0.5, 0.5, 2});
  check_values(ga, {1}, {-2});
  // Large enough to be split over threads: per-channel sums match a float64 reference.
  const std::int64_t n = 64, c = 3, inner = 40 * 40;
  const Tensor x64 = ex::randn({n, c, 40, 40}, DType::Float64);
  const Tensor g64 = ex::randn({n, c, 40, 40}, DType::Float64);
  const Tensor a64 = ex::tensor<double>({0.1, 0.2, 0.3});
  const std::vector<double> xv = x64.to_vector<double>(), gv = g64.to_vector<double>();
  std::vector<double> sums(3, 0.0);
  for (std::size_t i = 0; i < xv.size(); ++i)
    if (xv[i] <= 0) sums[(i / static_cast<std::size_t>(inner)) % static_cast<std::size_t>(c)] += xv[i] * gv[i];
  auto [gx64, ga64] = ex::prelu_backward(g64, x64, a64);
  check_values(ga64, {3}, sums, 1e-9, 1e-12);
  const auto [gx64_again, ga64_again] = ex::prelu_backward(g64, x64, a64);
  CHECK(ga64_again.to_vector<double>() == ga64.to_vector<double>());  // deterministic
  // One alpha for everything.
  double total = 0;
  for (std::size_t i = 0; i < xv.size(); ++i)
    if (xv[i] <= 0) total += xv[i] * gv[i];
  check_values(ex::prelu_backward(g64, x64, ex::tensor<double>({0.2})).second, {1}, {total}, 1e-9, 1e-12);
  // float32 and the half types against float64 on the rounded values.
  for (DType dt : kLowPrecision) {
    INFO(std::string(ex::dtype_name(dt)));
    const Tensor x = x64.to(dt), g = g64.to(dt), a = a64.to(dt);
    auto [ref_x, ref_a] = ex::prelu_backward(g.to(DType::Float64), x.to(DType::Float64), a.to(DType::Float64));
    auto [gxd, gad] = ex::prelu_backward(g, x, a);
    CHECK(gxd.dtype() == dt);
    CHECK(gad.dtype() == dt);
    check_values(gxd, x.shape(), ref_x.to_vector<double>(), tol(dt), tol(dt));
    check_values(gad, {3}, ref_a.to_vector<double>(), tol(dt), tol(dt));
  }
}

TEST_CASE("activation backward: error paths name the kernel") {
  const Tensor x = ex::randn({2, 3});
  const Tensor bad_shape = ex::randn({3, 2});
  const Tensor bad_dtype = ex::randn({2, 3}, DType::Float64);
  // grad shape and dtype mismatches, undefined tensors.
  CHECK_THROWS_WITH_AS(ex::relu_backward(bad_shape, x), doctest::Contains("relu_backward:"), ex::Error);
  CHECK_THROWS_WITH_AS(ex::relu_backward(bad_dtype, x), doctest::Contains("relu_backward:"), ex::Error);
  CHECK_THROWS_WITH_AS(ex::relu_backward(Tensor(), x), doctest::Contains("relu_backward:"), ex::Error);
  CHECK_THROWS_WITH_AS(ex::relu_backward(x, Tensor()), doctest::Contains("relu_backward:"), ex::Error);
  CHECK_THROWS_WITH_AS(ex::relu_backward(ex::tensor<bool>({true}), ex::tensor<bool>({false})),
                       doctest::Contains("relu_backward:"), ex::Error);
  CHECK_THROWS_WITH_AS(ex::leaky_relu_backward(bad_shape, x, 0.1), doctest::Contains("leaky_relu_backward:"),
                       ex::Error);
  CHECK_THROWS_WITH_AS(ex::leaky_relu_backward(x, x, std::numeric_limits<double>::infinity()),
                       doctest::Contains("leaky_relu_backward:"), ex::Error);
  CHECK_THROWS_WITH_AS(ex::leaky_relu_backward(ex::ones({2}, DType::Int32), ex::ones({2}, DType::Int32), 0.1),
                       doctest::Contains("leaky_relu_backward:"), ex::Error);
  CHECK_THROWS_WITH_AS(ex::sigmoid_backward(bad_shape, x), doctest::Contains("sigmoid_backward:"), ex::Error);
  CHECK_THROWS_WITH_AS(ex::sigmoid_backward(bad_dtype, x), doctest::Contains("sigmoid_backward:"), ex::Error);
  CHECK_THROWS_WITH_AS(ex::sigmoid_backward(ex::ones({2}, DType::Int64), ex::ones({2}, DType::Int64)),
                       doctest::Contains("sigmoid_backward:"), ex::Error);
  CHECK_THROWS_WITH_AS(ex::tanh_backward(bad_shape, x), doctest::Contains("tanh_backward:"), ex::Error);
  CHECK_THROWS_WITH_AS(ex::tanh_backward(ex::ones({1}), ex::ones({})), doctest::Contains("tanh_backward:"), ex::Error);
  CHECK_THROWS_WITH_AS(ex::gelu_backward(bad_shape, x, "none"), doctest::Contains("gelu_backward:"), ex::Error);
  CHECK_THROWS_WITH_AS(ex::gelu_backward(x, x, "erf"), doctest::Contains("gelu_backward:"), ex::Error);
  CHECK_THROWS_WITH_AS(ex::gelu_backward(x, x, ""), doctest::Contains("gelu_backward:"), ex::Error);
  // softmax family: shapes, dtypes and axes.
  for (bool log : {false, true}) {
    const char* name = log ? "log_softmax_backward:" : "softmax_backward:";
    auto call = [log](const Tensor& g, const Tensor& y, std::int64_t axis) {
      return log ? ex::log_softmax_backward(g, y, axis) : ex::softmax_backward(g, y, axis);
    };
    CHECK_THROWS_WITH_AS(call(bad_shape, x, 1), doctest::Contains(name), ex::Error);
    CHECK_THROWS_WITH_AS(call(bad_dtype, x, 1), doctest::Contains(name), ex::Error);
    CHECK_THROWS_WITH_AS(call(x, x, 2), doctest::Contains(name), ex::Error);
    CHECK_THROWS_WITH_AS(call(x, x, -3), doctest::Contains(name), ex::Error);
    CHECK_THROWS_WITH_AS(call(ex::ones({}), ex::ones({}), 1), doctest::Contains(name), ex::Error);
    CHECK_THROWS_WITH_AS(call(ex::ones({2}, DType::Int32), ex::ones({2}, DType::Int32), 0), doctest::Contains(name),
                         ex::Error);
  }
  // prelu: alpha count, rank and dtype; grad shape.
  const Tensor x4 = ex::randn({2, 3, 4, 4});
  CHECK_THROWS_WITH_AS(ex::prelu_backward(x4, x4, ex::ones({2})), doctest::Contains("prelu_backward:"), ex::Error);
  CHECK_THROWS_WITH_AS(ex::prelu_backward(x4, x4, ex::ones({4})), doctest::Contains("prelu_backward:"), ex::Error);
  CHECK_THROWS_WITH_AS(ex::prelu_backward(x4, x4, ex::ones({1, 3})), doctest::Contains("prelu_backward:"), ex::Error);
  CHECK_THROWS_WITH_AS(ex::prelu_backward(x4, x4, ex::ones({3}, DType::Float64)), doctest::Contains("prelu_backward:"),
                       ex::Error);
  CHECK_THROWS_WITH_AS(ex::prelu_backward(ex::ones({2}), ex::ones({2}), ex::ones({2})),
                       doctest::Contains("prelu_backward:"), ex::Error);
  CHECK_THROWS_WITH_AS(ex::prelu_backward(ex::randn({2, 3, 4, 5}), x4, ex::ones({3})),
                       doctest::Contains("prelu_backward:"), ex::Error);
  CHECK_THROWS_WITH_AS(ex::prelu_backward(x4, x4, Tensor()), doctest::Contains("prelu_backward:"), ex::Error);
}
