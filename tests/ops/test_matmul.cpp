// matmul, dot, outer: values against a naive float64 triple loop, every backend
// (oneDNN for float32/bfloat16/float16, our packed and simple kernels), views, batch
// broadcasting, zero-size dims and every error path.
#include <string>
#include <vector>

#include "test_util.hpp"

namespace {

// The NumPy/PyTorch matmul of a and b computed naively in float64, through expand()
// for the batch broadcast (independent of the kernels' own batch walk).
Tensor reference(const Tensor& a0, const Tensor& b0) {
  Tensor a = a0.dim() == 1 ? a0.unsqueeze(0) : a0;
  Tensor b = b0.dim() == 1 ? b0.unsqueeze(1) : b0;
  const std::int64_t m = a.size(-2), k = a.size(-1), n = b.size(-1);
  Shape a_batch(std::vector<std::int64_t>(a.shape().begin(), a.shape().end() - 2));
  Shape b_batch(std::vector<std::int64_t>(b.shape().begin(), b.shape().end() - 2));
  Shape batch = ex::broadcast_shapes(a_batch, b_batch);
  Shape a_full = batch, b_full = batch, out = batch;
  a_full.push_back(m);
  a_full.push_back(k);
  b_full.push_back(k);
  b_full.push_back(n);
  out.push_back(m);
  out.push_back(n);
  const std::vector<double> av = a.expand(a_full).to_vector<double>();
  const std::vector<double> bv = b.expand(b_full).to_vector<double>();
  std::vector<double> cv(static_cast<std::size_t>(out.numel()), 0.0);
  for (std::int64_t t = 0; t < batch.numel(); ++t)
    for (std::int64_t i = 0; i < m; ++i)
      for (std::int64_t j = 0; j < n; ++j) {
        double s = 0;
        for (std::int64_t p = 0; p < k; ++p)
          s += av[static_cast<std::size_t>((t * m + i) * k + p)] * bv[static_cast<std::size_t>((t * k + p) * n + j)];
        cv[static_cast<std::size_t>((t * m + i) * n + j)] = s;
      }
  Shape result = batch;
  if (a0.dim() > 1) result.push_back(m);
  if (b0.dim() > 1) result.push_back(n);
  return ex::tensor(cv, out).reshape(result);
}

// Relative tolerance of a dtype's result (inputs are exact in the dtype; the result is
// rounded once, after float32 accumulation for the 16-bit types).
const ex::test::DTypeTolerance tolerance{1e-12, 1e-5, 2e-3, 1e-2, 0};

// Small values, exact in every dtype (floats in [0, 1), integers in [-3, 3] or [0, 3]).
Tensor values(const Shape& shape, DType dtype) {
  if (ex::is_floating(dtype)) return ex::rand(shape, DType::Float64).to(dtype);
  return ex::randint(ex::is_signed(dtype) ? -3 : 0, 4, shape, dtype);
}

// The reference in float64, wrapped into the dtype first for integers (sums of int8
// products overflow int8 just as in PyTorch; the float64 sums are exact).
Tensor expected(const Tensor& a, const Tensor& b) {
  const Tensor want = reference(a, b);
  if (!ex::is_integral(a.dtype())) return want;
  return want.to(DType::Int64).to(a.dtype()).to(DType::Float64);
}

// Every value of got within tol (relative and absolute) of want; one assertion per
// tensor (reporting the first mismatch) keeps the big cases fast.
void check_close(const Tensor& got, const Tensor& want, double tol) {
  REQUIRE(got.shape() == want.shape());
  const std::vector<double> g = got.to_vector<double>(), w = want.to_vector<double>();
  std::size_t bad = 0, first = 0;
  for (std::size_t i = 0; i < g.size(); ++i)
    if (!(std::fabs(g[i] - w[i]) <= tol + tol * std::fabs(w[i])) && bad++ == 0) first = i;
  INFO(bad << " of " << g.size() << " values differ; first at " << first << ": got " << (bad ? g[first] : 0.0)
           << ", expected " << (bad ? w[first] : 0.0));
  CHECK(bad == 0);
}

void check_matmul(const Tensor& a, const Tensor& b) {
  INFO("shapes " << a.shape() << " @ " << b.shape() << ", dtype " << a.dtype());
  const Tensor got = ex::matmul(a, b);
  CHECK(got.dtype() == a.dtype());
  check_close(got, expected(a, b), tolerance(a.dtype()));
}

// The shapes every dtype is checked on: every rank combination, broadcast batches both
// ways, and sizes above the own-kernel threshold (oneDNN for float32/bfloat16) and
// across the packed kernel's block edges (m > 64, n > 256, k > 256).
const std::vector<std::pair<Shape, Shape>> kShapes = {
    {{3, 4}, {4, 5}},
    {{4}, {4}},
    {{3, 4}, {4}},
    {{4}, {4, 5}},
    {{1, 1}, {1, 1}},
    {{2, 3, 4}, {4, 5}},
    {{3, 4}, {2, 4, 5}},
    {{2, 1, 3, 4}, {5, 4, 6}},
    {{1, 3, 4}, {2, 4, 5}},
    {{2, 3, 4}, {1, 4, 5}},
    {{2, 3, 4}, {4}},
    {{4}, {2, 4, 5}},
    {{40, 50}, {50, 30}},
    {{3, 20, 30}, {3, 30, 40}},
    {{2, 1, 20, 30}, {3, 30, 40}},
    {{70, 300}, {300, 270}},
    {{300}, {300, 70}},
    {{70, 300}, {300}},
    {{5000}, {5000}},
};

const std::vector<DType> kDTypes = {DType::Float32, DType::BFloat16, DType::Float16, DType::Float64, DType::Int8,
                                    DType::Int16,   DType::Int32,    DType::Int64,   DType::UInt8,   DType::UInt32};

}  // namespace

