// SGD: the fused update against the same rule written with tensor ops, skipping, per
// parameter state, in-place semantics and option validation.

#include <string>
#include <vector>

#include "optim_test_util.hpp"

namespace {

using ex::optim::SGD;
using ex::optim::SGDOptions;

// PyTorch 1.13's SGD rule for one parameter, one tensor op at a time (each result
// stored in the parameter's dtype, as PyTorch stores its intermediate tensors).
struct UnfusedSGD {
  Tensor param;
  Tensor buffer;

  void step(const Tensor& grad, const SGDOptions& o) {
    Tensor g = o.maximize() ? -grad : grad;
    if (o.weight_decay() != 0) g = g + param * o.weight_decay();
    if (o.momentum() != 0) {
      buffer = buffer.defined() ? buffer * o.momentum() + g * (1 - o.dampening()) : g.clone();
      g = o.nesterov() ? g + buffer * o.momentum() : buffer;
    }
    param = param - g * o.lr();
  }
};

// Values in a small range that every floating dtype represents with some precision.
Tensor values(const ex::Shape& shape, ex::DType dtype, std::uint64_t seed) {
  ex::Generator gen(seed);
  return (ex::rand(shape, ex::DType::Float64, gen) * 2.0 - 1.0).to(dtype);
}

// The fused loop may contract p + (-lr) * g into one FMA where the op chain rounds twice
// (PyTorch's vectorized add does the same), so results agree to an ulp or two.
double tolerance(ex::DType dtype) {
  switch (dtype) {
    case ex::DType::Float64:
      return 1e-15;
    case ex::DType::Float32:
      return 1e-6;
    default:
      return 1e-2;  // float16 / bfloat16
  }
}

const std::vector<std::pair<std::string, SGDOptions>>& option_sets() {
  static const std::vector<std::pair<std::string, SGDOptions>> sets{
      {"plain", SGDOptions(0.1)},
      {"weight decay", SGDOptions(0.1).weight_decay(0.05)},
      {"momentum", SGDOptions(0.1).momentum(0.9)},
      {"momentum, dampening, weight decay", SGDOptions(0.05).momentum(0.8).dampening(0.3).weight_decay(0.01)},
      {"nesterov", SGDOptions(0.05).momentum(0.9).nesterov(true).weight_decay(0.02)},
      {"maximize", SGDOptions(0.02).momentum(0.5).maximize(true)},
  };
  return sets;
}

}  // namespace

TEST_CASE("SGD's fused step equals the rule written with tensor ops") {
  for (const ex::DType dtype : {ex::DType::Float64, ex::DType::Float32, ex::DType::Float16, ex::DType::BFloat16}) {
    for (const bool contiguous : {true, false}) {
      for (const auto& [name, options] : option_sets()) {
        const std::string context =
            std::string(ex::dtype_name(dtype)) + (contiguous ? ", contiguous, " : ", non-contiguous, ") + name;
        INFO(context);
        const Tensor initial = values({5, 7}, dtype, 1);
        const Tensor param = contiguous ? initial.clone() : ex::test::noncontiguous(initial);
        REQUIRE(param.is_contiguous() == contiguous);
        param.requires_grad_();
        SGD sgd({param}, options);
        UnfusedSGD expected{initial.clone(), Tensor()};
        for (std::uint64_t step = 0; step < 3; ++step) {
          const Tensor grad = values({5, 7}, dtype, 10 + step);
          param.set_grad(contiguous ? grad : ex::test::noncontiguous(grad));
          sgd.step();
          expected.step(grad, options);
          ex::test::check_values(param, {5, 7}, expected.param.to_vector<double>(), tolerance(dtype), tolerance(dtype));
          if (options.momentum() != 0) {
            const Tensor& buffer = sgd.find_state(param)->at("momentum_buffer");
            ex::test::check_values(buffer, {5, 7}, expected.buffer.to_vector<double>(), tolerance(dtype),
                                   tolerance(dtype));
          }
        }
      }
    }
  }
}

