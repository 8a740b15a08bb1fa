// Module::clone: deep copies of built-in modules, Sequential and Cloneable user modules,
// independence from the original, and the modules that cannot be cloned.
#include "nn_test_util.hpp"

namespace nn = ex::nn;
using Strings = std::vector<std::string>;

namespace {

// A user module in libtorch's Cloneable style: options copied, entries made in reset().
struct NetImpl : nn::Cloneable<NetImpl> {
  explicit NetImpl(std::int64_t hidden) : hidden(hidden) { reset(); }
  void reset() override {
    fc = register_module("fc", nn::Linear(3, hidden));
    body = register_module("body", nn::Sequential(nn::Tanh(), nn::Linear(hidden, 2)));
    scale = register_parameter("scale", ex::ones({2}));
    steps = register_buffer("steps", ex::zeros({}, DType::Int64));
  }
  Tensor forward(const Tensor& x) { return body(fc(x)) * scale; }
  std::int64_t hidden;
  nn::Linear fc{nullptr};
  nn::Sequential body{nullptr};
  Tensor scale, steps;
};
EX_MODULE(Net);

// Derives from Module directly: no clone.
struct PlainImpl : nn::Module {
  PlainImpl() { register_parameter("w", ex::ones({1})); }
  Tensor forward(const Tensor& x) { return x; }
};
EX_MODULE(Plain);

// Its reset() registers the same tensor again instead of a new one.
struct LazyImpl : nn::Cloneable<LazyImpl> {
  LazyImpl() : w(ex::ones({2})) { reset(); }
  void reset() override { register_parameter("w", w); }
  Tensor w;
};
EX_MODULE(Lazy);

// Checks that every parameter and buffer of copy has the original's value, name, dtype
// and requires_grad, in storage of its own.
void check_deep_copy(const nn::Module& original, const nn::Module& copy) {
  const ex::nn::StateDict a = original.state_dict(), b = copy.state_dict();
  REQUIRE(a.keys() == b.keys());
  for (const auto& [name, t] : a) {
    INFO(name);
    const Tensor& c = b.at(name);
    CHECK(c.dtype() == t.dtype());
    check_same_values(c, t, 0.0);
    CHECK(c.storage() != t.storage());
  }
  const auto ours = original.named_parameters(), theirs = copy.named_parameters();
  for (const auto& [name, p] : ours) {
    const Tensor& q = theirs.at(name);
    CHECK(q.requires_grad() == p.requires_grad());
    CHECK(q.is_leaf());
    CHECK_FALSE(q.grad().defined());
  }
}

}  // namespace

TEST_CASE("clone: a Linear holder clones into a Linear with equal values in new storage") {
  nn::Linear fc(4, 3);
  fc(ex::ones({2, 4})).backward(ex::ones({2, 3}));  // the original has gradients
  const auto rng = ex::default_generator().state();
  nn::Linear copy = fc.clone();
  CHECK(ex::default_generator().state() == rng);  // reset()'s draws are undone
  CHECK(copy.get() != fc.get());
  CHECK(copy->options().in_features() == 4);
  check_deep_copy(*fc, *copy);
  // The clone's members are its registered parameters.
  CHECK(copy->weight.is_same(copy->named_parameters().at("weight")));
  // Changing the clone leaves the original alone.
  const std::vector<float> before = fc->weight.to_vector<float>();
  ex::nn::init::zeros_(copy->weight);
  CHECK(fc->weight.to_vector<float>() == before);
  CHECK(nn::to_string(copy) == "Linear(in_features=4, out_features=3, bias=True)");
}

TEST_CASE("clone: a Cloneable user module copies options, children (recursively), buffers and modes") {
  Net net(5);
  ex::test::assign(net->steps, {9});
  ex::test::assign(net->scale, {2, 3});
  net->body->eval();
  Net copy = net.clone();
  CHECK(copy->hidden == 5);
  check_deep_copy(*net, *copy);
  CHECK(copy->steps.item<std::int64_t>() == 9);
  CHECK(copy->is_training());
  CHECK_FALSE(copy->body->is_training());
  // Members point at the clone's own children, which are the registered ones.
  CHECK(copy->fc.get() != net->fc.get());
  CHECK(copy->named_children().at("fc") == copy->fc.ptr());
  CHECK(copy->named_children().at("body") == copy->body.ptr());
  CHECK(copy->body->ptr(1) != net->body->ptr(1));
  CHECK(copy->fc->weight.is_same(copy->named_parameters().at("fc.weight")));
  CHECK(copy->fc->weight.storage() != net->fc->weight.storage());
  CHECK(nn::to_string(copy) == nn::to_string(net));
  // Same function.
  const Tensor x = ex::randn({4, 3});
  check_same_values(copy(x), net(x), 0.0);
}

