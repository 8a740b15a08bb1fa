#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>
#include <numbers>
#include <string>
#include <vector>

#include "activation_backend.hpp"
#include "test_util.hpp"

namespace {

using Ref = std::function<double(double)>;

const DType kFloats[] = {DType::Float16, DType::BFloat16, DType::Float32, DType::Float64};

// Tolerances per dtype: the result is rounded to the dtype, computed in float32 for
// the half types.
const ex::test::DTypeTolerance tol{1e-12, 2e-6, 2e-3, 1e-2, 1e-2};

using Backend = ex::test::ActivationBackend;

// float64 reference of an elementwise op, applied to x's values as stored.
std::vector<double> map_ref(const Tensor& x, const Ref& f) {
  std::vector<double> v = x.to_vector<double>();
  for (double& e : v) e = f(e);
  return v;
}

// float64 reference softmax/log_softmax of x (any rank >= 1) along axis.
std::vector<double> softmax_ref(const Tensor& x, std::int64_t axis, bool log) {
  const std::vector<double> v = x.contiguous().to_vector<double>();
  std::vector<double> out(v.size());
  const auto& s = x.shape();
  std::int64_t outer = 1, inner = 1;
  const std::int64_t n = s[static_cast<std::size_t>(axis)];
  for (std::int64_t d = 0; d < axis; ++d) outer *= s[static_cast<std::size_t>(d)];
  for (std::size_t d = static_cast<std::size_t>(axis) + 1; d < s.size(); ++d) inner *= s[d];
  for (std::int64_t o = 0; o < outer; ++o)
    for (std::int64_t i = 0; i < inner; ++i) {
      auto at = [&](std::int64_t j) { return static_cast<std::size_t>((o * n + j) * inner + i); };
      double m = -INFINITY, sum = 0;
      for (std::int64_t j = 0; j < n; ++j) m = std::max(m, v[at(j)]);
      for (std::int64_t j = 0; j < n; ++j) sum += std::exp(v[at(j)] - m);
      for (std::int64_t j = 0; j < n; ++j)
        out[at(j)] = log ? v[at(j)] - m - std::log(sum) : std::exp(v[at(j)] - m) / sum;
    }
  return out;
}

double sigmoid_ref(double x) { return 1.0 / (1.0 + std::exp(-x)); }
double gelu_ref(double x) { return 0.5 * x * (1.0 + std::erf(x / std::numbers::sqrt2)); }
double gelu_tanh_ref(double x) {
  return 0.5 * x * (1.0 + std::tanh(std::sqrt(2.0 / std::numbers::pi) * (x + 0.044715 * x * x * x)));
}

struct Eltwise {
  const char* name;
  std::function<Tensor(const Tensor&)> op;
  Ref ref;
};

std::vector<Eltwise> eltwise_ops() {
  return {
      {"relu", [](const Tensor& x) { return ex::relu(x); }, [](double v) { return v < 0 ? 0.0 : v; }},
      {"leaky_relu", [](const Tensor& x) { return ex::leaky_relu(x); }, [](double v) { return v < 0 ? 0.01 * v : v; }},
      {"leaky_relu(0.2)", [](const Tensor& x) { return ex::leaky_relu(x, 0.2); },
       [](double v) { return v < 0 ? 0.2 * v : v; }},
      {"sigmoid", [](const Tensor& x) { return ex::sigmoid(x); }, sigmoid_ref},
      {"tanh", [](const Tensor& x) { return ex::tanh(x); }, [](double v) { return std::tanh(v); }},
      {"gelu", [](const Tensor& x) { return ex::gelu(x); }, gelu_ref},
      {"gelu(tanh)", [](const Tensor& x) { return ex::gelu(x, "tanh"); }, gelu_tanh_ref},
  };
}

// Values covering both signs, zero, the saturating tails and the region near 0.
std::vector<double> sample_values(std::size_t n) {
  std::vector<double> v(n);
  for (std::size_t i = 0; i < n; ++i) v[i] = -6.0 + 12.0 * static_cast<double>(i) / static_cast<double>(n - 1);
  v[n / 3] = 0.0;
  return v;
}

}  // namespace

