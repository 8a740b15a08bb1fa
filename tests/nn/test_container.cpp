// Sequential (naming, indexing, forward), Flatten and Identity.
#include "nn_test_util.hpp"

using ex::nn::ModulePtr;
using ex::nn::Sequential;
using ex::nn::SequentialImpl;
using Strings = std::vector<std::string>;

namespace {

Sequential mlp() { return Sequential(Linear(4, 3), ex::nn::Tanh(), Linear(3, 2)); }

}  // namespace

TEST_CASE("Sequential: children named 0, 1, ... and dotted parameter names") {
  auto seq = mlp();
  CHECK(seq->size() == 3);
  CHECK_FALSE(seq->empty());
  CHECK(ex::test::names_of(seq->named_children()) == Strings{"0", "1", "2"});
  CHECK(ex::test::names_of(seq->named_parameters()) == Strings{"0.weight", "0.bias", "2.weight", "2.bias"});
  ex::nn::ReLU relu = seq->push_back(ex::nn::ReLU());  // returns the holder
  CHECK(relu->name() == "ReLU");
  CHECK(seq[3] == relu.ptr());
  CHECK(ex::test::names_of(seq->named_children()).back() == "3");
  // Holders and std::shared_ptrs mix.
  Sequential listed(std::make_shared<ex::nn::IdentityImpl>(), Linear(2, 2));
  CHECK(ex::test::names_of(listed->named_parameters()) == Strings{"1.weight", "1.bias"});
  CHECK(ex::nn::to_string(listed) ==
        "Sequential(\n  (0): Identity()\n  (1): Linear(in_features=2, out_features=2, bias=True)\n)");
}

TEST_CASE("Sequential: operator[] and typed at(), negative indices, errors") {
  auto seq = mlp();
  CHECK(seq[1]->name() == "Tanh");
  CHECK(seq[-1] == seq->children()[2]);
  LinearImpl& first = seq->at<LinearImpl>(0);
  CHECK(first.options().out_features() == 3);
  CHECK(seq->ptr(1)->name() == "Tanh");
  std::shared_ptr<LinearImpl> last = seq->ptr<LinearImpl>(-1);
  CHECK(last->options().in_features() == 3);
  CHECK(last == seq->children()[2]);
  CHECK_THROWS_WITH_AS((*seq)[3], doctest::Contains("Sequential::operator[]: index 3 is out of range for 3 modules"),
                       ex::Error);
  CHECK_THROWS_WITH_AS((*seq)[-4], doctest::Contains("Sequential::operator[]: index -4"), ex::Error);
  CHECK_THROWS_WITH_AS(seq->at<LinearImpl>(1),
                       doctest::Contains("Sequential::at: module 1 is a Tanh, not the requested"), ex::Error);
  CHECK_THROWS_WITH_AS(seq->ptr(7), doctest::Contains("Sequential::ptr: index 7"), ex::Error);
  CHECK_THROWS_WITH_AS(seq->push_back(std::shared_ptr<LinearImpl>()), doctest::Contains("register_module:"), ex::Error);
  CHECK_THROWS_WITH_AS(seq->push_back(Linear(nullptr)),
                       doctest::Contains("register_module: the module for '3' is null"), ex::Error);
  CHECK_THROWS_WITH_AS(seq->push_back(seq), doctest::Contains("cyclic"), ex::Error);
  CHECK(seq->size() == 3);
}

TEST_CASE("Sequential: forward chains the modules, empty returns its input") {
  ex::manual_seed(5);
  auto seq = mlp();
  const Tensor x = ex::randn({6, 4});
  const Tensor expected = seq->at<LinearImpl>(2).forward(ex::tanh(seq->at<LinearImpl>(0).forward(x)));
  ex::test::check_same_values(seq(x), expected, 0.0);
  Sequential empty;
  CHECK(empty(x).is_same(x));
  // Gradients reach every layer through the chain: d/dW0 of sum(g (x W0^T) W1^T) is
  // (g W1)^T x.
  Sequential linear_chain(Linear(4, 3, false), ex::nn::Identity(), Linear(3, 2, false));
  const Tensor g = ex::randn({6, 2});
  linear_chain(x).backward(g);
  ex::NoGradGuard no_grad;
  const Tensor w1 = linear_chain->at<LinearImpl>(2).weight;
  ex::test::check_same_values(linear_chain->at<LinearImpl>(0).weight.grad(),
                              ex::matmul(ex::transpose(ex::matmul(g, w1)), x), 1e-5);
}

TEST_CASE("Flatten and Identity") {
  const Tensor x = ex::arange(24).to(ex::DType::Float32).reshape({2, 3, 4});
  ex::nn::Flatten flatten;
  CHECK(flatten(x).shape() == Shape{2, 12});
  CHECK(flatten(x).to_vector<float>() == x.to_vector<float>());
  CHECK(ex::nn::Flatten(0, -1)(x).shape() == Shape{24});
  CHECK(ex::nn::Flatten(0, 1)(x).shape() == Shape{6, 4});
  CHECK(ex::nn::to_string(flatten) == "Flatten(start_axis=1, end_axis=-1)");
  CHECK_THROWS_WITH_AS(ex::nn::Flatten(3)(x), doctest::Contains("flatten:"), ex::Error);
  ex::nn::Identity identity;
  CHECK(identity(x).is_same(x));
  CHECK(identity->parameters().empty());
}
