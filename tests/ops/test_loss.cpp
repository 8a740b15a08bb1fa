// Loss family: forward values and raw backward kernels.
//
// The literal reference values marked "PyTorch 1.13" were produced once with
// /usr/bin/python3 (torch 1.13, float64) by this script and pasted here:
//
//   import torch, torch.nn.functional as F
//   D = torch.float64
//   def T(v, dt=D): return torch.tensor(v, dtype=dt)
//   def show(name, v):
//       v = v.detach().reshape(-1).tolist()
//       print(f"{name}: {{" + ", ".join(repr(float(e)) for e in v) + "}")
//   R = ['none', 'mean', 'sum']
//   x = T([[0.2, -1.3, 0.7], [1.5, 0.0, -0.4]]); t = T([[0.5, -1.0, 2.0], [1.5, 0.3, -0.9]])
//   for r in R:
//       show(f"mse {r}", F.mse_loss(x, t, reduction=r))
//       show(f"l1 {r}", F.l1_loss(x, t, reduction=r))
//       show(f"sl1 b1 {r}", F.smooth_l1_loss(x, t, reduction=r, beta=1.0))
//       show(f"sl1 b.5 {r}", F.smooth_l1_loss(x, t, reduction=r, beta=0.5))
//   p = T([[0.1, 0.7, 0.999], [0.5, 0.02, 0.6]]); tb = T([[0., 1., 1.], [0.3, 0., 1.]])
//   w = T([0.5, 2.0, 1.0])
//   for r in R:
//       show(f"bce {r}", F.binary_cross_entropy(p, tb, reduction=r))
//       show(f"bce w {r}", F.binary_cross_entropy(p, tb, weight=w, reduction=r))
//   z = T([[0.3, -2.0, 4.0], [-0.7, 1.2, 0.0]]); wl = T([[1.0], [0.5]]); pw = T([2.0, 0.5, 1.0])
//   for r in R:
//       show(f"bcel {r}", F.binary_cross_entropy_with_logits(z, tb, reduction=r))
//       show(f"bcel w pw {r}", F.binary_cross_entropy_with_logits(z, tb, weight=wl, pos_weight=pw,
//                                                                  reduction=r))
//   lg = T([[1.0, 2.0, 0.5, -1.0], [0.0, -0.5, 3.0, 1.0], [2.0, 2.0, -2.0, 0.1]])
//   y = torch.tensor([2, 0, 3]); yi = torch.tensor([2, -100, 3]); cw = T([1.0, 0.5, 2.0, 1.5])
//   for r in R:
//       show(f"ce {r}", F.cross_entropy(lg, y, reduction=r))
//       show(f"ce w {r}", F.cross_entropy(lg, y, weight=cw, reduction=r))
//       show(f"ce w ls ign {r}", F.cross_entropy(lg, yi, weight=cw, reduction=r, label_smoothing=0.2))
//       show(f"ce ls {r}", F.cross_entropy(lg, y, reduction=r, label_smoothing=0.1))
//       show(f"nll w ign {r}", F.nll_loss(lg, yi, weight=cw, reduction=r))
//       show(f"nll {r}", F.nll_loss(lg, y, reduction=r))
//   # input gradients of sum(loss * g): g = linspace(-1, 1) over the loss for 'none', 0.75 otherwise
//   def grad(f, inp, r):
//       inp = inp.clone().requires_grad_(True)
//       out = f(inp)
//       g = (torch.linspace(-1, 1, out.numel(), dtype=D).reshape(out.shape) if r == 'none'
//            else torch.tensor(0.75, dtype=D))
//       (out * g).sum().backward()
//       return inp.grad
//   for r in R:
//       show(f"grad mse {r}", grad(lambda a: F.mse_loss(a, t, reduction=r), x, r))
//       show(f"grad sl1 b.5 {r}", grad(lambda a: F.smooth_l1_loss(a, t, reduction=r, beta=0.5), x, r))
//       show(f"grad bce w {r}", grad(lambda a: F.binary_cross_entropy(a, tb, weight=w, reduction=r), p, r))
//       show(f"grad bcel w pw {r}", grad(lambda a: F.binary_cross_entropy_with_logits(
//           a, tb, weight=wl, pos_weight=pw, reduction=r), z, r))
//       show(f"grad ce w ls ign {r}", grad(lambda a: F.cross_entropy(
//           a, yi, weight=cw, reduction=r, label_smoothing=0.2), lg, r))
//       show(f"grad nll w ign {r}", grad(lambda a: F.nll_loss(a, yi, weight=cw, reduction=r), lg, r))
//       # target gradients (PyTorch 1.13 differentiates both BCE losses in the target)
//       show(f"target grad bce w {r}", grad(lambda b: F.binary_cross_entropy(p, b, weight=w, reduction=r), tb, r))
//       show(f"target grad bcel w pw {r}", grad(lambda b: F.binary_cross_entropy_with_logits(
//           z, b, weight=wl, pos_weight=pw, reduction=r), tb, r))
//       show(f"target grad bcel {r}", grad(lambda b: F.binary_cross_entropy_with_logits(z, b, reduction=r), tb, r))
//   show("bcel f32 +-100", F.binary_cross_entropy_with_logits(T([100., -100., 100., -100.], torch.float32),
//        T([0., 1., 1., 0.], torch.float32), reduction='none'))
//   show("ce f32 1000", F.cross_entropy(T([[1000., -1000., 0.], [-1000., 1000., 999.]], torch.float32),
//        torch.tensor([1, 2]), reduction='none'))
//   show("bce 0/1", F.binary_cross_entropy(T([0., 1., 0., 1.]), T([1., 0., 0., 1.]), reduction='none'))

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <functional>
#include <limits>
#include <vector>

#include "gradcheck.hpp"
#include "test_util.hpp"

