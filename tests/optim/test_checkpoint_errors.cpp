// ex::optim::Checkpoint's errors: registration, save's metadata, and every way a file can
// fail to fit, each leaving the registered objects as they were.

#include <functional>
#include <string>
#include <vector>

#include "checkpoint_test_util.hpp"

namespace {

using ex::optim::Checkpoint;
using ex::test::CheckpointedRun;
using ex::test::contains;
using ex::test::TempDir;

// A copy of the checkpoint file at from, with edit applied to its tensors, written to to
// with the same metadata.
void rewrite(const std::string& from, const std::string& to,
             const std::function<ex::nn::StateDict(ex::nn::StateDict)>& edit) {
  ex::save(edit(ex::load(from)), to, ex::load_metadata(from));
}

// The dict with one entry replaced (or added, when absent) by value.
ex::nn::StateDict with(const ex::nn::StateDict& dict, const std::string& name, const Tensor& value) {
  ex::nn::StateDict out;
  for (const auto& [key, t] : dict) out.insert(key, key == name ? value : t);
  if (!dict.contains(name)) out.insert(name, value);
  return out;
}

ex::nn::StateDict without(const ex::nn::StateDict& dict, const std::string& name) {
  ex::nn::StateDict out;
  for (const auto& [key, t] : dict)
    if (key != name) out.insert(key, t);
  return out;
}

// What load must leave unchanged when it throws.
struct Snapshot {
  explicit Snapshot(const CheckpointedRun& run)
      : weights(run.model->parameters()[0].to_vector<double>()),
        lr(run.adam.param_groups()[0].options->lr()),
        last_epoch(run.scheduler.last_epoch()),
        data(run.data.state()),
        step(run.step),
        losses(run.losses),
        has_state(run.adam.find_state(run.model->parameters()[0]) != nullptr) {}
  bool operator==(const Snapshot&) const = default;
  std::vector<double> weights;
  double lr;
  std::int64_t last_epoch;
  std::array<std::uint64_t, 2> data;
  std::int64_t step;
  std::vector<double> losses;
  bool has_state;
};

}  // namespace

TEST_CASE("Checkpoint: registration rejects empty, dotted, reserved and repeated names") {
  CheckpointedRun run(1);
  std::int64_t n = 0;
  CHECK_THROWS_WITH_AS(Checkpoint().counter("", n), "Checkpoint::counter: the name is empty", ex::Error);
  CHECK_THROWS_WITH_AS(Checkpoint().counter("a.b", n), "Checkpoint::counter: the name 'a.b' contains '.'", ex::Error);
  CHECK_THROWS_WITH_AS(Checkpoint().series("format", run.losses), doctest::Contains("reserved"), ex::Error);
  CHECK_THROWS_WITH_AS(run.checkpoint.counter("model", n),
                       "Checkpoint::counter: 'model' is already registered (as a model)", ex::Error);
  CHECK_THROWS_WITH_AS(Checkpoint().optimizer(run.adam).optimizer(run.adam), doctest::Contains("already registered"),
                       ex::Error);
}

TEST_CASE("Checkpoint: save refuses metadata keys the checkpoint writes itself") {
  TempDir dir;
  CheckpointedRun run(1);
  const std::string path = dir.file("run.safetensors");
  CHECK_THROWS_WITH_AS(run.checkpoint.save(path, {{"format", "mine"}}), contains("Checkpoint::save: " + path),
                       ex::Error);
  CHECK_THROWS_WITH_AS(run.checkpoint.save(path, {{"optimizer.type", "SGD"}}),
                       doctest::Contains("the metadata key 'optimizer.type' is the checkpoint's own"), ex::Error);
  CHECK_FALSE(std::filesystem::exists(path));
}

