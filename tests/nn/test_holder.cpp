// Module holders (EX_MODULE / TORCH_MODULE): construction, empty holders,
// register_module with holders, forward signatures, printed names, the shared_ptr form.
#include <sstream>

#include "nn_test_util.hpp"

namespace nn = ex::nn;
using Strings = std::vector<std::string>;

namespace {

// libtorch's tutorial model, as a libtorch user writes it.
struct NetImpl : nn::Module {
  NetImpl(std::int64_t in, std::int64_t out) {
    fc1 = register_module("fc1", nn::Linear(in, 8));
    fc2 = register_module("fc2", nn::Linear(8, out));
  }
  Tensor forward(Tensor x) { return fc2(ex::relu(fc1(x))); }
  nn::Linear fc1{nullptr}, fc2{nullptr};
};
TORCH_MODULE(Net);

// A forward of two arguments.
struct MaskedImpl : nn::Module {
  MaskedImpl() { fc = register_module("fc", nn::Linear(3, 3, false)); }
  Tensor forward(const Tensor& x, const Tensor& mask) { return fc(x) * mask; }
  nn::Linear fc{nullptr};
};
EX_MODULE(Masked);

// A forward that returns two tensors.
struct SplitImpl : nn::Module {
  std::pair<Tensor, Tensor> forward(const Tensor& x) { return {x * 2.0, x * 3.0}; }
};
EX_MODULE(Split);

}  // namespace

TEST_CASE("holder: constructed from arguments, from nullptr, from a shared_ptr, and copies share the module") {
  nn::Linear fc(4, 2);
  CHECK_FALSE(fc.is_empty());
  CHECK(static_cast<bool>(fc));
  CHECK(fc->weight.shape() == Shape{2, 4});
  CHECK((*fc).options().out_features() == 2);
  CHECK(fc.get() == fc.ptr().get());
  nn::Linear copy = fc;  // a copy holds the same module, as in libtorch
  CHECK(copy.get() == fc.get());
  nn::Linear with_options(nn::LinearOptions(3, 1).bias(false));
  CHECK_FALSE(with_options->bias.defined());

  auto impl = std::make_shared<LinearImpl>(2, 2);
  nn::Linear wrapped(impl);
  CHECK(wrapped.get() == impl.get());

  nn::Linear empty{nullptr};
  CHECK(empty.is_empty());
  CHECK_FALSE(static_cast<bool>(empty));
  // A default-constructible module's holder default-constructs it; Linear's does not
  // compile (tests/compile).
  nn::ReLU relu;
  CHECK_FALSE(relu.is_empty());
  CHECK(relu->name() == "ReLU");
}

TEST_CASE("holder: using an empty holder throws ex::Error instead of crashing") {
  nn::Linear empty{nullptr};
  const char* message = "ModuleHolder: Linear is empty (constructed from nullptr)";
  CHECK_THROWS_WITH_AS((void)empty->weight, doctest::Contains(message), ex::Error);
  CHECK_THROWS_WITH_AS((void)*empty, doctest::Contains(message), ex::Error);
  CHECK_THROWS_WITH_AS((void)empty.get(), doctest::Contains(message), ex::Error);
  CHECK_THROWS_WITH_AS((void)empty.ptr(), doctest::Contains(message), ex::Error);
  CHECK_THROWS_WITH_AS(empty(ex::ones({1, 4})), doctest::Contains(message), ex::Error);
  Net net{nullptr};
  CHECK_THROWS_WITH_AS(net->parameters(), doctest::Contains("ModuleHolder: Net is empty"), ex::Error);
  nn::Module parent;
  CHECK_THROWS_WITH_AS(parent.register_module("fc", empty), doctest::Contains("register_module: the module for 'fc'"),
                       ex::Error);
  CHECK(parent.children().empty());
}