namespace {

using ex::Reduction;
using Values = std::vector<double>;

constexpr Reduction kReductions[] = {Reduction::None, Reduction::Mean, Reduction::Sum};
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

Tensor f64(const Values& v, const Shape& s) { return ex::tensor(v, s); }
Tensor i64(const std::vector<std::int64_t>& v, const Shape& s) { return ex::tensor(v, s); }

// The fixtures of the PyTorch script above.
const Tensor kX = f64({0.2, -1.3, 0.7, 1.5, 0.0, -0.4}, {2, 3});
const Tensor kT = f64({0.5, -1.0, 2.0, 1.5, 0.3, -0.9}, {2, 3});
const Tensor kP = f64({0.1, 0.7, 0.999, 0.5, 0.02, 0.6}, {2, 3});
const Tensor kTb = f64({0., 1., 1., 0.3, 0., 1.}, {2, 3});
const Tensor kW = f64({0.5, 2.0, 1.0}, {3});
const Tensor kZ = f64({0.3, -2.0, 4.0, -0.7, 1.2, 0.0}, {2, 3});
const Tensor kWl = f64({1.0, 0.5}, {2, 1});
const Tensor kPw = f64({2.0, 0.5, 1.0}, {3});
const Tensor kLg = f64({1.0, 2.0, 0.5, -1.0, 0.0, -0.5, 3.0, 1.0, 2.0, 2.0, -2.0, 0.1}, {3, 4});
const Tensor kY = i64({2, 0, 3}, {3});
const Tensor kYi = i64({2, -100, 3}, {3});
const Tensor kCw = f64({1.0, 0.5, 2.0, 1.5}, {4});

// One expected value list per reduction (None, Mean, Sum).
struct ByReduction {
  Values none, mean, sum;
  const Values& operator[](Reduction r) const {
    return r == Reduction::None ? none : (r == Reduction::Mean ? mean : sum);
  }
};

Shape reduced_shape(Reduction r, const Shape& per_element) { return r == Reduction::None ? per_element : Shape{}; }

void check_loss(const Tensor& got, Reduction r, const Shape& per_element, const Values& expected) {
  check_values(got, reduced_shape(r, per_element), expected, 1e-12, 1e-12);
}

// The upstream gradient the script uses: linspace(-1, 1) over the loss for None, 0.75 else.
Tensor script_grad(Reduction r, const Shape& loss_shape) {
  if (r != Reduction::None) return ex::scalar_tensor(0.75, DType::Float64);
  return ex::linspace(-1, 1, loss_shape.numel(), DType::Float64).reshape(loss_shape);
}

// gradcheck of a one-input backward kernel (the other arguments are captured).
void gradcheck(const std::function<Tensor(const Tensor&)>& forward,
               const std::function<Tensor(const Tensor&, const Tensor&)>& backward, const Tensor& x) {
  ex::test::check_gradients(
      [&](const std::vector<Tensor>& in) { return forward(in[0]); },
      [&](const Tensor& g, const std::vector<Tensor>& in) { return std::vector<Tensor>{backward(g, in[0])}; }, {x});
}

// float64 reference of cross entropy per position for input [outer, C, inner].
Values cross_entropy_ref(const Tensor& x, const std::vector<std::int64_t>& y, const Values& w,
                         std::int64_t ignore_index, double eps) {
  const Values v = x.contiguous().to_vector<double>();
  const std::int64_t outer = x.dim() == 1 ? 1 : x.size(0), n = x.dim() == 1 ? x.size(0) : x.size(1);
  const std::int64_t inner = static_cast<std::int64_t>(v.size()) / std::max<std::int64_t>(outer * n, 1);
  Values out;
  for (std::int64_t o = 0; o < outer; ++o)
    for (std::int64_t i = 0; i < inner; ++i) {
      const std::int64_t target = y[static_cast<std::size_t>(o * inner + i)];
      if (target == ignore_index) {
        out.push_back(0);
        continue;
      }
      auto at = [&](std::int64_t c) { return v[static_cast<std::size_t>((o * n + c) * inner + i)]; };
      auto wc = [&](std::int64_t c) { return w.empty() ? 1.0 : w[static_cast<std::size_t>(c)]; };
      double m = -INFINITY, s = 0, smooth = 0;
      for (std::int64_t c = 0; c < n; ++c) m = std::max(m, at(c));
      for (std::int64_t c = 0; c < n; ++c) s += std::exp(at(c) - m);
      const double lse = m + std::log(s);
      for (std::int64_t c = 0; c < n; ++c) smooth += wc(c) * (lse - at(c));
      out.push_back((1 - eps) * wc(target) * (lse - at(target)) + eps / static_cast<double>(n) * smooth);
    }
  return out;
}

Tensor uniform(const Shape& s, double lo, double hi, std::uint64_t seed) {
  ex::Generator gen(seed);
  return ex::rand(s, DType::Float64, gen) * (hi - lo) + lo;
}
Tensor normal(const Shape& s, std::uint64_t seed) {
  ex::Generator gen(seed);
  return ex::randn(s, DType::Float64, gen);
}

}  // namespace

// ---------------------------------------------------------------- forward values

TEST_CASE("mse_loss, l1_loss, smooth_l1_loss: PyTorch 1.13 values") {
  const ByReduction mse{
      {0.09, 0.09000000000000002, 1.6900000000000002, 0.0, 0.09, 0.25}, {0.36833333333333335}, {2.21}};
  const ByReduction l1{{0.3, 0.30000000000000004, 1.3, 0.0, 0.3, 0.5}, {0.45}, {2.7}};
  const ByReduction sl1{{0.045, 0.04500000000000001, 0.8, 0.0, 0.045, 0.125}, {0.17666666666666667}, {1.06}};
  const ByReduction sl1h{{0.09, 0.09000000000000002, 1.05, 0.0, 0.09, 0.25}, {0.26166666666666666}, {1.57}};
  for (Reduction r : kReductions) {
    check_loss(ex::mse_loss(kX, kT, r), r, {2, 3}, mse[r]);
    check_loss(ex::l1_loss(kX, kT, r), r, {2, 3}, l1[r]);
    check_loss(ex::smooth_l1_loss(kX, kT, r), r, {2, 3}, sl1[r]);
    check_loss(ex::smooth_l1_loss(kX, kT, r, 0.5), r, {2, 3}, sl1h[r]);
    // beta == 0 is l1_loss; non-contiguous operands give the same values.
    check_loss(ex::smooth_l1_loss(kX, kT, r, 0.0), r, {2, 3}, l1[r]);
    check_loss(ex::mse_loss(ex::test::noncontiguous(kX), ex::test::noncontiguous(kT), r), r, {2, 3}, mse[r]);
  }
  CHECK(ex::mse_loss(kX, kT).shape() == Shape{});  // Mean is the default
}

TEST_CASE("mse_loss, l1_loss, smooth_l1_loss: a float32 input with a float64 target computes in float64") {
  // PyTorch 1.13: 1.7175, 1.1833 (3.55 / 3), 0.9367 (2.81 / 3), all float64. The input was
  // once read as float64 without conversion (past its end).
  const Tensor x = ex::tensor<float>({0.5f, -1.25f, 2.0f});
  const Tensor t = ex::tensor<double>({0.1, 0.2, 0.3});
  const Tensor mse = ex::mse_loss(x, t), l1 = ex::l1_loss(x, t),
               smooth = ex::smooth_l1_loss(x, t, Reduction::Mean, 0.5);
  CHECK(mse.dtype() == DType::Float64);
  CHECK(mse.item<double>() == doctest::Approx(5.1525 / 3).epsilon(1e-12));
  CHECK(l1.item<double>() == doctest::Approx(3.55 / 3).epsilon(1e-12));
  CHECK(smooth.item<double>() == doctest::Approx(2.81 / 3).epsilon(1e-12));
  const Tensor g = ex::mse_loss_backward(ex::scalar_tensor(1.0, DType::Float64), x, t, Reduction::Mean);
  CHECK(g.dtype() == DType::Float32);
  ex::test::check_values(g, {3}, {2 * 0.4 / 3, 2 * -1.45 / 3, 2 * 1.7 / 3}, 1e-6);
}