TEST_CASE("SGD's step splits large parameters over threads with the same result") {
  const int threads = ex::get_num_threads();
  ex::set_num_threads(4);
  const SGDOptions options = SGDOptions(0.05).momentum(0.9).weight_decay(0.01).nesterov(true);
  const Tensor initial = values({300, 1000}, ex::DType::Float32, 2);  // well above one thread's grain
  const Tensor param = initial.clone().requires_grad_();
  SGD sgd({param}, options);
  UnfusedSGD expected{initial.clone(), Tensor()};
  for (std::uint64_t step = 0; step < 2; ++step) {
    const Tensor grad = values({300, 1000}, ex::DType::Float32, 20 + step);
    param.set_grad(grad);
    sgd.step();
    expected.step(grad, options);
  }
  ex::set_num_threads(threads);
  ex::test::check_values(param, {300, 1000}, expected.param.to_vector<double>(), 1e-6, 1e-6);
}

TEST_CASE("SGD's step follows the rule on hand-computed values") {
  // p = [1, -2], g = [0.5, 1], momentum 0.9, dampening 0.5, weight decay 0.1, lr 0.1:
  // step 1: g' = g + 0.1 p = [0.6, 0.8]; buf = g' = [0.6, 0.8]; p = [0.94, -2.08]
  // step 2: g' = g + 0.1 p = [0.594, 0.792];
  //         buf = 0.9 [0.6, 0.8] + 0.5 g' = [0.837, 1.116]; p = [0.8563, -2.1916]
  const Tensor p = ex::tensor<double>({1.0, -2.0}).requires_grad_();
  SGD sgd({p}, SGDOptions(0.1).momentum(0.9).dampening(0.5).weight_decay(0.1));
  p.set_grad(ex::tensor<double>({0.5, 1.0}));
  sgd.step();
  ex::test::check_values(p, {2}, {0.94, -2.08}, 1e-15);
  sgd.step();
  ex::test::check_values(p, {2}, {0.8563, -2.1916}, 1e-15);
  ex::test::check_values(sgd.find_state(p)->at("momentum_buffer"), {2}, {0.837, 1.116}, 1e-15);
}

TEST_CASE("SGD(params, lr) takes a learning rate where options are expected, as in libtorch") {
  const Tensor p = ex::tensor<double>({1.0, -2.0}).requires_grad_();
  SGD sgd({p}, 0.5);
  CHECK(sgd.param_groups()[0].options->lr() == 0.5);
  p.set_grad(ex::tensor<double>({0.5, 1.0}));
  sgd.step();
  ex::test::check_values(p, {2}, {0.75, -2.5}, 1e-15);
}

TEST_CASE("SGD reads expanded gradients and keeps a contiguous buffer of its own") {
  const Tensor p = ex::tensor<double>({1.0, 2.0, 3.0}).requires_grad_();
  SGD sgd({p}, SGDOptions(0.5).momentum(0.9));
  const Tensor grad = ex::full({1}, 2.0, ex::DType::Float64).expand({3});
  p.set_grad(grad);
  sgd.step();
  sgd.step();  // buf = 0.9 * 2 + 2 = 3.8
  ex::test::check_values(p, {3}, {-1.9, -0.9, 0.1}, 1e-15);
  const Tensor& buffer = sgd.find_state(p)->at("momentum_buffer");
  CHECK(buffer.is_contiguous());
  CHECK(buffer.storage() != grad.storage());
  ex::test::check_values(buffer, {3}, {3.8, 3.8, 3.8}, 1e-15);
  ex::test::check_values(grad, {3}, {2.0, 2.0, 2.0});
}

