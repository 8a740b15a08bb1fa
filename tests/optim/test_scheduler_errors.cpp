// Learning-rate schedulers: invalid arguments, stepping past the end, changed optimizers,
// the cycled-momentum API of the options, and a scheduler written outside the library.

#include <limits>
#include <memory>
#include <vector>

#include "scheduler_test_util.hpp"

namespace {

namespace optim = ex::optim;
using doctest::Contains;
using ex::test::lrs_of;
using ex::test::momenta_of;

constexpr double kNan = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();

// Halves the rates every step: a scheduler of the user's own.
class HalvingLR : public optim::LRScheduler {
 public:
  explicit HalvingLR(optim::Optimizer& optimizer, std::size_t rates = 0)
      : LRScheduler(optimizer, "HalvingLR"), rates_(rates) {
    initial_step();
  }

 protected:
  std::vector<double> get_lr() override {
    std::vector<double> lrs = group_lrs();
    if (last_epoch() > 0)
      for (double& lr : lrs) lr /= 2;
    if (rates_ > 0) lrs.resize(rates_);
    return lrs;
  }

 private:
  std::size_t rates_;  // how many rates to return, when not 0 (a broken schedule)
};

}  // namespace

TEST_CASE("epoch schedulers reject invalid arguments and leave the optimizer as it was") {
  const auto sgd = ex::test::two_group_sgd();
  optim::SGD& opt = *sgd;
  CHECK_THROWS_WITH_AS(optim::StepLR(opt, 0), Contains("StepLR: invalid step_size 0"), ex::Error);
  CHECK_THROWS_WITH_AS(optim::StepLR(opt, 10, -0.5), Contains("StepLR: invalid gamma -0.5"), ex::Error);
  CHECK_THROWS_WITH_AS(optim::StepLR(opt, 10, kNan), Contains("StepLR: invalid gamma nan"), ex::Error);
  CHECK_THROWS_WITH_AS(optim::MultiStepLR(opt, {30, 10}),
                       Contains("MultiStepLR: milestones must be increasing, got 10 after 30"), ex::Error);
  CHECK_THROWS_WITH_AS(optim::MultiStepLR(opt, {-1, 10}), Contains("MultiStepLR: milestone 0 is -1"), ex::Error);
  CHECK_THROWS_WITH_AS(optim::MultiStepLR(opt, {10}, 0.0), Contains("MultiStepLR: invalid gamma 0"), ex::Error);
  CHECK_THROWS_WITH_AS(optim::ExponentialLR(opt, kInf), Contains("ExponentialLR: invalid gamma inf"), ex::Error);
  CHECK_THROWS_WITH_AS(optim::CosineAnnealingLR(opt, 0), Contains("CosineAnnealingLR: invalid T_max 0"), ex::Error);
  CHECK_THROWS_WITH_AS(optim::CosineAnnealingLR(opt, 10, -1e-3), Contains("CosineAnnealingLR: invalid eta_min"),
                       ex::Error);
  CHECK_THROWS_WITH_AS(optim::LinearLR(opt, 0.0), Contains("LinearLR: invalid start_factor 0"), ex::Error);
  CHECK_THROWS_WITH_AS(optim::LinearLR(opt, 1.5), Contains("LinearLR: invalid start_factor 1.5"), ex::Error);
  CHECK_THROWS_WITH_AS(optim::LinearLR(opt, 0.5, -0.1), Contains("LinearLR: invalid end_factor -0.1"), ex::Error);
  CHECK_THROWS_WITH_AS(optim::LinearLR(opt, 0.5, 1.0, 0), Contains("LinearLR: invalid total_iters 0"), ex::Error);
  CHECK(lrs_of(opt) == std::vector<double>{0.1, 0.02});
  CHECK(momenta_of(opt) == std::vector<double>{0.9, 0.5});
}

