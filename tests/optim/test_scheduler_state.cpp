// Learning-rate schedulers' state dicts: their contents, a round trip in the middle of
// every schedule (optimizer and scheduler saved, then loaded into fresh ones), and the
// checks of load_state_dict.

#include <cmath>
#include <functional>
#include <memory>
#include <numbers>
#include <string>
#include <vector>

#include "scheduler_test_util.hpp"

namespace {

namespace optim = ex::optim;
using doctest::Contains;
using ex::test::lrs_of;
using ex::test::momenta_of;
using List = std::vector<std::shared_ptr<optim::LRScheduler>>;

struct Factory {
  const char* name;
  bool beta;  // over BetaOptimizer (Adam's beta1) instead of SGD
  std::function<std::shared_ptr<optim::LRScheduler>(optim::Optimizer&)> make;
};

const std::vector<Factory>& factories() {
  static const std::vector<Factory> all = {
      {"StepLR", false, [](optim::Optimizer& o) { return std::make_shared<optim::StepLR>(o, 7, 0.5); }},
      {"MultiStepLR", false,
       [](optim::Optimizer& o) {
         return std::make_shared<optim::MultiStepLR>(o, std::vector<std::int64_t>{5, 40, 45});
       }},
      {"ExponentialLR", false, [](optim::Optimizer& o) { return std::make_shared<optim::ExponentialLR>(o, 0.97); }},
      {"CosineAnnealingLR", false,
       [](optim::Optimizer& o) { return std::make_shared<optim::CosineAnnealingLR>(o, 25, 1e-3); }},
      {"LinearLR", false, [](optim::Optimizer& o) { return std::make_shared<optim::LinearLR>(o, 0.2, 1.0, 60); }},
      {"OneCycleLR", false,
       [](optim::Optimizer& o) {
         return std::make_shared<optim::OneCycleLR>(o, optim::OneCycleLROptions({0.5, 0.1}, 120));
       }},
      {"OneCycleLR over beta1", true,
       [](optim::Optimizer& o) {
         return std::make_shared<optim::OneCycleLR>(
             o, optim::OneCycleLROptions(0.01, 120).three_phase(true).anneal_strategy(optim::AnnealStrategy::Linear));
       }},
      {"SequentialLR", false,
       [](optim::Optimizer& o) {
         List children{std::make_shared<optim::LinearLR>(o, 0.1, 1.0, 20),
                       std::make_shared<optim::CosineAnnealingLR>(o, 30),
                       std::make_shared<optim::ExponentialLR>(o, 0.9)};
         return std::make_shared<optim::SequentialLR>(o, children, std::vector<std::int64_t>{20, 50});
       }},
  };
  return all;
}

std::unique_ptr<optim::Optimizer> optimizer_for(const Factory& f) {
  if (f.beta) return ex::test::two_group_beta();
  return ex::test::two_group_sgd();
}

}  // namespace

TEST_CASE("a scheduler's state dict holds its progress as numbers") {
  const auto sgd = ex::test::two_group_sgd();
  optim::StepLR scheduler(*sgd, 2, 0.5);
  for (int i = 0; i < 3; ++i) scheduler.step();  // epoch 2 halves the rates
  const optim::SchedulerStateDict expected{{"last_epoch", {3.0}},
                                           {"step_count", {4.0}},  // the initial step counts
                                           {"base_lrs", {0.1, 0.02}},
                                           {"last_lr", {0.05, 0.01}}};
  CHECK(scheduler.state_dict() == expected);

  optim::ReduceLROnPlateau plateau(*sgd, optim::ReduceLROnPlateauOptions().cooldown(4).patience(1));
  for (double metric : {1.0, 2.0, 2.0}) plateau.step(metric);  // two bad steps: reduced, then cooldown
  const optim::SchedulerStateDict plateau_expected{{"last_epoch", {3.0}},
                                                   {"best", {1.0}},
                                                   {"num_bad_epochs", {0.0}},
                                                   {"cooldown_counter", {4.0}},
                                                   {"last_lr", {0.05 * 0.1, 0.01 * 0.1}}};
  CHECK(plateau.state_dict() == plateau_expected);
  CHECK(lrs_of(*sgd) == std::vector<double>{0.05 * 0.1, 0.01 * 0.1});

  std::vector<std::string> keys;
  const auto sequential_sgd = ex::test::two_group_sgd();
  const auto warmup = std::make_shared<optim::LinearLR>(*sequential_sgd);
  const auto decay = std::make_shared<optim::ExponentialLR>(*sequential_sgd, 0.5);
  optim::SequentialLR sequential(*sequential_sgd, {warmup, decay}, {5});
  for (const auto& [key, values] : sequential.state_dict()) keys.push_back(key);
  CHECK(keys == std::vector<std::string>{"last_epoch", "last_lr", "schedulers.0.base_lrs", "schedulers.0.last_epoch",
                                         "schedulers.0.last_lr", "schedulers.0.step_count", "schedulers.1.base_lrs",
                                         "schedulers.1.last_epoch", "schedulers.1.last_lr", "schedulers.1.step_count"});
  // The second scheduler waits at epoch -1 for its milestone, as in PyTorch.
  CHECK(sequential.state_dict().at("schedulers.1.last_epoch") == std::vector<double>{-1.0});
}