TEST_CASE("matmul: every shape class and dtype against a float64 reference") {
  ex::manual_seed(1);
  for (DType dtype : kDTypes)
    for (const auto& [sa, sb] : kShapes) check_matmul(values(sa, dtype), values(sb, dtype));
}

TEST_CASE("matmul: hand-computed values") {
  const Tensor a = ex::tensor<float>({1, 2, 3, 4, 5, 6}, {2, 3});
  const Tensor b = ex::tensor<float>({7, 8, 9, 10, 11, 12}, {3, 2});
  ex::test::check_values(ex::matmul(a, b), {2, 2}, {58, 64, 139, 154});
  ex::test::check_values(ex::matmul(a, ex::tensor<float>({1, 0, -1})), {2}, {-2, -2});
  ex::test::check_values(ex::matmul(ex::tensor<float>({1, -1}), b.slice(0, 0, 2)), {2}, {-2, -2});
  const Tensor d = ex::matmul(ex::tensor<double>({1, 2, 3}), ex::tensor<double>({4, 5, 6}));
  CHECK(d.dim() == 0);
  CHECK(d.item<double>() == 32.0);
  const Tensor i =
      ex::matmul(ex::tensor<std::int64_t>({1, 2, 3, 4}, {2, 2}), ex::tensor<std::int64_t>({5, 6, 7, 8}, {2, 2}));
  CHECK(i.dtype() == DType::Int64);
  CHECK(i.to_vector<std::int64_t>() == std::vector<std::int64_t>{19, 22, 43, 50});
}