TEST_CASE("binary_cross_entropy: PyTorch 1.13 values, weight, log clamped at -100") {
  const ByReduction plain{{0.10536051565782628, 0.35667494393873245, 0.0010005003335835344, 0.6931471805599453,
                           0.020202707317519466, 0.5108256237659907},
                          {0.281201911928933},
                          {1.687211471573598}};
  const ByReduction weighted{{0.05268025782891314, 0.7133498878774649, 0.0010005003335835344, 0.34657359027997264,
                              0.04040541463503893, 0.5108256237659907},
                             {0.27747254578682734},
                             {1.664835274720964}};
  for (Reduction r : kReductions) {
    check_loss(ex::binary_cross_entropy(kP, kTb, {}, r), r, {2, 3}, plain[r]);
    check_loss(ex::binary_cross_entropy(kP, kTb, kW, r), r, {2, 3}, weighted[r]);
  }
  // x == 0 or 1: each log is clamped to -100 (PyTorch), so the loss is 100, not inf.
  check_values(ex::binary_cross_entropy(f64({0., 1., 0., 1.}, {4}), f64({1., 0., 0., 1.}, {4}), {}, Reduction::None),
               {4}, {100.0, 100.0, 0.0, 0.0});
}

TEST_CASE("binary_cross_entropy_with_logits: PyTorch 1.13 values, weight, pos_weight, stability") {
  const ByReduction plain{{0.854355244468527, 2.1269280110429727, 0.01814992791780978, 0.6131860488854579,
                           1.4632824673380314, 0.6931471805599453},
                          {0.9615081467021239},
                          {5.769048880212743}};
  const ByReduction weighted{{0.854355244468527, 1.0634640055214863, 0.01814992791780978, 0.4720709317755477,
                              0.7316412336690157, 0.34657359027997264},
                             {0.5810424889387266},
                             {3.486254933632359}};
  for (Reduction r : kReductions) {
    check_loss(ex::binary_cross_entropy_with_logits(kZ, kTb, {}, r), r, {2, 3}, plain[r]);
    check_loss(ex::binary_cross_entropy_with_logits(kZ, kTb, kWl, r, kPw), r, {2, 3}, weighted[r]);
  }
  // PyTorch 1.13 float32: {100, 100, 0, 0}; 1000 stays finite too (|x| (1 - t) exactly).
  const Tensor x = ex::tensor<float>({100.f, -100.f, 100.f, -100.f, 1000.f, -1000.f}, {6});
  const Tensor t = ex::tensor<float>({0.f, 1.f, 1.f, 0.f, 0.3f, 0.7f}, {6});
  check_values(ex::binary_cross_entropy_with_logits(x, t, {}, Reduction::None), {6}, {100, 100, 0, 0, 700, 700}, 1e-30,
               1e-6);
  const Tensor g = ex::binary_cross_entropy_with_logits_backward(ex::ones({6}), x, t, {}, Reduction::None);
  check_values(g, {6}, {1, -1, 0, 0, 0.7, -0.7}, 1e-30, 1e-6);
}

TEST_CASE("cross_entropy and nll_loss: PyTorch 1.13 values") {
  const ByReduction ce{
      {1.995181898085856, 3.195007198573594, 2.673751695672295}, {2.621313597443915}, {7.8639407923317455}};
  const ByReduction ce_w{
      {3.990363796171712, 3.195007198573594, 4.010627543508443}, {2.4879996751674995}, {11.195998538253749}};
  const ByReduction ce_all{{3.7410865114588336, 0.0, 3.9444399587248284}, {2.195864705766761}, {7.685526470183662}};
  const ByReduction ce_ls{
      {1.982681898085856, 3.107507198573594, 2.631251695672295}, {2.573813597443915}, {7.721440792331746}};
  const ByReduction nll_w{{-1.0, 0.0, -0.15000000000000002}, {-0.32857142857142857}, {-1.15}};
  const ByReduction nll{{-0.5, -0.0, -0.1}, {-0.19999999999999998}, {-0.6}};
  for (Reduction r : kReductions) {
    check_loss(ex::cross_entropy(kLg, kY, {}, -100, r), r, {3}, ce[r]);
    check_loss(ex::cross_entropy(kLg, kY, kCw, -100, r), r, {3}, ce_w[r]);
    check_loss(ex::cross_entropy(kLg, kYi, kCw, -100, r, 0.2), r, {3}, ce_all[r]);
    check_loss(ex::cross_entropy(kLg, kY, {}, -100, r, 0.1), r, {3}, ce_ls[r]);
    check_loss(ex::nll_loss(kLg, kYi, kCw, -100, r), r, {3}, nll_w[r]);
    check_loss(ex::nll_loss(kLg, kY, {}, -100, r), r, {3}, nll[r]);
    check_loss(ex::cross_entropy(ex::test::noncontiguous(kLg), kY, {}, -100, r), r, {3}, ce[r]);
  }
  // ignore_index may be a valid class: those positions are skipped.
  check_values(ex::cross_entropy(kLg, kY, {}, 0, Reduction::None), {3}, {1.995181898085856, 0, 2.673751695672295});
  // Every target ignored: Mean is 0 / 0 = NaN (PyTorch too), Sum 0.
  const Tensor all_ignored = i64({-100, -100, -100}, {3});
  check_values(ex::cross_entropy(kLg, all_ignored), {}, {kNaN});
  check_values(ex::cross_entropy(kLg, all_ignored, {}, -100, Reduction::Sum), {}, {0});
  check_values(ex::nll_loss(kLg, all_ignored), {}, {kNaN});
}

TEST_CASE("cross_entropy: logits of +-1000 stay finite (PyTorch 1.13 float32: {2000, 1.31326162815094})") {
  const Tensor x = ex::tensor<float>({1000.f, -1000.f, 0.f, -1000.f, 1000.f, 999.f}, {2, 3});
  check_values(ex::cross_entropy(x, i64({1, 2}, {2}), {}, -100, Reduction::None), {2}, {2000.0, 1.31326162815094}, 0,
               1e-6);
  const Tensor g = ex::cross_entropy_backward(ex::ones({2}), x, i64({1, 2}, {2}), {}, -100, Reduction::None);
  const double s = 1 / (1 + std::exp(-1.0));  // softmax of 999 against 1000
  check_values(g, {2, 3}, {1, -1, 0, 0, s, -s}, 1e-6, 1e-6);
}

