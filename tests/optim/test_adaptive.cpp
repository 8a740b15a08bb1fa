// What Adam, AdamW, RMSprop and Adagrad share: state_dict round trips and the checks of
// loaded state, strided and expanded operands, threads, half-precision parameters with
// float32 state, aliasing gradients, in-place semantics and invalid options at step().
// Their values against PyTorch are in test_adaptive_trajectory.cpp.

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "optim_test_util.hpp"

namespace {

using ex::optim::AdagradOptions;
using ex::optim::AdamOptions;
using ex::optim::AdamWOptions;
using ex::optim::Optimizer;
using ex::optim::OptimizerStateDict;
using ex::optim::ParamGroup;
using ex::optim::RMSpropOptions;

// One of the optimizers, over two groups whose options between them use every state
// tensor it keeps.
struct Kind {
  const char* name;
  std::function<std::unique_ptr<Optimizer>(std::vector<Tensor>, std::vector<Tensor>)> make;
  std::vector<std::string> state_names;  // of a parameter in the first group, after a step
};

template <class Opt, class Options>
std::function<std::unique_ptr<Optimizer>(std::vector<Tensor>, std::vector<Tensor>)> two_groups(Options first,
                                                                                               Options second) {
  return [=](std::vector<Tensor> a, std::vector<Tensor> b) -> std::unique_ptr<Optimizer> {
    return std::make_unique<Opt>(
        std::vector<ParamGroup>{ParamGroup(std::move(a), first), ParamGroup(std::move(b), second)}, first);
  };
}

const std::vector<Kind>& kinds() {
  static const std::vector<Kind> all{
      {"Adam",
       two_groups<ex::optim::Adam>(AdamOptions(0.05).amsgrad(true).weight_decay(0.1),
                                   AdamOptions(0.01).maximize(true).betas({0.8, 0.9})),
       {"exp_avg", "exp_avg_sq", "max_exp_avg_sq", "step"}},
      {"AdamW",
       two_groups<ex::optim::AdamW>(AdamWOptions(0.05).amsgrad(true).weight_decay(0.2), AdamWOptions(0.02).eps(1e-3)),
       {"exp_avg", "exp_avg_sq", "max_exp_avg_sq", "step"}},
      {"RMSprop",
       two_groups<ex::optim::RMSprop>(RMSpropOptions(0.01).centered(true).momentum(0.9).weight_decay(0.1),
                                      RMSpropOptions(0.02).alpha(0.9).maximize(true)),
       {"grad_avg", "momentum_buffer", "square_avg", "step"}},
      {"Adagrad",
       two_groups<ex::optim::Adagrad>(AdagradOptions(0.1).lr_decay(0.1).initial_accumulator_value(0.2),
                                      AdagradOptions(0.05).weight_decay(0.1).maximize(true)),
       {"step", "sum"}},
  };
  return all;
}

// Values in [-1, 1) that every floating dtype represents with some precision.
Tensor values(const ex::Shape& shape, DType dtype, std::uint64_t seed) {
  ex::Generator gen(seed);
  return (ex::rand(shape, DType::Float64, gen) * 2.0 - 1.0).to(dtype);
}

// Two parameters in two groups and gradients that depend on them, so a trajectory
// depends on every earlier step.
struct Model {
  Tensor w = ex::tensor<double>({0.5, -1.0, 2.0, 0.25, -0.75, 1.5}, {2, 3}).requires_grad_();
  Tensor b = ex::tensor<double>({0.25, -0.5}, {2}).requires_grad_();
  std::unique_ptr<Optimizer> optimizer;

  explicit Model(const Kind& kind) : optimizer(kind.make({w}, {b})) {}
  void step() {
    optimizer->zero_grad();
    (w * w * 0.5).backward(ex::ones({2, 3}, DType::Float64));
    (b * b * b).backward(ex::ones({2}, DType::Float64));
    optimizer->step();
  }
};

}  // namespace

TEST_CASE("adaptive optimizers keep PyTorch's state names and resume exactly from a state_dict") {
  for (const Kind& kind : kinds()) {
    INFO(kind.name);
    Model original(kind);
    for (int i = 0; i < 3; ++i) original.step();
    const OptimizerStateDict dict = original.optimizer->state_dict();
    REQUIRE(dict.state.size() == 2);
    CHECK(ex::test::state_names(*original.optimizer, original.w) == kind.state_names);
    const Tensor& step = dict.state.at(0).at("step");
    CHECK(step.dtype() == DType::Int64);
    CHECK(step.dim() == 0);
    CHECK(step.item<std::int64_t>() == 3);

    Model resumed(kind);
    ex::copy_(resumed.w.detach(), original.w);
    ex::copy_(resumed.b.detach(), original.b);
    resumed.optimizer->load_state_dict(dict);
    for (int i = 0; i < 4; ++i) {
      original.step();
      resumed.step();
    }
    CHECK(resumed.w.to_vector<double>() == original.w.to_vector<double>());
    CHECK(resumed.b.to_vector<double>() == original.b.to_vector<double>());
    CHECK(resumed.optimizer->find_state(resumed.w)->at("step").item<std::int64_t>() == 7);
    CHECK(dict.state.at(0).at("step").item<std::int64_t>() == 3);  // a snapshot
  }
}