TEST_CASE("matmul: non-contiguous operands") {
  ex::manual_seed(2);
  for (DType dtype : {DType::Float32, DType::BFloat16, DType::Float16, DType::Float64, DType::Int32, DType::UInt8}) {
    for (const auto& [sa, sb] : kShapes) {
      // The block-edge shape is slow to check; our kernel's strided packing (float64,
      // int32) is what it tests.
      if (sa.numel() * sb.back() > 1000000 && dtype != DType::Float64 && dtype != DType::Int32) continue;
      const Tensor a = values(sa, dtype), b = values(sb, dtype);
      check_matmul(ex::test::noncontiguous(a), b);  // transposed storage / stride 2
      check_matmul(a, ex::test::noncontiguous(b));
      check_matmul(ex::test::noncontiguous(a), ex::test::noncontiguous(b));
    }
    // Transposes, slices with steps, expanded (stride-0) batches and rows.
    check_matmul(values({30, 40}, dtype).transpose(0, 1), values({30, 50}, dtype));
    check_matmul(values({40, 70}, dtype).slice(1, 0, 70, 2), values({35, 50}, dtype).slice(1, 3, 50));
    check_matmul(values({1, 40, 30}, dtype).expand({4, 40, 30}), values({4, 30, 50}, dtype));
    check_matmul(values({1, 40, 30}, dtype).expand({4, 40, 30}), values({30, 50}, dtype));
    check_matmul(values({40, 30}, dtype), values({1, 30, 50}, dtype).expand({3, 30, 50}));
    check_matmul(values({1, 30}, dtype).expand({40, 30}), values({30, 50}, dtype));
    check_matmul(values({40, 5, 30}, dtype).transpose(0, 1), values({5, 50, 30}, dtype).transpose(1, 2));
    check_matmul(values({8, 40, 30}, dtype).slice(0, 1, 8, 2), values({4, 30, 50}, dtype));
  }
}

TEST_CASE("matmul: oneDNN handles every float32/bfloat16 pattern without its reference path") {
  // Each pattern is checked for values and for the implementation oneDNN chose
  // (through the kernels' trace hook), so a layout that would silently land on the
  // far slower "ref:any" fails here. Expanded batches must reach oneDNN as
  // size-1 broadcast dims without a copy; inner strides without a unit stride are
  // copied once.
  ex::manual_seed(3);
  struct Pattern {
    const char* name;
    Tensor a, b;
    bool copy_a, copy_b;
  };
  for (DType dtype : {DType::Float32, DType::BFloat16}) {
    const auto r = [&](const Shape& s) { return values(s, dtype); };
    const std::vector<Pattern> patterns = {
        {"plain", r({64, 32}), r({32, 48}), false, false},
        {"a transposed", r({32, 64}).transpose(0, 1), r({32, 48}), false, false},
        {"b transposed", r({64, 32}), r({48, 32}).transpose(0, 1), false, false},
        {"column slice", r({64, 64}).slice(1, 0, 32), r({32, 48}), false, false},
        {"step slice", r({64, 64}).slice(1, 0, 64, 2), r({32, 48}), true, false},
        {"expanded rows", r({1, 32}).expand({64, 32}), r({32, 48}), true, false},
        {"matrix-vector", r({100, 400}), r({400}), false, false},
        {"vector-matrix", r({400}), r({400, 100}), false, false},
        {"dot", r({40000}), r({40000}), false, false},
        {"batched", r({5, 64, 32}), r({5, 32, 48}), false, false},
        {"batch @ 2-D", r({5, 64, 32}), r({32, 48}), false, false},
        {"2-D @ batch", r({64, 32}), r({5, 32, 48}), false, false},
        {"broadcast both ways", r({2, 1, 64, 32}), r({5, 32, 48}), false, false},
        {"expanded batch", r({1, 64, 32}).expand({5, 64, 32}), r({5, 32, 48}), false, false},
        {"expanded batch @ 2-D", r({1, 64, 32}).expand({5, 64, 32}), r({32, 48}), false, false},
        {"batch transposed (acb)", r({5, 32, 64}).transpose(1, 2), r({5, 48, 32}).transpose(1, 2), false, false},
        {"batch dim permuted", r({64, 5, 32}).transpose(0, 1), r({32, 5, 48}).transpose(0, 1), false, false},
        {"batch sliced", r({10, 64, 32}).slice(0, 0, 10, 2), r({5, 32, 48}), false, false},
        {"inner step slice, batched", r({5, 64, 64}).slice(2, 0, 64, 2), r({5, 32, 48}), true, false},
    };
    for (const Pattern& p : patterns) {
      INFO(p.name << ", dtype " << dtype);
      check_matmul(p.a, p.b);
      const auto& trace = ex::kernels::detail::last_matmul_trace();
      INFO("backend " << trace.backend);
      CHECK(trace.backend.rfind("onednn:", 0) == 0);
      CHECK(trace.backend.find("ref") == std::string::npos);
      if (dtype == DType::Float32 || ex::onednn_supports_bf16()) {
        CHECK(trace.copied_a == p.copy_a);
        CHECK(trace.copied_b == p.copy_b);
      } else {  // bfloat16 without oneDNN support: both operands go through float32
        CHECK(trace.copied_a);
        CHECK(trace.copied_b);
      }
    }
  }
}

