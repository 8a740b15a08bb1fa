// RMSprop and Adagrad: hand-computed steps, defaults, options and their validation, the
// cycled momentum, and the state each keeps.

#include <cmath>
#include <string>
#include <vector>

#include "optim_test_util.hpp"

namespace {

using ex::optim::Adagrad;
using ex::optim::AdagradOptions;
using ex::optim::RMSprop;
using ex::optim::RMSpropOptions;

// Two steps of optimizer on p = [1, -2] with the constant gradient g = [0.5, 1]; returns
// p after each.
template <class Opt, class Options>
std::vector<std::vector<double>> two_steps(const Options& options) {
  const Tensor p = ex::tensor<double>({1.0, -2.0}).requires_grad_();
  Opt optimizer({p}, options);
  std::vector<std::vector<double>> after;
  for (int i = 0; i < 2; ++i) {
    p.set_grad(ex::tensor<double>({0.5, 1.0}));
    optimizer.step();
    after.push_back(p.to_vector<double>());
  }
  return after;
}

void check_close(const std::vector<double>& got, const std::vector<double>& expected) {
  REQUIRE(got.size() == expected.size());
  for (std::size_t i = 0; i < got.size(); ++i) {
    INFO("element " << i);
    CHECK(got[i] == doctest::Approx(expected[i]).epsilon(1e-14));
  }
}

}  // namespace

TEST_CASE("RMSprop's steps on hand-computed values") {
  // eps 0, alpha 0.99, lr 0.01: square_avg = 0.01 g^2, then 0.0199 g^2, so g / avg is
  // 1 / sqrt(0.01) = 10 and then 1 / sqrt(0.0199) in both elements.
  const double second = 1 / std::sqrt(0.0199);
  auto plain = two_steps<RMSprop>(RMSpropOptions(0.01).eps(0));
  check_close(plain[0], {0.9, -2.1});
  check_close(plain[1], {0.9 - 0.01 * second, -2.1 - 0.01 * second});
  // Momentum 0.5: buffer = 10, then 0.5 * 10 + 1 / sqrt(0.0199).
  auto momentum = two_steps<RMSprop>(RMSpropOptions(0.01).eps(0).momentum(0.5));
  check_close(momentum[0], {0.9, -2.1});
  check_close(momentum[1], {0.9 - 0.01 * (5 + second), -2.1 - 0.01 * (5 + second)});
  // Centered: grad_avg = 0.01 g, so avg = sqrt(0.01 g^2 - 0.0001 g^2) = |g| sqrt(0.0099).
  auto centered = two_steps<RMSprop>(RMSpropOptions(0.01).eps(0).centered(true));
  const double first = 0.01 / std::sqrt(0.0099);
  check_close(centered[0], {1 - first, -2 - first});
  // Weight decay 0.5: g + 0.5 p = [1, 0]; the second element's zero gradient (eps 1e-8)
  // leaves it.
  auto decayed = two_steps<RMSprop>(RMSpropOptions(0.01).weight_decay(0.5));
  check_close(decayed[0], {1 - 0.01 / (0.1 + 1e-8), -2.0});
  // maximize: the steps of plain, ascending.
  auto ascent = two_steps<RMSprop>(RMSpropOptions(0.01).eps(0).maximize(true));
  check_close(ascent[0], {1.1, -1.9});
}

