// Weight initializers: fans, gains, bounds and spreads, seeding, validation.
#include <cmath>

#include "test_util.hpp"

namespace {

struct Stats {
  double max_abs = 0, mean = 0, std = 0;
};

Stats stats(const Tensor& t) {
  const std::vector<double> v = t.to_vector<double>();
  Stats s;
  for (double x : v) {
    s.max_abs = std::max(s.max_abs, std::fabs(x));
    s.mean += x;
  }
  s.mean /= static_cast<double>(v.size());
  for (double x : v) s.std += (x - s.mean) * (x - s.mean);
  s.std = std::sqrt(s.std / static_cast<double>(v.size() - 1));
  return s;
}

// Uniform on [-bound, bound]: inside the bound, reaching close to it, std bound / sqrt(3).
// rounding: the dtype's relative rounding error (values near the bound may round past it).
void check_uniform(const Tensor& t, double bound, double rounding = 1e-7) {
  const Stats s = stats(t);
  CHECK(s.max_abs <= bound * (1 + rounding));
  CHECK(s.max_abs >= bound * (0.999 - rounding));
  CHECK(std::fabs(s.mean) < 0.01 * bound);
  CHECK(std::fabs(s.std - bound / std::sqrt(3.0)) < 0.02 * bound / std::sqrt(3.0));
}

void check_normal(const Tensor& t, double std) {
  const Stats s = stats(t);
  CHECK(std::fabs(s.std - std) < 0.02 * std);
  CHECK(std::fabs(s.mean) < 0.02 * std);
  CHECK(s.max_abs > 3 * std);  // 1e5 samples of a normal reach past 3 sigma
}

}  // namespace

TEST_CASE("calculate_fan_in_and_fan_out: linear and conv weights") {
  CHECK(ex::calculate_fan_in_and_fan_out({3, 5}) == std::pair<std::int64_t, std::int64_t>{5, 3});
  CHECK(ex::calculate_fan_in_and_fan_out({8, 4, 3, 3}) == std::pair<std::int64_t, std::int64_t>{36, 72});
  CHECK(ex::calculate_fan_in_and_fan_out({16, 2, 5}) == std::pair<std::int64_t, std::int64_t>{10, 80});
  CHECK(ex::calculate_fan_in_and_fan_out({4, 0, 3}) == std::pair<std::int64_t, std::int64_t>{0, 12});
  CHECK_THROWS_WITH_AS(ex::calculate_fan_in_and_fan_out({5}),
                       doctest::Contains("calculate_fan_in_and_fan_out: fan in and fan out cannot be computed for "
                                         "shape [5]"),
                       ex::Error);
  CHECK_THROWS_WITH_AS(ex::calculate_fan_in_and_fan_out({}), doctest::Contains("calculate_fan_in_and_fan_out:"),
                       ex::Error);
  CHECK_THROWS_WITH_AS(ex::calculate_fan_in_and_fan_out({2, -1}), doctest::Contains("calculate_fan_in_and_fan_out:"),
                       ex::Error);
}

TEST_CASE("calculate_gain: torch's table") {
  for (const char* unit :
       {"linear", "conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d", "conv_transpose3d", "sigmoid"})
    CHECK(ex::calculate_gain(unit) == 1.0);
  CHECK(ex::calculate_gain("tanh") == doctest::Approx(5.0 / 3.0));
  CHECK(ex::calculate_gain("relu") == doctest::Approx(std::sqrt(2.0)));
  CHECK(ex::calculate_gain("relu", 5.0) == doctest::Approx(std::sqrt(2.0)));
  CHECK(ex::calculate_gain("selu") == doctest::Approx(0.75));
  CHECK(ex::calculate_gain("leaky_relu") == doctest::Approx(std::sqrt(2.0 / (1 + 0.01 * 0.01))));
  CHECK(ex::calculate_gain("leaky_relu", 0.2) == doctest::Approx(std::sqrt(2.0 / 1.04)));
  CHECK(ex::calculate_gain("leaky_relu", 0.0) == doctest::Approx(std::sqrt(2.0)));
  CHECK_THROWS_WITH_AS(ex::calculate_gain("swish"),
                       doctest::Contains("calculate_gain: unsupported nonlinearity 'swish'"), ex::Error);
  CHECK_THROWS_WITH_AS(ex::calculate_gain("leaky_relu", std::nan("")), doctest::Contains("calculate_gain:"), ex::Error);
}

