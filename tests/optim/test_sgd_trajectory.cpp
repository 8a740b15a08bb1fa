// SGD against PyTorch 1.13: 20 steps of every option set on a fixed least-squares
// problem, compared with the trajectories in data/sgd_reference.txt (written by
// tools/optim_reference/gen_sgd_reference.py, which documents the format).

#include <cmath>
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

struct GroupSpec {
  std::vector<std::string> params;  // "W", "b"
  ex::optim::SGDOptions options{0.0};
};

struct LrChange {
  int step;
  std::size_t group;
  double lr;
};

struct Case {
  std::string name;
  int steps = 0;
  std::vector<GroupSpec> groups;
  std::vector<LrChange> lr_changes;
  std::vector<std::map<std::string, std::vector<double>>> expected;  // per step: name -> values
};

struct Reference {
  std::map<std::string, ex::Tensor> inputs;  // X, Y, W0, b0
  std::vector<Case> cases;
};

// Reads the next token and checks it is `word`.
void expect(std::istream& in, const std::string& word) {
  std::string token;
  in >> token;
  REQUIRE(token == word);
}

std::vector<double> read_values(std::istream& in, std::size_t count) {
  std::vector<double> values(count);
  for (double& v : values) in >> v;
  REQUIRE(in);
  return values;
}

ex::Tensor read_tensor(std::istream& in) {
  ex::Shape shape;
  for (std::string token; in >> token && token != ";";) shape.push_back(std::stoll(token));
  const std::vector<double> values = read_values(in, static_cast<std::size_t>(shape.numel()));
  return ex::tensor(values, shape);
}

GroupSpec read_group(std::istream& in) {
  GroupSpec group;
  for (std::string token; in >> token && token != ";";) group.params.push_back(token);
  std::map<std::string, double> options;
  for (const char* key : {"lr", "momentum", "dampening", "weight_decay", "nesterov", "maximize"}) {
    expect(in, key);
    in >> options[key];
  }
  group.options.lr(options["lr"])
      .momentum(options["momentum"])
      .dampening(options["dampening"])
      .weight_decay(options["weight_decay"])
      .nesterov(options["nesterov"] != 0)
      .maximize(options["maximize"] != 0);
  return group;
}

Case read_case(std::istream& in) {
  Case c;
  in >> c.name >> c.steps;
  for (std::string token; in >> token && token != "end";) {
    if (token == "group") {
      c.groups.push_back(read_group(in));
    } else if (token == "set_lr") {
      LrChange change{};
      in >> change.step >> change.group >> change.lr;
      c.lr_changes.push_back(change);
    } else {
      REQUIRE(token == "step");
      int step = 0;
      in >> step;
      REQUIRE(step == static_cast<int>(c.expected.size()) + 1);
      auto& values = c.expected.emplace_back();
      expect(in, "W");
      values["W"] = read_values(in, 12);
      expect(in, "b");
      values["b"] = read_values(in, 4);
    }
  }
  REQUIRE(static_cast<int>(c.expected.size()) == c.steps);
  return c;
}

Reference read_reference() {
  const std::string path = std::string(EXTENSOR_OPTIM_DATA_DIR) + "/sgd_reference.txt";
  std::ifstream file(path);
  INFO("reading " << path);
  REQUIRE(file.is_open());
  std::stringstream tokens;  // the file without its comment lines
  for (std::string line; std::getline(file, line);)
    if (line.empty() || line[0] != '#') tokens << line << '\n';
  Reference ref;
  for (std::string kind; tokens >> kind;) {
    if (kind == "tensor") {
      std::string name;
      tokens >> name;
      ref.inputs[name] = read_tensor(tokens);
    } else {
      REQUIRE(kind == "case");
      ref.cases.push_back(read_case(tokens));
    }
  }
  return ref;
}

// One step's gradient of loss = 0.5 * sum((X @ W.T + b - Y)^2) / N through the tape:
// backward from the residual with the seed dloss/dresidual = residual / N (the seed
// keeps the test independent of whether sum records).
void backward_least_squares(const ex::Tensor& X, const ex::Tensor& Y, const ex::Tensor& W, const ex::Tensor& b) {
  const ex::Tensor residual = ex::matmul(X, W.transpose(0, 1)) + b - Y;
  residual.backward(residual.detach() / static_cast<double>(X.size(0)));
}

}  // namespace

TEST_CASE("SGD follows PyTorch 1.13's trajectories for every option set") {
  const Reference ref = read_reference();
  REQUIRE(ref.cases.size() == 10);
  const ex::Tensor& X = ref.inputs.at("X");
  const ex::Tensor& Y = ref.inputs.at("Y");
  for (const Case& c : ref.cases) {
    SUBCASE(c.name.c_str()) {
      std::map<std::string, ex::Tensor> params{{"W", ref.inputs.at("W0").clone()}, {"b", ref.inputs.at("b0").clone()}};
      for (auto& [name, p] : params) p.requires_grad_();
      std::vector<ex::optim::ParamGroup> groups;
      for (const GroupSpec& spec : c.groups) {
        std::vector<ex::Tensor> group_params;
        for (const std::string& name : spec.params) group_params.push_back(params.at(name));
        groups.emplace_back(group_params, spec.options);
      }
      ex::optim::SGD sgd(groups, c.groups[0].options);
      for (int step = 1; step <= c.steps; ++step) {
        for (const LrChange& change : c.lr_changes)
          if (change.step == step) sgd.param_groups()[change.group].options->set_lr(change.lr);
        sgd.zero_grad();
        backward_least_squares(X, Y, params["W"], params["b"]);
        sgd.step();
        for (const auto& [name, expected] : c.expected[static_cast<std::size_t>(step - 1)]) {
          INFO("case " << c.name << ", step " << step << ", parameter " << name);
          ex::test::check_values(params[name], params[name].shape(), expected, 1e-10, 0);
        }
      }
    }
  }
}