TEST_CASE("OneCycleLR rejects invalid arguments and a total_steps too small for its phases") {
  const auto sgd = ex::test::two_group_sgd();
  optim::SGD& opt = *sgd;
  using Options = optim::OneCycleLROptions;
  CHECK_THROWS_WITH_AS(optim::OneCycleLR(opt, Options(0.1, 0)), Contains("OneCycleLR: invalid total_steps 0"),
                       ex::Error);
  // pct_start * total_steps == 1: the first phase ends at step 0 (PyTorch divides 0 by 0).
  CHECK_THROWS_WITH_AS(optim::OneCycleLR(opt, Options(0.1, 10).pct_start(0.1)),
                       Contains("OneCycleLR: total_steps 10 is too small for pct_start 0.1: phase 1 of 2"), ex::Error);
  // The last phase has no steps: PyTorch divides by zero at the last step.
  CHECK_THROWS_WITH_AS(optim::OneCycleLR(opt, Options(0.1, 10).pct_start(1.0)),
                       Contains("OneCycleLR: total_steps 10 is too small for pct_start 1: phase 2 of 2"), ex::Error);
  // Three phases: 2 * pct_start * total_steps - 2 == total_steps - 1 empties the last.
  CHECK_THROWS_WITH_AS(optim::OneCycleLR(opt, Options(0.1, 4).pct_start(0.625).three_phase(true)),
                       Contains("phase 3 of 3 would have no steps"), ex::Error);
  CHECK_THROWS_WITH_AS(optim::OneCycleLR(opt, Options(0.1, 100).pct_start(1.5)),
                       Contains("OneCycleLR: invalid pct_start 1.5"), ex::Error);
  CHECK_THROWS_WITH_AS(optim::OneCycleLR(opt, Options(0.1, 100).div_factor(0)),
                       Contains("OneCycleLR: invalid div_factor 0"), ex::Error);
  CHECK_THROWS_WITH_AS(optim::OneCycleLR(opt, Options(0.1, 100).final_div_factor(-1)),
                       Contains("OneCycleLR: invalid final_div_factor -1"), ex::Error);
  CHECK_THROWS_WITH_AS(optim::OneCycleLR(opt, Options({0.1, 0.2, 0.3}, 100)),
                       Contains("OneCycleLR: expected 1 or 2 values for max_lr (one per parameter group), got 3"),
                       ex::Error);
  CHECK_THROWS_WITH_AS(optim::OneCycleLR(opt, Options(-0.1, 100)), Contains("OneCycleLR: invalid max_lr -0.1"),
                       ex::Error);
  CHECK_THROWS_WITH_AS(optim::OneCycleLR(opt, Options(0.1, 100).anneal_strategy(static_cast<optim::AnnealStrategy>(7))),
                       Contains("OneCycleLR: unknown anneal_strategy 7"), ex::Error);
  // SGD's own validation, under the scheduler's name.
  CHECK_THROWS_WITH_AS(optim::OneCycleLR(opt, Options(0.1, 100).base_momentum(-0.5)),
                       Contains("OneCycleLR: invalid momentum -0.5"), ex::Error);
  CHECK_THROWS_WITH_AS(optim::OneCycleLR(opt, Options(0.1, 100).max_momentum({0.9, 0.9, 0.9})),
                       Contains("OneCycleLR: expected 1 or 2 values for max_momentum"), ex::Error);
  CHECK(lrs_of(opt) == std::vector<double>{0.1, 0.02});
  CHECK(momenta_of(opt) == std::vector<double>{0.9, 0.5});

  const auto beta = ex::test::two_group_beta();
  CHECK_THROWS_WITH_AS(optim::OneCycleLR(*beta, Options(0.1, 100).max_momentum(1.0)),
                       Contains("OneCycleLR: invalid beta1 1"), ex::Error);
  const auto plain = ex::test::two_group_beta({0.1, 0.0}, {0.2, 0.0}, false);
  CHECK_THROWS_WITH_AS(optim::OneCycleLR(*plain, Options(0.1, 100)),
                       Contains("OneCycleLR: cycle_momentum needs a momentum to cycle and NoMomentum has none"),
                       ex::Error);
  // Without momentum cycling such an optimizer is fine.
  optim::OneCycleLR scheduler(*plain, Options(0.1, 100).cycle_momentum(false));
  CHECK(lrs_of(*plain)[0] == doctest::Approx(0.1 / 25).epsilon(1e-14));
  CHECK(momenta_of(*plain)[0] != momenta_of(*plain)[0]);  // nan: no momentum to cycle
}

TEST_CASE("OneCycleLR can be stepped total_steps times and throws after, changing nothing") {
  const auto sgd = ex::test::two_group_sgd();
  optim::OneCycleLR scheduler(*sgd, optim::OneCycleLROptions(1.0, 10));
  for (int i = 0; i < 10; ++i) scheduler.step();
  CHECK(scheduler.last_epoch() == 10);
  const std::vector<double> lrs = lrs_of(*sgd), momenta = momenta_of(*sgd);
  // PyTorch: "Tried to step 12 times. The specified number of total steps is 10".
  CHECK_THROWS_WITH_AS(scheduler.step(), Contains("OneCycleLR::step: tried to step 12 times; total_steps is 10"),
                       ex::Error);
  CHECK(scheduler.last_epoch() == 10);
  CHECK(lrs_of(*sgd) == lrs);
  CHECK(momenta_of(*sgd) == momenta);
  CHECK(scheduler.get_last_lr() == lrs);
}