TEST_CASE("RMSprop keeps the buffers its options need, created when first needed") {
  const Tensor p = ex::tensor<double>({1.0}).requires_grad_();
  RMSprop rmsprop({p}, RMSpropOptions(0.01).eps(0));
  p.set_grad(ex::tensor<double>({0.5}));
  rmsprop.step();
  CHECK(ex::test::state_names(rmsprop, p) == std::vector<std::string>{"square_avg", "step"});
  // Momentum switched on by a schedule starts from a zero buffer: buffer = g / avg.
  rmsprop.param_groups()[0].options->set_cycled_momentum(0.9);
  static_cast<RMSpropOptions&>(*rmsprop.param_groups()[0].options).centered(true);
  rmsprop.step();
  CHECK(ex::test::state_names(rmsprop, p) ==
        std::vector<std::string>{"grad_avg", "momentum_buffer", "square_avg", "step"});
  // square_avg = 0.0199 * 0.25, grad_avg = 0.01 * 0.5: buffer = 0.5 / sqrt(0.004975 - 0.000025).
  ex::test::check_values(rmsprop.find_state(p)->at("momentum_buffer"), {1}, {0.5 / std::sqrt(0.00495)}, 1e-13, 0);
  ex::test::check_values(rmsprop.find_state(p)->at("grad_avg"), {1}, {0.005}, 1e-17, 0);
  CHECK(rmsprop.find_state(p)->at("step").item<std::int64_t>() == 2);
}

TEST_CASE("RMSprop's options: PyTorch's defaults, a learning rate as options and the cycled momentum") {
  const RMSpropOptions defaults;
  CHECK(defaults.lr() == 1e-2);
  CHECK(defaults.alpha() == 0.99);
  CHECK(defaults.eps() == 1e-8);
  CHECK(defaults.weight_decay() == 0);
  CHECK(defaults.momentum() == 0);
  CHECK_FALSE(defaults.centered());
  CHECK_FALSE(defaults.maximize());
  CHECK(defaults.name() == "RMSprop");
  RMSpropOptions options = RMSpropOptions(0.1).momentum(0.9);
  CHECK(*options.cycled_momentum() == 0.9);
  options.set_cycled_momentum(0.8);
  CHECK(options.momentum() == 0.8);

  const Tensor p = ex::zeros({2}).requires_grad_();
  RMSprop from_lr({p}, 0.25);
  CHECK(from_lr.param_groups()[0].options->lr() == 0.25);
  const auto rejects = [&](const RMSpropOptions& o, const char* what) {
    CHECK_THROWS_WITH_AS(RMSprop({p}, o), doctest::Contains((std::string("RMSprop: ") + what).c_str()), ex::Error);
  };
  rejects(RMSpropOptions(-1), "invalid learning rate -1 (must be finite and >= 0)");
  rejects(RMSpropOptions(0.1).alpha(-0.5), "invalid alpha -0.5");
  rejects(RMSpropOptions(0.1).alpha(INFINITY), "invalid alpha inf");
  rejects(RMSpropOptions(0.1).eps(-1), "invalid eps -1");
  rejects(RMSpropOptions(0.1).weight_decay(std::nan("")), "invalid weight_decay nan");
  rejects(RMSpropOptions(0.1).momentum(-0.9), "invalid momentum -0.9");
  CHECK_NOTHROW(RMSprop({p}, RMSpropOptions(0.1).alpha(1.5)));  // PyTorch accepts alpha > 1 too
}

TEST_CASE("Adagrad's steps on hand-computed values") {
  // eps 0, lr 0.1, lr_decay 0.5: sum = g^2, then 2 g^2; the learning rates are 0.1 and
  // 0.1 / 1.5, so the steps are 0.1 and 0.1 / (1.5 sqrt(2)) in both elements.
  auto decayed = two_steps<Adagrad>(AdagradOptions(0.1).lr_decay(0.5).eps(0));
  check_close(decayed[0], {0.9, -2.1});
  const double second = 0.1 / (1.5 * std::sqrt(2.0));
  check_close(decayed[1], {0.9 - second, -2.1 - second});
  // initial_accumulator_value 0.75: sum = [1, 1.75].
  auto initial = two_steps<Adagrad>(AdagradOptions(0.1).initial_accumulator_value(0.75).eps(0));
  check_close(initial[0], {1 - 0.05, -2 - 0.1 / std::sqrt(1.75)});
  // Weight decay 0.5: g + 0.5 p = [1, 0].
  auto weight_decay = two_steps<Adagrad>(AdagradOptions(0.1).weight_decay(0.5));
  check_close(weight_decay[0], {1 - 0.1 / (1 + 1e-10), -2.0});
  auto ascent = two_steps<Adagrad>(AdagradOptions(0.1).eps(0).maximize(true));
  check_close(ascent[0], {1.1, -1.9});
}

