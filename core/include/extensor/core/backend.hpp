#pragma once
// What the CPU backend is: the oneDNN version and the instruction set it runs on.

#include <string>

namespace ex {

// A one-line description, e.g. "oneDNN 2.6.3 (OpenMP), ISA avx512_core_amx, 2 threads".
std::string backend_info();

}  // namespace ex