TEST_CASE("holder: register_module with a holder returns it, and the member is the registered module") {
  Net net(4, 2);
  CHECK(ex::test::names_of(net->named_parameters()) == Strings{"fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias"});
  CHECK(net->named_children().at("fc1") == net->fc1.ptr());
  CHECK(net->parameters()[0].is_same(net->fc1->weight));
  // The forward through the holders equals the layers applied by hand.
  ex::manual_seed(3);
  const Tensor x = ex::randn({5, 4});
  const Tensor expected = net->fc2->forward(ex::relu(net->fc1->forward(x)));
  check_same_values(net(x), expected, 0.0);
  // Training through the holder reaches every parameter.
  net(x).backward(ex::ones({5, 2}));
  for (const Tensor& p : net->parameters()) CHECK(p.grad().defined());
}

TEST_CASE("holder: forwards of other signatures are called directly") {
  Masked masked;
  ex::test::assign(masked->fc->weight, {1, 0, 0, 0, 1, 0, 0, 0, 1});
  const Tensor x = ex::tensor<float>({1, 2, 3, 4, 5, 6}, {2, 3});
  const Tensor mask = ex::tensor<float>({1, 0, 1}, {1, 3});
  ex::test::check_values(masked(x, mask), {2, 3}, {1, 0, 3, 4, 0, 6});
  Split split;
  const auto [twice, thrice] = split(ex::tensor<float>({1, -1}));
  ex::test::check_values(twice, {2}, {2, -2});
  ex::test::check_values(thrice, {2}, {3, -3});
}

TEST_CASE("holder: a ForwardObserver sees calls through holders, with any forward signature") {
  struct Log : nn::ForwardObserver {
    Strings events;
    void before_forward(const nn::Module& m) override { events.push_back("enter " + m.name()); }
    void after_forward(const nn::Module& m, const Tensor& out) override {
      events.push_back("exit " + m.name() + " " + (out.defined() ? out.shape().str() : "-"));
    }
  };
  Log log;
  {
    nn::ScopedForwardObserver scope(&log);
    Masked()(ex::ones({2, 3}), ex::ones({2, 3}));
    Split()(ex::ones({2}));  // not a Tensor: the observer gets an undefined one
  }
  CHECK(log.events == Strings{"enter Masked", "enter Linear", "exit Linear [2, 3]", "exit Masked [2, 3]", "enter Split",
                              "exit Split -"});
}

TEST_CASE("holder: printed names drop Impl") {
  Net net(2, 1);
  CHECK(net->name() == "Net");
  std::ostringstream os;
  os << net;
  CHECK(os.str() ==
        "Net(\n"
        "  (fc1): Linear(in_features=2, out_features=8, bias=True)\n"
        "  (fc2): Linear(in_features=8, out_features=1, bias=True)\n"
        ")");
  CHECK(nn::to_string(nn::Sequential(nn::Linear(1, 1), nn::ReLU())) ==
        "Sequential(\n  (0): Linear(in_features=1, out_features=1, bias=True)\n  (1): ReLU()\n)");
}

TEST_CASE("holder: the std::shared_ptr form keeps working") {
  struct Block : nn::Module {
    Block() {
      fc = register_module("fc", std::make_shared<LinearImpl>(2, 2));
      seq = register_module("seq", std::make_shared<nn::SequentialImpl>(std::make_shared<nn::TanhImpl>()));
    }
    Tensor forward(const Tensor& x) { return nn::call_forward(*seq, nn::call_forward(*fc, x)); }
    std::shared_ptr<LinearImpl> fc;
    std::shared_ptr<nn::SequentialImpl> seq;
  };
  auto block = std::make_shared<Block>();
  CHECK(ex::test::names_of(block->named_parameters()) == Strings{"fc.weight", "fc.bias"});
  const Tensor x = ex::ones({3, 2});
  check_same_values(nn::call_forward(*block, x), ex::tanh(block->fc->forward(x)), 0.0);
  // A holder can wrap it later.
  nn::Sequential seq(block->seq);
  CHECK(seq.get() == block->seq.get());
  CHECK(seq->size() == 1);
}
