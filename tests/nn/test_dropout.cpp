// Dropout: the fraction zeroed, the scaling of survivors, evaluation mode, seeding, the
// gradient through the mask, errors.
#include <cmath>

#include "nn_test_util.hpp"

using ex::nn::Dropout;
namespace F = ex::nn::functional;

namespace {

// Fraction of zeros in t, and whether every other element equals survivor.
std::pair<double, bool> zeros_and_survivors(const Tensor& t, double survivor) {
  std::size_t zeros = 0;
  bool scaled = true;
  for (double v : t.to_vector<double>()) {
    if (v == 0.0) {
      ++zeros;
    } else {
      scaled = scaled && std::fabs(v - survivor) <= 1e-6 * survivor;
    }
  }
  return {static_cast<double>(zeros) / static_cast<double>(t.numel()), scaled};
}

}  // namespace

TEST_CASE("Dropout: zeroes a fraction p and scales the rest by 1 / (1 - p)") {
  ex::manual_seed(21);
  const std::int64_t n = 200000;
  for (double p : {0.1, 0.3, 0.5, 0.9}) {
    Dropout dropout(p);
    const auto [fraction, scaled] = zeros_and_survivors(dropout(ex::ones({n})), 1.0 / (1.0 - p));
    INFO("p = " << p);
    // The zero count is Binomial(n, p): its std as a fraction is at most 0.5 / sqrt(n)
    // ~ 0.0011, so 0.006 is more than 5 standard deviations.
    CHECK(std::fabs(fraction - p) < 0.006);
    CHECK(scaled);
  }
  // The expected value is kept: the mean of 2e5 outputs is within a few std of 1.
  const Tensor y = F::dropout(ex::full({n}, 2.0, DType::Float64), 0.5, true);
  CHECK(std::fabs(ex::mean(y).item<double>() - 2.0) < 0.02);
  CHECK(y.dtype() == DType::Float64);
}

TEST_CASE("Dropout: identity in evaluation mode, for p = 0 and when not training") {
  const Tensor x = ex::randn({3, 4});
  Dropout dropout(0.5);
  dropout->eval();
  CHECK(dropout(x).is_same(x));
  dropout->train();
  CHECK_FALSE(dropout(x).is_same(x));
  CHECK(Dropout(0.0)(x).is_same(x));
  CHECK(F::dropout(x, 0.7, false).is_same(x));
  // p = 1 zeroes everything (no infinite scale).
  ex::test::check_values(F::dropout(x, 1.0), {3, 4}, std::vector<double>(12, 0.0));
  CHECK(ex::nn::to_string(dropout) == "Dropout(p=0.5)");
  CHECK(dropout->p() == 0.5);
}

TEST_CASE("Dropout: ex::manual_seed makes the mask reproducible") {
  const Tensor x = ex::ones({1000});
  Dropout dropout(0.4);
  ex::manual_seed(99);
  const std::vector<float> first = dropout(x).to_vector<float>();
  ex::manual_seed(99);
  CHECK(dropout(x).to_vector<float>() == first);
  CHECK(dropout(x).to_vector<float>() != first);  // the generator moved on
  ex::Generator gen(99);
  ex::Generator same(99);
  CHECK(F::dropout(x, 0.4, true, gen).to_vector<float>() == F::dropout(x, 0.4, true, same).to_vector<float>());
}

TEST_CASE("Dropout: the gradient is the mask times the upstream gradient") {
  ex::manual_seed(4);
  const Tensor x = ex::full({50}, 3.0);
  x.requires_grad_();
  const Tensor y = F::dropout(x, 0.5);
  const Tensor g = ex::full({50}, 2.0);
  y.backward(g);
  // y = 3 * mask, so the mask is y / 3 and the gradient 2 * mask.
  const std::vector<double> out = y.to_vector<double>(), grad = x.grad().to_vector<double>();
  for (std::size_t i = 0; i < out.size(); ++i) CHECK(grad[i] == doctest::Approx(2.0 * out[i] / 3.0));
}

TEST_CASE("Dropout: errors") {
  CHECK_THROWS_WITH_AS(Dropout(1.5), doctest::Contains("Dropout: p must be in [0, 1], got 1.5"), ex::Error);
  CHECK_THROWS_WITH_AS(Dropout(-0.1), doctest::Contains("Dropout: p must be in [0, 1]"), ex::Error);
  CHECK_THROWS_WITH_AS(Dropout(std::nan("")), doctest::Contains("Dropout: p must be in [0, 1], got nan"), ex::Error);
  CHECK_THROWS_WITH_AS(F::dropout(ex::ones({2}), 2.0), doctest::Contains("dropout: p must be in [0, 1]"), ex::Error);
  CHECK_THROWS_WITH_AS(F::dropout(ex::ones({2}, DType::Int32), 0.5),
                       doctest::Contains("dropout: dtype int32 is not a floating type"), ex::Error);
  CHECK_THROWS_WITH_AS(F::dropout(Tensor(), 0.5), doctest::Contains("dropout: the input is undefined"), ex::Error);
}
