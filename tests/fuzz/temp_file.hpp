#pragma once
// A temporary file for harnesses of file loaders: a path unique to the process, in
// /dev/shm when there is one (memory, so writes and fsyncs cost nothing) and the
// system's temp dir otherwise, removed on destruction.

#include <unistd.h>

#include <filesystem>
#include <string>
#include <system_error>

namespace ex::fuzz {

class TempFile {
 public:
  // The file <folder>/extensor_fuzz_<harness>_<pid><suffix>.
  TempFile(const char* harness, const char* suffix)
      : path_((folder() / ("extensor_fuzz_" + std::string(harness) + "_" + std::to_string(::getpid()) + suffix))
                  .string()) {}
  ~TempFile() {
    std::error_code ec;
    std::filesystem::remove(path_, ec);
  }
  TempFile(const TempFile&) = delete;
  TempFile& operator=(const TempFile&) = delete;
  const std::string& path() const { return path_; }

 private:
  static std::filesystem::path folder() {
    std::error_code ec;
    if (std::filesystem::is_directory("/dev/shm", ec)) return "/dev/shm";
    return std::filesystem::temp_directory_path();
  }
  std::string path_;
};

}  // namespace ex::fuzz
