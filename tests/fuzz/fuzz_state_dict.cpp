// libFuzzer harness for ex::nn::Module::load_state_dict. The input bytes decode into a
// small StateDict (names from the model's real keys or arbitrary bytes, any of the 13
// dtypes, ranks 0-4, dims small, negative or huge, contiguous tensors and views, values
// from the bytes), which is loaded strictly and non-strictly into Linear(3, 4), ReLU,
// Linear(4, 2) converted to a floating dtype; a model that loaded runs a forward pass.
// Any ex::Error is a fine outcome; other exceptions escape so the fuzzer reports them.
// The harness also checks the contracts a crash would not reveal: shapes a tensor cannot
// have are refused, a refused load changes nothing, and a load copies exactly the
// values given.
//
// Input layout, every field one byte unless said otherwise (reads past the end give 0):
//   model dtype (% 4: float32, float64, float16, bfloat16), entry count (% 7), then per
//   entry: name kind (% 4: 0 arbitrary, else a real key chosen by the next byte), for an
//   arbitrary name its length (% 12) and bytes; dtype (% 16: 13-15 the model's dtype);
//   shape kind (% 4: 0 the real key's shape, else a rank byte % 5 and one dim code per
//   dim); layout (% 8); then the values' bytes, as many as the tensor holds.
// A dim code below 0xC0 is a dim of (code % 9); 0xC0-0xDF a negative dim; 0xE0 and up
// an int64 dim read from the next 8 bytes (little-endian).
#include <algorithm>
#include <array>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "extensor/core/creation.hpp"
#include "extensor/core/error.hpp"
#include "extensor/core/tensor.hpp"
#include "extensor/core/threading.hpp"
#include "extensor/nn/activation.hpp"
#include "extensor/nn/container.hpp"
#include "extensor/nn/linear.hpp"
#include "extensor/nn/module.hpp"

namespace {

// Large enough for every dim the model has; larger tensors only slow the fuzzer down.
constexpr std::uint64_t kMaxBytes = std::uint64_t{1} << 20;
// checked_numel's limit: no tensor holds more elements.
constexpr std::uint64_t kMaxNumel = std::uint64_t{1} << 62;

struct Key {
  const char* name;
  ex::Shape shape;
};
const std::array<Key, 4> kKeys{{{"0.weight", {4, 3}}, {"0.bias", {4}}, {"2.weight", {2, 4}}, {"2.bias", {2}}}};
constexpr std::array<ex::DType, 4> kModelDTypes{ex::DType::Float32, ex::DType::Float64, ex::DType::Float16,
                                                ex::DType::BFloat16};

[[noreturn]] void fail(const std::string& what) {
  std::fprintf(stderr, "fuzz_state_dict: %s\n", what.c_str());
  std::abort();
}

// The fuzzer's bytes, consumed front to back; zeros once they run out.
class Input {
 public:
  Input(const std::uint8_t* data, std::size_t size) : data_(data), size_(size) {}

  std::uint8_t u8() { return pos_ < size_ ? data_[pos_++] : 0; }
  std::uint64_t u64() {
    std::uint64_t value = 0;
    for (int i = 0; i < 8; ++i) value |= std::uint64_t{u8()} << (8 * i);
    return value;
  }
  // Copies the next bytes into dst, up to n of them, and returns how many it copied.
  std::size_t take(void* dst, std::size_t n) {
    const std::size_t got = std::min(n, size_ - pos_);
    if (got > 0) std::memcpy(dst, data_ + pos_, got);
    pos_ += got;
    return got;
  }