TEST_CASE("adaptive optimizers load PyTorch's float32 step and convert moments to the state dtype") {
  for (const Kind& kind : kinds()) {
    INFO(kind.name);
    Model model(kind);
    model.step();
    model.step();
    OptimizerStateDict dict = model.optimizer->state_dict();
    for (auto& [number, state] : dict.state) {
      state["step"] = ex::scalar_tensor(2.0, DType::Float32);  // what torch.optim saves
      for (auto& [name, tensor] : state)
        if (name != "step") tensor = tensor.to(DType::Float32);
    }
    const Tensor w = ex::tensor<double>({1.0, 1.0, 1.0, 1.0, 1.0, 1.0}, {2, 3}).requires_grad_();
    const Tensor b16 = ex::tensor<double>({1.0, 1.0}).to(DType::BFloat16).requires_grad_();
    const std::unique_ptr<Optimizer> loaded = kind.make({w}, {b16});
    loaded->load_state_dict(dict);
    for (const auto& [name, tensor] : *loaded->find_state(w)) {
      INFO(name);
      CHECK(tensor.dtype() == (name == "step" ? DType::Int64 : DType::Float64));
    }
    for (const auto& [name, tensor] : *loaded->find_state(b16)) {
      INFO(name);
      CHECK(tensor.dtype() == (name == "step" ? DType::Int64 : DType::Float32));
      if (name != "step") CHECK(tensor.to_vector<double>() == dict.state.at(1).at(name).to_vector<double>());
    }
    CHECK(loaded->find_state(w)->at("step").item<std::int64_t>() == 2);
  }
}

TEST_CASE("adaptive optimizers reject loaded state they cannot use and change nothing then") {
  for (const Kind& kind : kinds()) {
    INFO(kind.name);
    Model model(kind);
    model.step();
    const OptimizerStateDict good = model.optimizer->state_dict();
    const std::string first_tensor = kind.state_names.front() == "step" ? kind.state_names[1] : kind.state_names[0];
    const auto rejects = [&](const OptimizerStateDict& dict, const std::string& what) {
      CHECK_THROWS_WITH_AS(model.optimizer->load_state_dict(dict), doctest::Contains("load_state_dict: "), ex::Error);
      CHECK_THROWS_WITH_AS(model.optimizer->load_state_dict(dict), doctest::Contains(what.c_str()), ex::Error);
      CHECK(model.optimizer->find_state(model.w)->at("step").item<std::int64_t>() == 1);
    };
    auto dict = good;
    dict.state.at(0).erase("step");
    rejects(dict, "parameter 0 has state but no \"step\" (" + std::string(kind.name) + " needs it)");
    dict = good;
    dict.state.at(0)["step"] = ex::scalar_tensor(1.5, DType::Float32);
    rejects(dict, "\"step\" of parameter 0 is 1.5, expected a non-negative integer");
    dict = good;
    dict.state.at(0)["step"] = ex::scalar_tensor(-1, DType::Int64);
    rejects(dict, "\"step\" of parameter 0 is -1");
    dict = good;
    dict.state.at(0)["step"] = ex::zeros({2}, DType::Int64);
    rejects(dict, "\"step\" of parameter 0 has shape [2] and dtype int64, expected one number");
    dict = good;
    dict.state.at(1)["momentum"] = ex::zeros({2}, DType::Float64);
    rejects(dict, "parameter 1 has state \"momentum\", which " + std::string(kind.name) + " does not keep");
    dict = good;
    dict.state.at(0)[first_tensor] = ex::zeros({3, 2}, DType::Float64);
    rejects(dict, "state \"" + first_tensor +
                      "\" of shape [3, 2] and dtype float64 for parameter 0 of shape [2, 3] and dtype float64");
    dict = good;
    dict.state.at(0)[first_tensor] = ex::zeros({2, 3}, DType::Int64);
    rejects(dict, "state \"" + first_tensor + "\" of shape [2, 3] and dtype int64");
    dict = good;
    dict.state.at(0).erase(first_tensor);
    // Optional state (amsgrad's maximum, RMSprop's buffers) may be missing; required may not.
    if (first_tensor == "exp_avg" || first_tensor == "sum")
      rejects(dict, "parameter 0 has no state \"" + first_tensor + "\"");
  }
}