TEST_CASE("xavier_uniform: bound gain * sqrt(6 / (fan_in + fan_out))") {
  ex::Generator gen(1);
  Tensor w = ex::xavier_uniform({400, 250}, 1.0, DType::Float32, gen);
  CHECK(w.shape() == Shape{400, 250});
  CHECK(w.dtype() == DType::Float32);
  check_uniform(w, std::sqrt(6.0 / 650.0));
  Tensor conv = ex::xavier_uniform({50, 20, 10, 10}, 2.0, DType::Float64, gen);  // fans 2000, 5000
  check_uniform(conv, 2.0 * std::sqrt(6.0 / 7000.0));
}

TEST_CASE("xavier_normal: std gain * sqrt(2 / (fan_in + fan_out))") {
  ex::Generator gen(2);
  check_normal(ex::xavier_normal({500, 200}, 1.0, DType::Float32, gen), std::sqrt(2.0 / 700.0));
  check_normal(ex::xavier_normal({100, 10, 10, 10}, 0.5, DType::Float64, gen), 0.5 * std::sqrt(2.0 / 11000.0));
}

TEST_CASE("kaiming_uniform: bound sqrt(3) * gain / sqrt(fan)") {
  ex::Generator gen(3);
  // Defaults: a = 0, fan_in, leaky_relu: gain sqrt(2).
  check_uniform(ex::kaiming_uniform({1000, 100}, 0.0, "fan_in", "leaky_relu", DType::Float32, gen),
                std::sqrt(3.0) * std::sqrt(2.0) / 10.0);
  check_uniform(ex::kaiming_uniform({1000, 100}, 0.0, "fan_out", "relu", DType::Float64, gen),
                std::sqrt(3.0) * std::sqrt(2.0) / std::sqrt(1000.0));
  const double a = std::sqrt(5.0);  // what torch's Linear and Conv use
  check_uniform(ex::kaiming_uniform({64, 32, 7, 7}, a, "fan_in", "leaky_relu", DType::Float32, gen),
                std::sqrt(3.0) * std::sqrt(2.0 / 6.0) / std::sqrt(32.0 * 49.0));
}

TEST_CASE("kaiming_normal: std gain / sqrt(fan)") {
  ex::Generator gen(4);
  check_normal(ex::kaiming_normal({1000, 100}, 0.0, "fan_in", "relu", DType::Float32, gen), std::sqrt(2.0) / 10.0);
  check_normal(ex::kaiming_normal({250, 40, 2, 5}, 0.0, "fan_out", "tanh", DType::Float64, gen),
               (5.0 / 3.0) / std::sqrt(2500.0));
}

TEST_CASE("in-place forms fill any layout and return the same storage") {
  ex::Generator gen(5);
  Tensor base = ex::zeros({300, 400});
  Tensor t = base.transpose(0, 1);  // [400, 300]: fan_in 300, fan_out 400
  Tensor r = ex::xavier_uniform_(t, 1.0, gen);
  CHECK(r.storage().get() == base.storage().get());
  check_uniform(base, std::sqrt(6.0 / 700.0));
  ex::kaiming_normal_(t, 0.0, "fan_out", "linear", gen);
  check_normal(base, 1.0 / std::sqrt(400.0));
  ex::xavier_normal_(base, 3.0, gen);
  check_normal(base, 3.0 * std::sqrt(2.0 / 700.0));
  ex::kaiming_uniform_(base, 0.0, "fan_in", "sigmoid", gen);
  check_uniform(base, std::sqrt(3.0) / std::sqrt(400.0));
  // Only the slice is written.
  Tensor m = ex::zeros({4, 6});
  ex::xavier_normal_(m.slice(1, 0, 6, 2), 1.0, gen);
  const std::vector<float> v = m.to_vector<float>();
  for (std::size_t i = 0; i < v.size(); ++i)
    if (i % 2 == 1) CHECK(v[i] == 0.0f);
}