TEST_CASE("clone: training the clone leaves the original unchanged, gradients are not shared") {
  Net net(4);
  Net copy = net.clone();
  const ex::nn::StateDict before = net->state_dict();
  std::vector<std::vector<float>> values;
  for (const auto& [name, t] : before) values.push_back(t.to(DType::Float32).to_vector<float>());
  const Tensor x = ex::randn({6, 3});
  for (int step = 0; step < 3; ++step) {
    copy->zero_grad();
    ex::sum(copy(x) * copy(x)).backward();
    ex::NoGradGuard no_grad;
    for (const Tensor& p : copy->parameters()) ex::sub_(p, p.grad() * 0.1);
  }
  for (const Tensor& p : net->parameters()) CHECK_FALSE(p.grad().defined());
  std::size_t i = 0;
  for (const auto& [name, t] : net->state_dict()) {
    INFO(name);
    CHECK(t.to(DType::Float32).to_vector<float>() == values[i++]);
  }
  CHECK(copy->fc->weight.to_vector<float>() != net->fc->weight.to_vector<float>());
}

TEST_CASE("clone: Sequential of built-ins and of a user module, dtype kept") {
  nn::Sequential seq(nn::Linear(2, 3), nn::ReLU(), nn::Dropout(0.3), Net(2), nn::LogSoftmax(1));
  seq->to(DType::Float64);
  nn::Sequential copy = seq.clone();
  check_deep_copy(*seq, *copy);
  CHECK(copy->at<LinearImpl>(0).weight.dtype() == DType::Float64);
  CHECK(copy->at<nn::DropoutImpl>(2).p() == 0.3);
  CHECK(copy->size() == 5);
  for (std::size_t i = 0; i < copy->size(); ++i)
    CHECK(copy[static_cast<std::int64_t>(i)] != seq[static_cast<std::int64_t>(i)]);
  CHECK(nn::to_string(copy) == nn::to_string(seq));
}

TEST_CASE("clone: losses copy their weight buffers") {
  const Tensor w = ex::tensor<float>({1, 2, 3});
  nn::CrossEntropyLoss ce(nn::CrossEntropyLossOptions().weight(w).ignore_index(2).label_smoothing(0.1));
  nn::CrossEntropyLoss copy = ce.clone();
  check_deep_copy(*ce, *copy);
  CHECK_FALSE(copy->weight.is_same(w));
  CHECK(copy->weight.is_same(copy->named_buffers().at("weight")));
  CHECK(copy->ignore_index() == 2);
  CHECK(copy->label_smoothing() == 0.1);
  const Tensor logits = ex::randn({4, 3});
  const Tensor target = ex::tensor<std::int64_t>({0, 1, 2, 1});
  check_same_values(copy(logits, target), ce(logits, target), 0.0);
}

TEST_CASE("clone: modules that cannot be cloned throw ex::Error naming them") {
  Plain plain;
  CHECK_THROWS_WITH_AS(plain.clone(), doctest::Contains("clone: module 'Plain' cannot be cloned"), ex::Error);
  CHECK_THROWS_WITH_AS(plain->clone(), doctest::Contains("ex::nn::Cloneable<PlainImpl>"), ex::Error);
  nn::Sequential seq(nn::ReLU(), plain);
  CHECK_THROWS_WITH_AS(seq.clone(), doctest::Contains("clone: module 'Plain' cannot be cloned"), ex::Error);
  Lazy lazy;
  CHECK_THROWS_WITH_AS(lazy.clone(),
                       doctest::Contains("clone: reset() of module 'Lazy' registered the original's tensor 'w'"),
                       ex::Error);
}