TEST_CASE("cross_entropy: spatial [N, C, d1, d2] and [C] inputs against a float64 reference") {
  const Tensor x = normal({2, 3, 2, 2}, 11);
  const std::vector<std::int64_t> y{0, 2, 1, -100, 2, 2, 0, 1};
  const Tensor target = i64(y, {2, 2, 2});
  const Values w{0.3, 1.0, 2.0};
  const Values ref = cross_entropy_ref(x, y, w, -100, 0.25);
  check_values(ex::cross_entropy(x, target, f64(w, {3}), -100, Reduction::None, 0.25), {2, 2, 2}, ref, 1e-12, 1e-12);
  double total = 0, weights = 0;
  for (std::size_t p = 0; p < y.size(); ++p) {
    total += ref[p];
    if (y[p] != -100) weights += w[static_cast<std::size_t>(y[p])];
  }
  check_values(ex::cross_entropy(x, target, f64(w, {3}), -100, Reduction::Sum, 0.25), {}, {total}, 1e-12, 1e-12);
  check_values(ex::cross_entropy(x, target, f64(w, {3}), -100, Reduction::Mean, 0.25), {}, {total / weights}, 1e-12,
               1e-12);
  // [C] logits with a rank-0 target: one position, the loss is rank 0 for every reduction.
  const Tensor v = f64({0.5, -1.0, 2.0}, {3});
  const Values one = cross_entropy_ref(v, {1}, {}, -100, 0.0);
  for (Reduction r : kReductions) check_values(ex::cross_entropy(v, i64({1}, {}), {}, -100, r), {}, one, 1e-12);
  check_values(ex::nll_loss(v, i64({2}, {}), {}, -100, Reduction::Sum), {}, {-2.0});
}

TEST_CASE("losses: dtypes, promotion, rank 0 and zero-size inputs") {
  for (DType dt : {DType::Float32, DType::Float16, DType::BFloat16}) {
    const double tol = dt == DType::Float32 ? 1e-6 : 1e-2;
    CAPTURE(ex::dtype_name(dt));
    for (Reduction r : kReductions) {
      auto same = [&](const Tensor& low, const Tensor& ref) {
        CHECK(low.dtype() == dt);
        check_values(low, ref.shape(), ref.to_vector<double>(), tol, tol);
      };
      same(ex::mse_loss(kX.to(dt), kT.to(dt), r), ex::mse_loss(kX, kT, r));
      same(ex::smooth_l1_loss(kX.to(dt), kT.to(dt), r, 0.5), ex::smooth_l1_loss(kX, kT, r, 0.5));
      same(ex::binary_cross_entropy(kP.to(dt), kTb.to(dt), kW, r), ex::binary_cross_entropy(kP, kTb, kW, r));
      same(ex::binary_cross_entropy_with_logits(kZ.to(dt), kTb.to(dt), kWl, r, kPw),
           ex::binary_cross_entropy_with_logits(kZ, kTb, kWl, r, kPw));
      same(ex::cross_entropy(kLg.to(dt), kYi, kCw.to(dt), -100, r, 0.2),
           ex::cross_entropy(kLg, kYi, kCw, -100, r, 0.2));
      same(ex::nll_loss(kLg.to(dt), kYi, kCw.to(dt), -100, r), ex::nll_loss(kLg, kYi, kCw, -100, r));
      // Backward fast paths in the low dtype against float64.
      const Tensor g = script_grad(r, {2, 3});
      same(ex::mse_loss_backward(g.to(dt), kX.to(dt), kT.to(dt), r), ex::mse_loss_backward(g, kX, kT, r));
      same(ex::binary_cross_entropy_backward(g.to(dt), kP.to(dt), kTb.to(dt), kW, r),
           ex::binary_cross_entropy_backward(g, kP, kTb, kW, r));
      same(ex::binary_cross_entropy_with_logits_backward(g.to(dt), kZ.to(dt), kTb.to(dt), kWl, r, kPw),
           ex::binary_cross_entropy_with_logits_backward(g, kZ, kTb, kWl, r, kPw));
      const Tensor gc = script_grad(r, {3});
      same(ex::cross_entropy_backward(gc.to(dt), kLg.to(dt), kYi, kCw.to(dt), -100, r, 0.2),
           ex::cross_entropy_backward(gc, kLg, kYi, kCw, -100, r, 0.2));
    }
  }
  // Promotion like PyTorch: float32 input with float64 target computes in float64; an
  // integer or bool target is converted to the input's dtype. Gradients keep the input's dtype.
  const Tensor x32 = kX.to(DType::Float32);
  CHECK(ex::mse_loss(x32, kT).dtype() == DType::Float64);
  CHECK(ex::mse_loss_backward(ex::scalar_tensor(1.0, DType::Float64), x32, kT).dtype() == DType::Float32);
  CHECK(ex::binary_cross_entropy_with_logits(x32, kTb).dtype() == DType::Float64);
  check_values(ex::l1_loss(x32, ex::tensor<std::int32_t>({0, -1, 1, 2, 0, 0}, {2, 3}), Reduction::Sum), {},
               {0.2 + 0.3 + 0.3 + 0.5 + 0 + 0.4}, 1e-6, 1e-6);
  check_values(ex::mse_loss(f64({0.5, 0.25}, {2}), ex::tensor<bool>({true, false}, {2}), Reduction::None), {2},
               {0.25, 0.0625});
  // Rank 0.
  check_values(ex::smooth_l1_loss(ex::scalar_tensor(3.0, DType::Float64), ex::scalar_tensor(1.0, DType::Float64)), {},
               {1.5});
  check_values(ex::mse_loss_backward(ex::scalar_tensor(2.0, DType::Float64), ex::scalar_tensor(3.0, DType::Float64),
                                     ex::scalar_tensor(1.0, DType::Float64), Reduction::None),
               {}, {8.0});
  // Zero-size: Mean is NaN, Sum 0, None empty (PyTorch); gradients are empty.
  const Tensor e = ex::zeros({0, 3}, DType::Float64);
  check_values(ex::mse_loss(e, e), {}, {kNaN});
  check_values(ex::binary_cross_entropy(e, e, {}, Reduction::Sum), {}, {0});
  CHECK(ex::l1_loss(e, e, Reduction::None).shape() == Shape{0, 3});
  CHECK(ex::mse_loss_backward(ex::scalar_tensor(1.0, DType::Float64), e, e).shape() == Shape{0, 3});
  const Tensor no_targets = ex::zeros({0}, DType::Int64);
  check_values(ex::cross_entropy(e, no_targets), {}, {kNaN});
  check_values(ex::cross_entropy(e, no_targets, {}, -100, Reduction::Sum), {}, {0});
  CHECK(ex::cross_entropy_backward(ex::scalar_tensor(1.0, DType::Float64), e, no_targets).shape() == Shape{0, 3});
  CHECK(ex::nll_loss(ex::zeros({2, 3, 0}, DType::Float64), ex::zeros({2, 0}, DType::Int64), {}, -100, Reduction::None)
            .shape() == Shape{2, 0});
}

