// Reductions: sum, mean, max_reduce, min_reduce, argmax, argmin against hand values
// and a float64 reference over every axis combination, views, dtypes, NaN, empty
// tensors, accuracy, reproducibility and errors.

#include <cmath>
#include <cstdint>
#include <functional>
#include <limits>
#include <utility>
#include <vector>

#include "test_util.hpp"

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();

enum class Op { Sum, Mean, Max, Min };

// float64 reference: reduces the row-major values of `shape` over the axes in mask.
std::vector<double> reference(const std::vector<double>& v, const Shape& shape, const std::vector<bool>& mask, Op op) {
  const std::size_t rank = shape.size();
  std::vector<std::int64_t> out_dims;
  for (std::size_t d = 0; d < rank; ++d)
    if (!mask[d]) out_dims.push_back(shape[d]);
  std::int64_t out_n = 1;
  for (auto d : out_dims) out_n *= d;
  std::vector<double> acc(out_n, op == Op::Max ? -kInf : op == Op::Min ? kInf : 0.0);
  std::vector<std::int64_t> cnt(out_n, 0);
  std::vector<std::int64_t> idx(rank, 0);
  for (std::size_t i = 0; i < v.size(); ++i) {
    std::int64_t rem = static_cast<std::int64_t>(i), o = 0;
    for (std::size_t d = rank; d-- > 0;) {
      idx[d] = rem % shape[d];
      rem /= shape[d];
    }
    for (std::size_t d = 0; d < rank; ++d)
      if (!mask[d]) o = o * shape[d] + idx[d];
    const double x = v[i];
    double& a = acc[o];
    if (op == Op::Max)
      a = (std::isnan(a) || std::isnan(x)) ? kNaN : std::max(a, x);
    else if (op == Op::Min)
      a = (std::isnan(a) || std::isnan(x)) ? kNaN : std::min(a, x);
    else
      a += x;
    ++cnt[o];
  }
  if (op == Op::Mean)
    for (std::int64_t o = 0; o < out_n; ++o) acc[o] /= static_cast<double>(cnt[o]);
  return acc;
}

Tensor run(const Tensor& x, const std::vector<std::int64_t>& axes, bool keepdims, Op op) {
  switch (op) {
    case Op::Sum:
      return ex::sum(x, axes, keepdims);
    case Op::Mean:
      return ex::mean(x, axes, keepdims);
    case Op::Max:
      return ex::max_reduce(x, axes, keepdims);
    case Op::Min:
      return ex::min_reduce(x, axes, keepdims);
  }
  return {};
}

Shape reduced_shape(const Shape& s, const std::vector<bool>& mask, bool keepdims) {
  Shape out;
  for (std::size_t d = 0; d < s.size(); ++d) {
    if (!mask[d])
      out.push_back(s[d]);
    else if (keepdims)
      out.push_back(1);
  }
  return out;
}

// Checks every subset of axes of x (as a list, and as a single axis where it is one)
// with and without keepdims against the float64 reference.
void check_all_axes(const Tensor& x, Op op, double rtol = 1e-6) {
  const std::vector<double> v = x.to_vector<double>();
  const std::int64_t rank = x.dim();
  for (std::int64_t bits = 1; bits < (std::int64_t{1} << rank); ++bits) {
    std::vector<bool> mask(rank);
    std::vector<std::int64_t> axes;
    for (std::int64_t d = 0; d < rank; ++d)
      if ((bits >> d) & 1) {
        mask[d] = true;
        axes.push_back(d - (d % 2) * rank);  // mix positive and negative axes
      }
    const std::vector<double> expected = reference(v, x.shape(), mask, op);
    for (bool keepdims : {false, true}) {
      INFO("axes bits " << bits << " keepdims " << keepdims);
      check_values(run(x, axes, keepdims, op), reduced_shape(x.shape(), mask, keepdims), expected, 1e-5, rtol);
      if (axes.size() == 1) {
        const Tensor one = op == Op::Sum    ? ex::sum(x, axes[0], keepdims)
                           : op == Op::Mean ? ex::mean(x, axes[0], keepdims)
                           : op == Op::Max  ? ex::max_reduce(x, axes[0], keepdims)
                                            : ex::min_reduce(x, axes[0], keepdims);
        check_values(one, reduced_shape(x.shape(), mask, keepdims), expected, 1e-5, rtol);
      }
    }
  }
}