TEST_CASE("a scheduler saved mid-schedule continues identically after loading") {
  for (const Factory& f : factories()) {
    SUBCASE(f.name) {
      const auto original_opt = optimizer_for(f);
      const auto original = f.make(*original_opt);
      for (int i = 0; i < 37; ++i) original->step();
      const optim::SchedulerStateDict saved = original->state_dict();
      const optim::OptimizerStateDict saved_opt = original_opt->state_dict();

      // PyTorch's order: construct both (the initial step changes the rates), then load.
      const auto restored_opt = optimizer_for(f);
      const auto restored = f.make(*restored_opt);
      restored_opt->load_state_dict(saved_opt);
      restored->load_state_dict(saved);
      CHECK(restored->last_epoch() == 37);
      CHECK(restored->get_last_lr() == original->get_last_lr());
      CHECK(restored->state_dict() == saved);
      for (int i = 0; i < 60; ++i) {
        original->step();
        restored->step();
        INFO("step " << 38 + i);
        REQUIRE(lrs_of(*restored_opt) == lrs_of(*original_opt));
        REQUIRE(momenta_of(*restored_opt) == momenta_of(*original_opt));
        REQUIRE(restored->get_last_lr() == original->get_last_lr());
      }
    }
  }
}

TEST_CASE("ReduceLROnPlateau saved mid-plateau continues identically after loading") {
  const auto make = [](optim::Optimizer& o) {
    return optim::ReduceLROnPlateau(o, optim::ReduceLROnPlateauOptions().patience(2).cooldown(1).factor(0.5));
  };
  const auto metric = [](int step) { return step < 10 ? 1.0 / step : 0.1 + 0.001 * (step % 3); };
  const auto original_opt = ex::test::two_group_sgd();
  auto original = make(*original_opt);
  for (int i = 1; i <= 14; ++i) original.step(metric(i));
  const auto restored_opt = ex::test::two_group_sgd();
  auto restored = make(*restored_opt);
  restored_opt->load_state_dict(original_opt->state_dict());
  restored.load_state_dict(original.state_dict());
  CHECK(restored.state_dict() == original.state_dict());
  for (int i = 15; i <= 40; ++i) {
    original.step(metric(i));
    restored.step(metric(i));
    REQUIRE(lrs_of(*restored_opt) == lrs_of(*original_opt));
    REQUIRE(restored.num_bad_epochs() == original.num_bad_epochs());
  }
  CHECK(lrs_of(*original_opt)[0] < 0.1);  // the plateau did reduce the rates
}

TEST_CASE("loading a state dict leaves the optimizer's rates alone") {
  const auto sgd = ex::test::two_group_sgd();
  optim::ExponentialLR scheduler(*sgd, 0.5);
  const optim::SchedulerStateDict state{
      {"last_epoch", {4.0}}, {"step_count", {5.0}}, {"base_lrs", {0.1, 0.02}}, {"last_lr", {0.00625, 0.00125}}};
  scheduler.load_state_dict(state);
  CHECK(scheduler.get_last_lr() == std::vector<double>{0.00625, 0.00125});
  CHECK(lrs_of(*sgd) == std::vector<double>{0.1, 0.02});
  scheduler.step();  // chainable: from the groups' rates
  CHECK(lrs_of(*sgd) == std::vector<double>{0.05, 0.01});
}

