#pragma once
// Element types, their sizes and PyTorch's type-promotion lattice.

#include <cstddef>
#include <cstdint>
#include <iosfwd>
#include <type_traits>

#include "extensor/core/half.hpp"

namespace ex {

// The 13 element types. Float16 and BFloat16 are stored as 16 bits and computed in
// float32. Float32 is the default dtype of creation functions.
enum class DType : std::uint8_t {
  Bool,
  Int8,
  Int16,
  Int32,
  Int64,
  UInt8,
  UInt16,
  UInt32,
  UInt64,
  Float16,
  BFloat16,
  Float32,
  Float64,
};

inline constexpr int kNumDTypes = 13;
inline constexpr DType kDefaultFloat = DType::Float32;

// Short names as libtorch spells them (torch::kFloat32, torch::kLong, ...), so ported code
// reads unchanged: ex::kFloat32 is DType::Float32.
inline constexpr DType kBool = DType::Bool;
inline constexpr DType kInt8 = DType::Int8;
inline constexpr DType kInt16 = DType::Int16;
inline constexpr DType kInt32 = DType::Int32;
inline constexpr DType kInt64 = DType::Int64;
inline constexpr DType kUInt8 = DType::UInt8;
inline constexpr DType kUInt16 = DType::UInt16;
inline constexpr DType kUInt32 = DType::UInt32;
inline constexpr DType kUInt64 = DType::UInt64;
inline constexpr DType kFloat16 = DType::Float16;
inline constexpr DType kBFloat16 = DType::BFloat16;
inline constexpr DType kFloat32 = DType::Float32;
inline constexpr DType kFloat64 = DType::Float64;
// libtorch's C-type names of the same dtypes.
inline constexpr DType kByte = DType::UInt8;
inline constexpr DType kChar = DType::Int8;
inline constexpr DType kShort = DType::Int16;
inline constexpr DType kInt = DType::Int32;
inline constexpr DType kLong = DType::Int64;
inline constexpr DType kHalf = DType::Float16;
inline constexpr DType kFloat = DType::Float32;
inline constexpr DType kDouble = DType::Float64;

// Lower-case name as PyTorch spells it without the "torch." prefix ("float32", "bool").
const char* dtype_name(DType dtype) noexcept;
// Bytes per element (1 for Bool).
std::size_t itemsize(DType dtype) noexcept;
// Float16, BFloat16, Float32, Float64.
bool is_floating(DType dtype) noexcept;
// Signed and unsigned integers, not Bool.
bool is_integral(DType dtype) noexcept;
// Signed integers and floats.
bool is_signed(DType dtype) noexcept;

// The dtype of a result that combines a and b, following PyTorch 1.13's rules:
// Bool < integers < floats; within a class the larger type wins; mixing signed and
// unsigned integers gives the smallest signed type that holds both (uint8 + int8 ->
// int16, uint32 + int32 -> int64). Differences from PyTorch, which lacks these types:
// uint64 with any signed integer gives int64 (NumPy would give float64), and
// float16 + bfloat16 gives float32 as in PyTorch. Never throws.
DType promote_types(DType a, DType b) noexcept;

std::ostream& operator<<(std::ostream& os, DType dtype);

// Conversion rules, as in PyTorch 1.13 where PyTorch defines them.
//
// A number becoming an element (full, full_like, scalar_tensor, fill_, zero_,
// nn::init::constant_, the ends of arange and linspace) is checked: it throws ex::Error
// "<fn>: value V cannot be converted to <dtype> without overflow" when V is NaN or
// infinite for an integer dtype, or outside the dtype's range (a floating V is compared
// before truncation, so 127.9 does not fit int8 while 2.5 gives 2 in int32); a finite V
// beyond the largest float16/bfloat16/float32 value throws too, while inf and NaN pass to
// floating dtypes; any V gives bool as V != 0. Unlike PyTorch, a negative integer into
// an unsigned dtype throws (PyTorch wraps -1 to 255 for uint8).
//
// An element changing dtype (Tensor::to, copy_, type promotion inside ops) never throws:
// integers wrap modulo 2^bits (int64 -1 gives uint8 255); floating to integer truncates
// toward zero, NaN gives 0 and values beyond the range saturate to its ends (PyTorch
// leaves these undefined: on x86 it gives INT_MIN for int32 and wraps for uint8);
// floating to a narrower floating type rounds to nearest, overflow giving +-inf;
// anything to bool is != 0 (NaN gives true).

// Maps a C++ element type to its DType: dtype_of<float> == DType::Float32.
template <class T>
struct DTypeOf;
#define EX_DTYPE_OF(T, D)                    \
  template <>                                \
  struct DTypeOf<T> {                        \
    static constexpr DType value = DType::D; \
  };
EX_DTYPE_OF(bool, Bool)
EX_DTYPE_OF(std::int8_t, Int8)
EX_DTYPE_OF(std::int16_t, Int16)
EX_DTYPE_OF(std::int32_t, Int32)
EX_DTYPE_OF(std::int64_t, Int64)
EX_DTYPE_OF(std::uint8_t, UInt8)
EX_DTYPE_OF(std::uint16_t, UInt16)
EX_DTYPE_OF(std::uint32_t, UInt32)
EX_DTYPE_OF(std::uint64_t, UInt64)
EX_DTYPE_OF(Half, Float16)
EX_DTYPE_OF(BFloat16, BFloat16)
EX_DTYPE_OF(float, Float32)
EX_DTYPE_OF(double, Float64)
#undef EX_DTYPE_OF
template <class T>
inline constexpr DType dtype_of = DTypeOf<std::remove_cv_t<T>>::value;

// True for the 13 C++ element types above.
template <class T>
concept Element = requires {
  DTypeOf<std::remove_cv_t<T>>::value;
};

// The type arithmetic on T is computed in: float for the half types, T otherwise.
template <class T>
using compute_t = std::conditional_t<std::is_same_v<T, Half> || std::is_same_v<T, BFloat16>, float, T>;

// Calls fn.template operator()<T>() with the C++ type of `dtype`; the one switch over
// DType that kernels build on, so each kernel is written once as a template.
template <class F>
decltype(auto) dispatch(DType dtype, F&& fn) {
  switch (dtype) {
    case DType::Bool:
      return fn.template operator()<bool>();
    case DType::Int8:
      return fn.template operator()<std::int8_t>();
    case DType::Int16:
      return fn.template operator()<std::int16_t>();
    case DType::Int32:
      return fn.template operator()<std::int32_t>();
    case DType::Int64:
      return fn.template operator()<std::int64_t>();
    case DType::UInt8:
      return fn.template operator()<std::uint8_t>();
    case DType::UInt16:
      return fn.template operator()<std::uint16_t>();
    case DType::UInt32:
      return fn.template operator()<std::uint32_t>();
    case DType::UInt64:
      return fn.template operator()<std::uint64_t>();
    case DType::Float16:
      return fn.template operator()<Half>();
    case DType::BFloat16:
      return fn.template operator()<BFloat16>();
    case DType::Float32:
      return fn.template operator()<float>();
    case DType::Float64:
      return fn.template operator()<double>();
  }
  __builtin_unreachable();
}

}  // namespace ex
