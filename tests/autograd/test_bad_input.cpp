// The bad-input matrix: every public op, called the way its first registry sample calls
// it (registry_samples.cpp; the non-differentiable ops have samples there too), with each
// input replaced by an undefined tensor, a rank-0 tensor, one with an empty dim, one of a
// mismatched shape, every dtype, and broadcast views whose result would pass the size
// limit. Each case must return a valid tensor or throw ex::Error naming the op; a crash,
// a hang or another exception fails the suite, and the sanitizer builds catch leaks and
// out-of-bounds accesses. A new op joins by having its samples, which the registry test
// already demands.

#include <doctest/doctest.h>

#include <functional>
#include <limits>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "registry_samples.hpp"
#include "test_util.hpp"

namespace {

using ex::test::GradcheckSample;

constexpr DType kAllDTypes[] = {DType::Bool,     DType::Int8,    DType::Int16,  DType::Int32,  DType::Int64,
                                DType::UInt8,    DType::UInt16,  DType::UInt32, DType::UInt64, DType::Float16,
                                DType::BFloat16, DType::Float32, DType::Float64};

// Samples of in-place ops run the op on a clone of input 0, so an error about that input
// may come from clone (an undefined input) as well as from the op.
const std::set<std::string> kCloneInput0 = {"add_",  "sub_",  "mul_",   "div_",      "zero_",
                                            "fill_", "copy_", "clamp_", "index_put_"};

bool names(const std::string& message, const std::string& op) { return message.rfind(op + ":", 0) == 0; }

// Whether an error about input i of op's sample names the op it went to.
bool names_op(const std::string& message, const std::string& op, std::size_t input) {
  return names(message, op) || (input == 0 && kCloneInput0.count(op) && names(message, "clone"));
}

// A tensor of shape with t's dtype (Bool when t is undefined), values 0.5 where they fit.
Tensor like(const Tensor& t, const Shape& shape) { return ex::full(shape, 0.5, t.dtype()); }

struct Outcome {
  bool threw = false;
  std::string message;
};

// Runs the sample's fn on inputs; fails the test on any exception but ex::Error.
Outcome run(const GradcheckSample& sample, const std::vector<Tensor>& inputs) {
  Outcome out;
  try {
    const Tensor result = sample.fn(inputs);
    if (result.defined()) (void)ex::to_string(result.numel() <= 64 ? result : result.reshape({-1}).slice(0, 0, 8));
  } catch (const ex::Error& e) {
    out.threw = true;
    out.message = e.what();
  } catch (const std::exception& e) {
    FAIL_CHECK("threw a std::exception that is not ex::Error: " << e.what());
  }
  return out;
}

// A valid result, or ex::Error naming the op the input goes to first.
void check_valid_or_named(const std::string& op, const GradcheckSample& sample, std::size_t input,
                          const std::vector<Tensor>& inputs) {
  const Outcome o = run(sample, inputs);
  if (o.threw) {
    INFO("message: ", o.message);
    CHECK_MESSAGE(names_op(o.message, op, input), "the error does not start with the op's name");
  }
}

// Copies of inputs with input i replaced.
std::vector<Tensor> with(const std::vector<Tensor>& inputs, std::size_t i, Tensor replacement) {
  std::vector<Tensor> out = inputs;
  out[i] = std::move(replacement);
  return out;
}

// The inputs as the recording path sees them: floating inputs require grad.
std::vector<Tensor> recording(const std::vector<Tensor>& inputs) {
  std::vector<Tensor> out;
  for (const Tensor& t : inputs)
    out.push_back(t.defined() && ex::is_floating(t.dtype()) ? t.detach().requires_grad_() : t);
  return out;
}

// Each case runs on plain inputs and on inputs that require grad (the recording path).
template <class Check>
void both_paths(const std::vector<Tensor>& inputs, Check&& check) {
  check(inputs);
  check(recording(inputs));
}

void walk_op(const std::string& op, const GradcheckSample& sample) {
  INFO("op ", op, ", sample: ", sample.what);
  const std::vector<Tensor>& base = sample.inputs;
  for (std::size_t i = 0; i < base.size(); ++i) {
    INFO("input ", i, " of shape ", base[i].shape().str());
    {
      INFO("case: undefined");
      both_paths(with(base, i, Tensor()), [&](const std::vector<Tensor>& in) {
        const Outcome o = run(sample, in);
        CHECK_MESSAGE(o.threw, "an undefined input gave a result");
        INFO("message: ", o.message);
        CHECK(names_op(o.message, op, i));
        CHECK(o.message.find("undefined") != std::string::npos);
      });
    }
    {
      INFO("case: rank 0");
      both_paths(with(base, i, like(base[i], {})),
                 [&](const std::vector<Tensor>& in) { check_valid_or_named(op, sample, i, in); });
    }
    if (base[i].dim() > 0) {
      INFO("case: an empty dim");
      Shape empty = base[i].shape();
      empty[0] = 0;
      both_paths(with(base, i, like(base[i], empty)),
                 [&](const std::vector<Tensor>& in) { check_valid_or_named(op, sample, i, in); });
      INFO("case: a mismatched last dim");
      Shape bigger = base[i].shape();
      bigger[bigger.size() - 1] += 2;
      both_paths(with(base, i, like(base[i], bigger)),
                 [&](const std::vector<Tensor>& in) { check_valid_or_named(op, sample, i, in); });
      INFO("case: an extra leading dim");
      Shape lead = base[i].shape();
      lead.insert(0, 2);
      both_paths(with(base, i, like(base[i], lead)),
                 [&](const std::vector<Tensor>& in) { check_valid_or_named(op, sample, i, in); });
    }
    for (DType dtype : kAllDTypes) {
      INFO("case: input converted to ", ex::dtype_name(dtype));
      both_paths(with(base, i, base[i].to(dtype)),
                 [&](const std::vector<Tensor>& in) { check_valid_or_named(op, sample, i, in); });
    }
  }
  for (DType dtype : kAllDTypes) {
    INFO("case: every input converted to ", ex::dtype_name(dtype));
    std::vector<Tensor> in;
    for (const Tensor& t : base) in.push_back(t.to(dtype));
    both_paths(in, [&](const std::vector<Tensor>& inputs) { check_valid_or_named(op, sample, 0, inputs); });
  }
}

// Views of one element broadcast to shapes whose result would pass the size limit: the op
// must refuse at once (checking sizes before allocating or computing), or return a view.
void walk_op_huge(const std::string& op, const GradcheckSample& sample) {
  INFO("op ", op, ", sample: ", sample.what);
  const std::vector<Tensor>& base = sample.inputs;
  constexpr std::int64_t k31 = std::int64_t{1} << 31;
  // Two inputs broadcasting to [2^31, 2^31] float64: 2^65 bytes. The earlier input is the
  // column, so matmul forms the outer product; the other order would be a legitimate
  // 2^31-term dot product.
  for (std::size_t i = 0; i < base.size(); ++i)
    for (std::size_t j = i + 1; j < base.size(); ++j) {
      if (base[i].dim() != base[j].dim() || base[i].dim() == 0) continue;
      INFO("case: inputs ", i, " and ", j, " broadcast to 2^62 elements");
      Shape si(base[i].shape().size(), 1), sj(base[j].shape().size(), 1);
      si[0] = k31;
      sj[sj.size() - 1] = k31;
      if (si.size() == 1) continue;  // 1-D inputs cannot form the square
      std::vector<Tensor> in = base;
      in[i] = like(base[i], Shape(si.size(), 1)).expand(si);
      in[j] = like(base[j], Shape(sj.size(), 1)).expand(sj);
      both_paths(in, [&](const std::vector<Tensor>& inputs) { check_valid_or_named(op, sample, 0, inputs); });
    }
}

// Output numel of the sample on its own inputs, or -1 if it does not run.
std::int64_t output_numel(const GradcheckSample& sample) {
  try {
    return sample.fn(sample.inputs).numel();
  } catch (const ex::Error&) {
    return -1;
  }
}

// One input as a view of a single element broadcast to 2^59 float64 elements (2^62 bytes,
// at the size limit): ops whose result is as large as their input must fail to allocate
// it at once, naming themselves; views succeed. Ops with smaller results (reductions,
// losses) would read all 2^59 elements, so they are left out.
void walk_op_at_limit(const std::string& op, const GradcheckSample& sample) {
  INFO("op ", op, ", sample: ", sample.what);
  const std::vector<Tensor>& base = sample.inputs;
  if (base.size() != 1 || base[0].dim() < 2 || base[0].dtype() != DType::Float64) return;
  if (output_numel(sample) < base[0].numel()) return;
  Shape huge(base[0].shape().size(), 1);
  huge[0] = std::int64_t{1} << 29;
  huge[1] = std::int64_t{1} << 30;
  const Tensor in = like(base[0], Shape(huge.size(), 1)).expand(huge);
  CHECK(in.nbytes() == std::size_t{1} << 62);
  both_paths({in}, [&](const std::vector<Tensor>& inputs) { check_valid_or_named(op, sample, 0, inputs); });
}

// Every op's first sample: the registry's and the non-differentiable ones.
std::vector<std::pair<std::string, GradcheckSample>> first_samples() {
  std::vector<std::pair<std::string, GradcheckSample>> out;
  for (const auto& table :
       {ex::test::registry_gradcheck_samples(), ex::test::non_differentiable_samples(), ex::test::composite_samples()})
    for (const auto& [op, samples] : table) out.emplace_back(op, samples.front());
  return out;
}

}  // namespace

