// Loss modules: each equals its functional form for every reduction; options, weight
// buffers, printing and errors.
#include "nn_test_util.hpp"

using ex::Reduction;
namespace nn = ex::nn;
namespace F = ex::nn::functional;

namespace {

constexpr Reduction kReductions[] = {Reduction::None, Reduction::Mean, Reduction::Sum};

struct Data {
  Tensor x, t;             // regression input and target [2, 3]
  Tensor prob, soft;       // probabilities and soft targets in [0, 1]
  Tensor w3, w21, pos;     // weights broadcasting to [2, 3]
  Tensor logits, classes;  // [4, 5] and int64 [4]
  Tensor class_weight;     // [5]
};

Data make_data(DType dtype) {
  ex::manual_seed(31);
  Data d;
  d.x = ex::randn({2, 3}, dtype);
  d.t = ex::randn({2, 3}, dtype);
  d.prob = ex::sigmoid(ex::randn({2, 3}, dtype));
  d.soft = ex::rand({2, 3}, dtype);
  d.w3 = ex::rand({3}, dtype) + 0.5;
  d.w21 = ex::rand({2, 1}, dtype) + 0.5;
  d.pos = ex::rand({3}, dtype) + 0.5;
  d.logits = ex::randn({4, 5}, dtype) * 2.0;
  d.classes = ex::tensor<std::int64_t>({3, 0, 4, 2});
  d.class_weight = ex::rand({5}, dtype) + 0.5;
  return d;
}

}  // namespace

TEST_CASE("loss modules equal their functional forms for every reduction") {
  for (DType dtype : {DType::Float32, DType::Float64}) {
    const Data d = make_data(dtype);
    for (Reduction r : kReductions) {
      INFO("reduction " << static_cast<int>(r) << ", dtype " << ex::dtype_name(dtype));
      check_same_values(nn::MSELoss(r)(d.x, d.t), F::mse_loss(d.x, d.t, r), 0.0);
      check_same_values(nn::L1Loss(r)(d.x, d.t), F::l1_loss(d.x, d.t, r), 0.0);
      check_same_values(nn::SmoothL1Loss(r)(d.x, d.t), F::smooth_l1_loss(d.x, d.t, r), 0.0);
      check_same_values(nn::SmoothL1Loss(r, 0.5)(d.x, d.t), F::smooth_l1_loss(d.x, d.t, r, 0.5), 0.0);
      check_same_values(nn::BCELoss(Tensor(), r)(d.prob, d.soft), F::binary_cross_entropy(d.prob, d.soft, {}, r), 0.0);
      check_same_values(nn::BCELoss(d.w3, r)(d.prob, d.soft), F::binary_cross_entropy(d.prob, d.soft, d.w3, r), 0.0);
      check_same_values(nn::BCEWithLogitsLoss(Tensor(), r)(d.x, d.soft),
                        F::binary_cross_entropy_with_logits(d.x, d.soft, {}, r), 0.0);
      check_same_values(nn::BCEWithLogitsLoss(
                            nn::BCEWithLogitsLossOptions().weight(d.w21).pos_weight(d.pos).reduction(r))(d.x, d.soft),
                        F::binary_cross_entropy_with_logits(d.x, d.soft, d.w21, r, d.pos), 0.0);
      check_same_values(nn::CrossEntropyLoss(Tensor(), -100, r)(d.logits, d.classes),
                        F::cross_entropy(d.logits, d.classes, {}, -100, r), 0.0);
      check_same_values(
          nn::CrossEntropyLoss(
              nn::CrossEntropyLossOptions().weight(d.class_weight).ignore_index(4).label_smoothing(0.1).reduction(r))(
              d.logits, d.classes),
          F::cross_entropy(d.logits, d.classes, d.class_weight, 4, r, 0.1), 0.0);
      const Tensor log_probs = F::log_softmax(d.logits, 1);
      check_same_values(nn::NLLLoss(Tensor(), -100, r)(log_probs, d.classes),
                        F::nll_loss(log_probs, d.classes, {}, -100, r), 0.0);
      check_same_values(
          nn::NLLLoss(nn::NLLLossOptions().weight(d.class_weight).ignore_index(0).reduction(r))(log_probs, d.classes),
          F::nll_loss(log_probs, d.classes, d.class_weight, 0, r), 0.0);
    }
  }
}