TEST_CASE("matmul: backend choice by dtype and size") {
  ex::manual_seed(4);
  const auto backend = [](const Tensor& a, const Tensor& b) {
    check_matmul(a, b);
    return ex::kernels::detail::last_matmul_trace().backend;
  };
  // Tiny float products stay in our kernel (cheaper than a oneDNN call).
  CHECK(backend(values({16, 16}, DType::Float32), values({16, 16}, DType::Float32)) == "own:packed");
  CHECK(backend(values({16, 16}, DType::BFloat16), values({16, 16}, DType::BFloat16)) == "own:packed");
  CHECK(backend(values({8}, DType::Float32), values({8, 16}, DType::Float32)) == "own:simple");
  CHECK(backend(values({64, 64}, DType::Float32), values({64, 64}, DType::Float32)).rfind("onednn:", 0) == 0);
  // float16 goes through float32 oneDNN when large.
  CHECK(backend(values({64, 64}, DType::Float16), values({64, 64}, DType::Float16)).rfind("onednn:", 0) == 0);
  // float64 and integers never reach oneDNN.
  CHECK(backend(values({64, 64}, DType::Float64), values({64, 64}, DType::Float64)) == "own:packed");
  CHECK(backend(values({64, 64}, DType::Int64), values({64, 64}, DType::Int64)) == "own:packed");
  CHECK(backend(values({64, 64}, DType::Float64), values({64}, DType::Float64)) == "own:simple");
  // Rank above oneDNN's 12 dims: our kernel.
  Shape sa(11, 1);
  sa.push_back(2);
  sa.push_back(40);
  sa.push_back(30);
  CHECK(backend(values(sa, DType::Float32), values({30, 40}, DType::Float32)) == "own:packed");
}

TEST_CASE("matmul: integer products wrap into the input dtype like PyTorch") {
  CHECK(ex::matmul(ex::tensor<std::int8_t>({100, 100}), ex::tensor<std::int8_t>({2, 1})).item<int>() == 44);
  CHECK(ex::matmul(ex::tensor<std::uint8_t>({200, 200}), ex::tensor<std::uint8_t>({2, 1})).item<int>() == 88);
  const Tensor big = ex::tensor<std::int64_t>({std::int64_t{1} << 62, 3}, {1, 2});
  CHECK(ex::matmul(big, ex::tensor<std::int64_t>({4, 5}, {2, 1})).item<std::int64_t>() == 15);
  CHECK(ex::matmul(ex::tensor<std::int32_t>({-3, 2}), ex::tensor<std::int32_t>({4, -5})).item<int>() == -22);
}