// ---------------------------------------------------------------- backward

TEST_CASE("loss backward kernels: PyTorch 1.13 gradients") {
  const ByReduction mse{
      {0.6, 0.36000000000000004, 0.5199999999999999, 0.0, -0.36, 1.0},
      {-0.075, -0.07500000000000001, -0.325, 0.0, -0.075, 0.125},
      {-0.44999999999999996, -0.45000000000000007, -1.9500000000000002, 0.0, -0.44999999999999996, 0.75}};
  const ByReduction sl1{{0.6, 0.36000000000000004, 0.19999999999999996, 0.0, -0.36, 1.0},
                        {-0.075, -0.07500000000000001, -0.125, 0.0, -0.075, 0.125},
                        {-0.44999999999999996, -0.45000000000000007, -0.75, 0.0, -0.44999999999999996, 0.75}};
  const ByReduction bce{{-0.5555555555555555, 1.7142857142857144, 0.20020020020020016, 0.07999999999999999,
                         1.2244897959183674, -1.6666666666666667},
                        {0.06944444444444445, -0.35714285714285715, -0.1251251251251251, 0.05000000000000001,
                         0.25510204081632654, -0.20833333333333337},
                        {0.4166666666666667, -2.142857142857143, -0.7507507507507507, 0.30000000000000004,
                         1.530612244897959, -1.2500000000000002}};
  const ByReduction bcel{{-0.574442516811659, 0.2642391233933647, 0.0035972419924183087, -0.016864410381861584,
                          0.23055743504970524, -0.25},
                         {0.07180531460145738, -0.05504981737361766, -0.0022482762452614435, -0.010540256488663491,
                          0.048032798968688596, -0.03125},
                         {0.43083188760874425, -0.33029890424170594, -0.013489657471568661, -0.06324153893198095,
                          0.2881967938121316, -0.1875}};
  const ByReduction ce{{-0.36478446338917214, -1.1025010695579227, 1.448420505782015, 0.01886502716507999, 0.0, 0.0,
                        0.0, 0.0, 0.6188548960004073, 0.6438548960004074, -0.08774949525589469, -1.17496029674492},
                       {0.07816809929767975, 0.23625022919098346, -0.31037582266757463, -0.004042505821088569, 0.0, 0.0,
                        0.0, 0.0, 0.1326117634286587, 0.13796890628580155, -0.018803463269120295, -0.25177720644534},
                       {0.27358834754187905, 0.826875802168442, -1.0863153793365112, -0.014148770373809998, 0.0, 0.0,
                        0.0, 0.0, 0.4641411720003055, 0.4828911720003055, -0.06581212144192103, -0.88122022255869}};
  const ByReduction nll{{0.0, 0.0, 2.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, -1.5},
                        {0.0, 0.0, -0.42857142857142855, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, -0.3214285714285714},
                        {0.0, 0.0, -1.5, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, -1.125}};
  for (Reduction r : kReductions) {
    const Tensor g = script_grad(r, {2, 3}), gc = script_grad(r, {3});
    check_values(ex::mse_loss_backward(g, kX, kT, r), {2, 3}, mse[r], 1e-12, 1e-12);
    check_values(ex::smooth_l1_loss_backward(g, kX, kT, r, 0.5), {2, 3}, sl1[r], 1e-12, 1e-12);
    check_values(ex::binary_cross_entropy_backward(g, kP, kTb, kW, r), {2, 3}, bce[r], 1e-12, 1e-12);
    check_values(ex::binary_cross_entropy_with_logits_backward(g, kZ, kTb, kWl, r, kPw), {2, 3}, bcel[r], 1e-12, 1e-12);
    check_values(ex::cross_entropy_backward(gc, kLg, kYi, kCw, -100, r, 0.2), {3, 4}, ce[r], 1e-12, 1e-12);
    check_values(ex::nll_loss_backward(gc, kLg, kYi, kCw, -100, r), {3, 4}, nll[r], 1e-12, 1e-12);
  }
  // The design's example: softmax - one_hot, divided by N for the default Mean.
  const Tensor gp = ex::cross_entropy_backward(ex::scalar_tensor(1.0, DType::Float64), kLg, kY);
  const Tensor soft = ex::softmax(kLg, 1);
  Values expected = soft.to_vector<double>();
  expected[2] -= 1, expected[4] -= 1, expected[11] -= 1;
  for (double& e : expected) e /= 3;
  check_values(gp, {3, 4}, expected, 1e-12, 1e-12);
}

TEST_CASE("loss target backward kernels: PyTorch 1.13 gradients") {
  const ByReduction bce{
      {-1.0986122886681096, 1.016757432464644, 1.3813509557297101, 0.0, 4.670184357732752, -0.4054651081081643},
      {0.1373265360835137, -0.21182446509680086, -0.863344347331069, 0.0, 0.9729550745276566, -0.05068313851352054},
      {0.8239592165010822, -1.2709467905808052, -5.180066083986414, 0.0, 5.8377304471659395, -0.30409883108112323}};
  const ByReduction bcel_w_pw{
      {-0.2543552444685271, -0.5619215966871083, 0.7999999999999997, 0.18031860488854576, -0.39949237010070465, 0.0},
      {0.031794405558565886, 0.11706699930981423, -0.49999999999999994, 0.11269912805534112, -0.08322757710431347, 0.0},
      {0.19076643335139531, 0.7024019958588854, -2.9999999999999996, 0.6761947683320467, -0.49936546262588083, 0.0}};
  const ByReduction bcel{{0.3, -1.2, 0.7999999999999998, 0.13999999999999996, -0.72, -0.0},
                         {-0.0375, 0.25, -0.5, 0.08749999999999998, -0.15, -0.0},
                         {-0.22499999999999998, 1.5, -3.0, 0.5249999999999999, -0.8999999999999999, -0.0}};
  for (Reduction r : kReductions) {
    const Tensor g = script_grad(r, {2, 3});
    check_values(ex::binary_cross_entropy_target_backward(g, kP, kTb, kW, r), {2, 3}, bce[r], 1e-12, 1e-12);
    check_values(ex::binary_cross_entropy_with_logits_target_backward(g, kZ, kTb, kWl, r, kPw), {2, 3}, bcel_w_pw[r],
                 1e-12, 1e-12);
    check_values(ex::binary_cross_entropy_with_logits_target_backward(g, kZ, kTb, {}, r), {2, 3}, bcel[r], 1e-12,
                 1e-12);
  }
  // The clamped logs bound the target gradient of binary_cross_entropy where PyTorch's
  // -logit(x) is infinite: x = 0 gives log(1) - (-100) = 100, x = 1 gives -100.
  const Tensor one = ex::ones({2}, DType::Float64);
  check_values(ex::binary_cross_entropy_target_backward(one, f64({0, 1}, {2}), f64({1, 0}, {2}), {}, Reduction::None),
               {2}, {100, -100});
  // Stable for large logits: -x (p = 1), finite at +-1000.
  check_values(ex::binary_cross_entropy_with_logits_target_backward(one, f64({1000, -1000}, {2}), f64({1, 0}, {2}), {},
                                                                    Reduction::None),
               {2}, {-1000, 1000});
  // float32 input and float64 target: the gradient has the target's dtype.
  const Tensor g32 = ex::binary_cross_entropy_with_logits_target_backward(
      ex::scalar_tensor(1.0, DType::Float64), kZ.to(DType::Float32), kTb, {}, Reduction::Sum);
  CHECK(g32.dtype() == DType::Float64);
  check_values(g32, {2, 3}, {-0.3, 2.0, -4.0, 0.7, -1.2, 0.0}, 1e-6);
}

