#pragma once
// One thread count for the library's OpenMP loops and oneDNN's primitives.

namespace ex {

// Sets the number of threads kernels use, for our loops and oneDNN alike (one OpenMP
// pool serves both). Throws ex::Error for n < 1. Applies to every calling thread.
void set_num_threads(int n);
// The current thread count (defaults to OpenMP's, i.e. OMP_NUM_THREADS or the cores).
int get_num_threads() noexcept;

}  // namespace ex