TEST_CASE("activation: elementwise ops match float64 references for every float dtype and both backends") {
  const Tensor base = ex::tensor(sample_values(60), {4, 15});
  for (const Eltwise& e : eltwise_ops()) {
    for (DType dt : kFloats) {
      for (bool onednn : {false, true}) {
        Backend backend(onednn);
        const Tensor x = base.to(dt);
        INFO(std::string(e.name) << " " << std::string(ex::dtype_name(dt)) << std::string(onednn ? " onednn" : " own"));
        const std::vector<double> expected = map_ref(x, e.ref);
        const Tensor y = e.op(x);
        CHECK(y.dtype() == dt);
        check_values(y, x.shape(), expected, tol(dt), tol(dt));
        // Non-contiguous views (transposed storage, and a strided slice).
        check_values(e.op(ex::test::noncontiguous(x)), x.shape(), expected, tol(dt), tol(dt));
        const Tensor sliced = x.slice(1, 1, 15, 3);
        check_values(e.op(sliced), sliced.shape(), map_ref(sliced, e.ref), tol(dt), tol(dt));
        // Rank 0 and zero-size dims.
        const Tensor s = ex::scalar_tensor(-1.5, dt);
        check_values(e.op(s), {}, {e.ref(-1.5)}, tol(dt), tol(dt));
        CHECK(e.op(ex::zeros({0, 3}, dt)).shape() == ex::Shape{0, 3});
      }
    }
  }
}

TEST_CASE("activation: oneDNN is used above the threshold and never lands on ref:") {
  const Tensor base = ex::randn({8, 16, 32});
  for (DType dt : {DType::Float32, DType::BFloat16}) {
    Backend backend(true);
    const Tensor x = base.to(dt);
    for (const Eltwise& e : eltwise_ops()) {
      // float32 gelu (erf form) always runs our loop: it is faster than oneDNN's.
      const bool own = (std::string(e.name) == "gelu" && dt == DType::Float32) || !ex::test::onednn_runs(dt);
      for (const Tensor& in : {x, x.transpose(0, 2), x.slice(2, 0, 32, 2)}) {
        e.op(in);
        const std::string impl = ex::kernels::last_activation_impl();
        INFO(std::string(e.name) << " " << std::string(ex::dtype_name(dt)) << ": " << impl);
        CHECK((impl == "extensor") == own);
        CHECK(impl.rfind("ref", 0) != 0);
      }
    }
    for (bool log : {false, true}) {
      // Last axis (also through a transposed view): oneDNN's jit softmax.
      for (const Tensor& in : {x, x.transpose(1, 2)}) {
        log ? ex::log_softmax(in, -1) : ex::softmax(in, -1);
        const std::string impl = ex::kernels::last_activation_impl();
        INFO("softmax " << std::string(ex::dtype_name(dt)) << ": " << impl);
        CHECK((impl != "extensor") == ex::test::onednn_runs(dt));
        CHECK(impl.rfind("ref", 0) != 0);
      }
      // Other axes would be ref:any in oneDNN: our own loop takes them.
      for (std::int64_t axis : {0, 1}) {
        log ? ex::log_softmax(x, axis) : ex::softmax(x, axis);
        CHECK(ex::kernels::last_activation_impl() == "extensor");
      }
    }
  }
  // float64 and float16 always run our own loops.
  for (DType dt : {DType::Float64, DType::Float16}) {
    Backend backend(true);
    ex::sigmoid(base.to(dt));
    CHECK(ex::kernels::last_activation_impl() == "extensor");
    ex::softmax(base.to(dt), -1);
    CHECK(ex::kernels::last_activation_impl() == "extensor");
  }
}

TEST_CASE("activation: the default threshold sends large float32 tensors to oneDNN and small ones to our loop") {
  const std::int64_t threshold = ex::kernels::activation_onednn_min_elements();
  CHECK(threshold == ex::kernels::kActivationOneDnnMinElements);
  ex::sigmoid(ex::zeros({threshold}));
  CHECK(ex::kernels::last_activation_impl() != "extensor");
  ex::sigmoid(ex::zeros({threshold - 1}));
  CHECK(ex::kernels::last_activation_impl() == "extensor");
  ex::relu(ex::zeros({16 * threshold - 1}));
  CHECK(ex::kernels::last_activation_impl() == "extensor");
  ex::relu(ex::zeros({16 * threshold}));
  CHECK(ex::kernels::last_activation_impl() != "extensor");
  ex::softmax(ex::zeros({threshold}, DType::BFloat16), 0);
  CHECK((ex::kernels::last_activation_impl() != "extensor") == ex::test::onednn_runs(DType::BFloat16));
}