 private:
  const std::uint8_t* data_;
  std::size_t size_;
  std::size_t pos_ = 0;
};

enum class Geometry { kFits, kTooBig, kInvalid };

// kInvalid for shapes no tensor can have (a negative dim, more than 2^62 elements, more
// bytes than memory can address), which every creation function must refuse; kTooBig
// for valid shapes over the harness's size bound.
Geometry classify(const ex::Shape& shape, ex::DType dtype) {
  bool empty = false;
  for (std::int64_t d : shape) {
    if (d < 0) return Geometry::kInvalid;
    empty = empty || d == 0;
  }
  if (empty) return Geometry::kFits;
  std::uint64_t numel = 1;
  for (std::int64_t d : shape)
    if (__builtin_mul_overflow(numel, static_cast<std::uint64_t>(d), &numel) || numel > kMaxNumel)
      return Geometry::kInvalid;
  std::uint64_t bytes = 0;
  if (__builtin_mul_overflow(numel, std::uint64_t{ex::itemsize(dtype)}, &bytes)) return Geometry::kInvalid;
  return bytes <= kMaxBytes ? Geometry::kFits : Geometry::kTooBig;
}

// A user asking for a tensor of an impossible shape must get ex::Error.
void expect_refused(const ex::Shape& shape, ex::DType dtype) {
  const auto refuses = [&](const char* fn, auto&& create) {
    try {
      create();
    } catch (const ex::Error&) {
      return;
    }
    fail(std::string(fn) + " accepted shape " + shape.str() + " of dtype " + ex::dtype_name(dtype));
  };
  refuses("ex::empty", [&] { return ex::empty(shape, dtype); });
  refuses("ex::zeros", [&] { return ex::zeros(shape, dtype); });
}

std::string decode_name(Input& in) {
  if (in.u8() % 4 != 0) return kKeys[in.u8() % kKeys.size()].name;
  std::string name(in.u8() % 12, '\0');
  in.take(name.data(), name.size());
  return name;
}

ex::Shape decode_shape(Input& in, const std::string& name) {
  if (in.u8() % 4 == 0) {
    for (const Key& key : kKeys)
      if (name == key.name) return key.shape;
    return {};
  }
  ex::Shape shape;
  for (int rank = in.u8() % 5; rank > 0; --rank) {
    const std::uint8_t code = in.u8();
    if (code < 0xC0)
      shape.push_back(code % 9);
    else if (code < 0xE0)
      shape.push_back(-1 - (code & 0x1F));
    else
      shape.push_back(static_cast<std::int64_t>(in.u64()));
  }
  return shape;
}

// A contiguous tensor of shape holding the next input bytes (zeros past the end).
ex::Tensor filled(Input& in, const ex::Shape& shape, ex::DType dtype) {
  ex::Tensor t = ex::zeros(shape, dtype);
  auto* bytes = static_cast<std::uint8_t*>(t.raw_data());
  in.take(bytes, t.nbytes());
  // Any other byte in a bool is not a bool: the library may assume 0 or 1.
  if (dtype == ex::DType::Bool)
    for (std::size_t i = 0; i < t.nbytes(); ++i) bytes[i] &= 1;
  return t;
}

// A tensor of shape, either contiguous or one of the views users make (transposed,
// strided, broadcast, offset, permuted), or undefined. A view whose base would be over
// the size bound (an empty shape with huge dims can have a huge base) is made contiguous.
ex::Tensor make_tensor(Input& in, const ex::Shape& shape, ex::DType dtype) {
  const std::int64_t rank = static_cast<std::int64_t>(shape.size());
  const auto fits = [&](const ex::Shape& base) { return classify(base, dtype) == Geometry::kFits; };
  ex::Shape base = shape;
  switch (in.u8() % 8) {
    case 2:
      if (rank < 2) break;
      std::swap(base[rank - 2], base[rank - 1]);
      return filled(in, base, dtype).transpose(-2, -1);
    case 3:
      if (rank < 1 || shape[0] > std::int64_t{1} << 40) break;
      base[0] = 2 * shape[0] + 1;
      if (!fits(base)) break;
      return filled(in, base, dtype).slice(0, 1, base[0], 2);
    case 4:
      if (rank < 1) break;
      base[rank - 1] = 1;
      if (!fits(base)) break;
      return filled(in, base, dtype).expand(shape);
    case 5: {
      constexpr std::int64_t kOffset = 3;
      const ex::Tensor storage = filled(in, {shape.numel() + kOffset}, dtype);
      return ex::make_view(storage, shape, ex::contiguous_strides(shape), kOffset);
    }
    case 6: {
      if (rank < 2) break;
      std::vector<std::int64_t> order;
      for (std::int64_t d = rank - 1; d >= 0; --d) {
        base[rank - 1 - d] = shape[d];
        order.push_back(d);
      }
      return filled(in, base, dtype).permute(order);
    }
    case 7:
      return ex::Tensor();
    default:
      break;
  }
  return filled(in, shape, dtype);
}

ex::nn::StateDict decode_state_dict(Input& in, ex::DType model_dtype) {
  ex::nn::StateDict dict;
  for (int n = in.u8() % 7; n > 0; --n) {
    const std::string name = decode_name(in);
    const std::uint8_t dtype_code = in.u8() % 16;
    const ex::DType dtype = dtype_code < ex::kNumDTypes ? static_cast<ex::DType>(dtype_code) : model_dtype;
    const ex::Shape shape = decode_shape(in, name);
    switch (classify(shape, dtype)) {
      case Geometry::kInvalid:
        expect_refused(shape, dtype);
        continue;
      case Geometry::kTooBig:
        continue;
      case Geometry::kFits:
        break;
    }
    try {
      dict.insert(name, make_tensor(in, shape, dtype));
    } catch (const ex::Error&) {
      // An empty, repeated or undefined entry: StateDict refuses it, as it should.
    }
  }
  return dict;
}

std::vector<std::uint8_t> bytes_of(const ex::Tensor& t) {
  const ex::Tensor c = t.contiguous();
  const auto* p = static_cast<const std::uint8_t*>(c.raw_data());
  return {p, p + c.nbytes()};
}

std::vector<std::vector<std::uint8_t>> snapshot(const ex::nn::Module& model) {
  std::vector<std::vector<std::uint8_t>> out;
  for (const auto& [name, t] : model.state_dict()) out.push_back(bytes_of(t));
  return out;
}

bool contains(const std::vector<std::string>& names, const std::string& name) {
  return std::find(names.begin(), names.end(), name) != names.end();
}

// After a load that returned: every key the dict has was copied bit for bit, and the
// result lists exactly the keys that were skipped.
void check_loaded(const ex::nn::Module& model, const ex::nn::StateDict& dict, const ex::nn::LoadStateDictResult& result,
                  bool strict) {
  const ex::nn::StateDict own = model.state_dict();
  if (strict && (!result.missing_keys.empty() || !result.unexpected_keys.empty()))
    fail("a strict load reported missing or unexpected keys");
  for (const auto& [key, t] : own) {
    if (dict.contains(key) == contains(result.missing_keys, key)) fail("missing_keys is wrong about '" + key + "'");
    if (dict.contains(key) && bytes_of(t) != bytes_of(dict.at(key))) fail("'" + key + "' was not copied exactly");
  }
  for (const auto& [key, t] : dict)
    if (own.contains(key) == contains(result.unexpected_keys, key))
      fail("unexpected_keys is wrong about '" + key + "'");
}

void forward(ex::nn::Sequential& model, ex::DType dtype) {
  const ex::Tensor y = model(ex::full({2, 3}, 0.5, dtype));
  if (y.shape() != ex::Shape{2, 2} || y.dtype() != dtype) fail("the forward pass returned the wrong shape or dtype");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  // One thread: the same input always takes the same path.
  static const bool single_threaded = (ex::set_num_threads(1), true);
  (void)single_threaded;

  Input in(data, size);
  const ex::DType dtype = kModelDTypes[in.u8() % kModelDTypes.size()];
  const ex::nn::StateDict dict = decode_state_dict(in, dtype);

  ex::nn::Sequential model(ex::nn::Linear(3, 4), ex::nn::ReLU(), ex::nn::Linear(4, 2));
  model->to(dtype);
  for (const bool strict : {true, false}) {
    const auto before = snapshot(*model);
    ex::nn::LoadStateDictResult result;
    try {
      result = model->load_state_dict(dict, strict);
    } catch (const ex::Error&) {
      if (snapshot(*model) != before) fail("a load_state_dict that threw changed the module");
      continue;
    }
    check_loaded(*model, dict, result, strict);
    try {
      forward(model, dtype);
    } catch (const ex::Error&) {
    }
  }
  return 0;
}
