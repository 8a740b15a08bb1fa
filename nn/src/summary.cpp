// nn::summary: records the module calls of one forward pass through a ForwardObserver.

#include "extensor/nn/summary.hpp"

#include <algorithm>
#include <array>
#include <cstring>
#include <unordered_map>

#include "common/check.hpp"
#include "extensor/autograd/grad_mode.hpp"
#include "extensor/core/creation.hpp"

namespace ex::nn {

namespace {

std::int64_t count(const std::vector<Tensor>& tensors) {
  std::int64_t n = 0;
  for (const Tensor& t : tensors) n += t.numel();
  return n;
}

std::string with_commas(std::int64_t n) {
  std::string digits = std::to_string(n), out;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return out;
}

using Row = std::array<std::string, 4>;  // name, type, output shape, own parameters

// Collects one row per call_forward call, in call order (outer modules first).
// Everything but the output shape is read before the forward runs: a module created
// inside a forward may be gone by the time the row is printed.
class Recorder final : public ForwardObserver {
 public:
  explicit Recorder(std::unordered_map<const Module*, std::string> names) : names_(std::move(names)) {}
  void before_forward(const Module& module) override {
    const auto name = names_.find(&module);
    open_.push_back(rows_.size());
    rows_.push_back({name == names_.end() ? "(unregistered)" : name->second, module.name(), "?",
                     with_commas(count(module.parameters(false)))});
  }
  void after_forward(const Module&, const Tensor& output) override {
    rows_[open_.back()][2] = output.defined() ? output.shape().str() : "(undefined)";
    open_.pop_back();
  }
  const std::vector<Row>& rows() const noexcept { return rows_; }

 private:
  std::unordered_map<const Module*, std::string> names_;
  std::vector<Row> rows_;
  std::vector<std::size_t> open_;  // rows whose forward has not returned yet
};

// Every module of the tree with its dotted name (the first name of a shared module),
// depth first; the root is "(root)".
void name_modules(Module& module, const std::string& prefix, std::vector<std::pair<Module*, std::string>>& out) {
  out.emplace_back(&module, prefix.empty() ? "(root)" : prefix);
  for (const auto& [name, child] : module.named_children())
    name_modules(*child, prefix.empty() ? name : prefix + "." + name, out);
}

// Puts every module in evaluation mode for its scope and restores each one's flag.
class EvalScope {
 public:
  explicit EvalScope(const std::vector<std::pair<Module*, std::string>>& modules) {
    for (const auto& entry : modules) saved_.emplace_back(entry.first, entry.first->is_training());
    if (!modules.empty()) modules.front().first->eval();
  }
  ~EvalScope() {
    // Parents first: train() is recursive, so each child's flag is set after its parent's.
    for (const auto& [module, training] : saved_) module->train(training);
  }
  EvalScope(const EvalScope&) = delete;
  EvalScope& operator=(const EvalScope&) = delete;

 private:
  std::vector<std::pair<Module*, bool>> saved_;
};

// Left-aligned columns separated by two spaces, with a rule under the header and one
// under the last row.
std::string format_table(const std::vector<Row>& rows) {
  std::array<std::size_t, 4> width{};
  for (const auto& row : rows)
    for (std::size_t c = 0; c < row.size(); ++c) width[c] = std::max(width[c], row[c].size());
  std::size_t total = 0;
  for (std::size_t w : width) total += w + 2;
  std::string out;
  for (std::size_t r = 0; r < rows.size(); ++r) {
    std::string line;
    for (std::size_t c = 0; c < 4; ++c) line += rows[r][c] + std::string(width[c] - rows[r][c].size() + 2, ' ');
    line.erase(line.find_last_not_of(' ') + 1);
    out += line + "\n";
    if (r == 0 || r + 1 == rows.size()) out += std::string(total - 2, '-') + "\n";
  }
  return out;
}

}  // namespace

}  // namespace ex::nn

namespace ex::detail {

std::string module_summary(nn::Module& module, const std::function<Tensor(const Tensor&)>& run,
                           const Shape& input_shape, DType dtype) {
  using namespace nn;  // the helpers above are in ex::nn
  for (std::int64_t d : input_shape)
    if (d < 0) fail("summary: input shape {} has a negative dim", input_shape);
  std::vector<std::pair<Module*, std::string>> named;
  name_modules(module, "", named);
  std::unordered_map<const Module*, std::string> names;
  for (const auto& [m, name] : named) names.emplace(m, name);

  Recorder recorder(std::move(names));
  {
    NoGradGuard no_grad;
    EvalScope eval(named);
    ScopedForwardObserver observe(&recorder);
    Tensor input = allocate(input_shape, dtype, "summary");
    std::memset(input.raw_data(), 0, input.nbytes());
    run(input);
  }

  std::vector<Row> table{{"Layer", "Type", "Output shape", "Params"}};
  table.insert(table.end(), recorder.rows().begin(), recorder.rows().end());
  std::int64_t total = 0, trainable = 0;
  for (const Tensor& p : module.parameters()) {
    total += p.numel();
    if (p.requires_grad()) trainable += p.numel();
  }
  std::string out = format_table(table);
  out += "Total params: " + with_commas(total) + "\n";
  out += "Trainable params: " + with_commas(trainable) + "\n";
  out += "Non-trainable params: " + with_commas(total - trainable) + "\n";
  out += "Input shape: " + input_shape.str() + " " + dtype_name(dtype) + "\n";
  return out;
}

}  // namespace ex::detail
