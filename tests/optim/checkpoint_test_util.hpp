#pragma once
// A small training run whose whole state one Checkpoint covers, for the checkpoint suites.

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "file_util.hpp"
#include "test_util.hpp"

namespace ex::test {

// An MLP trained by Adam (two parameter groups with different options) under StepLR, on
// inputs drawn from its own generator: every step depends on all of that state.
struct CheckpointedRun {
  explicit CheckpointedRun(std::uint64_t init_seed)
      : model([init_seed] {
          manual_seed(init_seed);
          return nn::Sequential(nn::Linear(3, 4), nn::ReLU(), nn::Linear(4, 2));
        }()),
        adam(
            [this] {
              const auto params = model->parameters();
              return std::vector<optim::ParamGroup>{
                  optim::ParamGroup({params[0], params[1]}, optim::AdamOptions(0.05).amsgrad(true)),
                  optim::ParamGroup({params[2], params[3]})};
            }(),
            optim::AdamOptions(0.02).weight_decay(0.1).betas({0.8, 0.99})),
        scheduler(adam, /*step_size=*/2, /*gamma=*/0.5),
        data(init_seed + 100) {
    checkpoint.model(*model)
        .optimizer(adam)
        .scheduler(scheduler)
        .generator("data", data)
        .counter("step", step)
        .series("losses", losses);
  }

  void train(int steps) {
    for (int i = 0; i < steps; ++i) {
      const Tensor x = randn({5, 3}, DType::Float32, data);
      const Tensor loss = model(x).pow(2).mean();
      adam.zero_grad();
      loss.backward();
      adam.step();
      scheduler.step();
      ++step;
      losses.push_back(loss.item<double>());
    }
  }

  nn::Sequential model;
  optim::Adam adam;
  optim::StepLR scheduler;
  Generator data;
  std::int64_t step = 0;
  std::vector<double> losses;
  optim::Checkpoint checkpoint;
};

// Every hyper-parameter of options, by name, as visit_fields reports it.
inline std::map<std::string, double> fields_of(const optim::OptimizerOptions& options) {
  struct Collector final : optim::OptionsVisitor {
    std::map<std::string, double> values;
    void field(std::string_view name, double& value) override { values[std::string(name)] = value; }
    void field(std::string_view name, bool& value) override { values[std::string(name)] = value ? 1 : 0; }
  } collector;
  options.clone()->visit_fields(collector);
  return collector.values;
}

}  // namespace ex::test