TEST_CASE("SGD skips parameters without a gradient and keeps state per parameter") {
  const Tensor a = ex::tensor<double>({1.0, 2.0}).requires_grad_();
  const Tensor b = ex::tensor<double>({3.0, 4.0, 5.0}).requires_grad_();
  const Tensor c = ex::tensor<double>({6.0}).requires_grad_();
  SGD sgd({a, b, c}, SGDOptions(0.5).momentum(0.5));
  a.set_grad(ex::tensor<double>({2.0, 4.0}));
  b.set_grad(ex::tensor<double>({-2.0, 0.0, 2.0}));
  sgd.step();  // c has no gradient: untouched, no state
  ex::test::check_values(a, {2}, {0.0, 0.0});
  ex::test::check_values(b, {3}, {4.0, 4.0, 4.0});
  ex::test::check_values(c, {1}, {6.0});
  CHECK(sgd.find_state(c) == nullptr);
  ex::test::check_values(sgd.find_state(a)->at("momentum_buffer"), {2}, {2.0, 4.0});
  ex::test::check_values(sgd.find_state(b)->at("momentum_buffer"), {3}, {-2.0, 0.0, 2.0});

  a.set_grad(Tensor());  // now only b steps: buf_b = 0.5 buf_b + g_b
  sgd.step();
  ex::test::check_values(a, {2}, {0.0, 0.0});
  ex::test::check_values(sgd.find_state(a)->at("momentum_buffer"), {2}, {2.0, 4.0});
  ex::test::check_values(sgd.find_state(b)->at("momentum_buffer"), {3}, {-3.0, 0.0, 3.0});
  ex::test::check_values(b, {3}, {5.5, 4.0, 2.5});

  // A view of a parameter's data is another parameter with its own state.
  const Tensor base = ex::tensor<double>({1.0, 1.0});
  const Tensor v1 = base.slice(0, 0, 2).requires_grad_();
  const Tensor v2 = base.slice(0, 0, 2).requires_grad_();
  SGD views({v1, v2}, SGDOptions(1.0).momentum(0.5));
  v1.set_grad(ex::tensor<double>({0.25, 0.25}));
  views.step();
  CHECK(views.find_state(v1) != nullptr);
  CHECK(views.find_state(v2) == nullptr);
  ex::test::check_values(v2, {2}, {0.75, 0.75});  // same memory
}

TEST_CASE("SGD updates in place without recording") {
  const Tensor p = ex::tensor<float>({1.0f, 2.0f}).requires_grad_();
  const void* data = p.raw_data();
  const std::uint64_t version = p.version();
  SGD sgd({p}, SGDOptions(1.0));
  p.set_grad(ex::tensor<float>({1.0f, 1.0f}));
  sgd.step();
  ex::test::check_updated_in_place(p, data, version);
  ex::test::check_values(p, {2}, {0.0, 1.0});

  // A graph that saved p before the step cannot be back-propagated after it.
  const Tensor y = p * p;
  sgd.step();
  CHECK_THROWS_WITH_AS(y.backward(ex::ones({2})), doctest::Contains("modified by an inplace operation"), ex::Error);
}

TEST_CASE("SGD validates its options") {
  const Tensor p = ex::zeros({2}).requires_grad_();
  const auto rejects = [&](const SGDOptions& options, const char* what) {
    CHECK_THROWS_WITH_AS(SGD({p}, options), doctest::Contains("SGD:"), ex::Error);
    CHECK_THROWS_WITH_AS(SGD({p}, options), doctest::Contains(what), ex::Error);
  };
  rejects(SGDOptions(-0.1), "invalid learning rate -0.1");
  rejects(SGDOptions(std::nan("")), "invalid learning rate nan");
  rejects(SGDOptions(INFINITY), "invalid learning rate inf");
  rejects(SGDOptions(0.1).momentum(-0.5), "invalid momentum -0.5");
  rejects(SGDOptions(0.1).weight_decay(-1), "invalid weight_decay -1");
  rejects(SGDOptions(0.1).dampening(std::nan("")), "invalid dampening nan");
  rejects(SGDOptions(0.1).nesterov(true), "nesterov momentum requires a momentum > 0 and zero dampening");
  rejects(SGDOptions(0.1).momentum(0.9).dampening(0.1).nesterov(true), "got momentum 0.9, dampening 0.1");
  CHECK_NOTHROW(SGD({p}, SGDOptions(0)));  // lr 0 is allowed, like PyTorch

  // A group's own options are validated too.
  CHECK_THROWS_WITH_AS(SGD({ex::optim::ParamGroup({p}, SGDOptions(-1))}, SGDOptions(0.1)),
                       doctest::Contains("SGD: invalid learning rate -1"), ex::Error);

  // Options changed after construction are checked when they are used.
  SGD sgd({p}, SGDOptions(0.1));
  p.set_grad(ex::ones({2}));
  sgd.param_groups()[0].options->set_lr(-2);
  CHECK_THROWS_WITH_AS(sgd.step(), doctest::Contains("step: invalid learning rate -2"), ex::Error);
  ex::test::check_values(p, {2}, {0.0, 0.0});
}
