#pragma once
// The command-line options every benchmark shares: --threads T, --reps R (the best of R
// repetitions is reported) and --min-ms M (each repetition runs for at least M ms).

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>

namespace bench {

struct CommonOptions {
  int threads = 1, reps = 7;
  double min_seconds = 0.02;
};

// Consumes argv[i] (and its value, advancing i) when it is a shared option; false when
// it is not one, for the benchmark's own options.
inline bool parse_common(int& i, int argc, char** argv, CommonOptions& opt) {
  const std::string arg = argv[i];
  if (i + 1 >= argc) return false;
  if (arg == "--threads") {
    opt.threads = std::atoi(argv[++i]);
  } else if (arg == "--reps") {
    opt.reps = std::atoi(argv[++i]);
  } else if (arg == "--min-ms") {
    opt.min_seconds = std::atof(argv[++i]) / 1e3;
  } else {
    return false;
  }
  return true;
}

// Parses a command line of shared options only, for benchmarks that have no others:
// false after printing a usage line or an error naming program (then exit with 2).
inline bool parse_common_only(int argc, char** argv, const char* program, CommonOptions& opt) {
  for (int i = 1; i < argc; ++i) {
    if (!parse_common(i, argc, argv, opt)) {
      std::fprintf(stderr, "usage: %s [--threads T] [--reps R] [--min-ms M]\n", argv[0]);
      return false;
    }
  }
  if (opt.threads < 1 || opt.reps < 1 || !(opt.min_seconds > 0)) {
    std::fprintf(stderr, "%s: --threads, --reps and --min-ms must be positive\n", program);
    return false;
  }
  return true;
}

// The BLAS library mapped into this process ("" when none is): libtorch links
// libblas.so.3, which Debian's alternatives resolve to the reference BLAS or to OpenBLAS.
inline std::string loaded_blas() {
  std::ifstream maps("/proc/self/maps");
  for (std::string line; std::getline(maps, line);) {
    const std::size_t path = line.find('/');
    if (path != std::string::npos &&
        (line.find("libblas") != std::string::npos || line.find("openblas") != std::string::npos))
      return line.substr(path);
  }
  return "";
}

// The targets a benchmark checks: verdict(pass) counts a miss and returns "PASS" or "MISS".
struct Targets {
  int missed = 0;
  const char* verdict(bool pass) {
    if (!pass) ++missed;
    return pass ? "PASS" : "MISS";
  }
};

}  // namespace bench