TEST_CASE("loss target backward kernels: gradcheck (float64) for every reduction") {
  const Tensor p = uniform({3, 4}, 0.05, 0.95, 11);
  const Tensor x = normal({3, 4}, 12);
  const Tensor w = uniform({4}, 0.5, 2, 13);
  const Tensor pw = uniform({4}, 0.5, 3, 14);
  for (Reduction r : kReductions) {
    CAPTURE(static_cast<int>(r));
    for (bool noncontig : {false, true}) {
      const Tensor t = noncontig ? ex::test::noncontiguous(uniform({3, 4}, 0, 1, 15)) : uniform({3, 4}, 0, 1, 15);
      for (const Tensor& weight : {Tensor{}, w}) {
        gradcheck([&](const Tensor& b) { return ex::binary_cross_entropy(p, b, weight, r); },
                  [&](const Tensor& g, const Tensor& b) {
                    return ex::binary_cross_entropy_target_backward(g, p, b, weight, r);
                  },
                  t);
        for (const Tensor& pos : {Tensor{}, pw})
          gradcheck([&](const Tensor& b) { return ex::binary_cross_entropy_with_logits(x, b, weight, r, pos); },
                    [&](const Tensor& g, const Tensor& b) {
                      return ex::binary_cross_entropy_with_logits_target_backward(g, x, b, weight, r, pos);
                    },
                    t);
      }
    }
  }
}

TEST_CASE("loss backward kernels: conventions at kinks and clamps") {
  const Tensor one = ex::ones({4}, DType::Float64);
  const Tensor x = f64({1.0, 2.0, 3.0, 3.5}, {4});
  const Tensor t = f64({1.0, 2.5, 2.0, 3.0}, {4});
  // abs'(0) = 0 (PyTorch); smooth_l1 with beta 0 is l1 (sign(0) = 0), and |d| == beta gives sign(d).
  check_values(ex::l1_loss_backward(one, x, t, Reduction::None), {4}, {0, -1, 1, 1});
  check_values(ex::smooth_l1_loss_backward(one, x, t, Reduction::None, 0.0), {4}, {0, -1, 1, 1});
  check_values(ex::smooth_l1_loss_backward(one, x, t, Reduction::None, 0.5), {4}, {0, -1, 1, 1});
  check_values(ex::smooth_l1_loss_backward(one, x, t, Reduction::None, 2.0), {4}, {0, -0.25, 0.5, 0.25});
  // binary_cross_entropy at x == 0 or 1: a clamped log contributes 0, the other term its
  // exact derivative; never inf or NaN.
  check_values(
      ex::binary_cross_entropy_backward(one, f64({0, 0, 1, 1}, {4}), f64({1, 0, 0, 1}, {4}), {}, Reduction::None), {4},
      {0, 1, 0, -1});
  // Every target ignored: the gradient is zero (the forward's Mean is NaN).
  const Tensor ignored = i64({-100, -100, -100}, {3});
  check_values(ex::cross_entropy_backward(ex::scalar_tensor(1.0, DType::Float64), kLg, ignored), {3, 4},
               Values(12, 0.0));
  check_values(ex::nll_loss_backward(ex::scalar_tensor(1.0, DType::Float64), kLg, ignored), {3, 4}, Values(12, 0.0));
}

TEST_CASE("loss backward kernels: gradcheck (float64) for every reduction") {
  const Tensor t = normal({3, 4}, 2);
  const Tensor pt = uniform({3, 4}, 0, 1, 3);
  const Tensor w = uniform({4}, 0.5, 2, 4);
  const Tensor wcol = uniform({3, 1}, 0.5, 2, 5);
  const Tensor pw = uniform({4}, 0.5, 3, 6);
  for (Reduction r : kReductions) {
    CAPTURE(static_cast<int>(r));
    for (bool noncontig : {false, true}) {
      auto prep = [&](const Tensor& v) { return noncontig ? ex::test::noncontiguous(v) : v; };
      const Tensor x = prep(normal({3, 4}, 1));
      gradcheck([&](const Tensor& a) { return ex::mse_loss(a, t, r); },
                [&](const Tensor& g, const Tensor& a) { return ex::mse_loss_backward(g, a, t, r); }, x);
      gradcheck([&](const Tensor& a) { return ex::l1_loss(a, t, r); },
                [&](const Tensor& g, const Tensor& a) { return ex::l1_loss_backward(g, a, t, r); }, x);
      for (double beta : {1.0, 0.3}) {
        gradcheck([&](const Tensor& a) { return ex::smooth_l1_loss(a, t, r, beta); },
                  [&](const Tensor& g, const Tensor& a) { return ex::smooth_l1_loss_backward(g, a, t, r, beta); }, x);
      }
      const Tensor p = prep(uniform({3, 4}, 0.05, 0.95, 7));
      for (const Tensor& weight : {Tensor{}, w, wcol}) {
        gradcheck(
            [&](const Tensor& a) { return ex::binary_cross_entropy(a, pt, weight, r); },
            [&](const Tensor& g, const Tensor& a) { return ex::binary_cross_entropy_backward(g, a, pt, weight, r); },
            p);
        for (const Tensor& pos : {Tensor{}, pw}) {
          gradcheck([&](const Tensor& a) { return ex::binary_cross_entropy_with_logits(a, pt, weight, r, pos); },
                    [&](const Tensor& g, const Tensor& a) {
                      return ex::binary_cross_entropy_with_logits_backward(g, a, pt, weight, r, pos);
                    },
                    x);
        }
      }
    }
  }
}

