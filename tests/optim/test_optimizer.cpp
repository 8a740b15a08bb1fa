// The Optimizer base (through SGD): parameter groups, zero_grad, parameter validation
// and state_dict.

#include <memory>
#include <string>
#include <vector>

#include "test_util.hpp"

namespace {

using ex::optim::ParamGroup;
using ex::optim::SGD;
using ex::optim::SGDOptions;

Tensor param(std::vector<double> values) { return ex::tensor(values).requires_grad_(); }

// Options of another optimizer, to check that groups reject foreign options.
class OtherOptions : public ex::optim::OptimizerOptions {
 public:
  std::unique_ptr<OptimizerOptions> clone() const override { return std::make_unique<OtherOptions>(*this); }
  std::string_view name() const override { return "Other"; }
  double lr() const override { return 0.1; }
  void set_lr(double) override {}
  void validate(std::string_view) const override {}
};

}  // namespace

TEST_CASE("zero_grad sets gradients to none or to zeros in place") {
  const Tensor a = param({1.0, 2.0});
  const Tensor b = param({3.0});
  SGD sgd({a, b}, SGDOptions(0.1));
  (a * 2.0 + 1.0).backward(ex::ones({2}, ex::DType::Float64));
  REQUIRE(a.grad().defined());
  CHECK_FALSE(b.grad().defined());

  SUBCASE("set_to_none (the default)") {
    sgd.zero_grad();
    CHECK_FALSE(a.grad().defined());
    CHECK_FALSE(b.grad().defined());
    sgd.step();  // nothing to do
    ex::test::check_values(a, {2}, {1.0, 2.0});
  }
  SUBCASE("zeros in place") {
    const Tensor grad = a.grad();
    const std::uint64_t version = grad.version();
    sgd.zero_grad(false);
    CHECK(a.grad().is_same(grad));
    CHECK(grad.version() > version);
    ex::test::check_values(grad, {2}, {0.0, 0.0});
    CHECK_FALSE(b.grad().defined());
    // The next backward accumulates into the zeroed gradient.
    (a * 3.0).backward(ex::ones({2}, ex::DType::Float64));
    ex::test::check_values(a.grad(), {2}, {3.0, 3.0});
  }
}

TEST_CASE("parameter groups have their own options") {
  const Tensor a = param({1.0});
  const Tensor b = param({1.0});
  const Tensor c = param({1.0});
  SGD sgd({ParamGroup({a}), ParamGroup({b}, SGDOptions(0.5).momentum(0.9))}, SGDOptions(0.1));
  REQUIRE(sgd.param_groups().size() == 2);
  CHECK(sgd.param_groups()[0].options->lr() == 0.1);  // a copy of the defaults
  CHECK(sgd.param_groups()[1].options->lr() == 0.5);
  CHECK(static_cast<const SGDOptions&>(*sgd.param_groups()[1].options).momentum() == 0.9);

  // Changing the defaults affects groups added later, not existing ones.
  sgd.defaults().set_lr(0.25);
  sgd.add_param_group(ParamGroup({c}));
  CHECK(sgd.param_groups()[0].options->lr() == 0.1);
  CHECK(sgd.param_groups()[2].options->lr() == 0.25);

  for (const Tensor& p : {a, b, c}) p.set_grad(ex::tensor<double>({1.0}));
  sgd.step();
  ex::test::check_values(a, {1}, {0.9});
  ex::test::check_values(b, {1}, {0.5});
  ex::test::check_values(c, {1}, {0.75});

  // A scheduler changes a group's lr through param_groups().
  sgd.param_groups()[0].options->set_lr(1.0);
  sgd.step();
  ex::test::check_values(a, {1}, {-0.1});
  ex::test::check_values(b, {1}, {-0.45});  // momentum: buf = 0.9 + 1
  ex::test::check_values(c, {1}, {0.5});
}