TEST_CASE("activation: relu on integer tensors keeps the dtype, bool is rejected") {
  check_values(ex::relu(ex::tensor<std::int32_t>({-3, 0, 5, -2147483647 - 1})), {4}, {0, 0, 5, 0});
  const Tensor i64 = ex::relu(ex::tensor<std::int64_t>({-7, 8}, {2, 1}));
  CHECK(i64.dtype() == DType::Int64);
  check_values(i64, {2, 1}, {0, 8});
  const Tensor u8 = ex::relu(ex::tensor<std::uint8_t>({0, 200, 255}));
  CHECK(u8.dtype() == DType::UInt8);
  check_values(u8, {3}, {0, 200, 255});
  const Tensor i8 = ex::relu(ex::test::noncontiguous(ex::tensor<std::int8_t>({-128, 127, -1, 1}, {2, 2})));
  check_values(i8, {2, 2}, {0, 127, 0, 1});
  check_values(ex::relu(ex::scalar_tensor(-4, DType::Int16)), {}, {0});
  CHECK_THROWS_WITH_AS(ex::relu(ex::tensor<bool>({true, false})), doctest::Contains("relu:"), ex::Error);
  CHECK_THROWS_WITH_AS(ex::relu(Tensor()), doctest::Contains("relu:"), ex::Error);
}

TEST_CASE("activation: sigmoid and tanh promote bool and integer inputs to float32") {
  const Tensor si = ex::sigmoid(ex::tensor<std::int64_t>({-2, 0, 3}));
  CHECK(si.dtype() == DType::Float32);
  check_values(si, {3}, {sigmoid_ref(-2), 0.5, sigmoid_ref(3)});
  const Tensor tu = ex::tanh(ex::tensor<std::uint8_t>({0, 1, 255}));
  CHECK(tu.dtype() == DType::Float32);
  check_values(tu, {3}, {0.0, std::tanh(1.0), 1.0});
  const Tensor sb = ex::sigmoid(ex::tensor<bool>({true, false}));
  CHECK(sb.dtype() == DType::Float32);
  check_values(sb, {2}, {sigmoid_ref(1), 0.5});
  check_values(ex::tanh(ex::tensor<bool>({true})), {1}, {std::tanh(1.0)});
  // Large integer tensors take the same (own) path as small ones.
  const Tensor big = ex::tanh(ex::full({5000}, 2, DType::Int32));
  CHECK(big.dtype() == DType::Float32);
  CHECK(big.to_vector<float>()[4999] == doctest::Approx(std::tanh(2.0)));
}

TEST_CASE("activation: floating-only ops reject bool and integer inputs like PyTorch") {
  for (DType dt : {DType::Bool, DType::Int32, DType::Int64, DType::UInt8}) {
    const Tensor x = ex::zeros({2, 3}, dt);
    INFO(std::string(ex::dtype_name(dt)));
    CHECK_THROWS_WITH_AS(ex::leaky_relu(x), doctest::Contains("leaky_relu:"), ex::Error);
    CHECK_THROWS_WITH_AS(ex::prelu(x, ex::ones({1}, dt)), doctest::Contains("prelu:"), ex::Error);
    CHECK_THROWS_WITH_AS(ex::softmax(x, 0), doctest::Contains("softmax:"), ex::Error);
    CHECK_THROWS_WITH_AS(ex::log_softmax(x, 0), doctest::Contains("log_softmax:"), ex::Error);
    CHECK_THROWS_WITH_AS(ex::gelu(x), doctest::Contains("gelu:"), ex::Error);
  }
  CHECK_THROWS_WITH_AS(ex::softmax(ex::zeros({2}, DType::Int32), 0), doctest::Contains("int32"), ex::Error);
}

