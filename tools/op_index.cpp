// Prints docs/ops.md, the index of every differentiable op, to stdout:
//
//   op_index            (cmake --build build --target update_op_index writes the file)
//
// The rows come from the registry (registry.hpp): every built-in entry and every
// composite op. What the registry does not carry is measured, not written down: each op
// has a probe below that calls it on [2, 2]-sized inputs; the accepted dtypes are those
// for which the probe returns without ex::Error, and "records" means the probe's result
// on float32 inputs that require grad has a node of the op's name. An op without a probe,
// or a probe for a name the registry does not know, makes the tool fail, so the index
// cannot silently miss an op. Uses only the public headers.

#include <algorithm>
#include <cstdlib>
#include <exception>
#include <functional>
#include <iostream>
#include <map>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include <extensor/extensor.hpp>

namespace {

using ex::DType;
using ex::Shape;
using ex::Tensor;

// The name of a public raw backward kernel, checked at compile time: the using-declaration
// does not compile unless ex::name is declared, so a renamed kernel breaks the build
// instead of leaving a stale name in the index.
#define EX_BACKWARD_KERNEL(name) \
  [] {                           \
    using ex::name;              \
    return #name;                \
  }()

// Ones of dtype in shape (ones: a valid input to every probed op, logs and divisions
// included), a leaf that requires grad when asked.
Tensor input(DType dtype, bool requires_grad, const Shape& shape = {2, 2}) {
  Tensor t = ex::ones(shape, dtype);
  if (requires_grad) t.requires_grad_();
  return t;
}

// Class-index targets of cross_entropy and nll_loss for a [2, 2] input: int64 whatever
// the input's dtype.
Tensor class_targets() { return ex::zeros({2}, DType::Int64); }

using Call = std::function<Tensor(DType dtype, bool requires_grad)>;

struct Probe {
  std::vector<std::string> backward_kernels;  // empty: the op has no raw backward of its own
  Call call;
};

template <class Op>
Call unary(Op op) {
  return [op](DType d, bool rg) { return op(input(d, rg)); };
}
template <class Op>
Call binary(Op op) {
  return [op](DType d, bool rg) { return op(input(d, rg), input(d, rg)); };
}
// An in-place op on a clone, so that a leaf that requires grad may be modified.
template <class Op>
Call inplace(Op op) {
  return [op](DType d, bool rg) { return op(ex::clone(input(d, rg)), input(d, false)); };
}

std::map<std::string, Probe> builtin_probes() {
  std::map<std::string, Probe> p;
  // Arithmetic.
  p["add"] = {{EX_BACKWARD_KERNEL(add_backward)},
              binary([](const Tensor& a, const Tensor& b) { return ex::add(a, b); })};
  p["subtract"] = {{EX_BACKWARD_KERNEL(subtract_backward)},
                   binary([](const Tensor& a, const Tensor& b) { return ex::subtract(a, b); })};
  p["multiply"] = {{EX_BACKWARD_KERNEL(multiply_backward)},
                   binary([](const Tensor& a, const Tensor& b) { return ex::multiply(a, b); })};
  p["divide"] = {{EX_BACKWARD_KERNEL(divide_backward)},
                 binary([](const Tensor& a, const Tensor& b) { return ex::divide(a, b); })};
  p["floor_divide"] = {{EX_BACKWARD_KERNEL(floor_divide_backward)},
                       binary([](const Tensor& a, const Tensor& b) { return ex::floor_divide(a, b); })};
  p["modulo"] = {{EX_BACKWARD_KERNEL(modulo_backward)},
                 binary([](const Tensor& a, const Tensor& b) { return ex::modulo(a, b); })};
  p["power"] = {{EX_BACKWARD_KERNEL(power_backward)},
                binary([](const Tensor& a, const Tensor& b) { return ex::power(a, b); })};
  p["neg"] = {{EX_BACKWARD_KERNEL(neg_backward)}, unary([](const Tensor& x) { return ex::neg(x); })};
  // In place: the gradients are those of the out-of-place op.
  p["add_"] = {{EX_BACKWARD_KERNEL(add_backward)},
               inplace([](const Tensor& s, const Tensor& o) { return ex::add_(s, o); })};
  p["sub_"] = {{EX_BACKWARD_KERNEL(subtract_backward)},
               inplace([](const Tensor& s, const Tensor& o) { return ex::sub_(s, o); })};
  p["mul_"] = {{EX_BACKWARD_KERNEL(multiply_backward)},
               inplace([](const Tensor& s, const Tensor& o) { return ex::mul_(s, o); })};
  p["div_"] = {{EX_BACKWARD_KERNEL(divide_backward)},
               inplace([](const Tensor& s, const Tensor& o) { return ex::div_(s, o); })};
  p["copy_"] = {{EX_BACKWARD_KERNEL(broadcast_to_backward)},
                inplace([](const Tensor& s, const Tensor& o) { return ex::copy_(s, o); })};
  p["clamp_"] = {{EX_BACKWARD_KERNEL(clip_backward)},
                 inplace([](const Tensor& s, const Tensor&) { return ex::clamp_(s, 0, 2); })};
  p["zero_"] = {{}, inplace([](const Tensor& s, const Tensor&) { return ex::zero_(s); })};
  p["fill_"] = {{}, inplace([](const Tensor& s, const Tensor&) { return ex::fill_(s, 2); })};
  // Math.
  p["exp"] = {{EX_BACKWARD_KERNEL(exp_backward)}, unary([](const Tensor& x) { return ex::exp(x); })};
  p["log"] = {{EX_BACKWARD_KERNEL(log_backward)}, unary([](const Tensor& x) { return ex::log(x); })};
  p["log2"] = {{EX_BACKWARD_KERNEL(log2_backward)}, unary([](const Tensor& x) { return ex::log2(x); })};
  p["log10"] = {{EX_BACKWARD_KERNEL(log10_backward)}, unary([](const Tensor& x) { return ex::log10(x); })};
  p["log1p"] = {{EX_BACKWARD_KERNEL(log1p_backward)}, unary([](const Tensor& x) { return ex::log1p(x); })};
  p["sqrt"] = {{EX_BACKWARD_KERNEL(sqrt_backward)}, unary([](const Tensor& x) { return ex::sqrt(x); })};
  p["sin"] = {{EX_BACKWARD_KERNEL(sin_backward)}, unary([](const Tensor& x) { return ex::sin(x); })};
  p["cos"] = {{EX_BACKWARD_KERNEL(cos_backward)}, unary([](const Tensor& x) { return ex::cos(x); })};
  p["abs"] = {{EX_BACKWARD_KERNEL(abs_backward)}, unary([](const Tensor& x) { return ex::abs(x); })};
  p["sign"] = {{EX_BACKWARD_KERNEL(sign_backward)}, unary([](const Tensor& x) { return ex::sign(x); })};
  p["ceil"] = {{EX_BACKWARD_KERNEL(ceil_backward)}, unary([](const Tensor& x) { return ex::ceil(x); })};
  p["floor"] = {{EX_BACKWARD_KERNEL(floor_backward)}, unary([](const Tensor& x) { return ex::floor(x); })};
  p["round"] = {{EX_BACKWARD_KERNEL(round_backward)}, unary([](const Tensor& x) { return ex::round(x); })};
  p["trunc"] = {{EX_BACKWARD_KERNEL(trunc_backward)}, unary([](const Tensor& x) { return ex::trunc(x); })};
  p["clip"] = {{EX_BACKWARD_KERNEL(clip_backward)}, unary([](const Tensor& x) { return ex::clip(x, 0, 2); })};
  // Activations.
  p["relu"] = {{EX_BACKWARD_KERNEL(relu_backward)}, unary([](const Tensor& x) { return ex::relu(x); })};
  p["leaky_relu"] = {{EX_BACKWARD_KERNEL(leaky_relu_backward)},
                     unary([](const Tensor& x) { return ex::leaky_relu(x); })};
  p["prelu"] = {{EX_BACKWARD_KERNEL(prelu_backward)},
                [](DType d, bool rg) { return ex::prelu(input(d, rg), input(d, rg, {1})); }};
  p["sigmoid"] = {{EX_BACKWARD_KERNEL(sigmoid_backward)}, unary([](const Tensor& x) { return ex::sigmoid(x); })};
  p["tanh"] = {{EX_BACKWARD_KERNEL(tanh_backward)}, unary([](const Tensor& x) { return ex::tanh(x); })};
  p["gelu"] = {{EX_BACKWARD_KERNEL(gelu_backward)}, unary([](const Tensor& x) { return ex::gelu(x); })};
  p["softmax"] = {{EX_BACKWARD_KERNEL(softmax_backward)}, unary([](const Tensor& x) { return ex::softmax(x, 1); })};
  p["log_softmax"] = {{EX_BACKWARD_KERNEL(log_softmax_backward)},
                      unary([](const Tensor& x) { return ex::log_softmax(x, 1); })};
  // Reductions.
  p["sum"] = {{EX_BACKWARD_KERNEL(sum_backward)}, unary([](const Tensor& x) { return ex::sum(x); })};
  p["mean"] = {{EX_BACKWARD_KERNEL(mean_backward)}, unary([](const Tensor& x) { return ex::mean(x); })};
  p["max_reduce"] = {{EX_BACKWARD_KERNEL(max_reduce_backward)},
                     unary([](const Tensor& x) { return ex::max_reduce(x); })};
  p["min_reduce"] = {{EX_BACKWARD_KERNEL(min_reduce_backward)},
                     unary([](const Tensor& x) { return ex::min_reduce(x); })};
  // Matrix products.
  p["matmul"] = {{EX_BACKWARD_KERNEL(matmul_backward)},
                 binary([](const Tensor& a, const Tensor& b) { return ex::matmul(a, b); })};
  p["dot"] = {{EX_BACKWARD_KERNEL(dot_backward)},
              [](DType d, bool rg) { return ex::dot(input(d, rg, {2}), input(d, rg, {2})); }};
  p["outer"] = {{EX_BACKWARD_KERNEL(outer_backward)},
                [](DType d, bool rg) { return ex::outer(input(d, rg, {2}), input(d, rg, {2})); }};
  // Convolutions.
  p["conv2d"] = {{EX_BACKWARD_KERNEL(conv2d_backward)}, [](DType d, bool rg) {
                   return ex::conv2d(input(d, rg, {1, 1, 2, 2}), input(d, rg, {1, 1, 2, 2}), input(d, rg, {1}));
                 }};
  // Shapes, views and copies.
  p["reshape"] = {{EX_BACKWARD_KERNEL(reshape_backward)}, unary([](const Tensor& x) { return ex::reshape(x, {4}); })};
  p["view"] = {{EX_BACKWARD_KERNEL(reshape_backward)}, unary([](const Tensor& x) { return ex::view(x, {4}); })};
  p["flatten"] = {{EX_BACKWARD_KERNEL(flatten_backward)}, unary([](const Tensor& x) { return ex::flatten(x); })};
  p["squeeze"] = {{EX_BACKWARD_KERNEL(squeeze_backward)}, [](DType d, bool rg) {
                    return ex::squeeze(input(d, rg, {2, 1}));
                  }};
  p["unsqueeze"] = {{EX_BACKWARD_KERNEL(unsqueeze_backward)},
                    unary([](const Tensor& x) { return ex::unsqueeze(x, 0); })};
  p["transpose"] = {{EX_BACKWARD_KERNEL(transpose_backward)}, unary([](const Tensor& x) { return ex::transpose(x); })};
  p["permute"] = {{EX_BACKWARD_KERNEL(permute_backward)}, unary([](const Tensor& x) {
                    return ex::permute(x, {1, 0});
                  })};
  p["slice"] = {{EX_BACKWARD_KERNEL(slice_backward)}, unary([](const Tensor& x) { return ex::slice(x, 0, 0, 1); })};
  p["broadcast_to"] = {{EX_BACKWARD_KERNEL(broadcast_to_backward)}, unary([](const Tensor& x) {
                         return ex::broadcast_to(x, {3, 2, 2});
                       })};
  p["expand"] = {{EX_BACKWARD_KERNEL(broadcast_to_backward)}, unary([](const Tensor& x) {
                   return ex::expand(x, {3, 2, 2});
                 })};
  p["split"] = {{EX_BACKWARD_KERNEL(split_backward)}, unary([](const Tensor& x) { return ex::split(x, 2)[0]; })};
  p["concatenate"] = {{EX_BACKWARD_KERNEL(concatenate_backward)}, binary([](const Tensor& a, const Tensor& b) {
                        return ex::concatenate({a, b});
                      })};
  p["stack"] = {{EX_BACKWARD_KERNEL(stack_backward)}, binary([](const Tensor& a, const Tensor& b) {
                  return ex::stack({a, b});
                })};
  // Indexing with an integer tensor (the gathering path; basic indices record as views).
  p["index"] = {{EX_BACKWARD_KERNEL(index_backward)}, unary([](const Tensor& x) {
                  return ex::index(x, {ex::tensor({1, 0})});
                })};
  p["index_put_"] = {{}, inplace([](const Tensor& s, const Tensor& o) {
                       return ex::index_put_(s, {ex::tensor({1, 0})}, o);
                     })};
  p["clone"] = {{}, unary([](const Tensor& x) { return ex::clone(x); })};
  // To float64, so that a float64 input would be the only one not converted.
  p["to"] = {{}, unary([](const Tensor& x) { return ex::to(x, DType::Float64); })};
  // Losses (targets: ones of the input's dtype, or class indices).
  p["mse_loss"] = {{EX_BACKWARD_KERNEL(mse_loss_backward)},
                   binary([](const Tensor& a, const Tensor& b) { return ex::mse_loss(a, b); })};
  p["l1_loss"] = {{EX_BACKWARD_KERNEL(l1_loss_backward)},
                  binary([](const Tensor& a, const Tensor& b) { return ex::l1_loss(a, b); })};
  p["smooth_l1_loss"] = {{EX_BACKWARD_KERNEL(smooth_l1_loss_backward)},
                         binary([](const Tensor& a, const Tensor& b) { return ex::smooth_l1_loss(a, b); })};
  p["binary_cross_entropy"] = {
      {EX_BACKWARD_KERNEL(binary_cross_entropy_backward), EX_BACKWARD_KERNEL(binary_cross_entropy_target_backward)},
      binary([](const Tensor& a, const Tensor& b) { return ex::binary_cross_entropy(a, b); })};
  p["binary_cross_entropy_with_logits"] = {
      {EX_BACKWARD_KERNEL(binary_cross_entropy_with_logits_backward),
       EX_BACKWARD_KERNEL(binary_cross_entropy_with_logits_target_backward)},
      binary([](const Tensor& a, const Tensor& b) { return ex::binary_cross_entropy_with_logits(a, b); })};
  p["cross_entropy"] = {{EX_BACKWARD_KERNEL(cross_entropy_backward)},
                        unary([](const Tensor& x) { return ex::cross_entropy(x, class_targets()); })};
  p["nll_loss"] = {{EX_BACKWARD_KERNEL(nll_loss_backward)},
                   unary([](const Tensor& x) { return ex::nll_loss(x, class_targets()); })};
  // Pooling takes [C, H, W] or [N, C, H, W]: ones of [1, 2, 2], one 2x2 window.
  const auto planes = [](auto op) { return [op](DType d, bool rg) { return op(input(d, rg, {1, 2, 2})); }; };
  p["max_pool2d"] = {{EX_BACKWARD_KERNEL(max_pool2d_backward)}, planes([](const Tensor& x) {
                       return ex::max_pool2d(x, {2, 2});
                     })};
  p["avg_pool2d"] = {{EX_BACKWARD_KERNEL(avg_pool2d_backward)}, planes([](const Tensor& x) {
                       return ex::avg_pool2d(x, {2, 2});
                     })};
  p["adaptive_avg_pool2d"] = {{EX_BACKWARD_KERNEL(adaptive_avg_pool2d_backward)}, planes([](const Tensor& x) {
                                return ex::adaptive_avg_pool2d(x, {1, 1});
                              })};
  // Normalization and padding.
  p["batch_norm"] = {{EX_BACKWARD_KERNEL(batch_norm_backward)}, unary([](const Tensor& x) {
                       return ex::batch_norm(x, Tensor(), Tensor(), Tensor(), Tensor(), true);
                     })};
  p["pad"] = {{EX_BACKWARD_KERNEL(pad_backward)}, unary([](const Tensor& x) { return ex::pad(x, {1, 1}); })};
  return p;
}

std::map<std::string, Probe> composite_probes() {
  std::map<std::string, Probe> p;
  p["softplus"] = {{EX_BACKWARD_KERNEL(softplus_backward)}, unary([](const Tensor& x) { return ex::softplus(x); })};
  p["silu"] = {{EX_BACKWARD_KERNEL(silu_backward)}, unary([](const Tensor& x) { return ex::silu(x); })};
  p["elu"] = {{EX_BACKWARD_KERNEL(elu_backward)}, unary([](const Tensor& x) { return ex::elu(x); })};
  p["selu"] = {{EX_BACKWARD_KERNEL(selu_backward)}, unary([](const Tensor& x) { return ex::selu(x); })};
  p["celu"] = {{EX_BACKWARD_KERNEL(celu_backward)}, unary([](const Tensor& x) { return ex::celu(x); })};
  p["var"] = {{EX_BACKWARD_KERNEL(var_backward)}, unary([](const Tensor& x) { return ex::var(x); })};
  p["std"] = {{EX_BACKWARD_KERNEL(std_backward)}, unary([](const Tensor& x) { return ex::std(x); })};
  p["logsumexp"] = {{EX_BACKWARD_KERNEL(logsumexp_backward)}, unary([](const Tensor& x) { return ex::logsumexp(x); })};
  p["mish"] = {{EX_BACKWARD_KERNEL(mish_backward)}, unary([](const Tensor& x) { return ex::mish(x); })};
  return p;
}

// The dtypes for which call returns without ex::Error.
std::vector<DType> accepted_dtypes(const Call& call) {
  std::vector<DType> accepted;
  for (int i = 0; i < ex::kNumDTypes; ++i) {
    const auto dtype = static_cast<DType>(i);
    try {
      call(dtype, false);
      accepted.push_back(dtype);
    } catch (const ex::Error&) {
    }
  }
  return accepted;
}

// "all", "floating", "all but bool", or the names.
std::string dtype_list(const std::vector<DType>& dtypes) {
  std::vector<DType> all, floating, but_bool;
  for (int i = 0; i < ex::kNumDTypes; ++i) {
    const auto dtype = static_cast<DType>(i);
    all.push_back(dtype);
    if (ex::is_floating(dtype)) floating.push_back(dtype);
    if (dtype != DType::Bool) but_bool.push_back(dtype);
  }
  if (dtypes == all) return "all";
  if (dtypes == floating) return "floating";
  if (dtypes == but_bool) return "all but bool";
  if (dtypes.empty()) return "none";
  std::string out;
  for (const DType dtype : dtypes) out += (out.empty() ? "" : ", ") + std::string(ex::dtype_name(dtype));
  return out;
}

std::string kernel_list(const std::vector<std::string>& kernels) {
  if (kernels.empty()) return "none";
  std::string out;
  for (const std::string& k : kernels) out += (out.empty() ? "`ex::" : ", `ex::") + k + "`";
  return out;
}

// Fails with message unless ok: the index must not be printed from a wrong probe table.
void require(bool ok, const std::string& message) {
  if (!ok) throw ex::Error("op_index: " + message);
}

void print_index(std::ostream& out) {
  const std::map<std::string, Probe> builtins = builtin_probes();
  const std::map<std::string, Probe> composites = composite_probes();

  // The built-in entries: not the user's, not the gradient accumulator, and not the
  // nodes that differentiable backwards record (registered on first use, checked with
  // the op they differentiate).
  std::map<std::string, const ex::autograd::OpInfo*> entries;
  for (const ex::autograd::OpInfo* op : ex::autograd::registered_ops())
    if (!op->custom && op->name != "AccumulateGrad" && op->derivative_of == nullptr) entries[op->name] = op;
  for (const auto& [name, op] : entries)
    require(builtins.count(name) == 1, "no probe for registered op '" + name + "': add one to tools/op_index.cpp");
  for (const auto& [name, probe] : builtins)
    require(entries.count(name) == 1, "a probe names '" + name + "', which is not a registered op");
  const std::vector<std::string> composite_names = ex::autograd::composite_ops();
  const std::set<std::string> listed(composite_names.begin(), composite_names.end());
  for (const std::string& name : listed)
    require(composites.count(name) == 1, "no probe for composite op '" + name + "': add one to tools/op_index.cpp");
  for (const auto& [name, probe] : composites)
    require(listed.count(name) == 1, "a probe names '" + name + "', which is not a composite op");

  out << "<!-- Generated by `cmake --build build --target update_op_index` (tools/op_index.cpp): do not edit. -->\n"
      << "# Differentiable ops\n\n"
      << "Every op the autograd registry knows (`extensor/autograd/registry.hpp`), and the\n"
      << "composite ops, which record through the public ops they are written from.\n\n"
      << "- **raw backward**: the public kernel that computes the op's input gradients without\n"
      << "  recording (the manual-backprop API); none where the gradient is the upstream one,\n"
      << "  or zero.\n"
      << "- **records**: whether a call on float32 inputs that require grad adds a node named\n"
      << "  after the op to the tape (composites: the nodes of the ops they call).\n"
      << "- **create_graph**: whether its backward records too, so its gradients can be\n"
      << "  differentiated again.\n"
      << "- **dtypes**: the element types for which a call on `[2, 2]` inputs of that dtype\n"
      << "  (class-index targets stay int64) returns without `ex::Error`; \"floating\" is\n"
      << "  float16, bfloat16, float32 and float64, \"all\" the 13 dtypes of `ex::DType`.\n\n"
      << "Ops that never record (comparisons, logical ops, argmax, argmin) are not listed.\n\n"
      << "| op | raw backward | records | create_graph | dtypes |\n"
      << "| --- | --- | --- | --- | --- |\n";
  for (const auto& [name, op] : entries) {
    const Probe& probe = builtins.at(name);
    const std::string recorded = probe.call(DType::Float32, true).grad_fn_name();
    require(recorded == name, "the probe of '" + name + "' recorded '" + recorded + "', not the op");
    const std::string twice = op->differentiable_backward ? "yes" : "no (" + op->first_order_reason + ")";
    out << "| `ex::" << name << "` | " << kernel_list(probe.backward_kernels) << " | yes | " << twice << " | "
        << dtype_list(accepted_dtypes(probe.call)) << " |\n";
  }
  for (const auto& [name, probe] : composites) {
    const bool recorded = probe.call(DType::Float32, true).grad_fn() != nullptr;
    require(recorded, "composite '" + name + "' recorded nothing");
    out << "| `ex::" << name << "` | " << kernel_list(probe.backward_kernels) << " | composite | yes | "
        << dtype_list(accepted_dtypes(probe.call)) << " |\n";
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 1) {
    std::cerr << "usage: " << argv[0] << "  (prints docs/ops.md to stdout)\n";
    return 2;
  }
  try {
    std::ostringstream index;
    print_index(index);
    std::cout << index.str();
    return 0;
  } catch (const std::exception& e) {
    std::cerr << e.what() << "\n";
    return 1;
  }
}
