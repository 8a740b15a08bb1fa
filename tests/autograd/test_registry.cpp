// The op registry: every entry passes gradcheck and gradgradcheck (entries register
// where their op is defined, so the registry is the list of differentiable ops),
// gradients reach a base through Tensor's view members, losses differentiate their
// targets where PyTorch 1.13 does, and non-differentiable ops never record.

#include <doctest/doctest.h>

#include <functional>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "registry_samples.hpp"
#include "test_util.hpp"

namespace {

using ex::Reduction;
using ex::autograd::find_op;
using ex::autograd::gradcheck;
using ex::autograd::GradcheckResult;
using In = const std::vector<Tensor>&;

// Whether the graph behind t contains a node of the op named name.
bool graph_has_op(const Tensor& t, const std::string& name) {
  std::vector<std::shared_ptr<ex::autograd::Node>> stack;
  std::set<const ex::autograd::Node*> seen;
  if (t.grad_fn()) stack.push_back(t.grad_fn());
  while (!stack.empty()) {
    std::shared_ptr<ex::autograd::Node> node = stack.back();
    stack.pop_back();
    if (!seen.insert(node.get()).second) continue;
    if (node->name() == name) return true;
    for (const ex::autograd::Edge& edge : node->next_edges())
      if (edge.node) stack.push_back(edge.node);
  }
  return false;
}

// Runs one sample: its graph must contain the op it is filed under, and gradcheck pass.
void check_sample(const std::string& op, const ex::test::GradcheckSample& sample) {
  INFO("op ", op, ", sample: ", sample.what);
  std::vector<Tensor> inputs;
  bool any_requires = false;
  for (const Tensor& x : sample.inputs) any_requires |= x.requires_grad();
  for (const Tensor& x : sample.inputs) {
    const bool checked = any_requires ? x.requires_grad() : x.dtype() == DType::Float64;
    inputs.push_back(checked ? x.detach().clone().requires_grad_() : x);
  }
  CHECK_MESSAGE(graph_has_op(sample.fn(inputs), op), "the sample does not record op ", op);
  const GradcheckResult result = gradcheck(sample.fn, sample.inputs, sample.eps, sample.atol);
  INFO(result.report);
  CHECK(result.passed);
}

}  // namespace

TEST_CASE("registry: every built-in entry passes gradcheck (float64) on its samples") {
  const ex::test::GradcheckSamples samples = ex::test::registry_gradcheck_samples();
  std::size_t checked = 0;
  for (const ex::autograd::OpInfo* op : ex::autograd::registered_ops()) {
    // Entries a differentiable backward records are checked through their op's
    // gradgradcheck below.
    if (op->custom || op->name == "AccumulateGrad" || op->derivative_of) continue;
    const auto it = samples.find(op->name);
    if (it == samples.end()) {
      FAIL_CHECK("no gradcheck sample for op " << op->name);
      continue;
    }
    for (const ex::test::GradcheckSample& sample : it->second) check_sample(op->name, sample);
    ++checked;
  }
  CHECK(checked == samples.size());  // every sample is for a registered op
  for (const auto& [name, list] : samples) {
    INFO("sample table entry ", name);
    CHECK(find_op(name) != nullptr);
    CHECK_FALSE(list.empty());
  }
}

TEST_CASE("registry: every differentiable entry passes gradgradcheck, and the others throw under create_graph") {
  const ex::test::GradcheckSamples samples = ex::test::registry_gradcheck_samples();
  std::size_t twice = 0, once = 0;
  for (const ex::autograd::OpInfo* op : ex::autograd::registered_ops()) {
    if (op->custom || op->name == "AccumulateGrad" || op->derivative_of) continue;
    const auto it = samples.find(op->name);
    if (it == samples.end()) continue;  // reported by the gradcheck walk
    for (const ex::test::GradcheckSample& sample : it->second) {
      INFO("op ", op->name, ", sample: ", sample.what);
      if (op->differentiable_backward) {
        const GradcheckResult result = ex::autograd::gradgradcheck(sample.fn, sample.inputs, sample.eps, sample.atol);
        INFO(result.report);
        CHECK(result.passed);
      } else {
        CHECK_FALSE(op->first_order_reason.empty());
        std::vector<Tensor> inputs;
        for (const Tensor& x : sample.inputs)
          inputs.push_back(x.dtype() == DType::Float64 ? x.detach().clone().requires_grad_() : x);
        std::vector<Tensor> wrt;
        for (const Tensor& x : inputs)
          if (x.requires_grad()) wrt.push_back(x);
        const Tensor out = ex::sum(sample.fn(inputs));
        const std::string expected =
            "the backward of '" + op->name + "' is not differentiable (" + op->first_order_reason + ")";
        CHECK_THROWS_WITH_AS(ex::autograd::grad({out}, wrt, {}, false, /*create_graph=*/true, true),
                             doctest::Contains(expected.c_str()), ex::Error);
      }
    }
    ++(op->differentiable_backward ? twice : once);
  }
  MESSAGE(twice << " entries differentiate twice, " << once << " once");
  CHECK(twice > 40);
}