TEST_CASE("matmul: zero-size dims") {
  for (DType dtype : {DType::Float32, DType::Float64, DType::Int32, DType::BFloat16}) {
    INFO(dtype);
    Tensor r = ex::matmul(ex::ones({0, 3}, dtype), ex::ones({3, 4}, dtype));
    CHECK(r.shape() == Shape{0, 4});
    r = ex::matmul(ex::ones({3, 0}, dtype), ex::ones({0, 4}, dtype));  // k = 0: zeros
    ex::test::check_values(r, {3, 4}, std::vector<double>(12, 0.0));
    r = ex::matmul(ex::ones({0}, dtype), ex::ones({0}, dtype));
    CHECK(r.dim() == 0);
    CHECK(r.item<double>() == 0.0);
    r = ex::matmul(ex::ones({2, 0, 3, 4}, dtype), ex::ones({4, 5}, dtype));
    CHECK(r.shape() == Shape{2, 0, 3, 5});
    r = ex::matmul(ex::ones({3, 4}, dtype), ex::ones({4, 0}, dtype));
    CHECK(r.shape() == Shape{3, 0});
    r = ex::matmul(ex::ones({2, 3, 0}, dtype), ex::ones({0}, dtype));
    ex::test::check_values(r, {2, 3}, std::vector<double>(6, 0.0));
  }
}

TEST_CASE("matmul: float64 is fast enough for gradient checks") {
  // A 64x64 float64 product (what gradcheck on a linear layer repeats) must take
  // microseconds, not milliseconds: 200 of them well under the suite's budget.
  ex::manual_seed(5);
  const Tensor a = ex::randn({64, 64}, DType::Float64), b = ex::randn({64, 64}, DType::Float64);
  check_matmul(a, b);
  for (int i = 0; i < 200; ++i) (void)ex::matmul(a, b);
}

TEST_CASE("matmul: errors") {
  const Tensor m34 = ex::ones({3, 4}), m56 = ex::ones({5, 6});
  CHECK_THROWS_WITH_AS(ex::matmul(m34, m56), "matmul: shapes [3, 4] and [5, 6] are not aligned (4 != 5)", ex::Error);
  CHECK_THROWS_WITH_AS(ex::matmul(ex::ones({3}), ex::ones({4})), doctest::Contains("matmul: shapes [3] and [4]"),
                       ex::Error);
  CHECK_THROWS_WITH_AS(ex::matmul(ex::ones({3}), m56), doctest::Contains("not aligned (3 != 5)"), ex::Error);
  CHECK_THROWS_WITH_AS(ex::matmul(ex::scalar_tensor(1.0), m34), doctest::Contains("matmul: both arguments need"),
                       ex::Error);
  CHECK_THROWS_WITH_AS(ex::matmul(m34, ex::scalar_tensor(1.0)), doctest::Contains("matmul:"), ex::Error);
  CHECK_THROWS_WITH_AS(
      ex::matmul(m34, ex::ones({4, 2}, DType::Float64)),
      doctest::Contains("matmul: expected both operands to have the same dtype, got float32 and float64"), ex::Error);
  CHECK_THROWS_WITH_AS(ex::matmul(ex::ones({2, 2}, DType::Bool), ex::ones({2, 2}, DType::Bool)),
                       doctest::Contains("matmul: dtype bool"), ex::Error);
  CHECK_THROWS_WITH_AS(ex::matmul(ex::ones({2, 3, 4}), ex::ones({5, 4, 6})),
                       doctest::Contains("matmul: batch dims of shapes [2, 3, 4] and [5, 4, 6] cannot be broadcast"),
                       ex::Error);
  CHECK_THROWS_WITH_AS(ex::matmul(Tensor(), m34), doctest::Contains("matmul: an argument is an undefined"), ex::Error);
}