TEST_CASE("activation: sigmoid is exact in the tails without overflow") {
  for (bool onednn : {false, true}) {
    Backend backend(onednn);
    for (DType dt : kFloats) {
      INFO(std::string(ex::dtype_name(dt)) << std::string(onednn ? " onednn" : " own"));
      const Tensor x = ex::tensor<double>({-1000, -100, -80, 0, 80, 100, 1000}).to(dt);
      const std::vector<double> y = ex::sigmoid(x).to_vector<double>();
      CHECK(y[0] == 0.0);
      CHECK(y[1] == doctest::Approx(dt == DType::Float64 ? sigmoid_ref(-100) : 0.0).epsilon(1e-6));
      CHECK(y[3] == 0.5);
      CHECK(y[5] == 1.0);
      CHECK(y[6] == 1.0);
      for (double v : y) CHECK(std::isfinite(v));
      const std::vector<double> t = ex::tanh(x).to_vector<double>();
      CHECK(t[0] == -1.0);
      CHECK(t[6] == 1.0);
    }
  }
  check_values(ex::sigmoid(ex::tensor<double>({-100.0, 100.0})), {2}, {sigmoid_ref(-100), 1.0}, 0, 1e-12);
  // A large float32 tensor of extremes through the default (oneDNN) path.
  const Tensor ext = ex::full({8192}, -1000.0);
  CHECK(ex::sigmoid(ext).to_vector<float>()[100] == 0.0f);
  CHECK(ex::sigmoid(ex::full({8192}, 1000.0)).to_vector<float>()[8000] == 1.0f);
}

TEST_CASE("activation: float32 gelu (vectorized erf loop) is accurate over a dense sweep") {
  // gelu = x/2 (1 + erf(x / sqrt 2)): an erf within ~1.2 ulp and three roundings give
  // at most 2 ulp of the result plus |x|/2 times 4 ulp of 1 (where 1 + erf cancels).
  const std::int64_t n = 400001;
  std::vector<float> in;
  for (std::int64_t i = 0; i < n; ++i)
    in.push_back(static_cast<float>(-12.0 + 24.0 * static_cast<double>(i) / (n - 1)));
  for (float s : {0.0f, -0.0f, 1e-30f, -1e-30f, 1e20f, -1e20f, INFINITY, -INFINITY, NAN}) in.push_back(s);
  const Tensor x = ex::tensor(in);
  for (const Tensor& view : {x, ex::test::noncontiguous(x)}) {  // the vector loop and the strided one
    const std::vector<float> got = ex::gelu(view).to_vector<float>();
    REQUIRE(ex::kernels::last_activation_impl() == "extensor");
    for (std::size_t i = 0; i < in.size(); ++i) {
      const double ref = gelu_ref(in[i]);
      INFO("x = " << in[i] << ": got " << got[i] << ", expected " << ref);
      if (std::isnan(ref) || std::isinf(ref)) {
        CHECK((std::isnan(ref) ? std::isnan(got[i]) : got[i] == ref));
        continue;
      }
      const double ulp = std::ldexp(1.0, std::max(std::ilogb(std::max(std::fabs(ref), 1e-38)) - 23, -149));
      CHECK(std::fabs(got[i] - ref) <= 2 * ulp + std::fabs(in[i]) / 2 * 4 * 0x1p-24);
    }
  }
}

TEST_CASE("activation: gelu approximate strings") {
  const Tensor x = ex::tensor<double>({-2.0, 0.5, 3.0});
  check_values(ex::gelu(x, "none"), {3}, {gelu_ref(-2), gelu_ref(0.5), gelu_ref(3)}, 1e-14, 1e-14);
  check_values(ex::gelu(x, "tanh"), {3}, {gelu_tanh_ref(-2), gelu_tanh_ref(0.5), gelu_tanh_ref(3)}, 1e-14, 1e-14);
  // The two forms differ: the test of each above can fail.
  CHECK(std::fabs(gelu_ref(-2) - gelu_tanh_ref(-2)) > 1e-5);
  CHECK_THROWS_WITH_AS(ex::gelu(x, "Tanh"), doctest::Contains("gelu: approximate"), ex::Error);
  CHECK_THROWS_WITH_AS(ex::gelu(x, ""), doctest::Contains("gelu:"), ex::Error);
}

TEST_CASE("activation: leaky_relu rejects a non-finite slope") {
  CHECK_THROWS_WITH_AS(ex::leaky_relu(ex::ones({2}), std::numeric_limits<double>::quiet_NaN()),
                       doctest::Contains("leaky_relu: negative_slope"), ex::Error);
}

