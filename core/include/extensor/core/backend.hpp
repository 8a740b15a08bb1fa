#pragma once
// What the CPU backend is: the oneDNN version and the instruction set it runs on.

#include <string>

namespace ex {

// A one-line description, e.g. "oneDNN 2.6.3 (OpenMP), ISA avx512_core_amx, 2 threads".
std::string backend_info();

// Whether oneDNN runs bfloat16 primitives with its fast kernels on this CPU (AVX-512
// and newer; emulated where the CPU lacks native bfloat16 instructions). Where it does
// not, bfloat16 matmul multiplies in float32 and rounds once at the end, and bfloat16
// activations and softmax run our own loops. Never throws.
bool onednn_supports_bf16();

}  // namespace ex
