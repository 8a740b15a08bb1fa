// Gradcheck samples for every built-in registry entry, several per op where the op has
// several forms: broadcasting both ways, non-contiguous inputs (made by views inside fn,
// so the views record too), rank 0, axes and keepdims, several outputs, in-place ops on
// a clone of a non-leaf. Inputs stay away from kinks and jumps (relu and abs at 0, max
// ties, clip bounds, integers for floor, halves for round), where a central difference
// is not a derivative; for the piecewise-constant ops gradcheck then checks that the
// gradient is zero.

#include "registry_samples.hpp"

#include <algorithm>
#include <array>
#include <optional>
#include <random>
#include <utility>

namespace ex::test {

namespace {

using In = const std::vector<Tensor>&;
using Samples = std::vector<GradcheckSample>;

// The same values with |v| in [0.25, 1.25): away from 0 (relu, abs, sign, leaky_relu).
Tensor away_from_zero(const Shape& shape) {
  std::vector<double> v = uniform64(shape, 0.25, 1.25).to_vector<double>();
  for (std::size_t i = 0; i < v.size(); i += 2) v[i] = -v[i];
  return ex::tensor(v, shape);
}

Tensor requires_grad(const Tensor& t) { return t.requires_grad_(); }

// The six forms of a binary op: broadcasting each way, rank 0, a transposed operand,
// and a Scalar on either side. Operands are drawn from [a_lo, a_hi) and [b_lo, b_hi).
template <class Op>
Samples binary_samples(Op op, std::pair<double, double> a, std::pair<double, double> b, double scalar_a,
                       double scalar_b) {
  auto A = [a](const Shape& s) { return uniform64(s, a.first, a.second); };
  auto B = [b](const Shape& s) { return uniform64(s, b.first, b.second); };
  auto both = [op](In in) { return op(in[0], in[1]); };
  return {
      {"[2, 3] with [3]", both, {A({2, 3}), B({3})}},
      {"[3, 1] with [1, 4] (both broadcast)", both, {A({3, 1}), B({1, 4})}},
      {"[2, 2] with rank 0", both, {A({2, 2}), B({})}},
      {"transposed [3, 2] with [2, 3]",
       [op](In in) { return op(ex::transpose(in[0]), in[1]); },
       {A({3, 2}), B({2, 3})}},
      {"tensor with Scalar", [op, scalar_b](In in) { return op(in[0], Scalar(scalar_b)); }, {A({2, 3})}},
      {"Scalar with tensor", [op, scalar_a](In in) { return op(Scalar(scalar_a), in[0]); }, {B({2, 3})}},
  };
}

// In-place op on a clone (a non-leaf) of input 0, with a broadcast tensor and a Scalar.
template <class Op>
Samples inplace_samples(Op op, std::pair<double, double> other, double scalar) {
  return {
      {"clone of [2, 3] with [3]",
       [op](In in) {
         Tensor t = ex::clone(in[0]);
         op(t, in[1]);
         return t;
       },
       {uniform64({2, 3}), uniform64({3}, other.first, other.second)}},
      {"clone of [2, 3] with Scalar",
       [op, scalar](In in) {
         Tensor t = ex::clone(in[0]);
         op(t, Scalar(scalar));
         return t;
       },
       {uniform64({2, 3})}},
  };
}

void add_arithmetic(GradcheckSamples& t) {
  const std::pair<double, double> any{-1, 1}, positive{0.5, 1.5};
  // modulo and floor_divide: a / b stays inside (1, 2), away from the jumps.
  const std::pair<double, double> dividend{1.1, 1.3}, divisor{0.7, 1.0};
  t["add"] = binary_samples([](const auto& a, const auto& b) { return ex::add(a, b); }, any, any, 0.5, 1.5);
  t["subtract"] = binary_samples([](const auto& a, const auto& b) { return ex::subtract(a, b); }, any, any, 0.5, 1.5);
  t["multiply"] = binary_samples([](const auto& a, const auto& b) { return ex::multiply(a, b); }, any, any, 0.5, 1.5);
  t["divide"] = binary_samples([](const auto& a, const auto& b) { return ex::divide(a, b); }, any, positive, 0.5, 1.5);
  t["power"] = binary_samples([](const auto& a, const auto& b) { return ex::power(a, b); }, positive, any, 1.7, 2.5);
  t["modulo"] =
      binary_samples([](const auto& a, const auto& b) { return ex::modulo(a, b); }, dividend, divisor, 1.2, 0.8);
  t["floor_divide"] =
      binary_samples([](const auto& a, const auto& b) { return ex::floor_divide(a, b); }, dividend, divisor, 1.2, 0.8);
  t["neg"] = {{"[2, 3]", [](In in) { return ex::neg(in[0]); }, {uniform64({2, 3})}},
              {"operator- (unary), transposed", [](In in) { return -ex::transpose(in[0]); }, {uniform64({2, 3})}}};

  t["add_"] = inplace_samples([](const Tensor& s, const auto& o) { return ex::add_(s, o); }, any, 0.5);
  t["sub_"] = inplace_samples([](const Tensor& s, const auto& o) { return ex::sub_(s, o); }, any, 0.5);
  t["mul_"] = inplace_samples([](const Tensor& s, const auto& o) { return ex::mul_(s, o); }, any, 1.5);
  t["div_"] = inplace_samples([](const Tensor& s, const auto& o) { return ex::div_(s, o); }, positive, 1.5);
  // zero_ and fill_ cut the clone's history: only the second use of x carries gradient.
  t["zero_"] = {
      {"clone of [2, 3]", [](In in) { return ex::add(ex::zero_(ex::clone(in[0])), in[0]); }, {uniform64({2, 3})}}};
  t["fill_"] = {{"clone of [2, 3]",
                 [](In in) { return ex::multiply(ex::fill_(ex::clone(in[0]), 2.0), in[0]); },
                 {uniform64({2, 3})}}};
  t["copy_"] = {{"[3] broadcast into a clone of [2, 3]",
                 [](In in) { return ex::multiply(ex::copy_(ex::clone(in[0]), in[1]), in[0]); },
                 {uniform64({2, 3}), uniform64({3})}}};
  const Tensor away_from_bounds = ex::tensor<double>({-0.9, -0.3, 0.1, 0.45, 0.7, -0.6}, {2, 3});
  t["clamp_"] = {
      {"both bounds", [](In in) { return ex::clamp_(ex::clone(in[0]), -0.5, 0.5); }, {away_from_bounds}},
      {"max only", [](In in) { return ex::clamp_(ex::clone(in[0]), std::nullopt, 0.2); }, {away_from_bounds}},
      {"min only", [](In in) { return ex::clamp_(ex::clone(in[0]), -0.2, std::nullopt); }, {away_from_bounds}},
  };
}

void add_shape(GradcheckSamples& t) {
  const Tensor x = uniform64({2, 3, 2});
  t["reshape"] = {{"[2, 3, 2] -> [3, -1]",
                   [](In in) {
                     return ex::reshape(in[0], {3, -1});
                   },
                   {x}},
                  {"transposed (copies)", [](In in) { return ex::reshape(ex::transpose(in[0], 0, 2), {12}); }, {x}}};
  t["view"] = {{"[2, 3, 2] -> [6, 2]", [](In in) { return ex::view(in[0], {6, 2}); }, {x}}};
  t["flatten"] = {{"axes 1..2", [](In in) { return ex::flatten(in[0], 1, 2); }, {x}},
                  {"rank 0", [](In in) { return ex::flatten(in[0]); }, {uniform64({})}}};
  t["squeeze"] = {{"all", [](In in) { return ex::squeeze(in[0]); }, {uniform64({2, 1, 3})}},
                  {"axis 1", [](In in) { return ex::squeeze(in[0], 1); }, {uniform64({2, 1, 3})}}};
  t["unsqueeze"] = {{"axis 0", [](In in) { return ex::unsqueeze(in[0], 0); }, {x}},
                    {"axis -1", [](In in) { return ex::unsqueeze(in[0], -1); }, {x}}};
  t["transpose"] = {{"axes 0, 2", [](In in) { return ex::transpose(in[0], 0, 2); }, {x}},
                    {"matrix", [](In in) { return ex::transpose(in[0]); }, {uniform64({2, 3})}}};
  t["permute"] = {{"[2, 0, 1]", [](In in) { return ex::permute(in[0], {2, 0, 1}); }, {x}}};
  t["slice"] = {{"axis 1, step 2", [](In in) { return ex::slice(in[0], 1, 1, 6, 2); }, {uniform64({3, 6})}},
                {"negative start", [](In in) { return ex::slice(in[0], 0, -2, 3); }, {uniform64({3, 6})}}};
  t["broadcast_to"] = {{"[3, 1] -> [2, 3, 4]",
                        [](In in) {
                          return ex::broadcast_to(in[0], {2, 3, 4});
                        },
                        {uniform64({3, 1})}}};
  t["expand"] = {{"[3, 1] -> [3, 4]", [](In in) { return ex::expand(in[0], {3, 4}); }, {uniform64({3, 1})}}};
  t["split"] = {
      {"sizes {2, 3}, pieces combined",
       [](In in) {
         const std::vector<Tensor> p = ex::split(in[0], {2, 3}, 0);
         return ex::concatenate({ex::multiply(p[0], p[0]), p[1]});
       },
       {uniform64({5, 2})}},
      {"3 sections, the middle one unused",
       [](In in) {
         const std::vector<Tensor> p = ex::split(in[0], 3, 1);
         return ex::add(ex::multiply(p[0], p[2]), p[0]);
       },
       {uniform64({2, 6})}},
  };
  t["concatenate"] = {{"axis 0",
                       [](In in) {
                         return ex::concatenate({in[0], in[1]}, 0);
                       },
                       {uniform64({2, 3}), uniform64({1, 3})}},
                      {"axis 1, transposed input",
                       [](In in) {
                         return ex::concatenate({in[0], ex::transpose(in[1])}, 1);
                       },
                       {uniform64({2, 3}), uniform64({2, 2})}}};
  t["stack"] = {{"axis 1",
                 [](In in) {
                   return ex::stack({in[0], in[1], in[0]}, 1);
                 },
                 {uniform64({2, 3}), uniform64({2, 3})}}};
  t["clone"] = {{"[2, 3]", [](In in) { return ex::multiply(ex::clone(in[0]), in[0]); }, {uniform64({2, 3})}}};
  // Through float32 and back: the rounding would swamp a 1e-6 step, so a larger step
  // (exact for this linear map) and tolerance.
  t["to"] = {{"float64 -> float32 -> float64",
              [](In in) { return ex::to(ex::to(in[0], DType::Float32), DType::Float64); },
              {uniform64({2, 3})},
              1e-2,
              1e-4}};
}

void add_matmul(GradcheckSamples& t) {
  auto mm = [](In in) { return ex::matmul(in[0], in[1]); };
  t["matmul"] = {
      {"[2, 3] @ [3, 4]", mm, {uniform64({2, 3}), uniform64({3, 4})}},
      {"batched [2, 2, 3] @ [3, 2] (broadcast)", mm, {uniform64({2, 2, 3}), uniform64({3, 2})}},
      {"[3] @ [3, 2]", mm, {uniform64({3}), uniform64({3, 2})}},
      {"[2, 3] @ [3]", mm, {uniform64({2, 3}), uniform64({3})}},
      {"transposed operand",
       [](In in) { return ex::matmul(ex::transpose(in[0]), in[1]); },
       {uniform64({3, 2}), uniform64({3, 4})}},
  };
  t["dot"] = {{"[4] . [4]", [](In in) { return ex::dot(in[0], in[1]); }, {uniform64({4}), uniform64({4})}}};
  t["outer"] = {{"[3] x [2]", [](In in) { return ex::outer(in[0], in[1]); }, {uniform64({3}), uniform64({2})}}};
}

void add_conv(GradcheckSamples& t) {
  using Pair = std::array<std::int64_t, 2>;
  auto conv = [](Pair stride, Pair padding, Pair dilation, std::int64_t groups) {
    return [=](In in) {
      return ex::conv2d(in[0], in[1], in.size() > 2 ? in[2] : Tensor(), stride, padding, dilation, groups);
    };
  };
  // The first sample, which drives the bad-input matrix, has no bias: the matrix treats
  // every input as required, and an undefined bias is a valid call.
  t["conv2d"] = {
      {"[2, 4, 5, 5] with [3, 4, 3, 3]",
       [](In in) { return ex::conv2d(in[0], in[1]); },
       {uniform64({2, 4, 5, 5}), uniform64({3, 4, 3, 3})}},
      {"[2, 4, 5, 5] with [3, 4, 3, 3] and bias",
       [](In in) { return ex::conv2d(in[0], in[1], in[2]); },
       {uniform64({2, 4, 5, 5}), uniform64({3, 4, 3, 3}), uniform64({3})}},
      {"stride 2 and padding 1",
       conv({2, 2}, {1, 1}, {1, 1}, 1),
       {uniform64({2, 2, 5, 5}), uniform64({3, 2, 3, 3}), uniform64({3})}},
      {"dilation 2 with uneven padding",
       conv({1, 1}, {2, 1}, {2, 2}, 1),
       {uniform64({1, 2, 5, 5}), uniform64({2, 2, 3, 3}), uniform64({2})}},
      {"groups 2", conv({1, 1}, {0, 0}, {1, 1}, 2), {uniform64({2, 4, 4, 4}), uniform64({4, 2, 2, 2}), uniform64({4})}},
      {"depthwise (groups == C)",
       conv({1, 1}, {1, 1}, {1, 1}, 3),
       {uniform64({2, 3, 4, 4}), uniform64({3, 1, 3, 3}), uniform64({3})}},
      {"no bias", conv({1, 1}, {0, 1}, {1, 1}, 1), {uniform64({2, 2, 4, 5}), uniform64({3, 2, 2, 3})}},
      {"unbatched [C, H, W]",
       conv({1, 2}, {1, 0}, {1, 1}, 1),
       {uniform64({2, 4, 5}), uniform64({2, 2, 3, 2}), uniform64({2})}},
      {"transposed input view",
       [](In in) { return ex::conv2d(ex::transpose(in[0], 2, 3), in[1], in[2]); },
       {uniform64({1, 2, 5, 4}), uniform64({2, 2, 2, 2}), uniform64({2})}},
  };
}

void add_activation(GradcheckSamples& t) {
  t["relu"] = {{"[2, 3]", [](In in) { return ex::relu(in[0]); }, {away_from_zero({2, 3})}},
               {"transposed", [](In in) { return ex::relu(ex::transpose(in[0])); }, {away_from_zero({3, 2})}}};
  t["leaky_relu"] = {{"slope 0.1", [](In in) { return ex::leaky_relu(in[0], 0.1); }, {away_from_zero({2, 3})}}};
  t["prelu"] = {{"alpha per channel",
                 [](In in) { return ex::prelu(in[0], in[1]); },
                 {away_from_zero({2, 3, 2}), uniform64({3}, 0.1, 0.5)}},
                {"shared alpha",
                 [](In in) { return ex::prelu(in[0], in[1]); },
                 {away_from_zero({2, 3}), uniform64({1}, 0.1, 0.5)}}};
  t["sigmoid"] = {{"[2, 3]", [](In in) { return ex::sigmoid(in[0]); }, {uniform64({2, 3}, -3, 3)}}};
  t["tanh"] = {{"[2, 3]", [](In in) { return ex::tanh(in[0]); }, {uniform64({2, 3}, -2, 2)}}};
  for (const char* name : {"softmax", "log_softmax"}) {
    const bool is_log = name[0] == 'l';
    auto op = [is_log](const Tensor& x, std::int64_t axis) {
      return is_log ? ex::log_softmax(x, axis) : ex::softmax(x, axis);
    };
    t[name] = {
        {"axis 1", [op](In in) { return op(in[0], 1); }, {uniform64({2, 4})}},
        {"axis 0 of a transposed input", [op](In in) { return op(ex::transpose(in[0]), 0); }, {uniform64({2, 3})}},
        {"axis -1 of rank 3", [op](In in) { return op(in[0], -1); }, {uniform64({2, 2, 3})}},
        {"rank 0", [op](In in) { return op(in[0], 0); }, {uniform64({})}}};
  }
  t["gelu"] = {{"none", [](In in) { return ex::gelu(in[0]); }, {uniform64({2, 3}, -3, 3)}},
               {"tanh", [](In in) { return ex::gelu(in[0], "tanh"); }, {uniform64({2, 3}, -3, 3)}}};
}

void add_math(GradcheckSamples& t) {
  using Unary = Tensor (*)(const Tensor&);
  // Smooth ops: a plain sample, a transposed input, rank 0, on values inside the domain.
  const std::pair<const char*, std::pair<Unary, std::pair<double, double>>> smooth[] = {
      {"exp", {ex::exp, {-2, 2}}},      {"log", {ex::log, {0.5, 2}}},      {"log2", {ex::log2, {0.5, 2}}},
      {"log10", {ex::log10, {0.5, 2}}}, {"log1p", {ex::log1p, {-0.5, 2}}}, {"sqrt", {ex::sqrt, {0.5, 2}}},
      {"sin", {ex::sin, {-3, 3}}},      {"cos", {ex::cos, {-3, 3}}},
  };
  for (const auto& entry : smooth) {
    const Unary op = entry.second.first;
    const std::pair<double, double> range = entry.second.second;
    const char* name = entry.first;
    t[name] = {{"[2, 3]", [op](In in) { return op(in[0]); }, {uniform64({2, 3}, range.first, range.second)}},
               {"transposed",
                [op](In in) { return op(ex::transpose(in[0])); },
                {uniform64({3, 2}, range.first, range.second)}},
               {"rank 0", [op](In in) { return op(in[0]); }, {uniform64({}, range.first, range.second)}}};
  }
  t["abs"] = {{"away from 0", [](In in) { return ex::abs(in[0]); }, {away_from_zero({2, 3})}}};
  // 0.2 or more from every integer and every half: the gradient must be zero.
  const Tensor off_jumps = ex::tensor<double>({1.2, -0.7, 2.8, -2.2, 0.3, -1.3}, {2, 3});
  const std::pair<const char*, Unary> piecewise_constant[] = {
      {"sign", ex::sign}, {"ceil", ex::ceil}, {"floor", ex::floor}, {"round", ex::round}, {"trunc", ex::trunc}};
  for (const auto& entry : piecewise_constant) {
    const Unary op = entry.second;
    t[entry.first] = {
        {"zero gradient off the jumps", [op](In in) { return ex::multiply(op(in[0]), in[0]); }, {off_jumps}}};
  }
  const Tensor away_from_bounds = ex::tensor<double>({-0.9, -0.3, 0.1, 0.45, 0.7, -0.6}, {2, 3});
  t["clip"] = {{"both bounds", [](In in) { return ex::clip(in[0], -0.5, 0.5); }, {away_from_bounds}},
               {"min only", [](In in) { return ex::clip(in[0], -0.2, std::nullopt); }, {away_from_bounds}},
               {"max only", [](In in) { return ex::clip(in[0], std::nullopt, 0.2); }, {away_from_bounds}}};
}

void add_reduction(GradcheckSamples& t) {
  using Axes = std::vector<std::int64_t>;
  // Each reduction in all its forms; uniform values have no ties (max_reduce, min_reduce).
  auto forms = [](auto op) -> Samples {
    return {
        {"all elements", [op](In in) { return op(in[0]); }, {uniform64({2, 3, 2})}},
        {"axis 1", [op](In in) { return op(in[0], std::int64_t{1}, false); }, {uniform64({2, 3, 2})}},
        {"axis -1, keepdims", [op](In in) { return op(in[0], std::int64_t{-1}, true); }, {uniform64({2, 3, 2})}},
        {"axes {0, 2}",
         [op](In in) {
           return op(in[0], Axes{0, 2}, false);
         },
         {uniform64({2, 3, 2})}},
        {"axes {2, 0}, keepdims",
         [op](In in) {
           return op(in[0], Axes{2, 0}, true);
         },
         {uniform64({2, 3, 2})}},
        {"empty axis list (all)", [op](In in) { return op(in[0], Axes{}, false); }, {uniform64({2, 3})}},
        {"transposed, axis 0",
         [op](In in) { return op(ex::transpose(in[0]), std::int64_t{0}, false); },
         {uniform64({2, 3})}},
        {"rank 0", [op](In in) { return op(in[0]); }, {uniform64({})}},
    };
  };
  t["sum"] = forms([](const auto&... a) { return ex::sum(a...); });
  t["mean"] = forms([](const auto&... a) { return ex::mean(a...); });
  t["max_reduce"] = forms([](const auto&... a) { return ex::max_reduce(a...); });
  t["min_reduce"] = forms([](const auto&... a) { return ex::min_reduce(a...); });
}

void add_loss(GradcheckSamples& t) {
  const Reduction reductions[] = {Reduction::None, Reduction::Mean, Reduction::Sum};
  auto push = [&t](const std::string& name, const std::string& what, autograd::GradcheckFn fn, std::vector<Tensor> in) {
    t[name].push_back({what, std::move(fn), std::move(in)});
  };
  for (Reduction r : reductions) {
    const std::string tag = r == Reduction::None ? "None" : (r == Reduction::Mean ? "Mean" : "Sum");
    // Input and target both differentiated: input - target stays away from 0 (l1) and
    // from +-beta (smooth_l1, beta 0.5).
    const Tensor x = ex::tensor<double>({0.9, -0.4, 1.6, 0.2, -1.1, 0.05}, {2, 3});
    const Tensor y = ex::tensor<double>({0.1, 0.5, 0.2, 0.45, -0.2, 0.3}, {2, 3});
    push("mse_loss", tag, [r](In in) { return ex::mse_loss(in[0], in[1], r); }, {x, y});
    push("l1_loss", tag, [r](In in) { return ex::l1_loss(in[0], in[1], r); }, {x.clone(), y.clone()});
    push("smooth_l1_loss", tag, [r](In in) { return ex::smooth_l1_loss(in[0], in[1], r, 0.5); },
         {x.clone(), y.clone()});
    // Weights are constants: only input and target require grad.
    const Tensor w = uniform64({3}, 0.5, 2);
    push("binary_cross_entropy", tag + ", weight",
         [r, w](In in) { return ex::binary_cross_entropy(in[0], in[1], w, r); },
         {requires_grad(uniform64({2, 3}, 0.1, 0.9)), requires_grad(uniform64({2, 3}, 0, 1))});
    const Tensor pw = uniform64({3}, 0.5, 3);
    push("binary_cross_entropy_with_logits", tag + ", weight, pos_weight",
         [r, w, pw](In in) { return ex::binary_cross_entropy_with_logits(in[0], in[1], w, r, pw); },
         {requires_grad(uniform64({2, 3}, -2, 2)), requires_grad(uniform64({2, 3}, 0, 1))});
    push("binary_cross_entropy_with_logits", tag,
         [r](In in) { return ex::binary_cross_entropy_with_logits(in[0], in[1], {}, r); },
         {uniform64({2, 3}, -2, 2), uniform64({2, 3}, 0, 1)});
    // Class-index targets (int64) are never differentiated.
    const Tensor target = ex::tensor<std::int64_t>({1, 0, 3}, {3});
    const Tensor cw = uniform64({4}, 0.5, 2);
    push("cross_entropy", tag, [r, target](In in) { return ex::cross_entropy(in[0], target, {}, -100, r); },
         {uniform64({3, 4}, -2, 2)});
    push("cross_entropy", tag + ", weight, ignore_index, label_smoothing",
         [r, target, cw](In in) { return ex::cross_entropy(in[0], target, cw, 0, r, 0.2); },
         {uniform64({3, 4}, -2, 2)});
    push("nll_loss", tag + ", weight, ignore_index",
         [r, target, cw](In in) { return ex::nll_loss(in[0], target, cw, 3, r); }, {uniform64({3, 4}, -2, 0)});
  }
  const Tensor spatial_target = ex::tensor<std::int64_t>({0, 2, 1, 1}, {2, 2});
  push("cross_entropy", "spatial [2, 3, 2], transposed",
       [spatial_target](In in) { return ex::cross_entropy(ex::transpose(in[0], 1, 2), spatial_target); },
       {uniform64({2, 2, 3}, -2, 2)});
  for (Reduction r : {Reduction::None, Reduction::Mean}) {
    push("cross_entropy",
         std::string("spatial [2, 3, 2], label_smoothing, ") + (r == Reduction::None ? "none" : "mean"),
         [spatial_target, r](In in) { return ex::cross_entropy(in[0], spatial_target, {}, 2, r, 0.3); },
         {uniform64({2, 3, 2}, -2, 2)});
  }
  push("cross_entropy", "unbatched [4], label_smoothing",
       [](In in) { return ex::cross_entropy(in[0], ex::tensor<std::int64_t>({2}, {}), {}, -100, Reduction::Sum, 0.1); },
       {uniform64({4}, -2, 2)});
  push("nll_loss", "spatial [2, 3, 2]", [spatial_target](In in) { return ex::nll_loss(in[0], spatial_target); },
       {uniform64({2, 3, 2}, -2, 0)});
}

// Advanced indexing (basic indexing records as slice, squeeze and unsqueeze, whose
// samples are above) and index_put_ on a clone of a non-leaf.
void add_indexing(GradcheckSamples& t) {
  using namespace ex::indexing;
  const Tensor repeats = ex::tensor<std::int64_t>({2, 0, 2, -1}, {4});
  const Tensor mask = ex::tensor<std::int64_t>({1, 0, 1, 1, 0, 0}, {2, 3}).to(DType::Bool);
  const Tensor pair = ex::tensor<std::int64_t>({0, -1}, {2});
  const Tensor column = ex::tensor<std::int64_t>({1, 0, 1}, {3, 1});
  t["index"] = {
      {"[4, 3] by rows, with repeats", [](In in) { return ex::index(in[0], {in[1]}); }, {uniform64({4, 3}), repeats}},
      {"a [2, 3] mask over [2, 3, 2]", [mask](In in) { return ex::index(in[0], {mask}); }, {uniform64({2, 3, 2})}},
      {"a slice, then [3, 1] against [2], transposed input",
       [pair, column](In in) {
         return ex::index(ex::transpose(in[0]), {Slice(1, None), column, pair});
       },
       {uniform64({3, 4, 2})}},
      {"tensors separated by a slice (their axes go first)",
       [pair](In in) {
         return ex::index(in[0], {pair, Slice(), pair});
       },
       {uniform64({3, 2, 4})}},
      {"None, Ellipsis, an integer and a bool",
       [pair](In in) {
         return ex::index(in[0], {None, Ellipsis, pair, 1, true});
       },
       {uniform64({2, 3, 2})}},
  };
  const auto on_clone = [](auto put) {
    return [put](In in) {
      const Tensor c = ex::clone(in[0]);
      put(c, in);
      return c;
    };
  };
  t["index_put_"] = {
      {"rows of a clone of [4, 3] from [3]",
       [](In in) {
         return ex::index_put_(ex::clone(in[0]), {ex::tensor<std::int64_t>({3, 0}, {2})}, in[1]);
       },
       {uniform64({4, 3}), uniform64({3})}},
      {"a mask with a Scalar, times x",
       [mask, on_clone](In in) {
         return ex::multiply(on_clone([&](const Tensor& c, In) { ex::index_put_(c, {mask}, 0.5); })(in), in[0]);
       },
       {uniform64({2, 3})}},
      {"accumulate, with repeats",
       on_clone([repeats](const Tensor& c, In in) { ex::index_put_(c, {repeats}, in[1], true); }),
       {uniform64({4, 3}), uniform64({4, 3})}},
      {"basic indices only",
       on_clone([](const Tensor& c, In in) {
         ex::index_put_(c, {Slice(), 1}, in[1]);
       }),
       {uniform64({4, 3}), uniform64({4})}},
  };
}

// Pooling on [2, 3, 6, 6] (unbatched [3, 6, 6] too). Max pooling's inputs are a shuffled
// 0.05-spaced ramp, so no window has ties within a central difference's step.
void add_pooling(GradcheckSamples& t) {
  const auto distinct = [](const Shape& shape) {
    std::vector<double> v(static_cast<std::size_t>(shape.numel()));
    std::vector<std::size_t> order(v.size());
    for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
    std::shuffle(order.begin(), order.end(), std::mt19937_64(20261203));
    for (std::size_t i = 0; i < v.size(); ++i) v[order[i]] = 0.05 * static_cast<double>(i) - 2.0;
    return ex::tensor(v, shape);
  };
  t["max_pool2d"] = {
      {"kernel 2",
       [](In in) {
         return ex::max_pool2d(in[0], {2, 2});
       },
       {distinct({2, 3, 6, 6})}},
      {"kernel 3, stride 2, padding 1, ceil_mode",
       [](In in) {
         return ex::max_pool2d(in[0], {3, 3}, {2, 2}, {1, 1}, {1, 1}, true);
       },
       {distinct({2, 3, 6, 6})}},
      {"kernel 2x3, stride 1x2, dilation 2x1, overlapping windows",
       [](In in) {
         return ex::max_pool2d(in[0], {2, 3}, {1, 2}, {1, 1}, {2, 1});
       },
       {distinct({2, 3, 6, 6})}},
      {"unbatched, transposed, kernel 3 stride 1",
       [](In in) {
         return ex::max_pool2d(ex::transpose(in[0], 1, 2), {3, 3}, {1, 1});
       },
       {distinct({3, 6, 6})}},
  };
  t["avg_pool2d"] = {
      {"kernel 2",
       [](In in) {
         return ex::avg_pool2d(in[0], {2, 2});
       },
       {uniform64({2, 3, 6, 6})}},
      {"kernel 3, stride 2, padding 1, count_include_pad",
       [](In in) {
         return ex::avg_pool2d(in[0], {3, 3}, {2, 2}, {1, 1});
       },
       {uniform64({2, 3, 6, 6})}},
      {"kernel 3, stride 2, padding 1, ceil_mode, exclude pad",
       [](In in) {
         return ex::avg_pool2d(in[0], {3, 3}, {2, 2}, {1, 1}, true, false);
       },
       {uniform64({2, 3, 6, 6})}},
      {"unbatched, kernel 2x3, stride 1x2, ceil_mode",
       [](In in) {
         return ex::avg_pool2d(in[0], {2, 3}, {1, 2}, {0, 1}, true);
       },
       {uniform64({3, 6, 6})}},
  };
  t["adaptive_avg_pool2d"] = {
      {"6x6 to 3x3",
       [](In in) {
         return ex::adaptive_avg_pool2d(in[0], {3, 3});
       },
       {uniform64({2, 3, 6, 6})}},
      {"5x7 to 3x2 (overlapping windows)",
       [](In in) {
         return ex::adaptive_avg_pool2d(in[0], {3, 2});
       },
       {uniform64({2, 3, 5, 7})}},
      {"unbatched 4x3 to 6x5 (larger than the input)",
       [](In in) {
         return ex::adaptive_avg_pool2d(in[0], {6, 5});
       },
       {uniform64({3, 4, 3})}},
  };
}

// pad in every mode: 1-D and 2-D, negative constant pads, unbatched input.
void add_padding(GradcheckSamples& t) {
  using ex::PadMode;
  t["pad"] = {
      {"constant [2, 3, 4] by (1, 2)",
       [](In in) {
         return ex::pad(in[0], {1, 2});
       },
       {uniform64({2, 3, 4})}},
      {"constant crop 2-D",
       [](In in) {
         return ex::pad(in[0], {-1, 2, 1, -1}, PadMode::Constant, 0.5);
       },
       {uniform64({2, 3, 4})}},
      {"reflect 1-D",
       [](In in) {
         return ex::pad(in[0], {2, 1}, PadMode::Reflect);
       },
       {uniform64({1, 2, 4})}},
      {"reflect 2-D unbatched",
       [](In in) {
         return ex::pad(in[0], {1, 2, 2, 1}, PadMode::Reflect);
       },
       {uniform64({2, 3, 4})}},
      {"replicate 1-D transposed",
       [](In in) {
         return ex::pad(ex::transpose(in[0], 1, 2), {2, 3}, PadMode::Replicate);
       },
       {uniform64({2, 3, 2})}},
      {"replicate 2-D",
       [](In in) {
         return ex::pad(in[0], {1, 1, 0, 2}, PadMode::Replicate);
       },
       {uniform64({1, 2, 2, 3})}},
  };
}

// batch_norm in training and eval mode, with and without weight and bias, on [N, C],
// [N, C, L] and [N, C, H, W]. Running statistics are made inside fn: each call updates
// its own. The first sample takes only the input: the bad-input matrix requires every
// input it makes undefined to be reported, and weight and bias may be absent.
void add_normalization(GradcheckSamples& t) {
  const auto stats = [] { return std::pair{uniform64({3}, -0.5, 0.5), uniform64({3}, 0.5, 1.5)}; };
  t["batch_norm"] = {
      {"training [2, 3, 2, 2] without weight and bias",
       [](In in) { return ex::batch_norm(in[0], Tensor(), Tensor(), Tensor(), Tensor(), true); },
       {uniform64({2, 3, 2, 2})}},
      {"training [4, 3] no running stats",
       [](In in) { return ex::batch_norm(in[0], Tensor(), Tensor(), in[1], in[2], true); },
       {uniform64({4, 3}), uniform64({3}, 0.5, 1.5), uniform64({3})}},
      {"training [2, 3, 4] with running stats",
       [stats](In in) {
         auto [rm, rv] = stats();
         return ex::batch_norm(in[0], rm, rv, in[1], in[2], true, 0.2);
       },
       {uniform64({2, 3, 4}), uniform64({3}, 0.5, 1.5), uniform64({3})}},
      {"eval [2, 3, 4]",
       [r = stats()](In in) { return ex::batch_norm(in[0], r.first, r.second, in[1], in[2], false); },
       {uniform64({2, 3, 4}), uniform64({3}, 0.5, 1.5), uniform64({3})}},
      {"eval [4, 3] weight only",
       [r = stats()](In in) { return ex::batch_norm(in[0], r.first, r.second, in[1], Tensor(), false); },
       {uniform64({4, 3}), uniform64({3}, 0.5, 1.5)}},
      {"eval [2, 3, 2, 2] no weight",
       [r = stats()](In in) { return ex::batch_norm(in[0], r.first, r.second, Tensor(), Tensor(), false); },
       {uniform64({2, 3, 2, 2})}},
  };
}

}  // namespace

Tensor uniform64(const Shape& shape, double lo, double hi) {
  static std::mt19937_64 gen(20240611);
  std::uniform_real_distribution<double> dist(lo, hi);
  std::vector<double> values(static_cast<std::size_t>(shape.numel()));
  for (double& v : values) v = dist(gen);
  return ex::tensor(values, shape);
}

GradcheckSamples registry_gradcheck_samples() {
  GradcheckSamples table;
  add_arithmetic(table);
  add_shape(table);
  add_matmul(table);
  add_conv(table);
  add_activation(table);
  add_math(table);
  add_reduction(table);
  add_loss(table);
  add_indexing(table);
  add_pooling(table);
  add_padding(table);
  add_normalization(table);
  return table;
}

GradcheckSamples composite_samples() {
  GradcheckSamples t;
  // Both sides of 0 and of softplus's threshold (beta x = 5 at x = 2.5 for beta 2).
  const auto spread = [] { return uniform64({2, 3}, -4, 4); };
  t["softplus"] = {
      {"[2, 3]", [](In in) { return ex::softplus(in[0]); }, {spread()}},
      {"beta 2, threshold 5", [](In in) { return ex::softplus(in[0], 2.0, 5.0); }, {spread()}},
      {"transposed, negative beta", [](In in) { return ex::softplus(ex::transpose(in[0]), -1.5); }, {spread()}}};
  t["silu"] = {{"[2, 3]", [](In in) { return ex::silu(in[0]); }, {spread()}},
               {"rank 0", [](In in) { return ex::silu(in[0]); }, {uniform64({})}}};
  t["mish"] = {{"[2, 3]", [](In in) { return ex::mish(in[0]); }, {spread()}},
               {"transposed", [](In in) { return ex::mish(ex::transpose(in[0])); }, {spread()}}};
  t["elu"] = {{"[2, 3]", [](In in) { return ex::elu(in[0]); }, {spread()}},
              {"alpha 0.5, transposed", [](In in) { return ex::elu(ex::transpose(in[0]), 0.5); }, {spread()}}};
  t["selu"] = {{"[2, 3]", [](In in) { return ex::selu(in[0]); }, {spread()}}};
  t["celu"] = {{"[2, 3]", [](In in) { return ex::celu(in[0]); }, {spread()}},
               {"alpha 2", [](In in) { return ex::celu(in[0], 2.0); }, {spread()}}};
  t["var"] = {{"all", [](In in) { return ex::var(in[0]); }, {spread()}},
              {"axis 1, biased, keepdims", [](In in) { return ex::var(in[0], 1, false, true); }, {spread()}},
              {"transposed [3, 4], axes {0, 1}",
               [](In in) {
                 return ex::var(ex::transpose(in[0]), {0, 1});
               },
               {uniform64({4, 3}, -2, 2)}}};
  t["std"] = {{"all", [](In in) { return ex::std(in[0]); }, {spread()}},
              {"axis -1, keepdims", [](In in) { return ex::std(in[0], -1, true, true); }, {spread()}}};
  t["logsumexp"] = {
      {"all", [](In in) { return ex::logsumexp(in[0]); }, {spread()}},
      {"axis 0, keepdims", [](In in) { return ex::logsumexp(in[0], 0, true); }, {spread()}},
      {"transposed, axis 1", [](In in) { return ex::logsumexp(ex::transpose(in[0]), 1); }, {uniform64({3, 4}, -3, 3)}}};
  return t;
}

GradcheckSamples non_differentiable_samples() {
  GradcheckSamples t;
  const Tensor a = uniform64({2, 3}), b = uniform64({3});
  auto binary = [&](auto op) { return Samples{{"[2, 3] with [3]", [op](In in) { return op(in[0], in[1]); }, {a, b}}}; };
  t["equal"] = binary([](const Tensor& x, const Tensor& y) { return ex::equal(x, y); });
  t["not_equal"] = binary([](const Tensor& x, const Tensor& y) { return ex::not_equal(x, y); });
  t["less"] = binary([](const Tensor& x, const Tensor& y) { return ex::less(x, y); });
  t["less_equal"] = binary([](const Tensor& x, const Tensor& y) { return ex::less_equal(x, y); });
  t["greater"] = binary([](const Tensor& x, const Tensor& y) { return ex::greater(x, y); });
  t["greater_equal"] = binary([](const Tensor& x, const Tensor& y) { return ex::greater_equal(x, y); });
  t["logical_and"] = binary([](const Tensor& x, const Tensor& y) { return ex::logical_and(x, y); });
  t["logical_or"] = binary([](const Tensor& x, const Tensor& y) { return ex::logical_or(x, y); });
  t["logical_xor"] = binary([](const Tensor& x, const Tensor& y) { return ex::logical_xor(x, y); });
  t["logical_not"] = {{"[2, 3]", [](In in) { return ex::logical_not(in[0]); }, {a}}};
  t["argmax"] = {{"axis 1", [](In in) { return ex::argmax(in[0], 1); }, {a}},
                 {"all", [](In in) { return ex::argmax(in[0]); }, {a}}};
  t["argmin"] = {{"axis 0, keepdims", [](In in) { return ex::argmin(in[0], 0, true); }, {a}},
                 {"all", [](In in) { return ex::argmin(in[0]); }, {a}}};
  return t;
}

}  // namespace ex::test
