// Adam and AdamW: hand-computed steps, defaults, options and their validation, the
// cycled momentum (beta1) and the state kept with and without amsgrad.

#include <cmath>
#include <string>
#include <vector>

#include "optim_test_util.hpp"

namespace {

using ex::optim::Adam;
using ex::optim::AdamOptions;
using ex::optim::AdamW;
using ex::optim::AdamWOptions;

}  // namespace

TEST_CASE("Adam's steps on hand-computed values") {
  // A constant gradient g = [0.5, 1] with eps 0: m_t = (1 - 0.9^t) g and
  // v_t = (1 - 0.999^t) g^2, so the bias-corrected step is lr * g / |g| = lr per element.
  const Tensor p = ex::tensor<double>({1.0, -2.0}).requires_grad_();
  Adam adam({p}, AdamOptions(0.1).eps(0));
  p.set_grad(ex::tensor<double>({0.5, 1.0}));
  adam.step();
  ex::test::check_values(p, {2}, {0.9, -2.1}, 1e-15, 0);
  ex::test::check_values(adam.find_state(p)->at("exp_avg"), {2}, {0.05, 0.1}, 1e-16, 0);
  ex::test::check_values(adam.find_state(p)->at("exp_avg_sq"), {2}, {0.00025, 0.001}, 1e-17, 0);
  adam.step();
  ex::test::check_values(p, {2}, {0.8, -2.2}, 1e-15, 0);
  ex::test::check_values(adam.find_state(p)->at("exp_avg"), {2}, {0.095, 0.19}, 1e-16, 0);
  ex::test::check_values(adam.find_state(p)->at("exp_avg_sq"), {2}, {0.00049975, 0.001999}, 1e-17, 0);
  CHECK(ex::test::state_names(adam, p) == std::vector<std::string>{"exp_avg", "exp_avg_sq", "step"});

  // Weight decay 0.5 (L2): the first step sees g + 0.5 p = [1, 0] and moves the first
  // element by lr; the second element's moments stay 0 and, with eps 1e-8, it stays put.
  const Tensor q = ex::tensor<double>({1.0, -2.0}).requires_grad_();
  Adam decayed({q}, AdamOptions(0.1).weight_decay(0.5));
  q.set_grad(ex::tensor<double>({0.5, 1.0}));
  decayed.step();
  ex::test::check_values(q, {2}, {1.0 - 0.1 / (1 + 1e-8), -2.0}, 1e-15, 0);

  // maximize ascends: the same steps with the sign flipped.
  const Tensor r = ex::tensor<double>({1.0, -2.0}).requires_grad_();
  Adam ascent({r}, AdamOptions(0.1).eps(0).maximize(true));
  r.set_grad(ex::tensor<double>({0.5, 1.0}));
  ascent.step();
  ex::test::check_values(r, {2}, {1.1, -1.9}, 1e-15, 0);
}

TEST_CASE("AdamW decays the parameter instead of the gradient") {
  // lr 0.1, weight decay 0.5, eps 0, constant g = [0.5, 1]: p = p * (1 - 0.05) - 0.1.
  const Tensor p = ex::tensor<double>({1.0, -2.0}).requires_grad_();
  AdamW adamw({p}, AdamWOptions(0.1).weight_decay(0.5).eps(0));
  p.set_grad(ex::tensor<double>({0.5, 1.0}));
  adamw.step();
  ex::test::check_values(p, {2}, {0.85, -2.0}, 1e-15, 0);
  adamw.step();
  ex::test::check_values(p, {2}, {0.7075, -2.0}, 1e-15, 0);
  // The moments see the gradient alone.
  ex::test::check_values(adamw.find_state(p)->at("exp_avg"), {2}, {0.095, 0.19}, 1e-16, 0);
}

