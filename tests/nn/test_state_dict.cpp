// state_dict / load_state_dict: order, aliasing, round trips into a fresh model, strict
// and non-strict loading; StateDict itself.
#include "nn_test_util.hpp"

using ex::nn::StateDict;
namespace nn = ex::nn;
using Strings = std::vector<std::string>;

namespace {

// Linear, then a module with a buffer: covers parameters, buffers and nesting.
struct Scaled : nn::Module {
  Scaled() : Module("Scaled") {
    fc = register_module("fc", nn::Linear(3, 2));
    gain = register_parameter("gain", ex::ones({2}));
    count = register_buffer("count", ex::zeros({}, DType::Int64));
  }
  Tensor forward(const Tensor& x) { return fc(x) * gain; }
  nn::Linear fc{nullptr};
  Tensor gain, count;
};

nn::Sequential model() { return nn::Sequential(nn::Linear(4, 3), nn::ReLU(), std::make_shared<Scaled>()); }

}  // namespace

TEST_CASE("state_dict: each module's parameters, then its buffers, then its children, detached aliases") {
  auto m = model();
  const StateDict sd = m->state_dict();
  CHECK(sd.keys() == Strings{"0.weight", "0.bias", "2.gain", "2.count", "2.fc.weight", "2.fc.bias"});
  const Tensor& w = sd.at("0.weight");
  CHECK_FALSE(w.requires_grad());
  CHECK(w.storage() == m->at<nn::LinearImpl>(0).weight.storage());  // an alias, not a copy
  ex::test::assign(w, std::vector<double>(12, 0.5));
  CHECK(m->at<nn::LinearImpl>(0).weight.to_vector<float>() == std::vector<float>(12, 0.5f));
}

TEST_CASE("load_state_dict: a round trip into a fresh model copies every value in place") {
  ex::manual_seed(1);
  auto source = model();
  ex::test::assign(source->at<Scaled>(2).count, {7});
  ex::manual_seed(2);
  auto target = model();
  const Tensor handle = target->at<Scaled>(2).fc->weight;  // handles stay valid
  const std::uint64_t version = handle.version();
  CHECK(handle.to_vector<float>() != source->at<Scaled>(2).fc->weight.to_vector<float>());

  const nn::LoadStateDictResult result = target->load_state_dict(source->state_dict());
  CHECK(result.missing_keys.empty());
  CHECK(result.unexpected_keys.empty());
  for (const auto& [name, t] : source->state_dict()) {
    INFO(name);
    ex::test::check_same_values(target->state_dict().at(name), t, 0.0);
  }
  CHECK(handle.is_same(target->at<Scaled>(2).fc->weight));
  CHECK(handle.version() > version);
  CHECK(handle.requires_grad());
  CHECK(handle.is_leaf());
  // The models now compute the same function.
  const Tensor x = ex::randn({5, 4});
  ex::test::check_same_values(target(x), source(x), 0.0);
}

TEST_CASE("load_state_dict: strict mode names missing and unexpected keys and loads nothing") {
  auto m = model();
  const std::vector<float> before = m->at<nn::LinearImpl>(0).weight.to_vector<float>();
  StateDict sd;
  for (const auto& [name, t] : m->state_dict())
    if (name != "2.gain") sd.insert(name, ex::zeros_like(t));
  sd.insert("2.extra", ex::zeros({1}));
  CHECK_THROWS_WITH_AS(m->load_state_dict(sd),
                       doctest::Contains("load_state_dict: cannot load into Sequential: missing keys '2.gain'; "
                                         "unexpected keys '2.extra'"),
                       ex::Error);
  CHECK(m->at<nn::LinearImpl>(0).weight.to_vector<float>() == before);

  // Non-strict: loads what matches and reports the rest.
  const nn::LoadStateDictResult result = m->load_state_dict(sd, false);
  CHECK(result.missing_keys == Strings{"2.gain"});
  CHECK(result.unexpected_keys == Strings{"2.extra"});
  CHECK(m->at<nn::LinearImpl>(0).weight.to_vector<float>() == std::vector<float>(12, 0.0f));
  CHECK(m->at<Scaled>(2).gain.to_vector<float>() == std::vector<float>{1, 1});
}

TEST_CASE("load_state_dict: shape and dtype mismatches throw naming the key, strict or not") {
  auto m = model();
  StateDict wrong_shape, wrong_dtype;
  for (const auto& [name, t] : m->state_dict()) {
    wrong_shape.insert(name, name == "0.bias" ? ex::zeros({4}) : t.clone());
    wrong_dtype.insert(name, name == "2.fc.weight" ? t.to(DType::Float64) : t.clone());
  }
  CHECK_THROWS_WITH_AS(m->load_state_dict(wrong_shape, false),
                       doctest::Contains("'0.bias' is float32 [4] in the state dict but float32 [3] in the module"),
                       ex::Error);
  CHECK_THROWS_WITH_AS(
      m->load_state_dict(wrong_dtype),
      doctest::Contains("load_state_dict: cannot load into Sequential: '2.fc.weight' is float64 [2, 3] "
                        "in the state dict but float32 [2, 3] in the module"),
      ex::Error);
}

TEST_CASE("StateDict: ordered insertion, lookup and errors") {
  StateDict sd{{"b", ex::zeros({1})}, {"a", ex::ones({2})}};
  CHECK(sd.keys() == Strings{"b", "a"});
  CHECK(sd.size() == 2);
  CHECK(sd.contains("a"));
  CHECK_FALSE(sd.contains("c"));
  CHECK(sd.at("a").numel() == 2);
  CHECK_THROWS_WITH_AS(sd.at("c"), doctest::Contains("StateDict::at: no entry named 'c'"), ex::Error);
  CHECK_THROWS_WITH_AS(sd.insert("a", ex::zeros({1})),
                       doctest::Contains("StateDict::insert: an entry named 'a' already exists"), ex::Error);
  CHECK_THROWS_WITH_AS(sd.insert("", ex::zeros({1})),
                       doctest::Contains("StateDict::insert: the name must not be empty"), ex::Error);
  CHECK_THROWS_WITH_AS(sd.insert("u", Tensor()),
                       doctest::Contains("StateDict::insert: the tensor for 'u' is undefined"), ex::Error);
  CHECK(StateDict().empty());
}
