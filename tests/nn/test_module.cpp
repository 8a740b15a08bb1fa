// Module: registration and naming, enumeration order, modes, zero_grad, to(DType),
// printing, the forward observer.
#include <sstream>

#include "nn_test_util.hpp"

using ex::nn::Module;
using ex::test::names_of;
using Strings = std::vector<std::string>;

namespace {

// A module with a parameter, a buffer and a child, registered child first. Its child
// is held by a holder, its parent holds it by a std::shared_ptr: both forms work.
struct Block : Module {
  Block() : Module("Block") {
    fc = register_module("fc", Linear(3, 2));
    scale = register_parameter("scale", ex::ones({2}));
    steps = register_buffer("steps", ex::zeros({}, DType::Int64));
  }
  Tensor forward(const Tensor& x) { return fc(x) * scale; }
  Linear fc{nullptr};
  Tensor scale, steps;
};

struct NetImpl : Module {
  NetImpl() {
    w = register_parameter("w", ex::zeros({2}));
    block = register_module("block", std::make_shared<Block>());
    head = register_module("head", std::make_shared<LinearImpl>(2, 1, false));
    mean = register_buffer("mean", ex::zeros({2}));
  }
  Tensor forward(const Tensor& x) { return ex::nn::call_forward(*head, ex::nn::call_forward(*block, x) + w); }
  Tensor w, mean;
  std::shared_ptr<Block> block;
  std::shared_ptr<LinearImpl> head;
};
EX_MODULE(Net);

}  // namespace

TEST_CASE("Module: nested dotted names in registration order, own entries before children's") {
  Net net;
  CHECK(names_of(net->named_parameters()) ==
        Strings{"w", "block.scale", "block.fc.weight", "block.fc.bias", "head.weight"});
  CHECK(names_of(net->named_parameters(false)) == Strings{"w"});
  CHECK(names_of(net->named_buffers()) == Strings{"mean", "block.steps"});
  CHECK(names_of(net->named_children()) == Strings{"block", "head"});
  CHECK(names_of(net->named_modules()) == Strings{"", "block", "block.fc", "head"});
  CHECK(net->modules().front() == net.ptr());
  CHECK(net->children()[1] == net->head);

  // parameters() hands out the module's own tensors, marked requires_grad.
  const std::vector<Tensor> params = net->parameters();
  REQUIRE(params.size() == 5);
  CHECK(params[0].is_same(net->w));
  CHECK(params[2].is_same(net->block->fc->weight));
  for (const Tensor& p : params) CHECK((p.requires_grad() && p.is_leaf()));
  CHECK(net->buffers()[1].is_same(net->block->steps));
  CHECK_FALSE(net->mean.requires_grad());
  CHECK(net->name() == "Net");
}

TEST_CASE("Module: the named enumerations are ordered maps") {
  Net net;
  const ex::nn::TensorDict params = net->named_parameters();
  CHECK(params.at("block.fc.weight").is_same(net->block->fc->weight));
  CHECK(params["w"].is_same(net->w));
  CHECK(params.find("head.bias") == nullptr);  // head has no bias
  CHECK(params.contains("head.weight"));
  CHECK(params[std::size_t{1}].key() == "block.scale");
  CHECK_THROWS_WITH_AS(params.at("fc3.weight"),
                       "OrderedDict::at: no parameter named 'fc3.weight' (have 'w', 'block.scale', 'block.fc.weight', "
                       "'block.fc.bias', 'head.weight')",
                       ex::Error);
  CHECK(net->named_buffers().at("block.steps").is_same(net->block->steps));
  CHECK(net->named_children().at("head") == net->head);
  CHECK(net->named_modules().at("block.fc") == net->block->fc.ptr());
  CHECK_THROWS_WITH_AS(net->named_children().at("tail"), doctest::Contains("no child named 'tail'"), ex::Error);
}

TEST_CASE("Module: a shared layer is listed once by parameters() but under both names in state_dict()") {
  auto shared = std::make_shared<LinearImpl>(2, 2);
  auto m = std::make_shared<Module>();
  m->register_module("a", shared);
  m->register_module("b", shared);
  CHECK(names_of(m->named_parameters()) == Strings{"a.weight", "a.bias"});
  CHECK(names_of(m->named_modules()) == Strings{"", "a"});
  CHECK(m->state_dict().keys() == Strings{"a.weight", "a.bias", "b.weight", "b.bias"});
}

TEST_CASE("Module: register_parameter with requires_grad false, and register_* return their argument") {
  Module m;
  const Tensor t = ex::ones({2});
  CHECK(m.register_parameter("frozen", t, false).is_same(t));
  CHECK_FALSE(t.requires_grad());
  const Tensor idx = ex::zeros({3}, DType::Int64);
  CHECK(m.register_parameter("index", idx, false).is_same(idx));  // integer parameters cannot require grad
  CHECK(names_of(m.named_parameters()) == Strings{"frozen", "index"});
}