TEST_CASE("AMSGrad divides by the largest second moment so far") {
  // g = 1 then g = 0 (eps 0, betas 0.5, 0.5, lr 1): v = 0.5, then 0.25, max stays 0.5.
  // Step 2: m = 0.25, bias corrections 0.75 and 0.75: p -= (0.25 / 0.75) / (sqrt(0.5) /
  // sqrt(0.75)); without amsgrad the denominator uses v = 0.25.
  for (const bool amsgrad : {true, false}) {
    INFO("amsgrad " << amsgrad);
    const Tensor p = ex::tensor<double>({0.0}).requires_grad_();
    Adam adam({p}, AdamOptions(1.0).betas({0.5, 0.5}).eps(0).amsgrad(amsgrad));
    p.set_grad(ex::tensor<double>({1.0}));
    adam.step();
    ex::test::check_values(p, {1}, {-1.0}, 1e-15, 0);
    p.set_grad(ex::tensor<double>({0.0}));
    adam.step();
    const double second = amsgrad ? 0.5 : 0.25;
    ex::test::check_values(p, {1}, {-1.0 - (0.25 / 0.75) / (std::sqrt(second) / std::sqrt(0.75))}, 1e-15, 0);
    if (amsgrad) {
      CHECK(ex::test::state_names(adam, p) ==
            std::vector<std::string>{"exp_avg", "exp_avg_sq", "max_exp_avg_sq", "step"});
      ex::test::check_values(adam.find_state(p)->at("max_exp_avg_sq"), {1}, {0.5}, 0, 0);
    } else {
      CHECK(ex::test::state_names(adam, p) == std::vector<std::string>{"exp_avg", "exp_avg_sq", "step"});
    }
  }
  // Turning amsgrad on later starts its maximum at zero, so the first such step uses v.
  const Tensor p = ex::tensor<double>({0.0}).requires_grad_();
  Adam adam({p}, AdamOptions(1.0).betas({0.5, 0.5}).eps(0));
  p.set_grad(ex::tensor<double>({1.0}));
  adam.step();
  static_cast<AdamOptions&>(*adam.param_groups()[0].options).amsgrad(true);
  p.set_grad(ex::tensor<double>({0.0}));
  adam.step();
  ex::test::check_values(adam.find_state(p)->at("max_exp_avg_sq"), {1}, {0.25}, 0, 0);
  ex::test::check_values(p, {1}, {-1.0 - (0.25 / 0.75) / (std::sqrt(0.25) / std::sqrt(0.75))}, 1e-15, 0);
}

TEST_CASE("Adam's and AdamW's options: PyTorch's defaults, chaining and a learning rate as options") {
  const AdamOptions adam;
  CHECK(adam.lr() == 1e-3);
  CHECK(adam.betas() == std::tuple<double, double>{0.9, 0.999});
  CHECK(adam.eps() == 1e-8);
  CHECK(adam.weight_decay() == 0);
  CHECK_FALSE(adam.amsgrad());
  CHECK_FALSE(adam.maximize());
  CHECK(adam.name() == "Adam");
  const AdamWOptions adamw;
  CHECK(adamw.lr() == 1e-3);
  CHECK(adamw.weight_decay() == 1e-2);
  CHECK(adamw.name() == "AdamW");
  // Setters chain and return the derived options.
  const AdamWOptions chained = AdamWOptions(0.5).betas({0.8, 0.9}).eps(1e-6).weight_decay(0.25).amsgrad(true);
  CHECK(std::get<0>(chained.betas()) == 0.8);
  CHECK(chained.weight_decay() == 0.25);
  CHECK(chained.clone()->name() == "AdamW");

  const Tensor p = ex::tensor<double>({1.0}).requires_grad_();
  Adam from_lr({p}, 0.25);  // libtorch's habit: Adam(model->parameters(), 1e-3)
  CHECK(from_lr.param_groups()[0].options->lr() == 0.25);
  AdamW defaults({p});
  CHECK(defaults.param_groups()[0].options->lr() == 1e-3);
  // Groups of one type do not take the other's options.
  CHECK_THROWS_WITH_AS(Adam({ex::optim::ParamGroup({p}, AdamWOptions())}, AdamOptions()),
                       doctest::Contains("Adam: group 0 has options of AdamW, this optimizer takes options of Adam"),
                       ex::Error);
}