TEST_CASE("registry: every composite op differentiates twice through its composition and has samples") {
  const ex::test::GradcheckSamples samples = ex::test::composite_samples();
  const std::vector<std::string> composites = ex::autograd::composite_ops();
  CHECK(composites.size() == samples.size());
  for (const std::string& name : composites) {
    const auto it = samples.find(name);
    if (it == samples.end()) {
      FAIL_CHECK("no sample for composite op " << name);
      continue;
    }
    for (const ex::test::GradcheckSample& sample : it->second) {
      INFO("composite ", name, ", sample: ", sample.what);
      const GradcheckResult first = gradcheck(sample.fn, sample.inputs, sample.eps, sample.atol);
      INFO(first.report);
      CHECK(first.passed);
      const GradcheckResult second = ex::autograd::gradgradcheck(sample.fn, sample.inputs, sample.eps, sample.atol);
      INFO(second.report);
      CHECK(second.passed);
    }
  }
}

TEST_CASE("registry: Tensor's view members record, and gradients reach their base") {
  const std::vector<std::pair<std::string, std::function<Tensor(const Tensor&)>>> members = {
      {"slice", [](const Tensor& x) { return x.slice(1, 1, 3, 1).slice(0, 0, 3, 2); }},
      {"transpose", [](const Tensor& x) { return x.transpose(0, 1); }},
      {"expand",
       [](const Tensor& x) {
         return x.slice(1, 0, 1).expand({2, 3, 4});
       }},
      {"broadcast_to",
       [](const Tensor& x) {
         return x.slice(1, 0, 1).broadcast_to({3, 2});
       }},
      {"view",
       [](const Tensor& x) {
         return x.view({6, 2});
       }},
      {"reshape",
       [](const Tensor& x) {
         return x.transpose(0, 1).reshape({2, 6});
       }},
      {"flatten", [](const Tensor& x) { return x.flatten(); }},
      {"squeeze", [](const Tensor& x) { return x.slice(1, 2, 3).squeeze(); }},
      {"unsqueeze", [](const Tensor& x) { return x.unsqueeze(1); }},
      {"permute",
       [](const Tensor& x) {
         return x.view({2, 2, 3}).permute({2, 0, 1});
       }},
      {"clone", [](const Tensor& x) { return ex::multiply(x.clone(), x); }},
  };
  for (const auto& [name, member] : members) {
    INFO("Tensor::", name);
    const Tensor x = ex::test::uniform64({3, 4});
    x.requires_grad_();
    CHECK(member(x).grad_fn_name() != "");
    CHECK(graph_has_op(member(x), name));
    const GradcheckResult result = gradcheck([&](In in) { return member(in[0]); }, {x.detach()});
    INFO(result.report);
    CHECK(result.passed);
  }
  // to: through float32 and back (a larger step: the rounding would swamp 1e-6).
  const Tensor x = ex::test::uniform64({3, 4}).requires_grad_();
  CHECK(x.to(DType::Float32).grad_fn_name() == "to");
  const GradcheckResult to_result =
      gradcheck([](In in) { return in[0].to(DType::Float32).to(DType::Float64); }, {x.detach()}, 1e-2, 1e-4);
  INFO(to_result.report);
  CHECK(to_result.passed);
}