Tensor sample(const Shape& shape, DType dtype) {
  ex::manual_seed(7);
  return ex::randint(-50, 50, shape, DType::Int64).to(DType::Float64).to(dtype);
}

}  // namespace

TEST_CASE("reduction: sum/mean/max/min over every axis subset against float64") {
  for (Op op : {Op::Sum, Op::Mean, Op::Max, Op::Min}) {
    for (DType dt :
         {DType::Float32, DType::Float64, DType::Float16, DType::BFloat16, DType::Int32, DType::Int8, DType::UInt8}) {
      if (op == Op::Mean && !ex::is_floating(dt)) continue;
      if (dt == DType::UInt8 && op != Op::Max) continue;
      INFO("op " << static_cast<int>(op) << " dtype " << dt);
      const double rtol =
          (dt == DType::Float16 || dt == DType::BFloat16) && (op == Op::Sum || op == Op::Mean) ? 1e-2 : 1e-6;
      const Tensor x = dt == DType::UInt8 ? sample({3, 4, 5}, DType::Int32).to(dt) : sample({3, 4, 5}, dt);
      check_all_axes(x, op, rtol);
      check_all_axes(ex::test::noncontiguous(x), op, rtol);               // transposed storage
      check_all_axes(sample({4, 6, 3}, dt).slice(1, 1, 6, 2), op, rtol);  // stepped
      check_all_axes(sample({3, 1, 5}, dt).expand({3, 4, 5}), op, rtol);  // stride 0
      check_all_axes(sample({5, 3}, dt).transpose(0, 1), op, rtol);       // transposed view
    }
  }
}

TEST_CASE("reduction: result dtypes and hand values") {
  const Tensor b = ex::tensor<bool>({true, false, true, true});
  CHECK(ex::sum(b).dtype() == DType::Int64);
  CHECK(ex::sum(b).item<std::int64_t>() == 3);
  const Tensor i8 = ex::tensor<std::int8_t>({100, 100, 100, -1}, {2, 2});
  const Tensor s8 = ex::sum(i8, 0);
  CHECK(s8.dtype() == DType::Int64);
  CHECK(s8.to_vector<std::int64_t>() == std::vector<std::int64_t>{200, 99});  // no int8 overflow
  CHECK(ex::sum(ex::tensor<std::uint8_t>({255, 255})).item<std::int64_t>() == 510);
  CHECK(ex::sum(ex::tensor<std::uint64_t>({1, 2})).dtype() == DType::UInt64);
  const Tensor h = ex::full({3000}, 1.0, DType::Float16);  // half accumulates in float32
  CHECK(ex::sum(h).dtype() == DType::Float16);
  CHECK(ex::sum(h).item<float>() == 3000.0f);
  CHECK(ex::mean(h).item<float>() == 1.0f);
  CHECK(ex::max_reduce(b).item<bool>());
  CHECK(!ex::min_reduce(b).item<bool>());
  CHECK(ex::max_reduce(b).dtype() == DType::Bool);
  const Tensor m = ex::tensor<float>({1, 2, 3, 4, 5, 6}, {2, 3});
  check_values(ex::sum(m, 1), {2}, {6, 15});
  check_values(ex::sum(m, 0, true), {1, 3}, {5, 7, 9});
  check_values(ex::mean(m, -1, true), {2, 1}, {2, 5});
  check_values(ex::sum(m, std::vector<std::int64_t>{}), {}, {21});  // empty list: all axes (PyTorch 1.13)
  check_values(ex::sum(m, {0, 1}, true), {1, 1}, {21});
  check_values(ex::max_reduce(m, 0), {3}, {4, 5, 6});
  check_values(ex::min_reduce(m), {}, {1});
  check_values(ex::mean(m), {}, {3.5});
  CHECK(ex::sum(ex::tensor<std::int64_t>({std::numeric_limits<std::int64_t>::max(), 1})).item<std::int64_t>() ==
        std::numeric_limits<std::int64_t>::min());  // wraps, no UB
}