TEST_CASE("cross_entropy_backward, nll_loss_backward: gradcheck with weights, ignore_index, smoothing, spatial") {
  struct Case {
    Shape shape;
    std::vector<std::int64_t> target;
    Shape target_shape;
  };
  const Case cases[] = {
      {{4, 3}, {0, 2, -100, 1}, {4}},
      {{2, 3, 2, 2}, {0, 2, 1, -100, 2, 2, 0, 1}, {2, 2, 2}},  // spatial [N, C, H, W]
      {{5}, {3}, {}},                                          // [C] with a rank-0 target
  };
  for (const Case& c : cases) {
    const std::int64_t classes = c.shape.size() == 1 ? c.shape[0] : c.shape[1];
    const Tensor target = i64(c.target, c.target_shape);
    const Tensor x0 = normal(c.shape, 21);
    for (Reduction r : kReductions)
      for (const Tensor& weight : {Tensor{}, uniform({classes}, 0.5, 2, 22)})
        for (double eps : {0.0, 0.3}) {
          CAPTURE(c.shape);
          CAPTURE(static_cast<int>(r));
          CAPTURE(eps);
          for (const Tensor& x : {x0, ex::test::noncontiguous(x0)}) {
            gradcheck([&](const Tensor& a) { return ex::cross_entropy(a, target, weight, -100, r, eps); },
                      [&](const Tensor& g, const Tensor& a) {
                        return ex::cross_entropy_backward(g, a, target, weight, -100, r, eps);
                      },
                      x);
          }
          gradcheck(
              [&](const Tensor& a) { return ex::nll_loss(a, target, weight, -100, r); },
              [&](const Tensor& g, const Tensor& a) { return ex::nll_loss_backward(g, a, target, weight, -100, r); },
              x0);
        }
  }
}

// ---------------------------------------------------------------- errors