TEST_CASE("registry: slice and expand gradients by hand") {
  // x = [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9, 10, 11]]; columns 1 and 3 of every row.
  const Tensor x = ex::arange(0, 12, 1, DType::Float64).reshape({3, 4}).requires_grad_();
  const Tensor y = x.slice(1, 1, 4, 2);
  check_values(y, {3, 2}, {1, 3, 5, 7, 9, 11});
  y.backward(ex::tensor<double>({1, 2, 3, 4, 5, 6}, {3, 2}));
  check_values(x.grad(), {3, 4}, {0, 1, 0, 2, 0, 3, 0, 4, 0, 5, 0, 6});
  // A second backward through a slice of a slice accumulates into the same base.
  x.slice(0, 1, 3).slice(1, 0, 1).backward(ex::tensor<double>({10, 20}, {2, 1}));
  check_values(x.grad(), {3, 4}, {0, 1, 0, 2, 10, 3, 0, 4, 20, 5, 0, 6});

  // expand [3, 1] -> [3, 4] sums each row of the gradient; [4] -> [2, 4] each column.
  const Tensor c = ex::tensor<double>({1, 2, 3}, {3, 1}).requires_grad_();
  c.expand({3, 4}).backward(ex::arange(0, 12, 1, DType::Float64).reshape({3, 4}));
  check_values(c.grad(), {3, 1}, {6, 22, 38});
  const Tensor r = ex::tensor<double>({1, 2, 3, 4}, {4}).requires_grad_();
  r.expand({2, 4}).backward(ex::arange(0, 8, 1, DType::Float64).reshape({2, 4}));
  check_values(r.grad(), {4}, {4, 6, 8, 10});
}

TEST_CASE("registry: regression losses differentiate the target as the negated input gradient") {
  const Tensor x = ex::tensor<double>({0.5, -1.0, 2.0}, {3}).requires_grad_();
  const Tensor t = ex::tensor<double>({1.0, 1.0, 1.5}, {3}).requires_grad_();
  // mse Mean: d/dx = 2 (x - t) / 3 = {-1/3, -4/3, 1/3}.
  ex::mse_loss(x, t).backward();
  check_values(x.grad(), {3}, {-1.0 / 3, -4.0 / 3, 1.0 / 3}, 1e-12);
  check_values(t.grad(), {3}, {1.0 / 3, 4.0 / 3, -1.0 / 3}, 1e-12);
  // l1 Sum: sign(x - t) and its negation; smooth_l1 (beta 1) None: d inside, sign outside.
  x.set_grad({});
  t.set_grad({});
  ex::l1_loss(x, t, Reduction::Sum).backward();
  check_values(t.grad(), {3}, {1, 1, -1});
  x.set_grad({});
  t.set_grad({});
  ex::smooth_l1_loss(x, t, Reduction::None).backward(ex::ones({3}, DType::Float64));
  check_values(x.grad(), {3}, {-0.5, -1, 0.5});
  check_values(t.grad(), {3}, {0.5, 1, -0.5});
  // A float32 input with a float64 target: each gradient in its own dtype, the target's
  // computed in float64 (not rounded through float32).
  const Tensor x32 = ex::tensor<float>({0.1f}, {1}).requires_grad_();
  const Tensor t64 = ex::tensor<double>({0.3}, {1}).requires_grad_();
  ex::mse_loss(x32, t64, Reduction::Sum).backward();
  CHECK(x32.grad().dtype() == DType::Float32);
  CHECK(t64.grad().dtype() == DType::Float64);
  check_values(t64.grad(), {1}, {-2 * (static_cast<double>(0.1f) - 0.3)}, 1e-15, 0);
}

TEST_CASE("registry: binary cross entropy losses differentiate the target (PyTorch 1.13 values)") {
  // torch: x, t requires_grad; F.binary_cross_entropy(x, t, weight=w).backward()
  const Tensor x = ex::tensor<double>({0.2, 0.7, 0.5, 0.9, 0.1, 0.4}, {2, 3}).requires_grad_();
  const Tensor t = ex::tensor<double>({0.0, 1.0, 0.3, 0.8, 0.25, 1.0}, {2, 3}).requires_grad_();
  const Tensor w = ex::tensor<double>({0.5, 2.0, 1.0}, {3});
  ex::binary_cross_entropy(x, t, w).backward();
  check_values(x.grad(), {2, 3},
               {0.10416666666666664, -0.4761904761904762, 0.13333333333333333, 0.0925925925925926, -0.5555555555555555,
                -0.4166666666666667},
               1e-12);
  check_values(
      t.grad(), {2, 3},
      {0.11552453009332421, -0.28243262012906784, 0.0, -0.18310204811135164, 0.7324081924454063, 0.06757751801802737},
      1e-12);
  // F.binary_cross_entropy_with_logits(z, t, weight=w, pos_weight=pw, reduction='sum')
  const Tensor z = ex::tensor<double>({-1.5, 0.3, 2.0, 0.0, -0.4, 3.0}, {2, 3}).requires_grad_();
  const Tensor pw = ex::tensor<double>({1.5, 0.5, 2.0}, {3});
  t.set_grad({});
  ex::binary_cross_entropy_with_logits(z, t, w, Reduction::Sum, pw).backward();
  check_values(z.grad(), {2, 3},
               {0.09121276190317817, -0.42555748318834097, 0.545036201371247, -0.25000000000000006, 0.45229659480320894,
                -0.09485174635513327},
               1e-12);
  check_values(t.grad(), {2, 3},
               {1.1753533194956882, -1.1543552444685272, -1.8730719889570278, 0.1732867951399863, -0.11301525239995258,
                -2.951412648426258},
               1e-12);
}