TEST_CASE("reduction: rank 0 and zero-size") {
  const Tensor s = ex::scalar_tensor(5.0);
  check_values(ex::sum(s), {}, {5});
  check_values(ex::sum(s, 0), {}, {5});
  check_values(ex::mean(s, -1, true), {}, {5});
  check_values(ex::max_reduce(s, std::vector<std::int64_t>{0}), {}, {5});
  CHECK(ex::argmax(s).item<std::int64_t>() == 0);
  CHECK(ex::argmin(s, 0, true).item<std::int64_t>() == 0);
  CHECK_THROWS_WITH_AS(ex::sum(s, 1), doctest::Contains("sum: axis 1 is out of range"), ex::Error);

  const Tensor e = ex::zeros({0, 3});
  check_values(ex::sum(e), {}, {0});
  check_values(ex::sum(e, 0), {3}, {0, 0, 0});
  check_values(ex::sum(e, 1), {0}, {});
  check_values(ex::mean(e), {}, {kNaN});
  check_values(ex::mean(e, 0, true), {1, 3}, {kNaN, kNaN, kNaN});
  check_values(ex::max_reduce(e, 1), {0}, {});
  CHECK(ex::argmax(e, 1).shape() == Shape{0});
  CHECK(ex::sum(ex::zeros({0}, DType::Int32)).item<std::int64_t>() == 0);
  CHECK_THROWS_WITH_AS(ex::max_reduce(e), doctest::Contains("max_reduce:"), ex::Error);
  CHECK_THROWS_WITH_AS(ex::min_reduce(e, 0), doctest::Contains("min_reduce:"), ex::Error);
  CHECK_THROWS_WITH_AS(ex::argmax(e), doctest::Contains("argmax:"), ex::Error);
  CHECK_THROWS_WITH_AS(ex::argmin(e, 0), doctest::Contains("argmin:"), ex::Error);
}

TEST_CASE("reduction: NaN and inf") {
  const Tensor x = ex::tensor<float>({1, NAN, 3, -INFINITY, 2, 0}, {2, 3});
  check_values(ex::max_reduce(x), {}, {kNaN});
  check_values(ex::min_reduce(x, 1), {2}, {kNaN, -kInf});
  check_values(ex::max_reduce(x, 0), {3}, {1, kNaN, 3});
  check_values(ex::sum(x, 1), {2}, {kNaN, -kInf});
  check_values(ex::mean(x, 0), {3}, {-kInf, kNaN, 1.5});
  // NaN first and last in a long row and column (vector lanes, tails).
  Tensor big = ex::zeros({300, 300});
  float* p = big.data<float>();
  p[299] = NAN;
  p[299 * 300 + 7] = NAN;
  const std::vector<double> rmax = ex::max_reduce(big, 1).to_vector<double>();
  const std::vector<double> cmin = ex::min_reduce(big, 0).to_vector<double>();
  CHECK(std::isnan(rmax[0]));
  CHECK(rmax[1] == 0.0);
  CHECK(std::isnan(rmax[299]));
  CHECK(std::isnan(cmin[299]));
  CHECK(std::isnan(cmin[7]));
  CHECK(cmin[8] == 0.0);
}

