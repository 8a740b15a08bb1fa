// operator<< for tensors, laid out like PyTorch's repr.
#include <cmath>
#include <sstream>

#include "common/check.hpp"
#include "extensor/core/tensor.hpp"

namespace ex {

namespace {

constexpr std::int64_t kSummarizeAbove = 1000;  // torch's print threshold
constexpr std::int64_t kEdgeItems = 3;

// Indices shown along a dim of size n: all, or the first and last kEdgeItems with a
// gap (-1) between them.
std::vector<std::int64_t> shown_indices(std::int64_t n, bool summarize) {
  std::vector<std::int64_t> idx;
  const bool elide = summarize && n > 2 * kEdgeItems;
  for (std::int64_t i = 0; i < n; ++i) {
    if (elide && i == kEdgeItems) {
      idx.push_back(-1);
      i = n - kEdgeItems;
    }
    idx.push_back(i);
  }
  return idx;
}

// Float cells share one style, chosen from all shown values like torch's _Formatter:
// "1." when all are integers, "%.4f" normally, "%.4e" for wide ranges.
std::vector<std::string> format_floats(const std::vector<double>& values) {
  double max_abs = 0, min_abs = INFINITY;
  bool integral = true;
  for (double v : values) {
    if (!std::isfinite(v)) continue;
    integral = integral && v == std::trunc(v);
    max_abs = std::max(max_abs, std::fabs(v));
    if (v != 0) min_abs = std::min(min_abs, std::fabs(v));
  }
  const bool scientific = max_abs > 1e8 || (!integral && (min_abs < 1e-4 || (min_abs > 0 && max_abs / min_abs > 1000)));
  std::vector<std::string> cells;
  for (double v : values) {
    if (std::isnan(v))
      cells.emplace_back("nan");
    else if (std::isinf(v))
      cells.emplace_back(v > 0 ? "inf" : "-inf");
    else if (scientific)
      cells.push_back(fmt::format("{:.4e}", v));
    else if (integral)
      cells.push_back(fmt::format("{:.0f}.", v));
    else
      cells.push_back(fmt::format("{:.4f}", v));
  }
  return cells;
}

class Printer {
 public:
  // Reads the shown elements through t's own strides: a summarized view of a huge
  // (e.g. expanded) tensor costs only what is printed.
  explicit Printer(const Tensor& t) : t_(t), summarize_(t.numel() > kSummarizeAbove) {
    if (t_.numel() > 0) collect(0, 0);
    dispatch(t_.dtype(), [&]<class T>() {
      const T* data = static_cast<const T*>(t_.raw_data());
      if constexpr (std::is_same_v<T, bool>) {
        for (auto i : offsets_) cells_.emplace_back(data[i] ? "True" : "False");
      } else if constexpr (std::is_integral_v<T>) {
        for (auto i : offsets_) cells_.push_back(fmt::format("{}", data[i]));
      } else {
        std::vector<double> values;
        for (auto i : offsets_) values.push_back(static_cast<double>(static_cast<compute_t<T>>(data[i])));
        cells_ = format_floats(values);
      }
    });
    for (const auto& c : cells_) width_ = std::max(width_, c.size());
  }

  std::string str() {
    std::ostringstream os;
    os << "tensor(";
    if (t_.numel() == 0) {
      os << "[]";
    } else {
      emit(os, 0, 7);
    }
    os << ", shape=" << t_.shape() << ", dtype=" << t_.dtype() << ')';
    return os.str();
  }

 private:
  void collect(std::int64_t d, std::int64_t offset) {
    if (d == t_.dim()) {
      offsets_.push_back(offset);
      return;
    }
    for (std::int64_t i : shown_indices(t_.size(d), summarize_))
      if (i >= 0) collect(d + 1, offset + i * t_.stride(d));
  }

  void emit(std::ostringstream& os, std::int64_t d, std::size_t indent) {
    if (d == t_.dim()) {
      const std::string& cell = cells_[next_++];
      os << std::string(width_ - cell.size(), ' ') << cell;
      return;
    }
    os << '[';
    const auto idx = shown_indices(t_.size(d), summarize_);
    const bool innermost = d == t_.dim() - 1;
    for (std::size_t k = 0; k < idx.size(); ++k) {
      if (k > 0) {
        os << ',';
        if (innermost)
          os << ' ';
        else
          os << std::string(static_cast<std::size_t>(t_.dim() - d - 1), '\n') << std::string(indent + 1, ' ');
      }
      if (idx[k] < 0)
        os << (innermost ? " ..." : "...");  // torch pads the innermost gap
      else
        emit(os, d + 1, indent + 1);
    }
    os << ']';
  }

  Tensor t_;
  bool summarize_;
  std::vector<std::int64_t> offsets_;
  std::vector<std::string> cells_;
  std::size_t width_ = 0, next_ = 0;
};

}  // namespace

std::string to_string(const Tensor& tensor) {
  if (!tensor.defined()) return "tensor(undefined)";
  return Printer(tensor).str();
}

std::ostream& operator<<(std::ostream& os, const Tensor& tensor) { return os << to_string(tensor); }

}  // namespace ex