TEST_CASE("loss modules: hand values and defaults") {
  const Tensor x = ex::tensor<float>({1, 2}), t = ex::tensor<float>({0, 0});
  ex::test::check_values(nn::MSELoss()(x, t), {}, {2.5});
  ex::test::check_values(nn::MSELoss(Reduction::Sum)(x, t), {}, {5});
  ex::test::check_values(nn::MSELoss(Reduction::None)(x, t), {2}, {1, 4});
  ex::test::check_values(nn::L1Loss()(x, t), {}, {1.5});
  CHECK(nn::MSELoss()->reduction() == Reduction::Mean);
  CHECK(nn::SmoothL1Loss()->beta() == 1.0);
  const nn::CrossEntropyLoss ce;
  CHECK(ce->ignore_index() == -100);
  CHECK(ce->label_smoothing() == 0.0);
  CHECK_FALSE(ce->weight.defined());
  CHECK(nn::NLLLoss()->ignore_index() == -100);
  CHECK(ex::nn::to_string(ce) == "CrossEntropyLoss()");
}

TEST_CASE("loss modules: weights are buffers, converted by to(DType)") {
  const Tensor w = ex::ones({5});
  nn::CrossEntropyLoss ce(w);
  CHECK(ex::test::names_of(ce->named_buffers()) == std::vector<std::string>{"weight"});
  CHECK(ce->weight.is_same(w));
  CHECK(ce->parameters().empty());
  nn::BCEWithLogitsLoss bce(ex::ones({3}), Reduction::Mean, ex::ones({3}));
  CHECK(bce->state_dict().keys() == std::vector<std::string>{"weight", "pos_weight"});
  ce->to(DType::Float64);
  CHECK(w.dtype() == DType::Float64);
  const Data d = make_data(DType::Float64);
  check_same_values(ce(d.logits, d.classes), F::cross_entropy(d.logits, d.classes, ex::ones({5}, DType::Float64)), 0.0);
}

TEST_CASE("CrossEntropyLoss: backward gives the cross_entropy_backward kernel's gradient (needs the loss to record)") {
  const Data d = make_data(DType::Float64);
  const Tensor logits = d.logits.clone();
  logits.requires_grad_();
  nn::CrossEntropyLoss(d.class_weight)(logits, d.classes).backward();
  REQUIRE(logits.grad().defined());
  check_same_values(
      logits.grad(),
      ex::cross_entropy_backward(ex::scalar_tensor(1.0, DType::Float64), d.logits, d.classes, d.class_weight), 1e-12);
}

TEST_CASE("loss modules: errors") {
  CHECK_THROWS_WITH_AS(nn::SmoothL1Loss(Reduction::Mean, -1.0), doctest::Contains("SmoothL1Loss: beta must be >= 0"),
                       ex::Error);
  CHECK_THROWS_WITH_AS(nn::CrossEntropyLoss(Tensor(), -100, Reduction::Mean, 1.5),
                       doctest::Contains("CrossEntropyLoss: label_smoothing must be in [0, 1], got 1.5"), ex::Error);
  CHECK_THROWS_WITH_AS(nn::MSELoss(static_cast<Reduction>(7)), doctest::Contains("MSELoss: invalid reduction value 7"),
                       ex::Error);
  // (Calling a loss with one argument does not compile: tests/compile.)
  // The functions' errors come through under their names.
  CHECK_THROWS_WITH_AS(nn::MSELoss()(ex::zeros({2}), ex::zeros({3})), doctest::Contains("mse_loss:"), ex::Error);
  CHECK_THROWS_WITH_AS(nn::CrossEntropyLoss()(ex::zeros({2, 3}), ex::tensor<std::int64_t>({0, 5})),
                       doctest::Contains("cross_entropy:"), ex::Error);
}