TEST_CASE("reduction: argmax and argmin") {
  const Tensor x = ex::tensor<float>({3, 7, 7, 1, 1, 0, 5, 9, 2}, {3, 3});
  CHECK(ex::argmax(x).dtype() == DType::Int64);
  CHECK(ex::argmax(x).shape() == Shape{});
  CHECK(ex::argmax(x).item<std::int64_t>() == 7);
  CHECK(ex::argmin(x).item<std::int64_t>() == 5);
  CHECK(ex::argmax(x, 1).to_vector<std::int64_t>() == std::vector<std::int64_t>{1, 0, 1});  // ties: first
  CHECK(ex::argmin(x, 1).to_vector<std::int64_t>() == std::vector<std::int64_t>{0, 2, 2});
  CHECK(ex::argmax(x, 0).to_vector<std::int64_t>() == std::vector<std::int64_t>{2, 2, 0});
  const Tensor k = ex::argmin(x, -2, true);
  CHECK(k.shape() == Shape{1, 3});
  CHECK(k.to_vector<std::int64_t>() == std::vector<std::int64_t>{1, 1, 1});
  // Views: transposed view and transposed storage give the same answers.
  CHECK(ex::argmax(x.transpose(0, 1), 1).to_vector<std::int64_t>() == std::vector<std::int64_t>{2, 2, 0});
  CHECK(ex::argmax(ex::test::noncontiguous(x), 1).to_vector<std::int64_t>() == std::vector<std::int64_t>{1, 0, 1});
  CHECK(ex::argmax(x.transpose(0, 1)).item<std::int64_t>() == 5);  // flat index in the view's order
  CHECK(ex::argmax(x.slice(1, 0, 3, 2), 1).to_vector<std::int64_t>() == std::vector<std::int64_t>{1, 0, 0});
  // NaN counts as the largest (and, like PyTorch, also wins argmin); first NaN wins.
  const Tensor n = ex::tensor<float>({1, NAN, 3, NAN});
  CHECK(ex::argmax(n).item<std::int64_t>() == 1);
  CHECK(ex::argmin(n).item<std::int64_t>() == 1);
  // Every dtype class.
  CHECK(ex::argmax(ex::tensor<bool>({false, true, true})).item<std::int64_t>() == 1);
  CHECK(ex::argmin(ex::tensor<std::uint8_t>({5, 0, 255})).item<std::int64_t>() == 1);
  CHECK(ex::argmax(ex::tensor<std::int64_t>({-5, -2, -9})).item<std::int64_t>() == 1);
  CHECK(ex::argmax(ex::tensor<double>({0.5, 2.5, 2.5}).to(DType::Float16)).item<std::int64_t>() == 1);
  CHECK(ex::argmax(ex::tensor<std::int32_t>({1, 2}).expand({3, 2}), 0).to_vector<std::int64_t>() ==
        std::vector<std::int64_t>{0, 0});
}

TEST_CASE("reduction: float32 sums are accurate (pairwise) and reproducible across thread counts") {
  const Tensor tenth = ex::full({10000000}, 0.1, DType::Float32);
  const double ref = 10000000.0 * static_cast<double>(0.1f);
  CHECK(std::fabs(ex::sum(tenth).item<double>() - ref) <= 1e-5 * ref);
  CHECK(std::fabs(ex::mean(tenth).item<double>() - 0.1f) <= 1e-5 * 0.1);
  // Column sums (first axis) over many rows and row sums over a long row.
  const Tensor cols = ex::full({200000, 3}, 0.1, DType::Float32);
  const std::vector<double> cs = ex::sum(cols, 0).to_vector<double>();
  for (double c : cs) CHECK(std::fabs(c - 200000.0 * static_cast<double>(0.1f)) <= 1e-5 * c);
  const std::vector<double> rs = ex::sum(cols.transpose(0, 1), 1).to_vector<double>();
  for (double r : rs) CHECK(std::fabs(r - 200000.0 * static_cast<double>(0.1f)) <= 1e-5 * r);

  ex::manual_seed(3);
  const Tensor r = ex::randn({700, 1500});
  const int before = ex::get_num_threads();
  std::vector<std::vector<float>> results[2];
  for (int t : {1, 2}) {
    ex::set_num_threads(t);
    for (const Tensor& s : {ex::sum(r), ex::sum(r, 0), ex::sum(r, 1), ex::mean(r.transpose(0, 1), 1)})
      results[t - 1].push_back(s.to_vector<float>());
  }
  ex::set_num_threads(before);
  CHECK(results[0] == results[1]);  // bitwise identical
}

