// The C++ side of the safetensors interop test (check_safetensors_numpy.py drives it):
//   safetensors_interop write FILE   saves the dict below with ex::save
//   safetensors_interop check FILE   loads FILE with ex::load and exits 0 only if it holds
//                                    exactly that dict and metadata
// The dict has every dtype with its extreme values (float bit patterns: signed zero,
// subnormals, the largest finite, infinities, NaN), rank 0, an empty tensor and views
// (transposed, sliced, expanded) that must be written contiguous. The Python script
// builds the same dict on its own.
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <extensor/extensor.hpp>
#include <stdexcept>
#include <string>
#include <vector>

namespace {

template <class T>
ex::Tensor of(const std::vector<T>& values, const ex::Shape& shape, ex::DType dtype) {
  ex::Tensor t = ex::empty(shape, dtype);
  if (t.nbytes() != values.size() * sizeof(T)) throw std::logic_error("bad test table");
  if (!values.empty()) std::memcpy(t.raw_data(), values.data(), t.nbytes());
  return t;
}

ex::nn::StateDict expected() {
  using ex::DType;
  ex::nn::StateDict d;
  d.insert("bool", of<std::uint8_t>({1, 0, 0, 1, 1, 0}, {2, 3}, DType::Bool));
  d.insert("u8", of<std::uint8_t>({0, 1, 127, 128, 254, 255}, {6}, DType::UInt8));
  d.insert("i8", of<std::int8_t>({-128, -1, 0, 1, 126, 127}, {3, 2}, DType::Int8));
  d.insert("u16", of<std::uint16_t>({0, 1, 255, 256, 65534, 65535}, {2, 3}, DType::UInt16));
  d.insert("i16", of<std::int16_t>({-32768, -1, 0, 1, 32766, 32767}, {2, 3}, DType::Int16));
  d.insert("u32", of<std::uint32_t>({0, 1, 65536, 2147483648u, 4294967294u, 4294967295u}, {6}, DType::UInt32));
  // Written from a transposed view: the file holds the view's row-major order.
  d.insert("i32", of<std::int32_t>({INT32_MIN, 1, -1, 2147483646, 0, INT32_MAX}, {3, 2}, DType::Int32).transpose(0, 1));
  d.insert("u64", of<std::uint64_t>({0, 1, 4294967296u, 9223372036854775808u, UINT64_MAX - 1, UINT64_MAX}, {6},
                                    DType::UInt64));
  d.insert("i64", of<std::int64_t>({INT64_MIN, -1, 0, 1, INT64_MAX - 1, INT64_MAX}, {6}, DType::Int64));
  // 0, -0, 1, 65504 (largest), 2^-24 (smallest subnormal), inf.
  d.insert("f16", of<std::uint16_t>({0x0000, 0x8000, 0x3C00, 0x7BFF, 0x0001, 0x7C00}, {6}, DType::Float16));
  // 1, -2.5, largest, smallest subnormal, -inf, NaN.
  d.insert("bf16", of<std::uint16_t>({0x3F80, 0xC020, 0x7F7F, 0x0001, 0xFF80, 0x7FC0}, {2, 3}, DType::BFloat16));
  // 0.1f, -(smallest subnormal), largest, 1, -inf, NaN.
  d.insert("f32", of<std::uint32_t>({0x3DCCCCCD, 0x80000001, 0x7F7FFFFF, 0x3F800000, 0xFF800000, 0x7FC00000}, {6},
                                    DType::Float32));
  // Every other row of a [6, 2]: 0.1, -2.5, largest, smallest subnormal, 2^53, -inf.
  const std::vector<std::uint64_t> rows{0x3FB999999999999A, 0xC004000000000000, 0, 0,
                                        0x7FEFFFFFFFFFFFFF, 0x0000000000000001, 0, 0,
                                        0x4340000000000000, 0xFFF0000000000000, 0, 0};
  d.insert("f64", of<std::uint64_t>(rows, {6, 2}, DType::Float64).slice(0, 0, 6, 2));
  d.insert("scalar", ex::full({}, 3.25, DType::Float64));
  d.insert("empty", ex::zeros({0, 4}, DType::Float32));
  d.insert("expanded", of<std::int32_t>({7, -7}, {1, 2}, DType::Int32).expand({3, 2}));
  return d;
}

const ex::Metadata kMetadata{{"format", "pt"}, {"producer", "extensor"}, {"unicode", "h\xc3\xa9llo \xe2\x9c\x93"}};

std::vector<unsigned char> bytes_of(const ex::Tensor& t) {
  const ex::Tensor c = t.contiguous();
  const auto* p = static_cast<const unsigned char*>(c.raw_data());
  return {p, p + c.nbytes()};
}

int check(const std::string& path) {
  const ex::nn::StateDict want = expected();
  const ex::nn::StateDict got = ex::load(path);
  int failures = 0;
  const auto bad = [&](const std::string& what) {
    std::fprintf(stderr, "safetensors_interop: %s: %s\n", path.c_str(), what.c_str());
    ++failures;
  };
  if (got.keys() != want.keys()) bad("the names or their order differ");
  for (const auto& [name, t] : want) {
    if (!got.contains(name)) continue;
    const ex::Tensor& g = got.at(name);
    if (g.dtype() != t.dtype())
      bad(name + ": dtype " + ex::dtype_name(g.dtype()) + ", expected " + ex::dtype_name(t.dtype()));
    if (g.shape() != t.shape()) bad(name + ": shape " + g.shape().str() + ", expected " + t.shape().str());
    if (g.dtype() == t.dtype() && g.shape() == t.shape() && bytes_of(g) != bytes_of(t))
      bad(name + ": the bytes differ");
  }
  if (ex::load_metadata(path) != kMetadata) bad("the metadata differs");
  return failures == 0 ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  const std::string mode = argc == 3 ? argv[1] : "";
  if (mode != "write" && mode != "check") {
    std::fprintf(stderr, "usage: safetensors_interop write|check FILE\n");
    return 2;
  }
  try {
    if (mode == "write") {
      ex::save(expected(), argv[2], kMetadata);
      return 0;
    }
    return check(argv[2]);
  } catch (const ex::Error& e) {
    std::fprintf(stderr, "safetensors_interop: %s\n", e.what());
    return 1;
  }
}