TEST_CASE("optimizers reject parameters they cannot update") {
  const Tensor good = param({1.0, 2.0});
  const auto rejects = [](std::vector<Tensor> params, const char* what) {
    CHECK_THROWS_WITH_AS(SGD(params, SGDOptions(0.1)), doctest::Contains("SGD: "), ex::Error);
    CHECK_THROWS_WITH_AS(SGD(params, SGDOptions(0.1)), doctest::Contains(what), ex::Error);
  };
  rejects({}, "SGD: got an empty parameter list");
  rejects({good, Tensor()}, "parameter 1 of group 0 is undefined");
  rejects({good, ex::tensor<std::int64_t>({1, 2}, {1, 2})},
          "parameter 1 of group 0 (shape [1, 2], dtype int64) is not floating");
  rejects({ex::zeros({4, 3})}, "parameter 0 of group 0 (shape [4, 3], dtype float32) does not require grad");
  rejects({good * 2.0}, "parameter 0 of group 0 (shape [2], dtype float64) is not a leaf");
  rejects({ex::zeros({1, 3}).expand({2, 3}).requires_grad_()}, "shape [2, 3], dtype float32) is an expanded view");
  rejects({good, good}, "parameter 1 of group 0 (shape [2]) appears more than once");

  CHECK_THROWS_WITH_AS(SGD({ParamGroup({good}), ParamGroup({param({1.0}), good})}, SGDOptions(0.1)),
                       doctest::Contains("SGD: parameter 1 of group 1 (shape [2]) appears more than once"), ex::Error);
  CHECK_THROWS_WITH_AS(SGD({ParamGroup({good}, OtherOptions())}, SGDOptions(0.1)),
                       doctest::Contains("SGD: group 0 has options of Other, this optimizer takes options of SGD"),
                       ex::Error);
  // An empty group is allowed (PyTorch allows it too).
  CHECK_NOTHROW(SGD({ParamGroup({good}), ParamGroup({})}, SGDOptions(0.1)));

  SGD sgd({good}, SGDOptions(0.1));
  CHECK_THROWS_WITH_AS(sgd.add_param_group(ParamGroup({good})),
                       doctest::Contains("add_param_group: parameter 0 of group 1 (shape [2]) appears more than once"),
                       ex::Error);
  CHECK_THROWS_WITH_AS(sgd.add_param_group(ParamGroup({ex::zeros({3})})),
                       doctest::Contains("add_param_group: parameter 0 of group 1 (shape [3], dtype float32) does "
                                         "not require grad"),
                       ex::Error);
  CHECK_THROWS_WITH_AS(sgd.add_param_group(ParamGroup({param({1.0})}, SGDOptions(0.1).momentum(-1))),
                       doctest::Contains("add_param_group: invalid momentum -1"), ex::Error);
  CHECK_THROWS_WITH_AS(sgd.add_param_group(ParamGroup({param({1.0})}, OtherOptions())),
                       doctest::Contains("add_param_group: group 1 has options of Other"), ex::Error);
  sgd.defaults().set_lr(-3);
  CHECK_THROWS_WITH_AS(sgd.add_param_group(ParamGroup({param({1.0})})),
                       doctest::Contains("add_param_group: invalid learning rate -3"), ex::Error);
  CHECK(sgd.param_groups().size() == 1);  // failed additions leave nothing behind
}

namespace {

// A model of two parameters and an SGD with momentum over two groups.
struct Setup {
  Tensor w = ex::tensor<double>({0.5, -1.0, 2.0}, {3}).requires_grad_();
  Tensor b = ex::tensor<double>({0.25}, {1}).requires_grad_();
  SGD sgd{{ParamGroup({w}), ParamGroup({b}, SGDOptions(0.05).momentum(0.5))},
          SGDOptions(0.1).momentum(0.9).weight_decay(0.01)};

  // Gradients that depend on the parameters, so the trajectory depends on every step.
  void step() {
    sgd.zero_grad();
    (w * w * 0.5).backward(ex::ones({3}, ex::DType::Float64));
    (b * b * b).backward(ex::ones({1}, ex::DType::Float64));
    sgd.step();
  }
};

}  // namespace

TEST_CASE("state_dict and load_state_dict resume training exactly") {
  Setup original;
  for (int i = 0; i < 3; ++i) original.step();
  const ex::optim::OptimizerStateDict dict = original.sgd.state_dict();
  REQUIRE(dict.param_groups.size() == 2);
  CHECK(dict.param_groups[0].params == std::vector<std::int64_t>{0});
  CHECK(dict.param_groups[1].params == std::vector<std::int64_t>{1});
  CHECK(dict.param_groups[1].options->lr() == 0.05);
  REQUIRE(dict.state.size() == 2);
  const std::vector<double> saved_buffer = dict.state.at(0).at("momentum_buffer").to_vector<double>();

  // Another optimizer over copies of the parameters, with other options, picks up where
  // the original stands.
  Setup resumed;
  ex::copy_(resumed.w.detach(), original.w);
  ex::copy_(resumed.b.detach(), original.b);
  resumed.sgd.param_groups()[1].options->set_lr(7.0);
  resumed.sgd.load_state_dict(dict);
  CHECK(resumed.sgd.param_groups()[1].options->lr() == 0.05);
  for (int i = 0; i < 3; ++i) {
    original.step();
    resumed.step();
  }
  CHECK(resumed.w.to_vector<double>() == original.w.to_vector<double>());
  CHECK(resumed.b.to_vector<double>() == original.b.to_vector<double>());
  // The dict is a snapshot: later steps changed neither it nor through it.
  CHECK(dict.state.at(0).at("momentum_buffer").to_vector<double>() == saved_buffer);
}

