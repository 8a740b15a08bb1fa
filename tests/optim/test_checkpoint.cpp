// ex::optim::Checkpoint: what a file holds, exact resumption, byte-identical saves, every
// optimizer's hyper-parameters, and both scheduler kinds.

#include <string>
#include <vector>

#include "checkpoint_test_util.hpp"

namespace {

using ex::optim::Checkpoint;
using ex::test::CheckpointedRun;
using ex::test::fields_of;
using ex::test::read_plain;
using ex::test::TempDir;

void check_same_tensors(const ex::nn::StateDict& a, const ex::nn::StateDict& b) {
  REQUIRE(a.keys() == b.keys());
  for (const auto& [name, t] : a) {
    INFO(name);
    CHECK(t.dtype() == b.at(name).dtype());
    CHECK(t.shape() == b.at(name).shape());
    CHECK(t.to_vector<double>() == b.at(name).to_vector<double>());
  }
}

}  // namespace

TEST_CASE("Checkpoint: the file holds each part under its name, with the format in the metadata") {
  TempDir dir;
  CheckpointedRun run(1);
  run.train(3);
  run.checkpoint.save(dir.file("run.safetensors"), {{"note", "three steps"}});
  const ex::nn::StateDict file = ex::load(dir.file("run.safetensors"));
  const std::vector<std::string> expected{
      "model.0.weight", "model.0.bias", "model.2.weight", "model.2.bias",
      // The first group: its parameter numbers and every hyper-parameter Adam has.
      "optimizer.param_groups.0.params", "optimizer.param_groups.0.lr", "optimizer.param_groups.0.betas.0",
      "optimizer.param_groups.0.betas.1", "optimizer.param_groups.0.eps", "optimizer.param_groups.0.weight_decay",
      "optimizer.param_groups.0.amsgrad", "optimizer.param_groups.0.maximize", "optimizer.param_groups.1.params",
      "optimizer.param_groups.1.lr", "optimizer.param_groups.1.betas.0", "optimizer.param_groups.1.betas.1",
      "optimizer.param_groups.1.eps", "optimizer.param_groups.1.weight_decay", "optimizer.param_groups.1.amsgrad",
      "optimizer.param_groups.1.maximize"};
  const std::vector<std::string> keys = file.keys();
  REQUIRE(keys.size() > expected.size());
  CHECK(std::vector<std::string>(keys.begin(), keys.begin() + static_cast<std::ptrdiff_t>(expected.size())) ==
        expected);
  check_values(file.at("optimizer.param_groups.0.params"), {2}, {0, 1});
  check_values(file.at("optimizer.param_groups.1.params"), {2}, {2, 3});
  // StepLR halved the rate after two steps; amsgrad is on in group 0 only.
  check_values(file.at("optimizer.param_groups.0.lr"), {}, {0.025}, 0);
  check_values(file.at("optimizer.param_groups.1.weight_decay"), {}, {0.1}, 0);
  check_values(file.at("optimizer.param_groups.1.betas.0"), {}, {0.8}, 0);
  CHECK(file.at("optimizer.param_groups.0.amsgrad").item<bool>());
  CHECK_FALSE(file.at("optimizer.param_groups.1.amsgrad").item<bool>());
  CHECK(file.contains("optimizer.state.0.max_exp_avg_sq"));
  CHECK_FALSE(file.contains("optimizer.state.2.max_exp_avg_sq"));
  check_values(file.at("optimizer.state.3.step"), {}, {3}, 0);
  check_values(file.at("scheduler.last_epoch"), {1}, {3}, 0);
  CHECK(file.at("data").dtype() == DType::UInt64);
  CHECK(file.at("data").shape() == Shape{2});
  CHECK(file.at("step").dtype() == DType::Int64);
  check_values(file.at("step"), {}, {3}, 0);
  check_values(file.at("losses"), {3}, run.losses, 0);
  const ex::Metadata meta = ex::load_metadata(dir.file("run.safetensors"));
  CHECK(meta ==
        ex::Metadata{{"format", "extensor.checkpoint.v1"}, {"note", "three steps"}, {"optimizer.type", "Adam"}});
}

TEST_CASE("Checkpoint: a run resumed from a checkpoint ends bit for bit where an uninterrupted one does") {
  TempDir dir;
  CheckpointedRun straight(1);
  straight.train(7);
  straight.checkpoint.save(dir.file("straight.safetensors"));

  CheckpointedRun first(1);
  first.train(3);
  first.checkpoint.save(dir.file("stopped.safetensors"));
  CheckpointedRun resumed(42);  // initialized differently: everything must come from the file
  CHECK(resumed.checkpoint.load(dir.file("stopped.safetensors")).at("format") == "extensor.checkpoint.v1");
  CHECK(resumed.step == 3);
  CHECK(resumed.losses == first.losses);
  CHECK(resumed.data.state() == first.data.state());
  CHECK(resumed.adam.param_groups()[0].options->lr() == first.adam.param_groups()[0].options->lr());
  CHECK(resumed.scheduler.last_epoch() == 3);
  check_same_tensors(resumed.model->state_dict(), first.model->state_dict());
  resumed.train(4);
  resumed.checkpoint.save(dir.file("resumed.safetensors"));
  CHECK(resumed.losses == straight.losses);
  CHECK(read_plain(dir.file("resumed.safetensors")) == read_plain(dir.file("straight.safetensors")));
}