namespace {

// Lengths around the kernels' boundaries: a vector (16 floats, 8 int64 lanes), a step
// of 4 vectors, a 2048-float leaf, a 16384-element chunk; column counts around a vector
// and a 4096-column tile, row counts around a block (4), a run (64) and a group (256).
const std::vector<std::int64_t> kRowLengths = {1,   2,   7,   15,   16,   17,   31,   32,   33,    63,    64,    65,
                                               127, 128, 129, 1000, 2047, 2048, 2049, 4097, 16383, 16384, 16385, 40001};
const std::vector<std::int64_t> kFewRowLengths = {7, 16, 17, 129, 2049, 16385};

// Small integers of dtype dt (0/1 for bool, non-negative for uint8): every partial sum
// is exact in every accumulator type, so sums compare exactly whatever the order.
Tensor small_ints(const Shape& shape, DType dt, std::uint64_t seed) {
  ex::manual_seed(seed);
  const bool unsigned_dt = dt == DType::UInt8 || dt == DType::Bool;
  return ex::randint(unsigned_dt ? 0 : -40, dt == DType::Bool ? 2 : 40, shape, DType::Int64).to(dt);
}

// Sum, max and min of the rows (axis 1) or the columns (axis 0) of a row-major [r, c]
// matrix, in float64.
std::vector<double> reference_2d(const std::vector<double>& v, std::int64_t r, std::int64_t c, int axis, Op op) {
  const std::int64_t outs = axis == 1 ? r : c, len = axis == 1 ? c : r;
  std::vector<double> out(outs);
  for (std::int64_t o = 0; o < outs; ++o) {
    double a = op == Op::Max ? -kInf : op == Op::Min ? kInf : 0.0;
    for (std::int64_t k = 0; k < len; ++k) {
      const double x = axis == 1 ? v[o * c + k] : v[k * c + o];
      a = op == Op::Max ? std::max(a, x) : op == Op::Min ? std::min(a, x) : a + x;
    }
    out[o] = a;
  }
  return out;
}

}  // namespace

TEST_CASE("reduction: vector kernels on awkward row lengths and every dtype class match float64") {
  for (DType dt : {DType::Float32, DType::Float64, DType::Float16, DType::BFloat16, DType::Int32, DType::Int8,
                   DType::UInt8, DType::Int64, DType::Bool}) {
    const double tol = dt == DType::Float16 || dt == DType::BFloat16 ? 1e-2 : 0;  // the half result rounds
    for (std::int64_t n : dt == DType::Float32 ? kRowLengths : kFewRowLengths) {
      INFO("dtype " << dt << " row length " << n);
      const Tensor x = small_ints({3, n}, dt, static_cast<std::uint64_t>(n));
      const std::vector<double> v = x.to_vector<double>();
      for (Op op : {Op::Sum, Op::Max, Op::Min}) {
        const std::vector<double> rows = reference_2d(v, 3, n, 1, op);
        check_values(run(x, {1}, false, op), {3}, rows, 0, tol);
        const double all = op == Op::Sum   ? rows[0] + rows[1] + rows[2]
                           : op == Op::Max ? std::max({rows[0], rows[1], rows[2]})
                                           : std::min({rows[0], rows[1], rows[2]});
        check_values(run(x, {0, 1}, false, op), {}, {all}, 0, tol);
      }
      if (ex::is_floating(dt)) {
        std::vector<double> means = reference_2d(v, 3, n, 1, Op::Sum);
        for (double& m : means) m /= static_cast<double>(n);
        check_values(ex::mean(x, 1), {3}, means, 1e-6, tol + 1e-6);
      }
    }
  }
}

TEST_CASE("reduction: column kernel on awkward shapes, views and dtypes matches float64") {
  for (DType dt : {DType::Float32, DType::Float64, DType::BFloat16, DType::Int32, DType::UInt8, DType::Bool}) {
    const double tol = dt == DType::BFloat16 ? 1e-2 : 0;
    for (std::int64_t r : {1, 3, 4, 5, 63, 65, 256, 257, 700}) {
      for (std::int64_t c : {1, 15, 17, 100, 4097}) {
        if (r * c > 300000 || (dt != DType::Float32 && r * c > 30000)) continue;
        INFO("dtype " << dt << " shape [" << r << ", " << c << "]");
        const Tensor x = small_ints({r, c}, dt, static_cast<std::uint64_t>(r * 10007 + c));
        const std::vector<double> v = x.to_vector<double>();
        for (Op op : {Op::Sum, Op::Max, Op::Min}) {
          const std::vector<double> cols = reference_2d(v, r, c, 0, op);
          check_values(run(x, {0}, false, op), {c}, cols, 0, tol);
          // The same values in [c, r] storage seen transposed.
          check_values(run(ex::test::noncontiguous(x), {0}, false, op), {c}, cols, 0, tol);
        }
        if (r >= 3) {  // every other row: copied to contiguous first
          const Tensor stepped = x.slice(0, 1, r, 2);
          check_values(ex::sum(stepped, 0), {c},
                       reference_2d(stepped.to_vector<double>(), (r - 1 + 1) / 2, c, 0, Op::Sum), 0, tol);
        }
      }
    }
  }
  // A kept dim outside the reduced one: [2, 300, 37] summed over the middle axis.
  const Tensor x3 = small_ints({2, 300, 37}, DType::Float32, 3);
  check_values(ex::sum(x3, 1), {2, 37}, reference(x3.to_vector<double>(), x3.shape(), {false, true, false}, Op::Sum), 0,
               0);
}