TEST_CASE("CosineAnnealingLR resumed at step count 0 takes PyTorch's closed-form branch") {
  // PyTorch's CosineAnnealingLR(last_epoch=5) resumes like this: its first step, with
  // _step_count 1 and last_epoch 6, uses the closed form.
  const auto sgd = ex::test::two_group_sgd();
  optim::CosineAnnealingLR scheduler(*sgd, 10, 0.01);
  scheduler.load_state_dict(
      {{"last_epoch", {5.0}}, {"step_count", {0.0}}, {"base_lrs", {0.1, 0.02}}, {"last_lr", {0.1, 0.02}}});
  scheduler.step();
  const double f = 1 + std::cos(6 * std::numbers::pi / 10);
  CHECK(lrs_of(*sgd)[0] == doctest::Approx(0.01 + (0.1 - 0.01) * f / 2).epsilon(1e-14));
  CHECK(lrs_of(*sgd)[1] == doctest::Approx(0.01 + (0.02 - 0.01) * f / 2).epsilon(1e-14));
}

TEST_CASE("load_state_dict rejects a state that does not fit and changes nothing") {
  const auto sgd = ex::test::two_group_sgd();
  optim::StepLR scheduler(*sgd, 3);
  scheduler.step();
  const optim::SchedulerStateDict good = scheduler.state_dict();
  const auto with = [&](const std::string& key, std::vector<double> values) {
    optim::SchedulerStateDict dict = good;
    dict[key] = std::move(values);
    return dict;
  };
  optim::SchedulerStateDict missing = good;
  missing.erase("base_lrs");
  CHECK_THROWS_WITH_AS(scheduler.load_state_dict(missing),
                       Contains("StepLR::load_state_dict: the state does not fit this scheduler: missing keys "
                                "[\"base_lrs\"], unexpected keys []"),
                       ex::Error);
  CHECK_THROWS_WITH_AS(scheduler.load_state_dict(with("gamma", {0.1})), Contains("unexpected keys [\"gamma\"]"),
                       ex::Error);
  CHECK_THROWS_WITH_AS(
      scheduler.load_state_dict(with("last_lr", {0.1})),
      Contains("StepLR::load_state_dict: \"last_lr\" has 1 values, the optimizer has 2 parameter groups"), ex::Error);
  CHECK_THROWS_WITH_AS(scheduler.load_state_dict(with("last_epoch", {1.5})),
                       Contains("StepLR::load_state_dict: \"last_epoch\" must be a whole number >= -1, got 1.5"),
                       ex::Error);
  CHECK_THROWS_WITH_AS(scheduler.load_state_dict(with("step_count", {1.0, 2.0})),
                       Contains("\"step_count\" must hold one number, got 2"), ex::Error);
  CHECK_THROWS_WITH_AS(scheduler.load_state_dict(with("base_lrs", {0.1, -0.02})),
                       Contains("\"base_lrs\" holds -0.02 (rates must be finite and >= 0)"), ex::Error);
  CHECK(scheduler.state_dict() == good);

  const auto seq_sgd = ex::test::two_group_sgd();
  optim::SequentialLR sequential(
      *seq_sgd, {std::make_shared<optim::LinearLR>(*seq_sgd), std::make_shared<optim::ExponentialLR>(*seq_sgd, 0.5)},
      {5});
  const optim::SchedulerStateDict seq_good = sequential.state_dict();
  optim::SchedulerStateDict extra = seq_good;
  extra["schedulers.2.last_epoch"] = {0.0};
  CHECK_THROWS_WITH_AS(sequential.load_state_dict(extra),
                       Contains("SequentialLR::load_state_dict: unexpected key \"schedulers.2.last_epoch\""),
                       ex::Error);
  optim::SchedulerStateDict child_missing = seq_good;
  child_missing.erase("schedulers.1.step_count");
  CHECK_THROWS_WITH_AS(sequential.load_state_dict(child_missing),
                       Contains("SequentialLR::load_state_dict (schedulers.1.): the state does not fit this scheduler: "
                                "missing keys [\"step_count\"]"),
                       ex::Error);
  CHECK(sequential.state_dict() == seq_good);

  optim::ReduceLROnPlateau plateau(*sgd);
  const optim::SchedulerStateDict plateau_good = plateau.state_dict();
  optim::SchedulerStateDict nan_best = plateau_good;
  nan_best["best"] = {std::nan("")};
  CHECK_THROWS_WITH_AS(plateau.load_state_dict(nan_best),
                       Contains("ReduceLROnPlateau::load_state_dict: \"best\" must hold one number that is not nan"),
                       ex::Error);
  optim::SchedulerStateDict negative = plateau_good;
  negative["num_bad_epochs"] = {-1.0};
  CHECK_THROWS_WITH_AS(plateau.load_state_dict(negative),
                       Contains("\"num_bad_epochs\" must be a whole number >= 0, got -1"), ex::Error);
  CHECK(plateau.state_dict() == plateau_good);
}