TEST_CASE("ReduceLROnPlateau rejects invalid arguments and metrics") {
  const auto sgd = ex::test::two_group_sgd();
  optim::SGD& opt = *sgd;
  using Options = optim::ReduceLROnPlateauOptions;
  CHECK_THROWS_WITH_AS(optim::ReduceLROnPlateau(opt, Options().mode(static_cast<optim::PlateauMode>(7))),
                       Contains("ReduceLROnPlateau: unknown mode 7"), ex::Error);
  CHECK_THROWS_WITH_AS(optim::ReduceLROnPlateau(opt, Options().threshold_mode(static_cast<optim::ThresholdMode>(2))),
                       Contains("ReduceLROnPlateau: unknown threshold_mode 2"), ex::Error);
  CHECK_THROWS_WITH_AS(optim::ReduceLROnPlateau(opt, Options().factor(1.0)),
                       Contains("ReduceLROnPlateau: invalid factor 1 (must be in [0, 1))"), ex::Error);
  CHECK_THROWS_WITH_AS(optim::ReduceLROnPlateau(opt, Options().factor(-0.1)),
                       Contains("ReduceLROnPlateau: invalid factor -0.1"), ex::Error);
  CHECK_THROWS_WITH_AS(optim::ReduceLROnPlateau(opt, Options().patience(-1)),
                       Contains("ReduceLROnPlateau: invalid patience -1"), ex::Error);
  CHECK_THROWS_WITH_AS(optim::ReduceLROnPlateau(opt, Options().cooldown(-2)),
                       Contains("ReduceLROnPlateau: invalid cooldown -2"), ex::Error);
  CHECK_THROWS_WITH_AS(optim::ReduceLROnPlateau(opt, Options().threshold(kNan)),
                       Contains("ReduceLROnPlateau: invalid threshold nan"), ex::Error);
  CHECK_THROWS_WITH_AS(optim::ReduceLROnPlateau(opt, Options().eps(-1)), Contains("ReduceLROnPlateau: invalid eps -1"),
                       ex::Error);
  CHECK_THROWS_WITH_AS(optim::ReduceLROnPlateau(opt, Options().min_lr({0.1, 0.2, 0.3})),
                       Contains("ReduceLROnPlateau: expected 1 or 2 values for min_lr"), ex::Error);
  CHECK_THROWS_WITH_AS(optim::ReduceLROnPlateau(opt, Options().min_lr(-1e-3)),
                       Contains("ReduceLROnPlateau: invalid min_lr -0.001"), ex::Error);

  optim::ReduceLROnPlateau scheduler(opt, Options().patience(0));
  CHECK(scheduler.get_last_lr() == std::vector<double>{0.1, 0.02});
  CHECK(scheduler.best() == kInf);
  CHECK_THROWS_WITH_AS(scheduler.step(ex::tensor<double>({1.0, 2.0})),
                       Contains("ReduceLROnPlateau::step: the metric must have one element, got shape [2]"), ex::Error);
  CHECK_THROWS_WITH_AS(scheduler.step(ex::Tensor()), Contains("ReduceLROnPlateau::step: metric is an undefined tensor"),
                       ex::Error);
  CHECK(scheduler.last_epoch() == 0);
  // A one-element tensor of any dtype works like its number; a nan metric never improves.
  scheduler.step(ex::tensor<float>({0.5f}));
  CHECK(scheduler.best() == 0.5);
  scheduler.step(kNan);  // patience 0: the first bad step reduces
  CHECK(scheduler.best() == 0.5);
  CHECK(lrs_of(opt) == std::vector<double>{0.1 * 0.1, 0.02 * 0.1});
}

