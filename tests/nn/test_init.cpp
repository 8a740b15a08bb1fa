// nn::init: bounds and spreads of every initializer, seeding, no recording, version
// bumps, PyTorch's validation.
#include <cmath>
#include <functional>

#include "nn_test_util.hpp"

namespace init = ex::nn::init;

namespace {

// Uniform on [lo, hi]: inside, reaching both ends, mean and std of the distribution
// (1e5 draws: the mean's std is (hi - lo) / sqrt(12e5) < 0.001 (hi - lo)).
void check_uniform(const Tensor& t, double lo, double hi) {
  const auto m = ex::test::moments(t);
  const double width = hi - lo;
  CHECK(m.min >= lo);
  CHECK(m.max <= hi);
  CHECK(m.min < lo + 0.001 * width);
  CHECK(m.max > hi - 0.001 * width);
  CHECK(std::fabs(m.mean - (lo + hi) / 2) < 0.005 * width);
  CHECK(std::fabs(m.std - width / std::sqrt(12.0)) < 0.01 * width / std::sqrt(12.0));
}

// Normal: mean and std within 2% of std (the sample std's relative error is ~0.2%).
void check_normal(const Tensor& t, double mean, double std) {
  const auto m = ex::test::moments(t);
  CHECK(std::fabs(m.mean - mean) < 0.02 * std);
  CHECK(std::fabs(m.std - std) < 0.02 * std);
}

}  // namespace

TEST_CASE("init::uniform_ and init::normal_ fill in place with the requested distribution") {
  ex::manual_seed(1);
  const Tensor t = ex::empty({100000});
  CHECK(init::uniform_(t, -2.0, 3.0).is_same(t));
  check_uniform(t, -2.0, 3.0);
  init::uniform_(t);
  check_uniform(t, 0.0, 1.0);
  CHECK(init::normal_(t, 1.0, 2.0).is_same(t));
  check_normal(t, 1.0, 2.0);
  const Tensor d = ex::empty({400, 250}, DType::Float64);
  init::normal_(d);
  check_normal(d, 0.0, 1.0);
  init::uniform_(d, 5.0, 5.0);  // a == b is allowed
  CHECK(ex::test::moments(d).min == 5.0);
  // A strided view is filled through its strides, leaving the rest alone.
  const Tensor base = ex::zeros({4, 4});
  init::constant_(base.slice(1, 0, 4, 2), 7);
  ex::test::check_values(base, {4, 4}, {7, 0, 7, 0, 7, 0, 7, 0, 7, 0, 7, 0, 7, 0, 7, 0});
}

TEST_CASE("init::xavier_* and init::kaiming_* follow the fans and gains") {
  ex::manual_seed(2);
  const Tensor w = ex::empty({300, 400});  // fan_in 400, fan_out 300
  init::xavier_uniform_(w);
  const double xb = std::sqrt(6.0 / 700.0);
  check_uniform(w, -xb, xb);
  init::xavier_normal_(w, 2.0);
  check_normal(w, 0.0, 2.0 * std::sqrt(2.0 / 700.0));
  init::kaiming_uniform_(w, 0.0, "fan_in", "relu");
  const double kb = std::sqrt(2.0) * std::sqrt(3.0 / 400.0);
  check_uniform(w, -kb, kb);
  init::kaiming_normal_(w, 0.0, "fan_out", "relu");
  check_normal(w, 0.0, std::sqrt(2.0) / std::sqrt(300.0));
  // PyTorch's Linear choice, a = sqrt(5): bound 1 / sqrt(fan_in).
  init::kaiming_uniform_(w, std::sqrt(5.0));
  check_uniform(w, -1.0 / 20.0, 1.0 / 20.0);
  // Conv-shaped weights count the receptive field: fan_in = 8 * 3 * 3.
  const Tensor conv = ex::empty({1000, 8, 3, 3});
  init::kaiming_normal_(conv);
  check_normal(conv, 0.0, std::sqrt(2.0 / (1 + 0.0)) / std::sqrt(72.0));
}

TEST_CASE("init::zeros_, ones_, constant_ on any dtype") {
  const Tensor f = ex::empty({2, 2});
  ex::test::check_values(init::zeros_(f), {2, 2}, {0, 0, 0, 0});
  ex::test::check_values(init::ones_(f), {2, 2}, {1, 1, 1, 1});
  ex::test::check_values(init::constant_(f, 3.5), {2, 2}, {3.5, 3.5, 3.5, 3.5});
  const Tensor i = ex::empty({3}, DType::Int8);
  CHECK(init::constant_(i, 100).to_vector<std::int8_t>() == std::vector<std::int8_t>{100, 100, 100});
  CHECK_THROWS_WITH_AS(init::constant_(i, 300), doctest::Contains("constant_: value 300 cannot be converted to int8"),
                       ex::Error);
}

