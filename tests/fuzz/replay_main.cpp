// Runs a libFuzzer harness over every file of the corpus folders (or single files)
// given on the command line, for builds without libFuzzer (gcc, CI's sanitizer build).
// Fails when it ran nothing, so a missing or empty corpus cannot pass vacuously.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <system_error>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);

namespace {

namespace fs = std::filesystem;

std::vector<unsigned char> read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// The regular files of path (itself when it is a file), sorted so runs are repeatable.
bool collect(const fs::path& path, std::vector<fs::path>& out) {
  std::error_code ec;
  if (fs::is_regular_file(path, ec)) {
    out.push_back(path);
    return true;
  }
  if (!fs::is_directory(path, ec)) {
    std::fprintf(stderr, "replay: %s: no such file or folder\n", path.c_str());
    return false;
  }
  std::vector<fs::path> files;
  for (const fs::directory_entry& entry : fs::directory_iterator(path, ec))
    if (entry.is_regular_file(ec)) files.push_back(entry.path());
  if (ec) {
    std::fprintf(stderr, "replay: %s: cannot list (%s)\n", path.c_str(), ec.message().c_str());
    return false;
  }
  std::sort(files.begin(), files.end());
  out.insert(out.end(), files.begin(), files.end());
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s CORPUS_DIR_OR_FILE...\n", argv[0]);
    return 2;
  }
  std::vector<fs::path> inputs;
  for (int i = 1; i < argc; ++i)
    if (!collect(argv[i], inputs)) return 1;
  if (inputs.empty()) {
    std::fprintf(stderr, "replay: no inputs found: the corpus is empty\n");
    return 1;
  }
  for (const fs::path& input : inputs) {
    // Printed before running, so a crash's output ends with the input that caused it.
    std::printf("replay: %s\n", input.c_str());
    std::fflush(stdout);
    const std::vector<unsigned char> bytes = read_file(input);
    LLVMFuzzerTestOneInput(bytes.data(), bytes.size());
  }
  std::printf("replay: ran %zu inputs\n", inputs.size());
  return 0;
}