TEST_CASE("dot") {
  ex::manual_seed(6);
  for (DType dtype : kDTypes) {
    const Tensor a = values({37}, dtype), b = values({37}, dtype);
    check_matmul(a, b);
    const Tensor d = ex::dot(a, b);
    CHECK(d.dim() == 0);
    CHECK(d.dtype() == dtype);
    const Tensor want = expected(a, b);
    const double tol = tolerance(dtype);
    ex::test::check_values(d, {}, want.to_vector<double>(), tol, tol);
    ex::test::check_values(ex::dot(ex::test::noncontiguous(a), ex::test::noncontiguous(b)), {},
                           want.to_vector<double>(), tol, tol);
  }
  CHECK(ex::dot(ex::tensor<int>({1, 2, 3}), ex::tensor<int>({4, -5, 6})).item<int>() == 12);
  CHECK(ex::dot(ex::ones({0}), ex::ones({0})).item<float>() == 0.0f);
  CHECK_THROWS_WITH_AS(ex::dot(ex::ones({2, 3}), ex::ones({3})), doctest::Contains("dot: expected two 1-D tensors"),
                       ex::Error);
  CHECK_THROWS_WITH_AS(ex::dot(ex::scalar_tensor(1), ex::ones({1})), doctest::Contains("dot:"), ex::Error);
  CHECK_THROWS_WITH_AS(ex::dot(ex::ones({3}), ex::ones({4})),
                       doctest::Contains("dot: shapes [3] and [4] have different lengths (3 != 4)"), ex::Error);
  CHECK_THROWS_WITH_AS(ex::dot(ex::ones({3}), ex::ones({3}, DType::Int32)),
                       doctest::Contains("dot: expected both operands to have the same dtype, got float32 and int32"),
                       ex::Error);
  CHECK_THROWS_WITH_AS(ex::dot(ex::ones({3}, DType::Bool), ex::ones({3}, DType::Bool)),
                       doctest::Contains("dot: dtype bool"), ex::Error);
  CHECK_THROWS_WITH_AS(ex::dot(ex::ones({3}), Tensor()), doctest::Contains("dot:"), ex::Error);
}

TEST_CASE("outer") {
  ex::test::check_values(ex::outer(ex::tensor<float>({1, 2, 3}), ex::tensor<float>({4, 5})), {3, 2},
                         {4, 5, 8, 10, 12, 15});
  // Promotion like torch.outer: int32 x float32 -> float32.
  const Tensor p = ex::outer(ex::tensor<std::int32_t>({1, 2}), ex::tensor<float>({0.5f}));
  CHECK(p.dtype() == DType::Float32);
  ex::test::check_values(p, {2, 1}, {0.5, 1.0});
  const Tensor l = ex::outer(ex::tensor<bool>({true, false}), ex::tensor<bool>({true, true}));
  CHECK(l.dtype() == DType::Bool);
  CHECK(l.to_vector<bool>() == std::vector<bool>{true, true, false, false});
  CHECK(ex::outer(ex::tensor<std::int8_t>({100}), ex::tensor<std::int8_t>({3})).item<int>() == 44);  // wraps
  ex::manual_seed(7);
  for (DType dtype : {DType::Float32, DType::BFloat16, DType::Float16, DType::Float64, DType::Int64, DType::UInt16}) {
    INFO(dtype);
    const Tensor a = values({300}, dtype), b = values({200}, dtype);
    const Tensor want = expected(a.unsqueeze(1), b.unsqueeze(0));
    const double tol = tolerance(dtype);
    check_close(ex::outer(a, b), want, tol);
    check_close(ex::outer(ex::test::noncontiguous(a), ex::test::noncontiguous(b)), want, tol);
    ex::test::check_values(
        ex::outer(a.slice(0, 0, 300, 3), b.slice(0, 0, 1)), {100, 1},
        expected(a.slice(0, 0, 300, 3).unsqueeze(1), b.slice(0, 0, 1).unsqueeze(0)).to_vector<double>(), tol, tol);
  }
  CHECK(ex::outer(ex::ones({0}), ex::ones({3})).shape() == Shape{0, 3});
  CHECK_THROWS_WITH_AS(ex::outer(ex::ones({2, 2}), ex::ones({2})), doctest::Contains("outer: expected two 1-D tensors"),
                       ex::Error);
  CHECK_THROWS_WITH_AS(ex::outer(ex::ones({2}), ex::scalar_tensor(2.0)), doctest::Contains("outer:"), ex::Error);
  CHECK_THROWS_WITH_AS(ex::outer(Tensor(), ex::ones({2})), doctest::Contains("outer:"), ex::Error);
}