TEST_CASE("Module: invalid and duplicate names, bad tensors and cycles throw") {
  auto m = std::make_shared<Module>("Thing");
  m->register_parameter("w", ex::zeros({2}));
  m->register_buffer("b", ex::zeros({2}));
  m->register_module("c", std::make_shared<Module>());
  CHECK_THROWS_WITH_AS(m->register_parameter("w", ex::zeros({2})),
                       doctest::Contains("register_parameter: module Thing already has an entry named 'w'"), ex::Error);
  CHECK_THROWS_WITH_AS(m->register_buffer("w", ex::zeros({2})), doctest::Contains("register_buffer: module Thing"),
                       ex::Error);
  CHECK_THROWS_WITH_AS(m->register_module("b", std::make_shared<Module>()),
                       doctest::Contains("register_module: module Thing already has an entry named 'b'"), ex::Error);
  CHECK_THROWS_WITH_AS(m->register_parameter("c", ex::zeros({2})), doctest::Contains("register_parameter:"), ex::Error);
  CHECK_THROWS_WITH_AS(m->register_parameter("", ex::zeros({2})),
                       doctest::Contains("register_parameter: the name must not be empty"), ex::Error);
  CHECK_THROWS_WITH_AS(m->register_buffer("a.b", ex::zeros({2})),
                       doctest::Contains("register_buffer: name 'a.b' must not contain '.'"), ex::Error);
  CHECK_THROWS_WITH_AS(m->register_module("x.y", std::make_shared<Module>()),
                       doctest::Contains("register_module: name 'x.y'"), ex::Error);
  CHECK_THROWS_WITH_AS(m->register_parameter("u", Tensor()), doctest::Contains("register_parameter: the tensor"),
                       ex::Error);
  CHECK_THROWS_WITH_AS(m->register_buffer("u", Tensor()), doctest::Contains("register_buffer: the tensor"), ex::Error);
  CHECK_THROWS_WITH_AS(m->register_parameter("i", ex::zeros({2}, DType::Int32)),
                       doctest::Contains("register_parameter: 'i' has dtype int32"), ex::Error);
  const Tensor leaf = ex::ones({2});
  leaf.requires_grad_();
  CHECK_THROWS_WITH_AS(m->register_parameter("v", leaf * 2.0), doctest::Contains("register_parameter:"), ex::Error);
  CHECK_THROWS_WITH_AS(m->register_module("n", std::shared_ptr<Module>()),
                       doctest::Contains("register_module: the module for 'n' is null"), ex::Error);
  CHECK_THROWS_WITH_AS(m->register_module("self", m), doctest::Contains("register_module:"), ex::Error);
  auto child = m->register_module("child", std::make_shared<Module>());
  CHECK_THROWS_WITH_AS(child->register_module("parent", m), doctest::Contains("cyclic"), ex::Error);
  // Failed registrations leave nothing behind.
  CHECK(names_of(m->named_parameters()) == Strings{"w"});
  CHECK(names_of(m->named_children()) == Strings{"c", "child"});
}

TEST_CASE("Module: modules() needs a shared_ptr") {
  LinearImpl on_stack(2, 2);
  CHECK_THROWS_WITH_AS(on_stack.modules(), doctest::Contains("modules: module Linear is not held by a std::shared_ptr"),
                       ex::Error);
  CHECK(on_stack.parameters().size() == 2);  // everything else works without one
}

TEST_CASE("Module: train() and eval() propagate to every descendant") {
  Net net;
  for (const auto& m : net->modules()) CHECK(m->is_training());
  net->eval();
  for (const auto& m : net->modules()) CHECK_FALSE(m->is_training());
  net->block->train();
  CHECK_FALSE(net->is_training());
  CHECK(net->block->fc->is_training());
  CHECK_FALSE(net->head->is_training());
  net->train(true);
  for (const auto& m : net->modules()) CHECK(m->is_training());
}

TEST_CASE("Module: zero_grad sets gradients to none or zeroes them") {
  Net net;
  const Tensor y = net(ex::ones({4, 3}));
  y.backward(ex::ones({4, 1}));
  for (const Tensor& p : net->parameters()) REQUIRE(p.grad().defined());
  net->zero_grad(false);
  for (const Tensor& p : net->parameters()) {
    REQUIRE(p.grad().defined());
    ex::test::check_values(p.grad(), p.shape(), std::vector<double>(static_cast<std::size_t>(p.numel()), 0.0));
  }
  net->zero_grad();
  for (const Tensor& p : net->parameters()) CHECK_FALSE(p.grad().defined());
  net->zero_grad(false);  // nothing to zero
  for (const Tensor& p : net->parameters()) CHECK_FALSE(p.grad().defined());
}