TEST_CASE("reduction: float32 sums of random values stay within the pairwise error bound") {
  // |error| <= ~(16 + log2 n + 8) eps * sum |x| for the blocked pairwise order; checked
  // at 2e-6 * sum |x| (about 34 eps), far below what a lost or doubled element costs.
  ex::manual_seed(11);
  for (const auto& [r, c] : {std::pair<std::int64_t, std::int64_t>{3, 100003}, {100003, 3}, {1000, 1100}}) {
    const Tensor x = ex::randn({r, c});
    const std::vector<double> v = x.to_vector<double>();
    std::vector<double> a(v.size());
    for (std::size_t i = 0; i < v.size(); ++i) a[i] = std::fabs(v[i]);
    for (int axis : {0, 1}) {
      const std::vector<double> ref = reference_2d(v, r, c, axis, Op::Sum);
      const std::vector<double> mag = reference_2d(a, r, c, axis, Op::Sum);
      const std::vector<double> got = ex::sum(x, axis).to_vector<double>();
      for (std::size_t i = 0; i < ref.size(); ++i) CHECK(std::fabs(got[i] - ref[i]) <= 2e-6 * mag[i]);
    }
  }
}

TEST_CASE("reduction: rows of 1 to 8 whole leaves plus a rest, random floats, against float64") {
  // The row kernel combines whole 2048-float leaves through a binary counter and the
  // rest last: every count of leaves in a chunk, with and without a rest.
  ex::manual_seed(21);
  for (std::int64_t leaves = 1; leaves <= 8; ++leaves) {
    for (std::int64_t rest : {0, 1, 130, 2047}) {
      const std::int64_t n = leaves * 2048 + rest;
      INFO("row length " << n);
      const Tensor x = ex::randn({2, n});
      const std::vector<double> v = x.to_vector<double>();
      std::vector<double> a(v.size());
      for (std::size_t i = 0; i < v.size(); ++i) a[i] = std::fabs(v[i]);
      const std::vector<double> ref = reference_2d(v, 2, n, 1, Op::Sum), mag = reference_2d(a, 2, n, 1, Op::Sum);
      const std::vector<double> got = ex::sum(x, 1).to_vector<double>();
      const std::vector<double> got64 = ex::sum(x.to(DType::Float64), 1).to_vector<double>();
      for (std::size_t i = 0; i < 2; ++i) {
        CHECK(std::fabs(got[i] - ref[i]) <= 2e-6 * mag[i]);
        CHECK(std::fabs(got64[i] - ref[i]) <= 1e-14 * mag[i]);
      }
      check_values(ex::max_reduce(x, 1), {2}, reference_2d(v, 2, n, 1, Op::Max), 0, 0);
      check_values(ex::min_reduce(x, 1), {2}, reference_2d(v, 2, n, 1, Op::Min), 0, 0);
    }
  }
}