TEST_CASE("SequentialLR rejects invalid schedulers and milestones") {
  const auto sgd = ex::test::two_group_sgd();
  const auto other = ex::test::two_group_sgd();
  optim::SGD& opt = *sgd;
  const auto step = std::make_shared<optim::StepLR>(opt, 5);
  const auto exponential = std::make_shared<optim::ExponentialLR>(opt, 0.9);
  using List = std::vector<std::shared_ptr<optim::LRScheduler>>;
  CHECK_THROWS_WITH_AS(optim::SequentialLR(opt, {}, {}), Contains("SequentialLR: got no schedulers"), ex::Error);
  CHECK_THROWS_WITH_AS(optim::SequentialLR(opt, List{step, nullptr}, {3}),
                       Contains("SequentialLR: scheduler 1 is null"), ex::Error);
  CHECK_THROWS_WITH_AS(optim::SequentialLR(opt, List{step, std::make_shared<optim::StepLR>(*other, 5)}, {3}),
                       Contains("SequentialLR: scheduler 1 (StepLR) belongs to another optimizer"), ex::Error);
  CHECK_THROWS_WITH_AS(optim::SequentialLR(opt, List{step, step}, {3}),
                       Contains("SequentialLR: scheduler 1 is scheduler 0 again"), ex::Error);
  CHECK_THROWS_WITH_AS(optim::SequentialLR(opt, List{step, exponential}, {}),
                       Contains("SequentialLR: expected 1 milestones for 2 schedulers (one fewer), got 0"), ex::Error);
  const auto linear = std::make_shared<optim::LinearLR>(opt);
  CHECK_THROWS_WITH_AS(optim::SequentialLR(opt, List{step, exponential, linear}, {10, 10}),
                       Contains("SequentialLR: milestones must be increasing and >= 1, got [10, 10]"), ex::Error);
  CHECK_THROWS_WITH_AS(optim::SequentialLR(opt, List{step, exponential}, {0}),
                       Contains("SequentialLR: milestones must be increasing and >= 1, got [0]"), ex::Error);
  const auto nested = std::make_shared<optim::SequentialLR>(opt, List{step, exponential}, std::vector<std::int64_t>{3});
  CHECK_THROWS_WITH_AS(optim::SequentialLR(opt, List{linear, nested}, {3}),
                       Contains("SequentialLR: scheduler 1 is a SequentialLR"), ex::Error);
}

TEST_CASE("schedulers refuse to step when the optimizer gained a parameter group") {
  const auto sgd = ex::test::two_group_sgd();
  optim::StepLR scheduler(*sgd, 3);
  optim::ReduceLROnPlateau plateau(*sgd);
  sgd->add_param_group(optim::ParamGroup({ex::test::scheduler_param()}));
  CHECK_THROWS_WITH_AS(
      scheduler.step(),
      Contains("StepLR::step: the optimizer has 3 parameter groups, 2 when the scheduler was constructed"), ex::Error);
  CHECK(scheduler.last_epoch() == 0);
  CHECK_THROWS_WITH_AS(plateau.step(1.0), Contains("ReduceLROnPlateau::step: the optimizer has 3 parameter groups"),
                       ex::Error);
}

TEST_CASE("options expose the momentum a cyclic schedule varies") {
  optim::SGDOptions sgd(0.1);
  sgd.momentum(0.9);
  CHECK(sgd.cycled_momentum() == 0.9);
  sgd.set_cycled_momentum(0.85);
  CHECK(sgd.momentum() == 0.85);
  ex::test::BetaOptions none(0.1, 0.0, false);
  CHECK_FALSE(none.cycled_momentum().has_value());
  CHECK_THROWS_WITH_AS(none.set_cycled_momentum(0.9), Contains("set_cycled_momentum: NoMomentum has no momentum"),
                       ex::Error);
}

TEST_CASE("a scheduler written outside the library steps, chains into SequentialLR and is checked") {
  const auto sgd = ex::test::two_group_sgd(0.8, 0.4);
  auto halving = std::make_shared<HalvingLR>(*sgd);
  CHECK(lrs_of(*sgd) == std::vector<double>{0.8, 0.4});  // the initial step keeps epoch 0's rates
  halving->step();
  CHECK(lrs_of(*sgd) == std::vector<double>{0.4, 0.2});
  CHECK(halving->get_last_lr() == std::vector<double>{0.4, 0.2});

  // After the warm-up (StepLR at 0.8, 0.4 for 2 epochs) HalvingLR restarts at epoch 0
  // through its default closed form (its get_lr) from the current rates.
  const auto sgd2 = ex::test::two_group_sgd(0.8, 0.4);
  auto warmup = std::make_shared<optim::StepLR>(*sgd2, 100);
  auto decay = std::make_shared<HalvingLR>(*sgd2);
  optim::SequentialLR sequential(*sgd2, {warmup, decay}, {2});
  std::vector<std::vector<double>> seen;
  for (int i = 0; i < 4; ++i) {
    sequential.step();
    seen.push_back(lrs_of(*sgd2));
  }
  CHECK(seen == std::vector<std::vector<double>>{{0.8, 0.4}, {0.8, 0.4}, {0.4, 0.2}, {0.2, 0.1}});

  const auto broken_sgd = ex::test::two_group_sgd();
  CHECK_THROWS_WITH_AS(HalvingLR(*broken_sgd, 1),
                       Contains("HalvingLR::step: the schedule gave 1 learning rates for 2 parameter groups"),
                       ex::Error);
}
