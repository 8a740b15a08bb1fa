// inspect_checkpoint FILE: lists what a safetensors file holds (each tensor's name,
// dtype, shape, bytes, min, max and mean, then the metadata), through the public API
// only. A malformed file prints the loader's message and exits 1.
#include <algorithm>
#include <cstdio>
#include <extensor/extensor.hpp>
#include <string>

namespace {

// min, max and mean of t as text; "-" for an empty tensor. Integers compare exactly in
// their own dtype; the mean is taken in float64.
struct Summary {
  std::string min = "-", max = "-", mean = "-";
};

std::string number(const ex::Tensor& scalar) {
  char text[64];
  if (ex::is_floating(scalar.dtype()))
    std::snprintf(text, sizeof text, "%.6g", scalar.item<double>());
  else if (scalar.dtype() == ex::DType::UInt64)
    std::snprintf(text, sizeof text, "%llu", static_cast<unsigned long long>(scalar.item<std::uint64_t>()));
  else
    std::snprintf(text, sizeof text, "%lld", static_cast<long long>(scalar.item<std::int64_t>()));
  return text;
}

Summary summarize(const ex::Tensor& t) {
  Summary s;
  if (t.numel() == 0) return s;
  try {
    s.min = number(ex::min_reduce(t));
    s.max = number(ex::max_reduce(t));
  } catch (const ex::Error&) {  // a dtype without an order: compare in float64
    s.min = number(ex::min_reduce(t.to(ex::DType::Float64)));
    s.max = number(ex::max_reduce(t.to(ex::DType::Float64)));
  }
  s.mean = number(ex::mean(t.to(ex::DType::Float64)));
  return s;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: inspect_checkpoint FILE.safetensors\n");
    return 2;
  }
  const std::string path = argv[1];
  ex::nn::StateDict tensors;
  ex::Metadata metadata;
  try {
    tensors = ex::load(path);
    metadata = ex::load_metadata(path);
  } catch (const ex::Error& e) {
    std::fprintf(stderr, "inspect_checkpoint: %s\n", e.what());
    return 1;
  }

  std::size_t name_width = 4, shape_width = 5, total = 0;
  for (const auto& [name, t] : tensors) {
    name_width = std::max(name_width, name.size());
    shape_width = std::max(shape_width, t.shape().str().size());
    total += t.nbytes();
  }
  std::printf("%s: %zu tensors, %zu bytes of data\n", path.c_str(), tensors.size(), total);
  const int nw = static_cast<int>(name_width), sw = static_cast<int>(shape_width);
  std::printf("%-*s  %-8s  %-*s  %12s  %12s  %12s  %12s\n", nw, "name", "dtype", sw, "shape", "bytes", "min", "max",
              "mean");
  for (const auto& [name, t] : tensors) {
    const Summary s = summarize(t);
    std::printf("%-*s  %-8s  %-*s  %12zu  %12s  %12s  %12s\n", nw, name.c_str(), ex::dtype_name(t.dtype()), sw,
                t.shape().str().c_str(), t.nbytes(), s.min.c_str(), s.max.c_str(), s.mean.c_str());
  }
  if (!metadata.empty()) std::printf("metadata:\n");
  for (const auto& [key, value] : metadata) std::printf("  %s = %s\n", key.c_str(), value.c_str());
  return 0;
}