TEST_CASE("activation: softmax and log_softmax on every axis, dtype and backend") {
  std::vector<double> values = ex::randn({60}, DType::Float64).to_vector<double>();
  for (double& v : values) v *= 3.0;
  const Tensor base = ex::tensor(values, {3, 4, 5});
  for (DType dt : kFloats) {
    for (bool onednn : {false, true}) {
      Backend backend(onednn);
      const Tensor x = base.to(dt);
      for (std::int64_t axis : {0, 1, 2, -1, -2, -3}) {
        const std::int64_t a = axis < 0 ? axis + 3 : axis;
        for (bool log : {false, true}) {
          INFO(std::string(ex::dtype_name(dt))
               << std::string(onednn ? " onednn" : " own") << " axis " << axis << (log ? " log" : ""));
          auto op = [&](const Tensor& t) { return log ? ex::log_softmax(t, axis) : ex::softmax(t, axis); };
          const std::vector<double> expected = softmax_ref(x, a, log);
          const double t = tol(dt) * (log ? 10 : 1);
          const Tensor y = op(x);
          CHECK(y.dtype() == dt);
          check_values(y, x.shape(), expected, t, t);
          check_values(op(ex::test::noncontiguous(x)), x.shape(), expected, t, t);
          const Tensor perm = x.permute({2, 0, 1}).contiguous().permute({1, 2, 0});  // same values, odd strides
          check_values(op(perm), x.shape(), expected, t, t);
        }
      }
    }
  }
}

TEST_CASE("activation: softmax of large rows and columns (parallel paths)") {
  const Tensor x = ex::randn({300, 257}, DType::Float64);
  for (std::int64_t axis : {0, 1}) {
    check_values(ex::softmax(x, axis), x.shape(), softmax_ref(x, axis, false), 1e-15, 1e-12);
    check_values(ex::log_softmax(x.to(DType::Float32), axis), x.shape(), softmax_ref(x, axis, true), 2e-5, 2e-5);
  }
}

TEST_CASE("activation: softmax is stable for extreme inputs") {
  for (bool onednn : {false, true}) {
    Backend backend(onednn);
    for (DType dt : {DType::Float32, DType::BFloat16, DType::Float64, DType::Float16}) {
      INFO(std::string(ex::dtype_name(dt)) << std::string(onednn ? " onednn" : " own"));
      const double big = dt == DType::Float16 ? 30000.0 : 1000.0;
      const Tensor x = ex::tensor<double>({big, 0.0, -big}).to(dt);
      check_values(ex::softmax(x, 0), {3}, {1.0, 0.0, 0.0}, 0, 0);
      check_values(ex::log_softmax(x, 0), {3}, {0.0, -big, -2 * big}, tol(dt), tol(dt));
      // Very negative inputs: log_softmax stays finite, softmax sums to 1.
      const Tensor neg = ex::tensor<double>({-1000, -1004, -1000}, {3, 1}).to(dt);
      const std::vector<double> ls = ex::log_softmax(neg, 0).to_vector<double>();
      for (double v : ls) CHECK(std::isfinite(v));
      CHECK(ls[1] == doctest::Approx(-4 - std::log(2 + std::exp(-4.0))).epsilon(1e-2));
      const std::vector<double> sm = ex::softmax(neg, 0).to_vector<double>();
      CHECK(sm[0] + sm[1] + sm[2] == doctest::Approx(1.0).epsilon(1e-2));
    }
  }
}

TEST_CASE("activation: softmax of rank 0 and zero-size tensors") {
  for (DType dt : kFloats) {
    check_values(ex::softmax(ex::scalar_tensor(7.0, dt), 0), {}, {1.0});
    check_values(ex::softmax(ex::scalar_tensor(7.0, dt), -1), {}, {1.0});
    check_values(ex::log_softmax(ex::scalar_tensor(-7.0, dt), 0), {}, {0.0});
    CHECK(ex::softmax(ex::zeros({0, 3}, dt), 1).shape() == ex::Shape{0, 3});
    CHECK(ex::softmax(ex::zeros({3, 0}, dt), 1).shape() == ex::Shape{3, 0});
    CHECK(ex::log_softmax(ex::zeros({2, 0, 4}, dt), 0).shape() == ex::Shape{2, 0, 4});
  }
  check_values(ex::softmax(ex::ones({1, 4}), 0), {1, 4}, {1, 1, 1, 1});
}