TEST_CASE("loss errors") {
  const Tensor ints = ex::tensor<std::int64_t>({1, 2, 3}, {3});
  const Tensor x3 = f64({0.1, 0.2, 0.3}, {3});
  const Tensor s = ex::scalar_tensor(1.0, DType::Float64);
  const auto bad_reduction = static_cast<Reduction>(7);
  CHECK_THROWS_WITH_AS(ex::mse_loss(ints, ints), doctest::Contains("mse_loss:"), ex::Error);
  CHECK_THROWS_WITH_AS(ex::mse_loss(x3, f64({1, 2}, {2})), doctest::Contains("mse_loss: target shape [2]"), ex::Error);
  CHECK_THROWS_WITH_AS(ex::mse_loss(x3, Tensor{}), doctest::Contains("mse_loss:"), ex::Error);
  CHECK_THROWS_WITH_AS(ex::mse_loss(x3, x3, bad_reduction), doctest::Contains("mse_loss: invalid reduction"),
                       ex::Error);
  CHECK_THROWS_WITH_AS(ex::l1_loss(Tensor{}, x3), doctest::Contains("l1_loss:"), ex::Error);
  CHECK_THROWS_WITH_AS(ex::smooth_l1_loss(x3, x3, Reduction::Mean, -1.0), doctest::Contains("smooth_l1_loss: beta"),
                       ex::Error);
  CHECK_THROWS_WITH_AS(ex::smooth_l1_loss(x3, x3, Reduction::Mean, kNaN), doctest::Contains("smooth_l1_loss: beta"),
                       ex::Error);
  // Backward: grad shape and dtype, plus what the forward checks.
  CHECK_THROWS_WITH_AS(ex::mse_loss_backward(x3, x3, x3), doctest::Contains("mse_loss_backward: grad has shape [3]"),
                       ex::Error);
  CHECK_THROWS_WITH_AS(ex::mse_loss_backward(s, x3, x3, Reduction::None), doctest::Contains("mse_loss_backward:"),
                       ex::Error);
  CHECK_THROWS_WITH_AS(ex::mse_loss_backward(ex::scalar_tensor(1, DType::Int64), x3, x3),
                       doctest::Contains("mse_loss_backward: grad"), ex::Error);
  CHECK_THROWS_WITH_AS(ex::mse_loss_backward(Tensor{}, x3, x3), doctest::Contains("mse_loss_backward:"), ex::Error);
  CHECK_THROWS_WITH_AS(ex::l1_loss_backward(s, x3, ints.to(DType::Float64).reshape({3, 1})),
                       doctest::Contains("l1_loss_backward:"), ex::Error);
  CHECK_THROWS_WITH_AS(ex::smooth_l1_loss_backward(s, x3, x3, Reduction::Sum, -0.5),
                       doctest::Contains("smooth_l1_loss_backward: beta"), ex::Error);

  // binary_cross_entropy: probabilities in [0, 1], target of the input's dtype, weight broadcasting.
  CHECK_THROWS_WITH_AS(ex::binary_cross_entropy(f64({0.5, 1.5}, {2}), f64({1, 0}, {2})),
                       doctest::Contains("binary_cross_entropy: all elements of input should be between 0 and 1, "
                                         "found 1.5"),
                       ex::Error);
  CHECK_THROWS_WITH_AS(ex::binary_cross_entropy(f64({kNaN}, {1}), f64({1}, {1})),
                       doctest::Contains("binary_cross_entropy: all elements"), ex::Error);
  CHECK_THROWS_WITH_AS(ex::binary_cross_entropy(x3, ex::tensor<bool>({true, false, true}, {3})),
                       doctest::Contains("binary_cross_entropy: target must have the input's dtype"), ex::Error);
  CHECK_THROWS_WITH_AS(ex::binary_cross_entropy(x3, x3.to(DType::Float32)), doctest::Contains("binary_cross_entropy:"),
                       ex::Error);
  CHECK_THROWS_WITH_AS(ex::binary_cross_entropy(x3, x3, f64({1, 2}, {2})),
                       doctest::Contains("binary_cross_entropy: weight of shape [2]"), ex::Error);
  CHECK_THROWS_WITH_AS(ex::binary_cross_entropy(x3, x3, ints), doctest::Contains("binary_cross_entropy: weight"),
                       ex::Error);
  CHECK_THROWS_WITH_AS(ex::binary_cross_entropy(x3, x3, f64({1, 2, 3, 4, 5, 6}, {2, 3})),
                       doctest::Contains("binary_cross_entropy: weight"), ex::Error);
  CHECK_THROWS_WITH_AS(ex::binary_cross_entropy_backward(s, f64({-0.1}, {1}), f64({1}, {1})),
                       doctest::Contains("binary_cross_entropy_backward: all elements"), ex::Error);
  CHECK_THROWS_WITH_AS(ex::binary_cross_entropy_backward(x3, x3, x3),
                       doctest::Contains("binary_cross_entropy_backward: grad"), ex::Error);

  // binary_cross_entropy_with_logits: floating target (bool and integers throw, as PyTorch).
  CHECK_THROWS_WITH_AS(ex::binary_cross_entropy_with_logits(x3, ints),
                       doctest::Contains("binary_cross_entropy_with_logits: target"), ex::Error);
  CHECK_THROWS_WITH_AS(ex::binary_cross_entropy_with_logits(x3, ex::tensor<bool>({true, false, true}, {3})),
                       doctest::Contains("binary_cross_entropy_with_logits: target"), ex::Error);
  CHECK_THROWS_WITH_AS(ex::binary_cross_entropy_with_logits(x3, x3, {}, Reduction::Mean, f64({1, 2}, {2})),
                       doctest::Contains("binary_cross_entropy_with_logits: pos_weight"), ex::Error);
  CHECK_THROWS_WITH_AS(ex::binary_cross_entropy_with_logits(x3, f64({1}, {1})),
                       doctest::Contains("binary_cross_entropy_with_logits: target shape"), ex::Error);
  CHECK_THROWS_WITH_AS(ex::binary_cross_entropy_with_logits_backward(s, x3, x3, {}, Reduction::None),
                       doctest::Contains("binary_cross_entropy_with_logits_backward: grad"), ex::Error);
  CHECK_THROWS_WITH_AS(ex::binary_cross_entropy_target_backward(s, f64({1.5}, {1}), f64({1}, {1})),
                       doctest::Contains("binary_cross_entropy_target_backward: all elements"), ex::Error);
  CHECK_THROWS_WITH_AS(ex::binary_cross_entropy_target_backward(x3, x3, x3),
                       doctest::Contains("binary_cross_entropy_target_backward: grad"), ex::Error);
  CHECK_THROWS_WITH_AS(ex::binary_cross_entropy_with_logits_target_backward(s, x3, ints),
                       doctest::Contains("binary_cross_entropy_with_logits_target_backward: target"), ex::Error);
  CHECK_THROWS_WITH_AS(ex::binary_cross_entropy_with_logits_target_backward(s, x3, x3, {}, Reduction::None),
                       doctest::Contains("binary_cross_entropy_with_logits_target_backward: grad"), ex::Error);

  // Class-index losses.
  const Tensor y = i64({0, 1, 2, 1}, {4});
  const Tensor lg = normal({4, 3}, 9);
  CHECK_THROWS_WITH_AS(ex::cross_entropy(lg, i64({0, 1, 3, 1}, {4})),
                       doctest::Contains("cross_entropy: target index 3 is out of bounds for 3 classes"), ex::Error);
  CHECK_THROWS_WITH_AS(ex::cross_entropy(lg, i64({0, -1, 2, 1}, {4})),
                       doctest::Contains("cross_entropy: target index -1 is out of bounds"), ex::Error);
  CHECK_THROWS_WITH_AS(ex::cross_entropy(lg, y.to(DType::Int32)),
                       doctest::Contains("cross_entropy: target must hold "
                                         "int64"),
                       ex::Error);
  CHECK_THROWS_WITH_AS(ex::cross_entropy(lg, normal({4, 3}, 1)), doctest::Contains("cross_entropy: target must hold"),
                       ex::Error);
  CHECK_THROWS_WITH_AS(ex::cross_entropy(lg, i64({0, 1, 2}, {3})), doctest::Contains("cross_entropy: target shape [3]"),
                       ex::Error);
  CHECK_THROWS_WITH_AS(ex::cross_entropy(normal({2, 3, 2, 2}, 1), ex::zeros({2, 2, 3}, DType::Int64)),
                       doctest::Contains("cross_entropy: target shape [2, 2, 3]"), ex::Error);
  CHECK_THROWS_WITH_AS(ex::cross_entropy(lg, y, f64({1, 1, 1, 1}, {4})), doctest::Contains("cross_entropy: weight"),
                       ex::Error);
  CHECK_THROWS_WITH_AS(ex::cross_entropy(lg, y, ex::ones({3})), doctest::Contains("cross_entropy: weight"), ex::Error);
  CHECK_THROWS_WITH_AS(ex::cross_entropy(lg, y, {}, -100, Reduction::Mean, 1.5),
                       doctest::Contains("cross_entropy: label_smoothing"), ex::Error);
  CHECK_THROWS_WITH_AS(ex::cross_entropy(lg, y, {}, -100, Reduction::Mean, -0.1),
                       doctest::Contains("cross_entropy: label_smoothing"), ex::Error);
  CHECK_THROWS_WITH_AS(ex::cross_entropy(s, i64({0}, {})), doctest::Contains("cross_entropy: input must be"),
                       ex::Error);
  CHECK_THROWS_WITH_AS(ex::cross_entropy(ex::zeros({4, 3}, DType::Int64), y), doctest::Contains("cross_entropy: input"),
                       ex::Error);
  CHECK_THROWS_WITH_AS(ex::cross_entropy(lg, y, {}, -100, bad_reduction), doctest::Contains("cross_entropy: invalid"),
                       ex::Error);
  CHECK_THROWS_WITH_AS(ex::cross_entropy(ex::zeros({2, 0}, DType::Float64), i64({0, 0}, {2})),
                       doctest::Contains("cross_entropy: target index 0 is out of bounds for 0 classes"), ex::Error);
  CHECK_THROWS_WITH_AS(ex::cross_entropy_backward(s, lg, i64({0, 1, 5, 1}, {4})),
                       doctest::Contains("cross_entropy_backward: target index 5"), ex::Error);
  CHECK_THROWS_WITH_AS(ex::cross_entropy_backward(s, lg, y, {}, -100, Reduction::None),
                       doctest::Contains("cross_entropy_backward: grad has shape []"), ex::Error);
  CHECK_THROWS_WITH_AS(ex::cross_entropy_backward(s, lg, y, {}, -100, Reduction::Mean, 2.0),
                       doctest::Contains("cross_entropy_backward: label_smoothing"), ex::Error);
  CHECK_THROWS_WITH_AS(ex::nll_loss(lg, i64({0, 1, 7, 1}, {4})),
                       doctest::Contains("nll_loss: target index 7 is out of bounds"), ex::Error);
  CHECK_THROWS_WITH_AS(ex::nll_loss(lg, y, f64({1, 1}, {2})), doctest::Contains("nll_loss: weight"), ex::Error);
  CHECK_THROWS_WITH_AS(ex::nll_loss_backward(ex::ones({4}, DType::Float64), lg, y),
                       doctest::Contains("nll_loss_backward: grad has shape [4]"), ex::Error);
  CHECK_THROWS_WITH_AS(ex::nll_loss_backward(s, lg, y.to(DType::Int32)), doctest::Contains("nll_loss_backward: target"),
                       ex::Error);
}