TEST_CASE("Checkpoint: a file that does not fit throws, naming the problem, and changes nothing") {
  TempDir dir;
  CheckpointedRun saved(1);
  saved.train(3);
  const std::string good = dir.file("good.safetensors"), bad = dir.file("bad.safetensors");
  saved.checkpoint.save(good);

  CheckpointedRun target(2);
  target.train(1);
  const Snapshot before(target);
  const auto check_rejected = [&](const std::string& path, const std::string& problem) {
    INFO(problem);
    CHECK_THROWS_WITH_AS(target.checkpoint.load(path), contains(problem), ex::Error);
    CHECK(Snapshot(target) == before);
  };
  const auto edited = [&](const std::function<ex::nn::StateDict(ex::nn::StateDict)>& edit) {
    rewrite(good, bad, edit);
    return bad;
  };
  const auto f64 = [](double v) { return ex::scalar_tensor(v, DType::Float64); };

  check_rejected(dir.file("absent.safetensors"), "load: " + dir.file("absent.safetensors"));
  ex::save(saved.model->state_dict(), bad);
  check_rejected(bad, "Checkpoint::load: " + bad + ": not a checkpoint");
  check_rejected(edited([&](auto d) { return with(d, "extra", f64(1)); }), "entry extra belongs to no registered part");
  check_rejected(edited([&](auto d) { return without(d, "losses"); }), "losses is missing");
  check_rejected(edited([&](auto d) { return without(d, "model.2.bias"); }), "model 'model': load_state_dict: ");
  check_rejected(edited([&](auto d) { return without(d, "model.2.bias"); }), "2.bias");
  check_rejected(edited([&](auto d) { return with(d, "model.0.weight", ex::zeros({4, 2})); }), "0.weight");
  check_rejected(edited([&](auto d) { return with(d, "optimizer.param_groups.0.lr", ex::scalar_tensor(0.1)); }),
                 "hyper-parameter param_groups.0.lr must be a rank-0 float64 tensor, got float32 []");
  check_rejected(edited([&](auto d) { return without(d, "optimizer.param_groups.1.eps"); }),
                 "hyper-parameter param_groups.1.eps is missing");
  check_rejected(edited([&](auto d) { return with(d, "optimizer.param_groups.1.momentum", f64(0.9)); }),
                 "optimizer.param_groups.1.* has entries that are not hyper-parameters of Adam");
  check_rejected(edited([&](auto d) { return with(d, "optimizer.param_groups.2.lr", f64(0.1)); }),
                 "optimizer has parameter groups numbered 0, 1, 2, but the optimizer has 2 group(s)");
  check_rejected(edited([&](auto d) { return with(d, "optimizer.state.01.step", f64(1)); }),
                 "unexpected entry optimizer.state.01.step");
  check_rejected(edited([&](auto d) { return with(d, "optimizer.param_groups.0.lr", f64(-1)); }), "learning rate");
  check_rejected(edited([&](auto d) { return with(d, "optimizer.state.0.exp_avg", ex::zeros({3})); }),
                 "load_state_dict");
  check_rejected(edited([&](auto d) { return with(d, "step", f64(3)); }),
                 "step must be a rank-0 int64 tensor, got float64 []");
  check_rejected(edited([&](auto d) {
                   return with(d, "data", ex::tensor(std::vector<std::uint64_t>{1, 2, 3}));
                 }),
                 "data must hold 2 values (seed, counter), got 3");
  check_rejected(edited([&](auto d) {
                   return with(d, "losses", ex::zeros({2, 2}, DType::Float64));
                 }),
                 "losses must be a rank-1 float64 tensor");
  // The scheduler is applied after the model and the optimizer: its failure puts them back.
  check_rejected(edited([&](auto d) { return with(d, "scheduler.last_epoch", ex::tensor(std::vector<double>{1.5})); }),
                 "scheduler 'scheduler': StepLR::load_state_dict");

  // Another optimizer's file.
  Tensor p = ex::tensor({1.0}).requires_grad_();
  ex::optim::SGD sgd({p}, 0.1);
  Checkpoint().optimizer(sgd).save(bad);
  Checkpoint adam_only;
  adam_only.optimizer(target.adam);
  CHECK_THROWS_WITH_AS(adam_only.load(bad), doctest::Contains("optimizer was saved from a SGD optimizer, not Adam"),
                       ex::Error);
  CHECK(Snapshot(target) == before);

  // After all that, the good file still loads.
  target.checkpoint.load(good);
  CHECK(target.step == 3);
  CHECK(target.losses == saved.losses);
}