TEST_CASE("load_state_dict converts floating state to the parameter's dtype") {
  Setup setup;
  setup.step();
  ex::optim::OptimizerStateDict dict = setup.sgd.state_dict();
  const Tensor w32 = ex::tensor<float>({0.5f, -1.0f, 2.0f}).requires_grad_();
  SGD sgd({w32}, SGDOptions(0.1).momentum(0.9));
  dict.param_groups.pop_back();
  dict.state.erase(1);
  sgd.load_state_dict(dict);
  const Tensor& buffer = sgd.find_state(w32)->at("momentum_buffer");
  CHECK(buffer.dtype() == ex::DType::Float32);
  ex::test::check_values(buffer, {3}, dict.state.at(0).at("momentum_buffer").to_vector<double>(), 1e-7, 1e-7);
}

TEST_CASE("load_state_dict rejects a dict that does not fit and changes nothing then") {
  Setup setup;
  setup.step();
  const ex::optim::OptimizerStateDict good = setup.sgd.state_dict();
  const std::vector<double> buffer_before = setup.sgd.find_state(setup.w)->at("momentum_buffer").to_vector<double>();
  const auto rejects = [&](const ex::optim::OptimizerStateDict& dict, const char* what) {
    CHECK_THROWS_WITH_AS(setup.sgd.load_state_dict(dict), doctest::Contains("load_state_dict: "), ex::Error);
    CHECK_THROWS_WITH_AS(setup.sgd.load_state_dict(dict), doctest::Contains(what), ex::Error);
    CHECK(setup.sgd.param_groups()[1].options->lr() == 0.05);
    CHECK(setup.sgd.find_state(setup.w)->at("momentum_buffer").to_vector<double>() == buffer_before);
  };
  auto dict = good;
  dict.param_groups.pop_back();
  rejects(dict, "the state dict has 1 parameter groups, the optimizer 2");

  dict = good;
  dict.param_groups[1].params.push_back(2);
  rejects(dict, "group 1 of the state dict has 2 parameters, the optimizer's has 1");

  dict = good;
  dict.param_groups[1].params[0] = 5;
  rejects(dict, "parameter 0 of group 1 is numbered 5 in the state dict, expected 1");

  dict = good;
  dict.param_groups[1].options = std::make_shared<SGDOptions>(SGDOptions(0.1).momentum(2).nesterov(true).dampening(1));
  rejects(dict, "nesterov momentum requires");

  dict = good;
  dict.param_groups[1].options = std::make_shared<OtherOptions>();
  rejects(dict, "group 1 has options of Other, this optimizer takes options of SGD");

  dict = good;
  dict.param_groups[0].options = nullptr;
  rejects(dict, "group 0 of the state dict has no options");

  dict = good;
  dict.state[2] = dict.state.at(0);
  rejects(dict, "the state dict has state for parameter 2, the optimizer has 2 parameters");

  dict = good;
  dict.state.at(1)["momentum_buffer"] = ex::zeros({3}, ex::DType::Float64);
  rejects(dict, "momentum buffer of shape [3] and dtype float64 for parameter 1 of shape [1] and dtype float64");

  dict = good;
  dict.state.at(1)["momentum_buffer"] = ex::zeros({1}, ex::DType::Int64);
  rejects(dict, "momentum buffer of shape [1] and dtype int64");

  dict = good;
  dict.state.at(0)["exp_avg"] = ex::zeros({3}, ex::DType::Float64);
  rejects(dict, "parameter 0 has state \"exp_avg\", SGD keeps only \"momentum_buffer\"");

  dict = good;
  dict.state.at(0)["momentum_buffer"] = Tensor();
  rejects(dict, "state \"momentum_buffer\" of parameter 0 is undefined");
}