TEST_CASE("bad-input matrix: undefined, rank 0, empty, mismatched and every dtype, for every op") {
  std::size_t ops = 0;
  for (const auto& [op, sample] : first_samples()) {
    walk_op(op, sample);
    ++ops;
  }
  CHECK(ops >= 75);  // the registry's ops plus the non-differentiable ones
}

TEST_CASE("bad-input matrix: results beyond the size limit are refused at once, for every op") {
  for (const auto& [op, sample] : first_samples()) {
    walk_op_huge(op, sample);
    walk_op_at_limit(op, sample);
  }
}

TEST_CASE("bad-input matrix: out-of-range axes throw naming the op") {
  const Tensor x = ex::test::uniform64({2, 3});
  using AxisOp = std::function<Tensor(const Tensor&, std::int64_t)>;
  const std::vector<std::pair<std::string, AxisOp>> ops = {
      {"sum", [](const Tensor& t, std::int64_t a) { return ex::sum(t, a); }},
      {"sum",
       [](const Tensor& t, std::int64_t a) {
         return ex::sum(t, std::vector<std::int64_t>{0, a});
       }},
      {"mean", [](const Tensor& t, std::int64_t a) { return ex::mean(t, a, true); }},
      {"max_reduce", [](const Tensor& t, std::int64_t a) { return ex::max_reduce(t, a); }},
      {"min_reduce", [](const Tensor& t, std::int64_t a) { return ex::min_reduce(t, a); }},
      {"argmax", [](const Tensor& t, std::int64_t a) { return ex::argmax(t, a); }},
      {"argmin", [](const Tensor& t, std::int64_t a) { return ex::argmin(t, a); }},
      {"softmax", [](const Tensor& t, std::int64_t a) { return ex::softmax(t, a); }},
      {"log_softmax", [](const Tensor& t, std::int64_t a) { return ex::log_softmax(t, a); }},
      {"squeeze", [](const Tensor& t, std::int64_t a) { return ex::squeeze(t, a); }},
      {"unsqueeze", [](const Tensor& t, std::int64_t a) { return ex::unsqueeze(t, a); }},
      {"transpose", [](const Tensor& t, std::int64_t a) { return ex::transpose(t, a, 0); }},
      {"transpose", [](const Tensor& t, std::int64_t a) { return ex::transpose(t, 0, a); }},
      {"flatten", [](const Tensor& t, std::int64_t a) { return ex::flatten(t, a); }},
      {"flatten", [](const Tensor& t, std::int64_t a) { return ex::flatten(t, 0, a); }},
      {"slice", [](const Tensor& t, std::int64_t a) { return ex::slice(t, a, 0, 1); }},
      {"split", [](const Tensor& t, std::int64_t a) { return ex::split(t, std::int64_t{2}, a)[0]; }},
      {"concatenate",
       [](const Tensor& t, std::int64_t a) {
         return ex::concatenate({t, t}, a);
       }},
      {"stack",
       [](const Tensor& t, std::int64_t a) {
         return ex::stack({t, t}, a);
       }},
      {"permute",
       [](const Tensor& t, std::int64_t a) {
         return ex::permute(t, {a, 0});
       }},
  };
  constexpr std::int64_t kMin = std::numeric_limits<std::int64_t>::min();
  constexpr std::int64_t kMax = std::numeric_limits<std::int64_t>::max();
  for (const auto& entry : ops) {
    const std::string& name = entry.first;  // not a structured binding: INFO captures it
    const AxisOp& op = entry.second;
    for (const Tensor& t : {x, x.detach().clone().requires_grad_(), ex::test::uniform64({})}) {
      const std::int64_t rank = t.dim();
      // unsqueeze and stack take one position more than the rank.
      const std::int64_t past = name == "unsqueeze" || name == "stack" ? rank + 1 : rank;
      for (const std::int64_t axis : {past, -past - 1, kMax, kMin, std::int64_t{1} << 40}) {
        INFO(name, " with axis ", axis, " on shape ", t.shape().str());
        if (rank == 0 && (axis == 0 || axis == -1)) continue;  // rank 0 accepts 0 and -1 like PyTorch
        try {
          (void)op(t, axis);
          FAIL_CHECK("returned a result");
        } catch (const ex::Error& e) {
          INFO("message: ", e.what());
          CHECK(names(e.what(), name));
        }
      }
    }
  }
}
