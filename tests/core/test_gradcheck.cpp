// The test suite's finite-difference checker must pass right gradients and catch wrong ones.
#include "gradcheck.hpp"
#include "test_util.hpp"

namespace {
// f(x, y) = x^3 * y elementwise, written on the host so the check needs no op kernels.
ex::Tensor cube_times(const std::vector<ex::Tensor>& in) {
  const auto x = in[0].to_vector<double>();
  const auto y = in[1].to_vector<double>();
  std::vector<double> out(x.size());
  for (std::size_t i = 0; i < x.size(); ++i) out[i] = x[i] * x[i] * x[i] * y[i];
  return ex::tensor(out, in[0].shape());
}
std::vector<ex::Tensor> cube_times_backward(const ex::Tensor& g, const std::vector<ex::Tensor>& in, double wrong) {
  const auto x = in[0].to_vector<double>();
  const auto y = in[1].to_vector<double>();
  const auto gv = g.to_vector<double>();
  std::vector<double> gx(x.size()), gy(x.size());
  for (std::size_t i = 0; i < x.size(); ++i) {
    gx[i] = gv[i] * 3 * x[i] * x[i] * y[i] * wrong;
    gy[i] = gv[i] * x[i] * x[i] * x[i];
  }
  return {ex::tensor(gx, in[0].shape()), ex::tensor(gy, in[1].shape())};
}
}  // namespace

TEST_CASE("gradcheck helper: accepts exact gradients on contiguous and strided inputs") {
  ex::Generator gen(3);
  ex::Tensor x = ex::randn({3, 4}, ex::DType::Float64, gen);
  ex::Tensor y = ex::test::noncontiguous(ex::randn({3, 4}, ex::DType::Float64, gen));
  const double worst = ex::test::check_gradients(
      cube_times,
      [](const ex::Tensor& g, const std::vector<ex::Tensor>& in) { return cube_times_backward(g, in, 1.0); }, {x, y});
  CHECK(worst < 1e-6);
}

TEST_CASE("gradcheck helper: catches a wrong gradient") {
  ex::Generator gen(4);
  ex::Tensor x = ex::randn({5}, ex::DType::Float64, gen);
  ex::Tensor y = ex::randn({5}, ex::DType::Float64, gen);
  const double worst = ex::test::check_gradients(
      cube_times,
      [](const ex::Tensor& g, const std::vector<ex::Tensor>& in) { return cube_times_backward(g, in, 1.01); }, {x, y},
      1e-6, 1e-6, 1e-5, /*report=*/false);
  CHECK(worst > 1e-4);
}
