#pragma once
// Private: fixed-width vectors for the kernels that GCC's auto-vectorizer handles badly
// (accumulators kept in registers, non-temporal stores). GCC vector extensions: the
// arithmetic operators work lane by lane, so one template serves every element type.

#include <cstdint>
#include <cstring>

#if defined(__SSE2__)
#include <immintrin.h>
#endif

namespace ex::detail::simd {

// One register of the widest vector unit the target has. Wider vectors than the
// hardware's would make GCC split every operation, and compile the unrolled kernels
// dozens of times slower.
#if defined(__AVX512F__)
inline constexpr std::size_t kVecBytes = 64;
#elif defined(__AVX__)
inline constexpr std::size_t kVecBytes = 32;
#else
inline constexpr std::size_t kVecBytes = 16;
#endif

// kVecBytes of A; A is an arithmetic type. Through a member typedef: GCC drops the
// attribute of an attribute-carrying alias template used as a template argument.
template <class A>
struct VecOf {
  typedef A type __attribute__((vector_size(kVecBytes)));
};
template <class A>
using Vec = typename VecOf<A>::type;
template <class A>
inline constexpr std::int64_t kLanes = static_cast<std::int64_t>(kVecBytes / sizeof(A));

// kLanes<A> values from p, any alignment.
template <class A>
inline Vec<A> load(const A* p) noexcept {
  Vec<A> v;
  std::memcpy(&v, p, sizeof v);
  return v;
}

// v itself, loaded in full: the optimizer may no longer fold a select that follows into
// a masked load (relu's backward `x <= 0 ? 0 : g` loaded g under x's mask), which
// streamed measurably slower than a full load and a blend on AMD Zen 5 (figures in
// BENCHMARKS.md, "Measurements behind the code").
template <class A>
inline Vec<A> load_full(const A* p) noexcept {
  Vec<A> v = load(p);
#if defined(__AVX512F__)
  asm("" : "+v"(v));  // an empty barrier: v must now sit whole in a register
#endif
  return v;
}

// Stores v at p (kVecBytes-aligned) around the caches: the line is not read first and
// does not evict data that will be read again. Call stream_fence() before other
// threads read what was stored.
template <class A>
inline void stream_store(A* p, Vec<A> v) noexcept {
#if defined(__AVX512F__)
  _mm512_stream_si512(reinterpret_cast<__m512i*>(p), reinterpret_cast<const __m512i&>(v));
#elif defined(__AVX__)
  _mm256_stream_si256(reinterpret_cast<__m256i*>(p), reinterpret_cast<const __m256i&>(v));
#elif defined(__SSE2__)
  _mm_stream_si128(reinterpret_cast<__m128i*>(p), reinterpret_cast<const __m128i&>(v));
#else
  std::memcpy(p, &v, sizeof v);
#endif
}

inline void stream_fence() noexcept {
#if defined(__SSE2__)
  _mm_sfence();
#endif
}

}  // namespace ex::detail::simd