TEST_CASE("adaptive optimizers give the same result for strided, expanded and contiguous operands") {
  for (const Kind& kind : kinds()) {
    for (const DType dtype : {DType::Float64, DType::Float32}) {
      INFO(kind.name << ", " << ex::dtype_name(dtype));
      const Tensor initial = values({5, 7}, dtype, 1);
      const Tensor dense = initial.clone().requires_grad_();
      const Tensor strided = ex::test::noncontiguous(initial).requires_grad_();
      REQUIRE_FALSE(strided.is_contiguous());
      // A gradient broadcast along dim 0 (stride 0), against its dense copy.
      const Tensor broadcast = initial.clone().requires_grad_();
      const Tensor broadcast_dense = initial.clone().requires_grad_();
      const auto a = kind.make({dense}, {}), b = kind.make({strided}, {});
      const auto c = kind.make({broadcast}, {}), d = kind.make({broadcast_dense}, {});
      for (std::uint64_t step = 0; step < 3; ++step) {
        const Tensor grad = values({5, 7}, dtype, 10 + step);
        dense.set_grad(grad);
        strided.set_grad(ex::test::noncontiguous(grad));
        const Tensor row = values({1, 7}, dtype, 20 + step).expand({5, 7});
        broadcast.set_grad(row);
        broadcast_dense.set_grad(row.contiguous());
        for (const auto* optimizer : {&a, &b, &c, &d}) (*optimizer)->step();
      }
      CHECK(strided.to_vector<double>() == dense.to_vector<double>());
      CHECK(broadcast.to_vector<double>() == broadcast_dense.to_vector<double>());
      CHECK(dense.to_vector<double>() != initial.to_vector<double>());
      for (const auto& [name, tensor] : *b->find_state(strided)) CHECK(tensor.is_contiguous());
    }
  }
}

TEST_CASE("adaptive optimizers split large parameters over threads with the same result") {
  const int threads = ex::get_num_threads();
  for (const Kind& kind : kinds()) {
    INFO(kind.name);
    const Tensor initial = values({300, 1000}, DType::Float32, 2);  // well above one thread's grain
    std::vector<std::vector<double>> results;
    for (const int n : {1, 4}) {
      ex::set_num_threads(n);
      const Tensor param = initial.clone().requires_grad_();
      const auto optimizer = kind.make({param}, {});
      for (std::uint64_t step = 0; step < 2; ++step) {
        param.set_grad(values({300, 1000}, DType::Float32, 30 + step));
        optimizer->step();
      }
      results.push_back(param.to_vector<double>());
    }
    ex::set_num_threads(threads);
    CHECK(results[0] == results[1]);
    CHECK(results[0] != initial.to_vector<double>());
  }
}

TEST_CASE("half-precision parameters keep float32 state and round a float32 update") {
  // The rule (see ex::optim::Adam): each step computes what the same optimizer does for a
  // float32 parameter holding the half parameter's value, with the same float32 state, and
  // rounds the new value to the half dtype. A float32 twin whose value is reset to the half
  // parameter's before each step follows it exactly.
  for (const Kind& kind : kinds()) {
    for (const DType dtype : {DType::BFloat16, DType::Float16}) {
      INFO(kind.name << ", " << ex::dtype_name(dtype));
      const Tensor half = values({4, 9}, dtype, 3).requires_grad_();
      const Tensor twin = half.detach().to(DType::Float32).requires_grad_();
      const Tensor half_b = values({9}, dtype, 4).requires_grad_();
      const Tensor twin_b = half_b.detach().to(DType::Float32).requires_grad_();
      const auto ours = kind.make({half}, {half_b}), reference = kind.make({twin}, {twin_b});
      for (std::uint64_t step = 0; step < 5; ++step) {
        ex::copy_(twin.detach(), half.detach().to(DType::Float32));
        ex::copy_(twin_b.detach(), half_b.detach().to(DType::Float32));
        const Tensor grad = values({4, 9}, dtype, 40 + step), grad_b = values({9}, dtype, 50 + step);
        half.set_grad(grad);
        half_b.set_grad(grad_b);
        twin.set_grad(grad.to(DType::Float32));
        twin_b.set_grad(grad_b.to(DType::Float32));
        ours->step();
        reference->step();
        CHECK(half.dtype() == dtype);
        CHECK(half.to_vector<double>() == twin.detach().to(dtype).to_vector<double>());
        CHECK(half_b.to_vector<double>() == twin_b.detach().to(dtype).to_vector<double>());
      }
      for (const auto& [name, tensor] : *ours->find_state(half)) {
        INFO(name);
        if (name == "step") continue;
        CHECK(tensor.dtype() == DType::Float32);
        CHECK(tensor.to_vector<double>() == reference->find_state(twin)->at(name).to_vector<double>());
      }
    }
  }
}