TEST_CASE("reduction: NaN and infinities in any lane of the vector kernels") {
  for (std::int64_t n : {100, 2049, 16385}) {
    for (std::int64_t at : {std::int64_t{0}, std::int64_t{15}, std::int64_t{16}, n / 2, n - 1}) {
      INFO("length " << n << " special at " << at);
      Tensor row = ex::zeros({2, n});
      Tensor col = ex::zeros({n, 2});
      row.data<float>()[at] = NAN;
      col.data<float>()[at * 2] = NAN;
      row.data<float>()[n + at] = INFINITY;
      col.data<float>()[at * 2 + 1] = -INFINITY;
      check_values(ex::max_reduce(row, 1), {2}, {kNaN, kInf});
      check_values(ex::min_reduce(row, 1), {2}, {kNaN, 0});
      check_values(ex::sum(row, 1), {2}, {kNaN, kInf});
      check_values(ex::max_reduce(col, 0), {2}, {kNaN, 0});
      check_values(ex::min_reduce(col, 0), {2}, {kNaN, -kInf});
      check_values(ex::sum(col, 0), {2}, {kNaN, -kInf});
    }
  }
}

TEST_CASE("reduction: int64 sums wrap modulo 2^64 in the vector kernels, like sequential addition") {
  const std::int64_t n = 1001;
  std::vector<std::int64_t> v(n);
  std::uint64_t expected = 0;
  for (std::int64_t i = 0; i < n; ++i) {
    v[i] = (i % 3 == 0 ? std::numeric_limits<std::int64_t>::max() : std::numeric_limits<std::int64_t>::min() + i);
    expected += static_cast<std::uint64_t>(v[i]);
  }
  const Tensor x = ex::tensor(v);
  CHECK(ex::sum(x).item<std::int64_t>() == static_cast<std::int64_t>(expected));
  const std::vector<std::int64_t> cols =
      ex::sum(x.reshape({n, 1}).expand({n, 20}).contiguous(), 0).to_vector<std::int64_t>();
  for (std::int64_t c : cols) CHECK(c == static_cast<std::int64_t>(expected));
}

TEST_CASE("reduction: bitwise identical at 1 and 2 threads across chunks, tiles and row groups") {
  ex::manual_seed(5);
  const Tensor rows = ex::randn({3, 50001});    // chunks of one row split over threads
  const Tensor cols = ex::randn({1100, 4200});  // two column tiles, five row groups
  const Tensor all = ex::randn({300001});
  const int before = ex::get_num_threads();
  std::vector<std::vector<float>> results[2];
  for (int t : {1, 2}) {
    ex::set_num_threads(t);
    for (const Tensor& s : {ex::sum(rows, 1), ex::sum(cols, 0), ex::sum(all), ex::mean(cols, 1),
                            ex::max_reduce(cols, 0), ex::sum(cols.transpose(0, 1), 1)})
      results[t - 1].push_back(s.to_vector<float>());
  }
  ex::set_num_threads(before);
  CHECK(results[0] == results[1]);
  // The transposed view reduces the same columns in the same order.
  CHECK(results[0][1] == results[0][5]);
}

TEST_CASE("reduction: errors name the op and the axis") {
  const Tensor x = ex::zeros({2, 3});
  CHECK_THROWS_WITH_AS(ex::sum(x, 2), doctest::Contains("sum: axis 2 is out of range"), ex::Error);
  CHECK_THROWS_WITH_AS(ex::mean(x, -3), doctest::Contains("mean: axis -3"), ex::Error);
  CHECK_THROWS_WITH_AS(ex::max_reduce(x, {0, 5}), doctest::Contains("max_reduce: axis 5"), ex::Error);
  CHECK_THROWS_WITH_AS(ex::sum(x, {0, 0}), doctest::Contains("sum: axis 0 appears more than once"), ex::Error);
  CHECK_THROWS_WITH_AS(ex::min_reduce(x, {1, -1}), doctest::Contains("min_reduce: axis -1 appears more than once"),
                       ex::Error);
  CHECK_THROWS_WITH_AS(ex::argmax(x, 2), doctest::Contains("argmax: axis 2"), ex::Error);
  CHECK_THROWS_WITH_AS(ex::argmin(x, -3), doctest::Contains("argmin: axis -3"), ex::Error);
  CHECK_THROWS_WITH_AS(ex::mean(ex::zeros({2}, DType::Int32)), doctest::Contains("mean: input dtype int32"), ex::Error);
  CHECK_THROWS_WITH_AS(ex::mean(ex::zeros({2}, DType::Bool), 0), doctest::Contains("mean:"), ex::Error);
  CHECK_THROWS_WITH_AS(ex::sum(Tensor()), doctest::Contains("undefined"), ex::Error);
}