TEST_CASE("Adam's and AdamW's cycled momentum is beta1") {
  AdamOptions adam(0.1);
  REQUIRE(adam.cycled_momentum().has_value());
  CHECK(*adam.cycled_momentum() == 0.9);
  adam.set_cycled_momentum(0.85);
  CHECK(adam.betas() == std::tuple<double, double>{0.85, 0.999});
  ex::optim::OptimizerOptions& base = adam;  // what a scheduler holds
  base.set_cycled_momentum(0.95);
  CHECK(*base.cycled_momentum() == 0.95);
  AdamWOptions adamw(0.1);
  adamw.set_cycled_momentum(0.5);
  CHECK(std::get<0>(adamw.betas()) == 0.5);
  // An out-of-range value is caught when the options are next used.
  const Tensor p = ex::tensor<double>({1.0}).requires_grad_();
  Adam optimizer({p}, 0.1);
  p.set_grad(ex::tensor<double>({1.0}));
  optimizer.param_groups()[0].options->set_cycled_momentum(1.0);
  CHECK_THROWS_WITH_AS(optimizer.step(), doctest::Contains("step: invalid beta1 1 (must be in [0, 1))"), ex::Error);
  ex::test::check_values(p, {1}, {1.0}, 0, 0);
}

TEST_CASE("Adam and AdamW validate their options") {
  const Tensor p = ex::zeros({2}).requires_grad_();
  const auto rejects = [&](const AdamOptions& options, const char* what) {
    CHECK_THROWS_WITH_AS(Adam({p}, options), doctest::Contains("Adam:"), ex::Error);
    CHECK_THROWS_WITH_AS(Adam({p}, options), doctest::Contains(what), ex::Error);
    CHECK_THROWS_WITH_AS(
        AdamW(
            {p},
            AdamWOptions(options.lr()).betas(options.betas()).eps(options.eps()).weight_decay(options.weight_decay())),
        doctest::Contains((std::string("AdamW: ") + what).c_str()), ex::Error);
  };
  rejects(AdamOptions(-0.1), "invalid learning rate -0.1 (must be finite and >= 0)");
  rejects(AdamOptions(std::nan("")), "invalid learning rate nan");
  rejects(AdamOptions(INFINITY), "invalid learning rate inf");
  rejects(AdamOptions(0.1).eps(-1e-8), "invalid eps -1e-08 (must be finite and >= 0)");
  rejects(AdamOptions(0.1).betas({1.0, 0.999}), "invalid beta1 1 (must be in [0, 1))");
  rejects(AdamOptions(0.1).betas({-0.1, 0.999}), "invalid beta1 -0.1");
  rejects(AdamOptions(0.1).betas({0.9, 1.5}), "invalid beta2 1.5 (must be in [0, 1))");
  rejects(AdamOptions(0.1).betas({0.9, std::nan("")}), "invalid beta2 nan");
  rejects(AdamOptions(0.1).weight_decay(-0.01), "invalid weight_decay -0.01 (must be finite and >= 0)");
  CHECK_NOTHROW(Adam({p}, AdamOptions(0).betas({0, 0}).eps(0)));  // PyTorch's bounds are inclusive at 0
  CHECK_THROWS_WITH_AS(Adam(std::vector<Tensor>{}, 0.1), doctest::Contains("Adam: got an empty parameter list"),
                       ex::Error);
  CHECK_THROWS_WITH_AS(AdamW({ex::zeros({2})}, 0.1),
                       doctest::Contains("AdamW: parameter 0 of group 0 (shape [2], dtype float32) does not require "
                                         "grad"),
                       ex::Error);
  Adam adam({p}, 0.1);
  CHECK_THROWS_WITH_AS(adam.add_param_group(ex::optim::ParamGroup({ex::zeros({1}).requires_grad_()},
                                                                  AdamOptions(0.1).betas({0.9, 2.0}))),
                       doctest::Contains("add_param_group: invalid beta2 2"), ex::Error);
}