TEST_CASE("Adagrad creates its state up front, filled with the defaults' initial value as PyTorch does") {
  const Tensor a = ex::tensor<double>({1.0, 2.0}).requires_grad_();
  const Tensor b = ex::tensor<float>({3.0f}).requires_grad_();
  const Tensor h = ex::tensor<float>({1.0f}).to(DType::BFloat16).requires_grad_();
  // The second group's own initial_accumulator_value is not used for its parameters.
  Adagrad adagrad(
      {ex::optim::ParamGroup({a}), ex::optim::ParamGroup({b, h}, AdagradOptions(0.1).initial_accumulator_value(0.5))},
      AdagradOptions(0.1).initial_accumulator_value(0.25));
  CHECK(ex::test::state_names(adagrad, a) == std::vector<std::string>{"step", "sum"});
  ex::test::check_values(adagrad.find_state(a)->at("sum"), {2}, {0.25, 0.25}, 0, 0);
  ex::test::check_values(adagrad.find_state(b)->at("sum"), {1}, {0.25}, 0, 0);
  CHECK(adagrad.find_state(h)->at("sum").dtype() == DType::Float32);
  CHECK(adagrad.find_state(a)->at("step").item<std::int64_t>() == 0);
  CHECK(adagrad.state_dict().state.size() == 3);
  // A group added later gets its state on its first step, with its own value.
  const Tensor c = ex::tensor<double>({1.0}).requires_grad_();
  adagrad.add_param_group(ex::optim::ParamGroup({c}, AdagradOptions(0.1).initial_accumulator_value(0.75)));
  CHECK(adagrad.find_state(c) == nullptr);
  c.set_grad(ex::tensor<double>({0.5}));
  adagrad.step();
  ex::test::check_values(adagrad.find_state(c)->at("sum"), {1}, {1.0}, 0, 0);
  ex::test::check_values(c, {1}, {1 - 0.1 * 0.5 / (1 + 1e-10)}, 1e-15, 0);
}

TEST_CASE("Adagrad's options: PyTorch's defaults, validation, and no momentum to cycle") {
  const AdagradOptions defaults;
  CHECK(defaults.lr() == 1e-2);
  CHECK(defaults.lr_decay() == 0);
  CHECK(defaults.weight_decay() == 0);
  CHECK(defaults.initial_accumulator_value() == 0);
  CHECK(defaults.eps() == 1e-10);
  CHECK_FALSE(defaults.maximize());
  CHECK(defaults.name() == "Adagrad");
  CHECK_FALSE(defaults.cycled_momentum().has_value());
  AdagradOptions options(0.1);
  CHECK_THROWS_WITH_AS(options.set_cycled_momentum(0.9),
                       doctest::Contains("set_cycled_momentum: Adagrad has no momentum"), ex::Error);

  const Tensor p = ex::zeros({2}).requires_grad_();
  Adagrad from_lr({p}, 0.25);
  CHECK(from_lr.param_groups()[0].options->lr() == 0.25);
  const auto rejects = [&](const AdagradOptions& o, const char* what) {
    CHECK_THROWS_WITH_AS(Adagrad({p}, o), doctest::Contains((std::string("Adagrad: ") + what).c_str()), ex::Error);
  };
  rejects(AdagradOptions(-1), "invalid learning rate -1 (must be finite and >= 0)");
  rejects(AdagradOptions(0.1).lr_decay(-0.5), "invalid lr_decay -0.5");
  rejects(AdagradOptions(0.1).weight_decay(-1), "invalid weight_decay -1");
  rejects(AdagradOptions(0.1).initial_accumulator_value(-0.1), "invalid initial_accumulator_value -0.1");
  rejects(AdagradOptions(0.1).eps(INFINITY), "invalid eps inf");
  CHECK_THROWS_WITH_AS(Adagrad(std::vector<Tensor>{}), doctest::Contains("Adagrad: got an empty parameter list"),
                       ex::Error);
}