TEST_CASE("half dtypes and zero-size shapes") {
  ex::Generator gen(6);
  for (DType dt : {DType::Float16, DType::BFloat16}) {
    Tensor w = ex::kaiming_uniform({200, 500}, 0.0, "fan_in", "relu", dt, gen);
    CHECK(w.dtype() == dt);
    check_uniform(w, std::sqrt(6.0 / 500.0), dt == DType::Float16 ? 0x1p-11 : 0x1p-8);
  }
  CHECK(ex::xavier_uniform({0, 3}).shape() == Shape{0, 3});
  CHECK(ex::kaiming_normal({3, 0, 2}).shape() == Shape{3, 0, 2});
  Tensor z = ex::zeros({0, 5});
  CHECK(ex::kaiming_uniform_(z).shape() == Shape{0, 5});
}

TEST_CASE("seeding: same seed, same values, default generator via manual_seed") {
  ex::Generator g1(42), g2(42), g3(43);
  const auto a = ex::xavier_uniform({8, 8}, 1.0, DType::Float32, g1).to_vector<float>();
  const auto b = ex::xavier_uniform({8, 8}, 1.0, DType::Float32, g2).to_vector<float>();
  const auto c = ex::xavier_uniform({8, 8}, 1.0, DType::Float32, g3).to_vector<float>();
  CHECK(a == b);
  CHECK(a != c);
  CHECK(ex::xavier_uniform({8, 8}, 1.0, DType::Float32, g1).to_vector<float>() != a);  // the stream moves on
  ex::manual_seed(7);
  const auto d = ex::kaiming_normal({16, 4}).to_vector<float>();
  ex::manual_seed(7);
  const auto e = ex::kaiming_normal({16, 4}).to_vector<float>();
  CHECK(d == e);
  ex::manual_seed(7);
  Tensor f = ex::zeros({16, 4});
  ex::kaiming_normal_(f);
  CHECK(f.to_vector<float>() == d);
}

TEST_CASE("initializers validate rank, dtype, mode, nonlinearity") {
  CHECK_THROWS_WITH_AS(ex::xavier_uniform({5}), doctest::Contains("xavier_uniform: fan in and fan out"), ex::Error);
  CHECK_THROWS_WITH_AS(ex::xavier_normal({}), doctest::Contains("xavier_normal:"), ex::Error);
  CHECK_THROWS_WITH_AS(ex::kaiming_uniform({3}), doctest::Contains("kaiming_uniform:"), ex::Error);
  CHECK_THROWS_WITH_AS(ex::kaiming_normal_(ex::zeros({3})), doctest::Contains("kaiming_normal_:"), ex::Error);
  CHECK_THROWS_WITH_AS(ex::xavier_uniform({2, 2}, 1.0, DType::Int32),
                       doctest::Contains("xavier_uniform: dtype int32 is not a floating type"), ex::Error);
  CHECK_THROWS_WITH_AS(ex::kaiming_normal({2, 2}, 0.0, "fan_in", "relu", DType::Bool),
                       doctest::Contains("kaiming_normal: dtype bool"), ex::Error);
  CHECK_THROWS_WITH_AS(ex::xavier_normal_(ex::zeros({2, 2}, DType::UInt8)), doctest::Contains("xavier_normal_: dtype"),
                       ex::Error);
  CHECK_THROWS_WITH_AS(ex::kaiming_uniform({2, 2}, 0.0, "fan_avg"),
                       doctest::Contains("kaiming_uniform: mode must be 'fan_in' or 'fan_out', got 'fan_avg'"),
                       ex::Error);
  CHECK_THROWS_WITH_AS(ex::kaiming_uniform_(ex::zeros({2, 2}), 0.0, "fan_in", "gelu"),
                       doctest::Contains("kaiming_uniform_: unsupported nonlinearity 'gelu'"), ex::Error);
  CHECK_THROWS_WITH_AS(ex::xavier_uniform({2, -2}), doctest::Contains("xavier_uniform:"), ex::Error);
  CHECK_THROWS_WITH_AS(ex::kaiming_normal({std::int64_t{1} << 40, std::int64_t{1} << 40}),
                       doctest::Contains("kaiming_normal:"), ex::Error);
  CHECK_THROWS_WITH_AS(ex::xavier_uniform_(Tensor()), doctest::Contains("xavier_uniform_: the tensor is undefined"),
                       ex::Error);
}