TEST_CASE("reduce_to_shape: sums what broadcasting added") {
  ex::Tensor g = ex::arange(24.0, 0.0, -1.0, ex::DType::Float64).reshape({2, 3, 4});
  // [4] <- [2, 3, 4]: sum over the two leading dims.
  ex::test::check_values(
      ex::reduce_to_shape(g, {4}), {4},
      {24 + 20 + 16 + 12 + 8 + 4, 23 + 19 + 15 + 11 + 7 + 3, 22 + 18 + 14 + 10 + 6 + 2, 21 + 17 + 13 + 9 + 5 + 1});
  // [2, 1, 1] <- [2, 3, 4]: stretched dims keep size 1.
  ex::test::check_values(ex::reduce_to_shape(g, {2, 1, 1}), {2, 1, 1}, {222, 78});
  // [3, 1] <- [2, 3, 4]: both kinds at once.
  ex::test::check_values(
      ex::reduce_to_shape(g, {3, 1}), {3, 1},
      {24 + 23 + 22 + 21 + 12 + 11 + 10 + 9, 20 + 19 + 18 + 17 + 8 + 7 + 6 + 5, 16 + 15 + 14 + 13 + 4 + 3 + 2 + 1});
  ex::test::check_values(ex::reduce_to_shape(g, {}), {}, {300});
  CHECK(ex::reduce_to_shape(g, {2, 3, 4}).is_same(g));
  ex::Tensor gi = ex::ones({3, 2}, ex::DType::Int32);
  CHECK(ex::reduce_to_shape(gi, {2}).dtype() == ex::DType::Int32);
  CHECK(ex::reduce_to_shape(ex::zeros({0, 3}), {3}).to_vector<float>() == std::vector<float>{0, 0, 0});
  CHECK_THROWS_WITH_AS(ex::reduce_to_shape(g, {3}), doctest::Contains("reduce_to_shape:"), ex::Error);
  CHECK_THROWS_WITH_AS(ex::reduce_to_shape(g, {1, 2, 3, 4}), doctest::Contains("reduce_to_shape:"), ex::Error);
}

TEST_CASE("Axes: nothing, {}, one axis, a braced list and a vector name the same reductions") {
  const Tensor x = ex::arange(0, 24).to(DType::Float64).reshape({2, 3, 4});
  // Every axis: sum(x), sum(x, {}) and, kept, a [1, 1, 1] tensor.
  CHECK(ex::sum(x).item<double>() == 276.0);
  CHECK(ex::sum(x, {}).item<double>() == 276.0);
  const Tensor kept = ex::sum(x, {}, /*keepdims=*/true);
  CHECK(kept.shape() == Shape{1, 1, 1});
  CHECK(kept.item<double>() == 276.0);
  // One axis, as an integer or a one-element list.
  check_values(ex::sum(x, 1), {2, 4}, {12, 15, 18, 21, 48, 51, 54, 57});
  check_values(ex::sum(x, {1}), {2, 4}, {12, 15, 18, 21, 48, 51, 54, 57});
  check_values(ex::mean(x, -1, true), {2, 3, 1}, {1.5, 5.5, 9.5, 13.5, 17.5, 21.5});
  // A list, braced or as a vector, with negative axes.
  check_values(ex::max_reduce(x, {0, -1}), {3}, {15, 19, 23});
  const std::vector<std::int64_t> axes = {0, 2};
  check_values(ex::min_reduce(x, axes), {3}, {0, 4, 8});
  // The raw backwards take the same Axes.
  check_values(ex::sum_backward(ex::ones({2, 4}, DType::Float64), x.shape(), 1), {2, 3, 4},
               std::vector<double>(24, 1.0));
  CHECK_THROWS_WITH_AS(ex::sum(x, {0, 0}), doctest::Contains("sum: axis 0 appears more than once"), ex::Error);
  CHECK_THROWS_WITH_AS(ex::mean(x, 3), doctest::Contains("mean: axis 3 is out of range"), ex::Error);
}
