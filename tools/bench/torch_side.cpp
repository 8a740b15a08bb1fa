// The PyTorch (libtorch 1.13) side of bench_ops; see torch_side.hpp. Only ATen is
// included (torch/torch.h would add the whole C++ frontend to the compile time);
// at::set_num_threads is what torch::set_num_threads names.
#include "torch_side.hpp"

#include <ATen/ATen.h>
#include <ATen/Parallel.h>
#include <torch/version.h>

#include <functional>
#include <map>
#include <sstream>
#include <stdexcept>
#include <utility>

namespace torch_side {

namespace {

using Tensors = std::vector<at::Tensor>;

struct Def {
  std::function<at::Tensor(const Tensors&)> alloc;        // out-of-place call
  std::function<void(at::Tensor&, const Tensors&)> into;  // out= form; empty if none
};

std::vector<std::int64_t> dims(std::int64_t axis) { return {axis}; }

const std::map<std::string, Def>& table() {
  static const std::map<std::string, Def> defs = {
      // Elementwise (broadcasting follows the input shapes).
      {"add",
       {[](const Tensors& x) { return at::add(x[0], x[1]); },
        [](at::Tensor& o, const Tensors& x) { at::add_out(o, x[0], x[1]); }}},
      {"mul",
       {[](const Tensors& x) { return at::mul(x[0], x[1]); },
        [](at::Tensor& o, const Tensors& x) { at::mul_out(o, x[0], x[1]); }}},
      {"relu",
       {[](const Tensors& x) { return at::relu(x[0]); },
        [](at::Tensor& o, const Tensors& x) { at::relu_out(o, x[0]); }}},
      {"sigmoid",
       {[](const Tensors& x) { return at::sigmoid(x[0]); },
        [](at::Tensor& o, const Tensors& x) { at::sigmoid_out(o, x[0]); }}},
      {"tanh",
       {[](const Tensors& x) { return at::tanh(x[0]); },
        [](at::Tensor& o, const Tensors& x) { at::tanh_out(o, x[0]); }}},
      {"exp",
       {[](const Tensors& x) { return at::exp(x[0]); }, [](at::Tensor& o, const Tensors& x) { at::exp_out(o, x[0]); }}},
      {"gelu",
       {[](const Tensors& x) { return at::gelu(x[0]); },
        [](at::Tensor& o, const Tensors& x) { at::gelu_out(o, x[0]); }}},
      // Reductions.
      {"sum",
       {[](const Tensors& x) { return at::sum(x[0]); }, [](at::Tensor& o, const Tensors& x) { at::sum_out(o, x[0]); }}},
      {"sum_axis0",
       {[](const Tensors& x) { return at::sum(x[0], dims(0)); },
        [](at::Tensor& o, const Tensors& x) { at::sum_out(o, x[0], at::IntArrayRef(dims(0))); }}},
      {"sum_lastaxis",
       {[](const Tensors& x) { return at::sum(x[0], dims(-1)); },
        [](at::Tensor& o, const Tensors& x) { at::sum_out(o, x[0], at::IntArrayRef(dims(-1))); }}},
      {"mean_axis0",
       {[](const Tensors& x) { return at::mean(x[0], dims(0)); },
        [](at::Tensor& o, const Tensors& x) { at::mean_out(o, x[0], at::IntArrayRef(dims(0))); }}},
      {"softmax_lastaxis",
       {[](const Tensors& x) { return at::softmax(x[0], -1); },
        [](at::Tensor& o, const Tensors& x) { at::softmax_out(o, x[0], -1); }}},
      // Linear algebra and layout.
      {"matmul",
       {[](const Tensors& x) { return at::matmul(x[0], x[1]); },
        [](at::Tensor& o, const Tensors& x) { at::matmul_out(o, x[0], x[1]); }}},
      {"transpose_contiguous",
       {[](const Tensors& x) { return x[0].transpose(0, 1).contiguous(); },
        [](at::Tensor& o, const Tensors& x) { o.copy_(x[0].transpose(0, 1)); }}},
      // Raw backward kernels (section 4 rows): inputs are (grad_output, x) or (grad_output, y)
      // where y is the forward output, as ATen's own backward functions take them.
      {"relu_backward",
       {[](const Tensors& x) { return at::threshold_backward(x[0], x[1], 0); },
        [](at::Tensor& o, const Tensors& x) { at::threshold_backward_out(o, x[0], x[1], 0); }}},
      {"sigmoid_backward",
       {[](const Tensors& x) { return at::sigmoid_backward(x[0], x[1]); },
        [](at::Tensor& o, const Tensors& x) { at::sigmoid_backward_out(o, x[0], x[1]); }}},
      {"tanh_backward",
       {[](const Tensors& x) { return at::tanh_backward(x[0], x[1]); },
        [](at::Tensor& o, const Tensors& x) { at::tanh_backward_out(o, x[0], x[1]); }}},
      {"gelu_backward",
       {[](const Tensors& x) { return at::gelu_backward(x[0], x[1]); },
        [](at::Tensor& o, const Tensors& x) { at::gelu_backward_out(o, x[0], x[1]); }}},
      // Inputs (g, a, b) of a @ b; both gradients, flattened into one tensor for the
      // checksum (ours pays the same concatenation).
      {"matmul_backward",
       {[](const Tensors& x) {
          return at::cat({at::matmul(x[0], x[2].t()).flatten(), at::matmul(x[1].t(), x[0]).flatten()});
        },
        [](at::Tensor& o, const Tensors& x) {
          o = at::cat({at::matmul(x[0], x[2].t()).flatten(), at::matmul(x[1].t(), x[0]).flatten()});
        }}},
      {"softmax_lastaxis_backward",
       {[](const Tensors& x) { return at::_softmax_backward_data(x[0], x[1], -1, at::kFloat); },
        [](at::Tensor& o, const Tensors& x) { at::_softmax_backward_data_out(o, x[0], x[1], -1, at::kFloat); }}},
  };
  return defs;
}

class TorchOp final : public Op {
 public:
  TorchOp(const Def& def, Tensors inputs, bool out_variant)
      : def_(def), inputs_(std::move(inputs)), into_(out_variant && def.into) {
    out_ = def_.alloc(inputs_);
  }
  void run() override {
    if (into_) {
      def_.into(out_, inputs_);
    } else {
      out_ = def_.alloc(inputs_);
    }
  }
  double checksum() const override { return out_.abs().sum(at::kDouble).item<double>(); }
  const char* form() const override { return into_ ? "out=" : "alloc"; }

 private:
  const Def& def_;
  Tensors inputs_;
  bool into_;
  at::Tensor out_;
};

}  // namespace

std::unique_ptr<Op> make(const std::string& name, const std::vector<Input>& inputs, bool out_variant) {
  const auto it = table().find(name);
  if (it == table().end()) throw std::invalid_argument("torch_side::make: unknown op " + name);
  Tensors tensors;
  for (const Input& in : inputs) {
    // from_blob does not copy: torch reads the very bytes extensor reads.
    tensors.push_back(at::from_blob(const_cast<float*>(in.data), in.shape, at::kFloat));
  }
  return std::make_unique<TorchOp>(it->second, std::move(tensors), out_variant);
}

void set_num_threads(int n) { at::set_num_threads(n); }
int get_num_threads() { return at::get_num_threads(); }
std::string version() { return TORCH_VERSION; }

std::string parallel_info() {
  // The lines that say which threading backend and how many threads ATen uses.
  std::istringstream in(at::get_parallel_info());
  std::string line, out;
  while (std::getline(in, line)) {
    if (line.find("thread") != std::string::npos || line.find("parallel backend") != std::string::npos) {
      out += "  torch: " + line + "\n";
    }
  }
  return out;
}

}  // namespace torch_side
