#pragma once
// The command-line options every benchmark shares: --threads T, --reps R (the best of R
// repetitions is reported) and --min-ms M (each repetition runs for at least M ms).

#include <cstdlib>
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

}  // namespace bench