TEST_CASE("adaptive optimizers read a gradient that shares storage with the parameter or a state") {
  for (const Kind& kind : kinds()) {
    INFO(kind.name);
    const Tensor initial = values({3, 4}, DType::Float64, 5);
    const Tensor aliased = initial.clone().requires_grad_();
    const Tensor separate = initial.clone().requires_grad_();
    const auto a = kind.make({aliased}, {}), b = kind.make({separate}, {});
    aliased.set_grad(aliased.detach());  // the gradient is the parameter's own memory
    separate.set_grad(initial.clone());
    a->step();
    b->step();
    CHECK(aliased.to_vector<double>() == separate.to_vector<double>());
    // Now a state tensor as the gradient (it reads the state before the step changes it).
    const std::string name = kind.state_names.front() == "step" ? kind.state_names[1] : kind.state_names[0];
    const Tensor state = a->find_state(aliased)->at(name);
    aliased.set_grad(state);
    separate.set_grad(b->find_state(separate)->at(name).clone());
    a->step();
    b->step();
    CHECK(aliased.to_vector<double>() == separate.to_vector<double>());
  }
}

TEST_CASE("adaptive optimizers update in place without recording and skip parameters without gradients") {
  for (const Kind& kind : kinds()) {
    INFO(kind.name);
    const Tensor p = ex::tensor<float>({1.0f, 2.0f}).requires_grad_();
    const Tensor skipped = ex::tensor<float>({3.0f}).requires_grad_();
    const void* data = p.raw_data();
    const auto optimizer = kind.make({p, skipped}, {});
    const bool eager = optimizer->find_state(skipped) != nullptr;  // Adagrad creates state up front
    CHECK(eager == (std::string(kind.name) == "Adagrad"));
    const std::uint64_t version = p.version();
    p.set_grad(ex::tensor<float>({0.5f, -0.5f}));
    optimizer->step();
    ex::test::check_updated_in_place(p, data, version);
    CHECK(p.to_vector<double>() != std::vector<double>{1.0, 2.0});
    CHECK(skipped.to_vector<double>() == std::vector<double>{3.0});
    if (eager) {
      CHECK(optimizer->find_state(skipped)->at("step").item<std::int64_t>() == 0);
    } else {
      CHECK(optimizer->find_state(skipped) == nullptr);
    }
    // A graph that saved p before a step cannot be back-propagated after it.
    const Tensor y = p * p;
    optimizer->step();
    CHECK_THROWS_WITH_AS(y.backward(ex::ones({2})), doctest::Contains("modified by an inplace operation"), ex::Error);
  }
}

TEST_CASE("adaptive optimizers validate every group before changing any parameter") {
  for (const Kind& kind : kinds()) {
    INFO(kind.name);
    const Tensor a = ex::tensor<double>({1.0, 2.0}).requires_grad_();
    const Tensor b = ex::tensor<double>({3.0}).requires_grad_();
    const auto optimizer = kind.make({a}, {b});
    a.set_grad(ex::tensor<double>({1.0, 1.0}));
    b.set_grad(ex::tensor<double>({1.0}));
    optimizer->param_groups()[1].options->set_lr(-1);
    CHECK_THROWS_WITH_AS(optimizer->step(),
                         doctest::Contains("step: invalid learning rate -1 (must be finite and >= 0)"), ex::Error);
    CHECK(a.to_vector<double>() == std::vector<double>{1.0, 2.0});
    CHECK(b.to_vector<double>() == std::vector<double>{3.0});
    const ex::optim::ParamState* state = optimizer->find_state(a);
    if (state != nullptr) CHECK(state->at("step").item<std::int64_t>() == 0);
  }
}

TEST_CASE("adaptive optimizers update rank-0 and empty parameters") {
  for (const Kind& kind : kinds()) {
    INFO(kind.name);
    const Tensor scalar = ex::scalar_tensor(0.5, DType::Float64).requires_grad_();
    const Tensor vector = ex::tensor<double>({0.5}).requires_grad_();
    const Tensor empty = ex::zeros({0, 3}, DType::Float64).requires_grad_();
    const auto a = kind.make({scalar, empty}, {}), b = kind.make({vector}, {});
    for (int step = 0; step < 3; ++step) {
      scalar.set_grad(ex::scalar_tensor(0.25, DType::Float64));
      vector.set_grad(ex::tensor<double>({0.25}));
      empty.set_grad(ex::zeros({0, 3}, DType::Float64));
      a->step();
      b->step();
    }
    CHECK(scalar.dim() == 0);
    CHECK(scalar.item<double>() == vector.item<double>());
    CHECK(scalar.item<double>() != 0.5);
    CHECK(a->find_state(empty)->at("step").item<std::int64_t>() == 3);
    for (const auto& [name, tensor] : *a->find_state(empty))
      if (name != "step") CHECK(tensor.shape() == ex::Shape{0, 3});
  }
}