TEST_CASE("init functions never record and bump the version of parameters") {
  const Tensor p = ex::empty({4, 3});
  p.requires_grad_();
  const std::vector<std::pair<const char*, std::function<Tensor()>>> fills = {
      {"uniform_", [&] { return init::uniform_(p); }},
      {"normal_", [&] { return init::normal_(p); }},
      {"constant_", [&] { return init::constant_(p, 2); }},
      {"zeros_", [&] { return init::zeros_(p); }},
      {"ones_", [&] { return init::ones_(p); }},
      {"xavier_uniform_", [&] { return init::xavier_uniform_(p); }},
      {"xavier_normal_", [&] { return init::xavier_normal_(p); }},
      {"kaiming_uniform_", [&] { return init::kaiming_uniform_(p); }},
      {"kaiming_normal_", [&] { return init::kaiming_normal_(p); }},
  };
  for (const auto& [name, fill] : fills) {
    INFO(name);
    const std::uint64_t version = p.version();
    CHECK(fill().is_same(p));
    CHECK(p.is_leaf());
    CHECK(p.grad_fn() == nullptr);
    CHECK(p.version() > version);
  }
  CHECK(ex::GradMode::is_enabled());  // the guard was restored
}

TEST_CASE("init functions are reproducible from a generator or the seed") {
  const Tensor a = ex::empty({50, 20}), b = ex::empty({50, 20});
  ex::Generator g1(42), g2(42);
  init::xavier_uniform_(a, 1.0, g1);
  init::xavier_uniform_(b, 1.0, g2);
  CHECK(a.to_vector<float>() == b.to_vector<float>());
  ex::manual_seed(5);
  init::normal_(a);
  ex::manual_seed(5);
  init::normal_(b);
  CHECK(a.to_vector<float>() == b.to_vector<float>());
}

TEST_CASE("init functions validate like PyTorch") {
  const Tensor v = ex::empty({5});
  CHECK_THROWS_WITH_AS(init::xavier_uniform_(v), doctest::Contains("xavier_uniform_:"), ex::Error);
  CHECK_THROWS_WITH_AS(init::xavier_normal_(v), doctest::Contains("xavier_normal_:"), ex::Error);
  CHECK_THROWS_WITH_AS(init::kaiming_uniform_(v), doctest::Contains("kaiming_uniform_:"), ex::Error);
  CHECK_THROWS_WITH_AS(init::kaiming_normal_(ex::empty({})), doctest::Contains("kaiming_normal_:"), ex::Error);
  const Tensor w = ex::empty({3, 4});
  CHECK_THROWS_WITH_AS(init::kaiming_uniform_(w, 0.0, "fan_avg"),
                       doctest::Contains("kaiming_uniform_: mode must be 'fan_in' or 'fan_out'"), ex::Error);
  CHECK_THROWS_WITH_AS(init::kaiming_normal_(w, 0.0, "fan_in", "swish"), doctest::Contains("kaiming_normal_:"),
                       ex::Error);
  CHECK_THROWS_WITH_AS(init::xavier_uniform_(ex::empty({3, 4}, DType::Int32)), doctest::Contains("xavier_uniform_:"),
                       ex::Error);
  CHECK_THROWS_WITH_AS(init::uniform_(w, 2.0, 1.0), doctest::Contains("uniform_: expects a <= b, got a = 2 > b = 1"),
                       ex::Error);
  CHECK_THROWS_WITH_AS(init::uniform_(w, 0.0, INFINITY), doctest::Contains("uniform_: the bounds must be finite"),
                       ex::Error);
  CHECK_THROWS_WITH_AS(init::uniform_(ex::empty({2}, DType::Int64)),
                       doctest::Contains("uniform_: dtype int64 is not a floating type"), ex::Error);
  CHECK_THROWS_WITH_AS(init::normal_(w, 0.0, -1.0), doctest::Contains("normal_: expects std >= 0, got -1"), ex::Error);
  CHECK_THROWS_WITH_AS(init::normal_(w, NAN), doctest::Contains("normal_: mean and std must be finite"), ex::Error);
  CHECK_THROWS_WITH_AS(init::normal_(Tensor()), doctest::Contains("normal_: the tensor is undefined"), ex::Error);
  CHECK_THROWS_WITH_AS(init::zeros_(Tensor()), doctest::Contains("zeros_: the tensor is undefined"), ex::Error);
  CHECK_THROWS_WITH_AS(init::xavier_normal_(Tensor()), doctest::Contains("xavier_normal_:"), ex::Error);
  // A failed call leaves the tensor's version alone.
  const std::uint64_t version = w.version();
  CHECK_THROWS_AS(init::normal_(w, 0.0, -1.0), ex::Error);
  CHECK(w.version() == version);
}
