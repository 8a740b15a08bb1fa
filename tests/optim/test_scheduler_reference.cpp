// Learning-rate schedulers against PyTorch 1.13: 200 steps of every scheduler in several
// configurations, over two parameter groups, compared with the rates and momenta in
// data/scheduler_reference.txt (written by
// tools/optim_reference/gen_scheduler_reference.py, which documents the format).

#include <cmath>
#include <fstream>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "scheduler_test_util.hpp"

#ifndef EXTENSOR_OPTIM_DATA_DIR
#error "tests/CMakeLists.txt defines EXTENSOR_OPTIM_DATA_DIR for test_optim"
#endif

namespace {

namespace optim = ex::optim;

// A scheduler line: its kind and arguments by PyTorch's names, as written.
struct SchedulerSpec {
  std::string kind;
  std::map<std::string, std::string> args;

  bool has(const std::string& key) const { return args.contains(key); }
  double number(const std::string& key, double fallback) const { return has(key) ? std::stod(args.at(key)) : fallback; }
  std::int64_t integer(const std::string& key, std::int64_t fallback) const {
    return has(key) ? std::stoll(args.at(key)) : fallback;
  }
  std::vector<double> numbers(const std::string& key, std::vector<double> fallback) const {
    if (!has(key)) return fallback;
    std::vector<double> values;
    std::stringstream list(args.at(key));
    for (std::string item; std::getline(list, item, ',');) values.push_back(std::stod(item));
    return values;
  }
  std::vector<std::int64_t> integers(const std::string& key) const {
    std::vector<std::int64_t> values;
    for (double v : numbers(key, {})) values.push_back(static_cast<std::int64_t>(v));
    return values;
  }
  std::string word(const std::string& key, const std::string& fallback) const {
    return has(key) ? args.at(key) : fallback;
  }
};

struct Step {
  int step = 0;
  std::optional<std::pair<std::size_t, double>> set_lr;
  std::optional<double> metric;
  std::vector<double> lrs, momenta;
};

struct Case {
  std::string name, optimizer;
  int steps = 0;
  std::vector<std::pair<double, double>> groups;  // lr, momentum (SGD) or beta1
  SchedulerSpec scheduler;
  std::vector<SchedulerSpec> children;  // SequentialLR's
  std::vector<Step> expected;           // steps 0 (construction) to `steps`
};

SchedulerSpec read_spec(std::istream& in) {
  SchedulerSpec spec;
  in >> spec.kind;
  for (std::string key, value; in >> key >> value;) spec.args[key] = value;
  return spec;
}

std::vector<double> read_numbers(std::istream& in, std::size_t count) {
  std::vector<double> values(count);
  for (double& v : values) in >> v;
  REQUIRE(in);
  return values;
}

Step read_step(std::istream& in, std::size_t groups) {
  Step step;
  in >> step.step;
  for (std::string token; in >> token;) {
    if (token == "set_lr") {
      std::size_t group = 0;
      double lr = 0;
      in >> group >> lr;
      step.set_lr = {group, lr};
    } else if (token == "metric") {
      double metric = 0;
      in >> metric;
      step.metric = metric;
    } else if (token == "lr") {
      step.lrs = read_numbers(in, groups);
    } else {
      REQUIRE(token == "momentum");
      step.momenta = read_numbers(in, groups);
    }
  }
  return step;
}

std::vector<Case> read_reference() {
  const std::string path = std::string(EXTENSOR_OPTIM_DATA_DIR) + "/scheduler_reference.txt";
  std::ifstream file(path);
  INFO("reading " << path);
  REQUIRE(file.is_open());
  std::vector<Case> cases;
  for (std::string line; std::getline(file, line);) {
    if (line.empty() || line[0] == '#') continue;
    std::istringstream in(line);
    std::string kind;
    in >> kind;
    if (kind == "case") {
      Case& c = cases.emplace_back();
      in >> c.name >> c.steps >> c.optimizer;
      continue;
    }
    REQUIRE(!cases.empty());
    Case& c = cases.back();
    if (kind == "group") {
      double lr = 0, momentum = 0;
      in >> lr >> momentum;
      c.groups.emplace_back(lr, momentum);
    } else if (kind == "scheduler") {
      c.scheduler = read_spec(in);
    } else if (kind == "child") {
      c.children.push_back(read_spec(in));
    } else if (kind == "step") {
      c.expected.push_back(read_step(in, c.groups.size()));
      REQUIRE(c.expected.back().step == static_cast<int>(c.expected.size()) - 1);
    } else {
      REQUIRE(kind == "end");
      REQUIRE(static_cast<int>(c.expected.size()) == c.steps + 1);
    }
  }
  return cases;
}

std::unique_ptr<optim::Optimizer> make_optimizer(const Case& c) {
  REQUIRE(c.groups.size() == 2);
  if (c.optimizer == "sgd")
    return ex::test::two_group_sgd(c.groups[0].first, c.groups[1].first, c.groups[0].second, c.groups[1].second);
  REQUIRE(c.optimizer == "adam");
  return ex::test::two_group_beta(c.groups[0], c.groups[1]);
}

optim::OneCycleLROptions one_cycle_options(const SchedulerSpec& s) {
  return optim::OneCycleLROptions(s.numbers("max_lr", {}), s.integer("total_steps", 0))
      .pct_start(s.number("pct_start", 0.3))
      .anneal_strategy(s.word("anneal_strategy", "cos") == "cos" ? optim::AnnealStrategy::Cos
                                                                 : optim::AnnealStrategy::Linear)
      .cycle_momentum(s.integer("cycle_momentum", 1) != 0)
      .base_momentum(s.numbers("base_momentum", {0.85}))
      .max_momentum(s.numbers("max_momentum", {0.95}))
      .div_factor(s.number("div_factor", 25.0))
      .final_div_factor(s.number("final_div_factor", 1e4))
      .three_phase(s.integer("three_phase", 0) != 0);
}

std::shared_ptr<optim::LRScheduler> make_scheduler(optim::Optimizer& opt, const SchedulerSpec& s) {
  if (s.kind == "StepLR")
    return std::make_shared<optim::StepLR>(opt, s.integer("step_size", 0), s.number("gamma", 0.1));
  if (s.kind == "MultiStepLR")
    return std::make_shared<optim::MultiStepLR>(opt, s.integers("milestones"), s.number("gamma", 0.1));
  if (s.kind == "ExponentialLR") return std::make_shared<optim::ExponentialLR>(opt, s.number("gamma", 0));
  if (s.kind == "CosineAnnealingLR")
    return std::make_shared<optim::CosineAnnealingLR>(opt, s.integer("T_max", 0), s.number("eta_min", 0));
  if (s.kind == "LinearLR")
    return std::make_shared<optim::LinearLR>(opt, s.number("start_factor", 1.0 / 3), s.number("end_factor", 1.0),
                                             s.integer("total_iters", 5));
  REQUIRE(s.kind == "OneCycleLR");
  return std::make_shared<optim::OneCycleLR>(opt, one_cycle_options(s));
}

optim::ReduceLROnPlateauOptions plateau_options(const SchedulerSpec& s) {
  return optim::ReduceLROnPlateauOptions()
      .mode(s.word("mode", "min") == "min" ? optim::PlateauMode::Min : optim::PlateauMode::Max)
      .factor(s.number("factor", 0.1))
      .patience(s.integer("patience", 10))
      .threshold(s.number("threshold", 1e-4))
      .threshold_mode(s.word("threshold_mode", "rel") == "rel" ? optim::ThresholdMode::Rel : optim::ThresholdMode::Abs)
      .cooldown(s.integer("cooldown", 0))
      .min_lr(s.numbers("min_lr", {0.0}))
      .eps(s.number("eps", 1e-8));
}

// The tests' tolerance: 1e-12 relative to the reference (exact zeros must be nearly
// exact); in practice the rates agree to the last bit or one rounding.
void check_close(const std::vector<double>& got, const std::vector<double>& expected, const char* what) {
  REQUIRE(got.size() == expected.size());
  for (std::size_t g = 0; g < got.size(); ++g) {
    INFO(what << " of group " << g << ": got " << got[g] << ", PyTorch " << expected[g]);
    CHECK(std::fabs(got[g] - expected[g]) <= 1e-12 * std::fabs(expected[g]) + 1e-300);
  }
}

}  // namespace

