// Adam, AdamW, RMSprop and Adagrad against PyTorch 1.13: 32 steps of each option set on a
// fixed least-squares problem, compared with the trajectories in
// data/<optimizer>_reference.txt (written by tools/optim_reference/gen_adaptive_reference.py,
// which documents the format). float64 cases compute their gradients with our autograd;
// float32 cases are fed the gradients PyTorch computed, so they compare the optimizers
// alone.

#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "test_util.hpp"

#ifndef EXTENSOR_OPTIM_DATA_DIR
#error "tests/CMakeLists.txt defines EXTENSOR_OPTIM_DATA_DIR for test_optim"
#endif

namespace {

using Options = std::map<std::string, double>;              // an option set as the file lists it
using Values = std::map<std::string, std::vector<double>>;  // parameter name -> values

struct GroupSpec {
  std::vector<std::string> params;  // "W", "b"
  Options options;
};

struct Change {
  int step;
  std::size_t group;
  std::string key;  // "lr" or "momentum" (the cycled momentum)
  double value;
};

struct Case {
  std::string name;
  DType dtype = DType::Float64;
  int steps = 0;
  std::vector<GroupSpec> groups;
  std::vector<Change> changes;
  std::vector<Values> grads;     // float32 cases: PyTorch's gradient at each step
  std::vector<Values> expected;  // the parameters after each step
};

struct Reference {
  std::map<std::string, Tensor> inputs;  // X, Y, W0, b0 (float64)
  std::vector<Case> cases;
};

// "K W v0 ... b v0 ...": the step number, then each parameter's name and values.
Values read_values(std::istringstream& line, int expected_step) {
  int step = 0;
  line >> step;
  REQUIRE(step == expected_step);
  Values values;
  std::vector<double>* current = nullptr;
  for (std::string token; line >> token;) {
    if (token == "W" || token == "b") {
      current = &values[token];
    } else {
      REQUIRE(current != nullptr);
      current->push_back(std::stod(token));
    }
  }
  REQUIRE(values["W"].size() == 12);
  REQUIRE(values["b"].size() == 4);
  return values;
}

Tensor read_tensor(std::istringstream& line) {
  ex::Shape shape;
  for (std::string token; line >> token && token != ";";) shape.push_back(std::stoll(token));
  std::vector<double> values;
  for (double v = 0; line >> v;) values.push_back(v);
  REQUIRE(static_cast<std::int64_t>(values.size()) == shape.numel());
  return ex::tensor(values, shape);
}

GroupSpec read_group(std::istringstream& line) {
  GroupSpec group;
  for (std::string token; line >> token && token != ";";) group.params.push_back(token);
  std::string key;
  for (double value = 0; line >> key >> value;) group.options[key] = value;
  return group;
}

Reference read_reference(const std::string& optimizer) {
  const std::string path = std::string(EXTENSOR_OPTIM_DATA_DIR) + "/" + optimizer + "_reference.txt";
  std::ifstream file(path);
  INFO("reading " << path);
  REQUIRE(file.is_open());
  Reference ref;
  Case* current = nullptr;
  for (std::string text; std::getline(file, text);) {
    if (text.empty() || text[0] == '#') continue;
    std::istringstream line(text);
    std::string kind;
    line >> kind;
    if (kind == "tensor") {
      std::string name;
      line >> name;
      ref.inputs[name] = read_tensor(line);
    } else if (kind == "case") {
      current = &ref.cases.emplace_back();
      std::string dtype;
      line >> current->name >> dtype >> current->steps;
      REQUIRE((dtype == "float64" || dtype == "float32"));
      current->dtype = dtype == "float64" ? DType::Float64 : DType::Float32;
    } else {
      REQUIRE(current != nullptr);
      if (kind == "group") {
        current->groups.push_back(read_group(line));
      } else if (kind == "set") {
        Change change{};
        line >> change.step >> change.group >> change.key >> change.value;
        REQUIRE(line);
        current->changes.push_back(change);
      } else if (kind == "grad") {
        current->grads.push_back(read_values(line, static_cast<int>(current->grads.size()) + 1));
      } else if (kind == "step") {
        current->expected.push_back(read_values(line, static_cast<int>(current->expected.size()) + 1));
      } else {
        REQUIRE(kind == "end");
        REQUIRE(static_cast<int>(current->expected.size()) == current->steps);
        if (current->dtype == DType::Float32) REQUIRE(current->grads.size() == current->expected.size());
        current = nullptr;
      }
    }
  }
  REQUIRE(current == nullptr);
  return ref;
}

// An option of the file's set; every option must be read exactly once, so an option the
// generator adds cannot be silently ignored here.
struct OptionReader {
  Options remaining;
  double operator()(const std::string& key) {
    const auto found = remaining.find(key);
    REQUIRE_MESSAGE(found != remaining.end(), "the reference lacks option " << key);
    const double value = found->second;
    remaining.erase(found);
    return value;
  }
  bool flag(const std::string& key) { return (*this)(key) != 0; }
  ~OptionReader() { CHECK_MESSAGE(remaining.empty(), "an option of the reference is not replayed"); }
};

// AdamOptions or AdamWOptions: the two take the same options.
template <class AdamFamilyOptions>
AdamFamilyOptions adam_options(const Options& options) {
  OptionReader o{options};
  return AdamFamilyOptions(o("lr"))
      .betas({o("beta1"), o("beta2")})
      .eps(o("eps"))
      .weight_decay(o("weight_decay"))
      .amsgrad(o.flag("amsgrad"))
      .maximize(o.flag("maximize"));
}

ex::optim::RMSpropOptions rmsprop_options(const Options& options) {
  OptionReader o{options};
  return ex::optim::RMSpropOptions(o("lr"))
      .alpha(o("alpha"))
      .eps(o("eps"))
      .weight_decay(o("weight_decay"))
      .momentum(o("momentum"))
      .centered(o.flag("centered"))
      .maximize(o.flag("maximize"));
}

ex::optim::AdagradOptions adagrad_options(const Options& options) {
  OptionReader o{options};
  return ex::optim::AdagradOptions(o("lr"))
      .lr_decay(o("lr_decay"))
      .weight_decay(o("weight_decay"))
      .initial_accumulator_value(o("initial_accumulator_value"))
      .eps(o("eps"))
      .maximize(o.flag("maximize"));
}

// The least-squares gradient of loss = 0.5 * sum((X @ W.T + b - Y)^2) / N through the
// tape, seeding backward with dloss/dresidual = residual / N.
void backward_least_squares(const Tensor& X, const Tensor& Y, const Tensor& W, const Tensor& b) {
  const Tensor residual = ex::matmul(X, W.transpose(0, 1)) + b - Y;
  residual.backward(residual.detach() / static_cast<double>(X.size(0)));
}

// Replays every case of optimizer's reference file with Opt, whose options make_options
// builds from the file's option sets.
template <class Opt, class MakeOptions>
void replay(const std::string& optimizer, std::size_t case_count, MakeOptions make_options) {
  const Reference ref = read_reference(optimizer);
  REQUIRE(ref.cases.size() == case_count);
  const Tensor& X = ref.inputs.at("X");
  const Tensor& Y = ref.inputs.at("Y");
  for (const Case& c : ref.cases) {
    SUBCASE(c.name.c_str()) {
      std::map<std::string, Tensor> params{{"W", ref.inputs.at("W0").to(c.dtype)},
                                           {"b", ref.inputs.at("b0").to(c.dtype)}};
      for (auto& [name, p] : params) p = p.clone().requires_grad_();
      std::vector<ex::optim::ParamGroup> groups;
      for (const GroupSpec& spec : c.groups) {
        std::vector<Tensor> group_params;
        for (const std::string& name : spec.params) group_params.push_back(params.at(name));
        groups.emplace_back(group_params, make_options(spec.options));
      }
      Opt optimizer(groups, make_options(c.groups[0].options));
      // float32 agrees to the bit on a CPU with FMA (our loops fuse the multiply-adds
      // PyTorch's vectorized ops fuse); a build without FMA rounds those twice, a few ulps
      // over 32 steps. float64 gradients come from another matmul, whose last-bit
      // differences the most sensitive case (RMSprop alpha_eps) grows to about 1e-12.
      const double tolerance = c.dtype == DType::Float64 ? 1e-11 : 2e-6;
      for (int step = 1; step <= c.steps; ++step) {
        for (const Change& change : c.changes) {
          if (change.step != step) continue;
          ex::optim::OptimizerOptions& options = *optimizer.param_groups()[change.group].options;
          if (change.key == "lr") {
            options.set_lr(change.value);
          } else {
            REQUIRE(change.key == "momentum");
            options.set_cycled_momentum(change.value);
          }
        }
        optimizer.zero_grad();
        if (c.dtype == DType::Float64) {
          backward_least_squares(X, Y, params["W"], params["b"]);
        } else {
          for (const auto& [name, grad] : c.grads[static_cast<std::size_t>(step - 1)])
            params[name].set_grad(ex::tensor(grad, params[name].shape()).to(DType::Float32));
        }
        optimizer.step();
        for (const auto& [name, expected] : c.expected[static_cast<std::size_t>(step - 1)]) {
          INFO(optimizer.defaults().name() << " case " << c.name << ", step " << step << ", parameter " << name);
          ex::test::check_values(params[name], params[name].shape(), expected, tolerance, tolerance);
        }
      }
    }
  }
}

}  // namespace

TEST_CASE("Adam follows PyTorch 1.13's trajectories for every option set") {
  replay<ex::optim::Adam>("adam", 10, adam_options<ex::optim::AdamOptions>);
}

TEST_CASE("AdamW follows PyTorch 1.13's trajectories for every option set") {
  replay<ex::optim::AdamW>("adamw", 8, adam_options<ex::optim::AdamWOptions>);
}

TEST_CASE("RMSprop follows PyTorch 1.13's trajectories for every option set") {
  replay<ex::optim::RMSprop>("rmsprop", 10, rmsprop_options);
}

TEST_CASE("Adagrad follows PyTorch 1.13's trajectories for every option set") {
  replay<ex::optim::Adagrad>("adagrad", 8, adagrad_options);
}
