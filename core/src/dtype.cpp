#include "extensor/core/dtype.hpp"

#include <ostream>

namespace ex {

namespace {
struct DTypeInfo {
  const char* name;
  std::size_t size;
};
constexpr DTypeInfo kInfo[kNumDTypes] = {
    {"bool", 1},   {"int8", 1},   {"int16", 2},   {"int32", 4},    {"int64", 8},   {"uint8", 1},   {"uint16", 2},
    {"uint32", 4}, {"uint64", 8}, {"float16", 2}, {"bfloat16", 2}, {"float32", 4}, {"float64", 8},
};
int index_of(DType d) { return static_cast<int>(d); }
}  // namespace

const char* dtype_name(DType dtype) noexcept { return kInfo[index_of(dtype)].name; }
std::size_t itemsize(DType dtype) noexcept { return kInfo[index_of(dtype)].size; }

bool is_floating(DType dtype) noexcept { return dtype >= DType::Float16; }
bool is_integral(DType dtype) noexcept { return dtype != DType::Bool && dtype < DType::Float16; }
bool is_signed(DType dtype) noexcept { return (dtype >= DType::Int8 && dtype <= DType::Int64) || is_floating(dtype); }

DType promote_types(DType a, DType b) noexcept {
  if (a == b) return a;
  if (a == DType::Bool) return b;
  if (b == DType::Bool) return a;
  const bool fa = is_floating(a), fb = is_floating(b);
  if (fa != fb) return fa ? a : b;  // int with float: the float type
  if (fa) {
    // float16 + bfloat16 has no 16-bit home: float32, as in PyTorch.
    if (itemsize(a) == 2 && itemsize(b) == 2) return DType::Float32;
    return itemsize(a) >= itemsize(b) ? a : b;
  }
  const bool sa = is_signed(a), sb = is_signed(b);
  if (sa == sb) return itemsize(a) >= itemsize(b) ? a : b;
  // Mixed signedness: the smallest signed type wider than the unsigned one (and at
  // least as wide as the signed one). uint64 has none: int64, documented.
  const DType u = sa ? b : a, s = sa ? a : b;
  const std::size_t need = std::max(itemsize(u) * 2, itemsize(s));
  switch (need) {
    case 2:
      return DType::Int16;
    case 4:
      return DType::Int32;
    default:
      return DType::Int64;
  }
}

std::ostream& operator<<(std::ostream& os, DType dtype) { return os << dtype_name(dtype); }
std::ostream& operator<<(std::ostream& os, Half h) { return os << static_cast<float>(h); }
std::ostream& operator<<(std::ostream& os, BFloat16 h) { return os << static_cast<float>(h); }

}  // namespace ex