TEST_CASE("schedulers follow PyTorch 1.13's learning rates and momenta over 200 steps") {
  const std::vector<Case> cases = read_reference();
  REQUIRE(cases.size() == 25);
  for (const Case& c : cases) {
    SUBCASE(c.name.c_str()) {
      const std::unique_ptr<optim::Optimizer> opt = make_optimizer(c);
      std::shared_ptr<optim::LRScheduler> scheduler;
      std::unique_ptr<optim::ReduceLROnPlateau> plateau;
      if (c.scheduler.kind == "ReduceLROnPlateau") {
        plateau = std::make_unique<optim::ReduceLROnPlateau>(*opt, plateau_options(c.scheduler));
      } else if (c.scheduler.kind == "SequentialLR") {
        std::vector<std::shared_ptr<optim::LRScheduler>> children;
        for (const SchedulerSpec& child : c.children) children.push_back(make_scheduler(*opt, child));
        scheduler = std::make_shared<optim::SequentialLR>(*opt, children, c.scheduler.integers("milestones"));
      } else {
        scheduler = make_scheduler(*opt, c.scheduler);
      }
      for (const Step& expected : c.expected) {
        INFO("case " << c.name << ", step " << expected.step);
        if (expected.step > 0) {
          if (expected.set_lr) opt->param_groups()[expected.set_lr->first].options->set_lr(expected.set_lr->second);
          if (plateau) {
            REQUIRE(expected.metric);
            plateau->step(*expected.metric);
          } else {
            scheduler->step();
          }
        }
        const std::vector<double> lrs = ex::test::lrs_of(*opt);
        check_close(lrs, expected.lrs, "lr");
        check_close(ex::test::momenta_of(*opt), expected.momenta, "momentum");
        CHECK((plateau ? plateau->get_last_lr() : scheduler->get_last_lr()) == lrs);
        CHECK((plateau ? plateau->last_epoch() : scheduler->last_epoch()) == expected.step);
      }
    }
  }
}