TEST_CASE("Module: to(DType) converts in place so existing handles see the new dtype") {
  Net net;
  const Tensor weight = net->block->fc->weight;  // a handle taken before the conversion
  const std::vector<double> before = weight.to_vector<double>();
  net(ex::ones({1, 3})).backward(ex::ones({1, 1}));
  REQUIRE(weight.grad().defined());

  CHECK(&net->to(DType::Float64) == net.get());
  CHECK(weight.dtype() == DType::Float64);
  CHECK(weight.to_vector<double>() == std::vector<double>(before.begin(), before.end()));  // float32 values exactly
  CHECK(weight.requires_grad());
  CHECK(weight.is_leaf());
  CHECK_FALSE(weight.grad().defined());
  for (const Tensor& p : net->parameters()) CHECK(p.dtype() == DType::Float64);
  CHECK(net->mean.dtype() == DType::Float64);
  CHECK(net->block->steps.dtype() == DType::Int64);  // integer buffers stay

  // The converted model trains in float64.
  const Tensor y = net(ex::ones({2, 3}, DType::Float64));
  CHECK(y.dtype() == DType::Float64);
  y.backward(ex::ones({2, 1}, DType::Float64));
  CHECK(weight.grad().dtype() == DType::Float64);

  CHECK_THROWS_WITH_AS(net->to(DType::Int32), doctest::Contains("to: modules can only be converted to a floating"),
                       ex::Error);
}

TEST_CASE("Module: a graph that saved a parameter cannot be back-propagated after to(DType)") {
  Module m;
  const Tensor s = m.register_parameter("s", ex::full({2}, 3.0));
  const Tensor x = ex::ones({2});
  x.requires_grad_();
  const Tensor y = x * s;  // saves s for the gradient of x
  m.to(DType::Float64);
  CHECK_THROWS_WITH_AS(y.backward(ex::ones({2})), doctest::Contains("modified by an inplace operation"), ex::Error);
}

TEST_CASE("Module: operator<< prints the tree like PyTorch") {
  Net net;
  const std::string expected =
      "Net(\n"
      "  (block): Block(\n"
      "    (fc): Linear(in_features=3, out_features=2, bias=True)\n"
      "  )\n"
      "  (head): Linear(in_features=2, out_features=1, bias=False)\n"
      ")";
  std::ostringstream os;
  os << *net;
  CHECK(os.str() == expected);
  CHECK(ex::nn::to_string(*net) == expected);
  CHECK(ex::nn::to_string(net) == expected);  // the holder prints its module
  CHECK(ex::nn::to_string(Module()) == "Module()");
}

namespace user_models {
struct Encoder : Module {};
template <class T>
struct Wrapped : Module {};
struct DecoderImpl : Module {};
struct Impl : Module {};
}  // namespace user_models

TEST_CASE("a module without a name is named after its class, without namespaces") {
  struct Local : Module {};
  CHECK(user_models::Encoder().name() == "Encoder");
  CHECK(ex::nn::to_string(user_models::Encoder()) == "Encoder()");
  CHECK(user_models::Wrapped<ex::Tensor>().name() == "Wrapped<ex::Tensor>");
  CHECK(Local().name().find("Local") != std::string::npos);
  CHECK(Module().name() == "Module");
  // A name given to the constructor wins, and errors use the name too.
  CHECK(ex::nn::Linear(2, 3)->name() == "Linear");
  // A holder's module class prints without its "Impl"; a class named just Impl keeps it.
  CHECK(user_models::DecoderImpl().name() == "Decoder");
  CHECK(user_models::Impl().name() == "Impl");
  CHECK(Net()->name() == "Net");
}

TEST_CASE("apply visits the module and every descendant once, parents first") {
  Linear shared(2, 2);
  ex::nn::SequentialImpl net;  // on the stack: apply needs no shared_ptr
  net.push_back(shared);
  net.push_back(ex::nn::ReLU());
  net.push_back(shared);  // the same layer twice is visited once
  std::vector<std::string> seen;
  net.apply([&](Module& m) { seen.push_back(m.name()); });
  CHECK(seen == std::vector<std::string>{"Sequential", "Linear", "ReLU"});
  // The usual use: initialize every layer of a type.
  net.apply([](Module& m) {
    if (auto* fc = dynamic_cast<LinearImpl*>(&m)) ex::nn::init::zeros_(fc->weight);
  });
  check_values(shared->weight, {2, 2}, {0, 0, 0, 0});
  CHECK_THROWS_WITH_AS(net.apply([](Module&) { throw ex::Error("init: refused"); }), "init: refused", ex::Error);
}

TEST_CASE("ForwardObserver sees nested operator() calls, outermost first") {
  struct Log : ex::nn::ForwardObserver {
    std::vector<std::string> events;
    void before_forward(const Module& m) override { events.push_back("enter " + m.name()); }
    void after_forward(const Module& m, const Tensor& out) override {
      events.push_back("exit " + m.name() + " " + out.shape().str());
    }
  };
  Net net;
  Log log;
  {
    ex::nn::ScopedForwardObserver scope(&log);
    net(ex::ones({4, 3}));
  }
  net(ex::ones({4, 3}));  // no observer any more
  CHECK(log.events == Strings{"enter Net", "enter Block", "enter Linear", "exit Linear [4, 2]", "exit Block [4, 2]",
                              "enter Linear", "exit Linear [4, 1]", "exit Net [4, 1]"});
}