TEST_CASE("registry: loss weights are constants, recording with one that requires grad throws") {
  const Tensor p = ex::tensor<double>({0.2, 0.7}, {2});
  const Tensor t = ex::tensor<double>({0.0, 1.0}, {2});
  const Tensor w = ex::tensor<double>({0.5, 2.0}, {2}).requires_grad_();
  const Tensor logits = ex::test::uniform64({2, 2});
  const Tensor classes = ex::tensor<std::int64_t>({1, 0}, {2});
  // Also when the weight is the only tensor that requires grad.
  for (bool input_requires_grad : {false, true}) {
    CAPTURE(input_requires_grad);
    const Tensor x = p.detach().clone().requires_grad_(input_requires_grad);
    const Tensor lg = logits.detach().clone().requires_grad_(input_requires_grad);
    CHECK_THROWS_WITH_AS(ex::binary_cross_entropy(x, t, w),
                         doctest::Contains("binary_cross_entropy: the derivative for weight is not implemented"),
                         ex::Error);
    CHECK_THROWS_WITH_AS(
        ex::binary_cross_entropy_with_logits(x, t, w),
        doctest::Contains("binary_cross_entropy_with_logits: the derivative for weight is not implemented"), ex::Error);
    CHECK_THROWS_WITH_AS(
        ex::binary_cross_entropy_with_logits(x, t, {}, Reduction::Mean, w),
        doctest::Contains("binary_cross_entropy_with_logits: the derivative for pos_weight is not implemented"),
        ex::Error);
    CHECK_THROWS_WITH_AS(ex::cross_entropy(lg, classes, w),
                         doctest::Contains("cross_entropy: the derivative for weight is not implemented"), ex::Error);
    CHECK_THROWS_WITH_AS(ex::nll_loss(lg, classes, w),
                         doctest::Contains("nll_loss: the derivative for weight is not implemented"), ex::Error);
  }
  // Nothing is recorded without grad mode, so nothing throws.
  ex::NoGradGuard no_grad;
  CHECK(ex::binary_cross_entropy(p, t, w).requires_grad() == false);
  CHECK(ex::cross_entropy(logits, classes, w).requires_grad() == false);
}

TEST_CASE("registry: results of non-differentiable ops never carry autograd state") {
  const Tensor a = ex::test::uniform64({2, 3}).requires_grad_();
  const Tensor b = ex::test::uniform64({2, 3}).requires_grad_();
  const Tensor flags = ex::greater(a, 0.0);
  const std::vector<std::pair<std::string, Tensor>> results = {
      {"equal", ex::equal(a, b)},
      {"not_equal", ex::not_equal(a, 0.5)},
      {"less", ex::less(a, b)},
      {"less_equal", ex::less_equal(0.1, b)},
      {"greater", flags},
      {"greater_equal", ex::greater_equal(a, b)},
      {"operator<", a < b},
      {"logical_and", ex::logical_and(a, b)},
      {"logical_or", ex::logical_or(a, b)},
      {"logical_xor", ex::logical_xor(a, b)},
      {"logical_not", ex::logical_not(a)},
      {"argmax", ex::argmax(a)},
      {"argmax axis", ex::argmax(a, 1, true)},
      {"argmin", ex::argmin(a)},
      {"argmin axis", ex::argmin(a, 0)},
      {"to int64", ex::to(a, DType::Int64)},
      {"Tensor::to bool", a.to(DType::Bool)},
  };
  for (const auto& [name, t] : results) {
    INFO(name);
    CHECK_FALSE(t.requires_grad());
    CHECK(t.is_leaf());
    CHECK(t.grad_fn() == nullptr);
    CHECK(t.unsafe_impl()->autograd_meta == nullptr);
  }
}