TEST_CASE("Checkpoint: equal states give identical bytes, and saving changes nothing") {
  TempDir dir;
  CheckpointedRun a(5), b(5);
  a.train(2);
  b.train(2);
  a.checkpoint.save(dir.file("a.safetensors"));
  a.checkpoint.save(dir.file("a_again.safetensors"));
  b.checkpoint.save(dir.file("b.safetensors"));
  CHECK(read_plain(dir.file("a.safetensors")) == read_plain(dir.file("b.safetensors")));
  CHECK(read_plain(dir.file("a.safetensors")) == read_plain(dir.file("a_again.safetensors")));
  b.train(1);
  b.checkpoint.save(dir.file("b.safetensors"));  // replaces the file
  CHECK(read_plain(dir.file("a.safetensors")) != read_plain(dir.file("b.safetensors")));
}

TEST_CASE("Checkpoint: every optimizer's hyper-parameters come back from the file") {
  TempDir dir;
  const auto check_round_trip = [&](auto make_tuned, auto make_default) {
    Tensor p = ex::tensor({1.0, -2.0, 3.0}).requires_grad_();
    Tensor q = ex::tensor({0.5, 0.25, -1.0}).requires_grad_();
    auto tuned = make_tuned(p);
    p.sum().backward();
    tuned.step();
    Checkpoint().optimizer(tuned).save(dir.file("opt.safetensors"));
    auto fresh = make_default(q);
    INFO(tuned.defaults().name());
    CHECK(fields_of(*fresh.param_groups()[0].options) != fields_of(*tuned.param_groups()[0].options));
    Checkpoint().optimizer(fresh).load(dir.file("opt.safetensors"));
    CHECK(fields_of(*fresh.param_groups()[0].options) == fields_of(*tuned.param_groups()[0].options));
    const auto* state = fresh.find_state(q);
    REQUIRE(state != nullptr);
    CHECK(state->size() == tuned.find_state(p)->size());
  };
  using namespace ex::optim;
  check_round_trip([](Tensor p) { return SGD({p}, SGDOptions(0.3).momentum(0.5).nesterov(true).weight_decay(0.01)); },
                   [](Tensor q) { return SGD({q}, SGDOptions(0.1)); });
  check_round_trip(
      [](Tensor p) { return RMSprop({p}, RMSpropOptions(0.3).alpha(0.9).eps(1e-5).momentum(0.5).centered(true)); },
      [](Tensor q) { return RMSprop({q}, RMSpropOptions()); });
  check_round_trip(
      [](Tensor p) { return Adagrad({p}, AdagradOptions(0.3).lr_decay(0.1).initial_accumulator_value(0.5)); },
      [](Tensor q) { return Adagrad({q}, AdagradOptions()); });
  check_round_trip(
      [](Tensor p) {
        return AdamW({p}, AdamWOptions(0.3).betas({0.5, 0.6}).maximize(true));
      },
      [](Tensor q) { return AdamW({q}, AdamWOptions()); });
  CHECK(fields_of(SGDOptions(0.1)) ==
        std::map<std::string, double>{
            {"dampening", 0}, {"lr", 0.1}, {"maximize", 0}, {"momentum", 0}, {"nesterov", 0}, {"weight_decay", 0}});
}

TEST_CASE("Checkpoint: ReduceLROnPlateau's progress and several parts of one kind") {
  TempDir dir;
  Tensor p = ex::tensor({1.0}).requires_grad_();
  Tensor q = ex::tensor({2.0}).requires_grad_();
  ex::optim::SGD sgd_p({p}, 0.1), sgd_q({q}, 0.2);
  ex::optim::ReduceLROnPlateau plateau(sgd_p, ex::optim::ReduceLROnPlateauOptions().patience(0));
  for (double metric : {1.0, 2.0, 3.0}) plateau.step(metric);
  std::int64_t epoch = 7, other = 8;
  Checkpoint()
      .optimizer(sgd_p, "opt_p")
      .optimizer(sgd_q, "opt_q")
      .scheduler(plateau, "plateau")
      .counter("epoch", epoch)
      .counter("other", other)
      .save(dir.file("two.safetensors"));

  Tensor p2 = ex::tensor({1.0}).requires_grad_();
  Tensor q2 = ex::tensor({2.0}).requires_grad_();
  ex::optim::SGD sgd_p2({p2}, 0.1), sgd_q2({q2}, 0.2);
  ex::optim::ReduceLROnPlateau plateau2(sgd_p2, ex::optim::ReduceLROnPlateauOptions().patience(0));
  std::int64_t epoch2 = 0, other2 = 0;
  Checkpoint()
      .optimizer(sgd_p2, "opt_p")
      .optimizer(sgd_q2, "opt_q")
      .scheduler(plateau2, "plateau")
      .counter("epoch", epoch2)
      .counter("other", other2)
      .load(dir.file("two.safetensors"));
  CHECK(plateau2.state_dict() == plateau.state_dict());
  CHECK(sgd_p2.param_groups()[0].options->lr() == doctest::Approx(sgd_p.param_groups()[0].options->lr()));
  CHECK(sgd_q2.param_groups()[0].options->lr() == 0.2);
  CHECK(epoch2 == 7);
  CHECK(other2 == 8);
  const ex::Metadata meta = ex::load_metadata(dir.file("two.safetensors"));
  CHECK(meta.at("opt_p.type") == "SGD");
  CHECK(meta.at("opt_q.type") == "SGD");
}