TEST_CASE("activation: softmax axis errors name the op and the axis") {
  const Tensor x = ex::zeros({2, 3});
  CHECK_THROWS_WITH_AS(ex::softmax(x, 2), doctest::Contains("softmax: axis 2"), ex::Error);
  CHECK_THROWS_WITH_AS(ex::log_softmax(x, -3), doctest::Contains("log_softmax: axis -3"), ex::Error);
  CHECK_THROWS_WITH_AS(ex::softmax(ex::scalar_tensor(1.0), 1), doctest::Contains("softmax: axis 1"), ex::Error);
  CHECK_THROWS_WITH_AS(ex::softmax(Tensor(), 0), doctest::Contains("softmax:"), ex::Error);
}

TEST_CASE("activation: prelu with one alpha and with one alpha per channel") {
  const Tensor x = ex::tensor(sample_values(24), {2, 3, 4});
  for (DType dt : kFloats) {
    INFO(std::string(ex::dtype_name(dt)));
    const Tensor xd = x.to(dt);
    const std::vector<double> xv = xd.to_vector<double>();
    // One shared alpha (rank 1 and rank 0).
    for (const Tensor& alpha : {ex::tensor<double>({0.25}).to(dt), ex::scalar_tensor(0.25, dt)}) {
      std::vector<double> expected = xv;
      for (double& v : expected) v = v < 0 ? 0.25 * v : v;
      check_values(ex::prelu(xd, alpha), xd.shape(), expected, tol(dt), tol(dt));
      check_values(ex::prelu(ex::test::noncontiguous(xd), alpha), xd.shape(), expected, tol(dt), tol(dt));
    }
    // One alpha per channel on axis 1, also from a strided alpha view.
    const std::vector<double> a = {0.1, 0.5, 2.0};
    std::vector<double> expected = xv;
    for (std::size_t i = 0; i < expected.size(); ++i) {
      const double w = a[(i / 4) % 3];
      expected[i] = expected[i] < 0 ? w * expected[i] : expected[i];
    }
    const Tensor alpha = ex::tensor(a).to(dt);
    check_values(ex::prelu(xd, alpha), xd.shape(), expected, tol(dt), tol(dt));
    check_values(ex::prelu(ex::test::noncontiguous(xd), ex::test::noncontiguous(alpha)), xd.shape(), expected, tol(dt),
                 tol(dt));
    // Channels innermost ([N, C]): alpha steps with the inner loop.
    const Tensor x2 = ex::tensor<double>({-1, -1, -1, 2, -4, 6}, {2, 3}).to(dt);
    check_values(ex::prelu(x2, alpha), {2, 3}, {-0.1, -0.5, -2.0, 2.0, -2.0, 6.0}, tol(dt), tol(dt));
  }
  // Rank 0 and rank 1 have a single channel.
  check_values(ex::prelu(ex::scalar_tensor(-2.0), ex::tensor<float>({0.25})), {}, {-0.5});
  check_values(ex::prelu(ex::tensor<float>({-2, -1, 3}), ex::tensor<float>({0.25})), {3}, {-0.5, -0.25, 3});
  CHECK(ex::prelu(ex::zeros({2, 0}), ex::ones({1})).shape() == ex::Shape{2, 0});
  const Tensor big = ex::prelu(ex::full({64, 3, 300}, -1.0), ex::tensor<float>({1, 2, 3}));
  CHECK(big.to_vector<float>()[64 * 900 - 1] == -3.0f);
}

TEST_CASE("activation: prelu error paths") {
  const Tensor x = ex::zeros({2, 3, 4});
  CHECK_THROWS_WITH_AS(ex::prelu(x, ex::ones({2})), doctest::Contains("prelu: alpha has 2 elements"), ex::Error);
  CHECK_THROWS_WITH_AS(ex::prelu(ex::zeros({3}), ex::ones({3})), doctest::Contains("prelu:"), ex::Error);
  CHECK_THROWS_WITH_AS(ex::prelu(ex::scalar_tensor(1.0), ex::ones({2})), doctest::Contains("prelu:"), ex::Error);
  CHECK_THROWS_WITH_AS(ex::prelu(x, ex::ones({1, 3})), doctest::Contains("prelu: alpha must be"), ex::Error);
  CHECK_THROWS_WITH_AS(ex::prelu(x, ex::ones({3}, DType::Float64)), doctest::Contains("prelu: alpha has dtype float64"),
                       ex::Error);
  CHECK_THROWS_WITH_AS(ex::prelu(x, Tensor()), doctest::Contains("prelu:"), ex::Error);
}
