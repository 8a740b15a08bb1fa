#pragma once
// Helpers for the data tests: a temporary directory and hand-made (gzip'd) IDX files.

#include <doctest/doctest.h>
#include <unistd.h>
#include <zlib.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

namespace ex::test {

using Bytes = std::vector<unsigned char>;

// doctest::Contains for a std::string built at run time (paths).
inline doctest::Contains contains(const std::string& text) { return doctest::Contains(text.c_str()); }

// A fresh directory under the system's temp dir, removed with its contents on destruction.
class TempDir {
 public:
  TempDir() {
    static int counter = 0;
    path_ = std::filesystem::temp_directory_path() /
            ("extensor_data_test_" + std::to_string(::getpid()) + "_" + std::to_string(counter++));
    std::filesystem::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  std::string file(const std::string& name) const { return (path_ / name).string(); }
  std::string str() const { return path_.string(); }

 private:
  std::filesystem::path path_;
};

// An IDX file's bytes: magic 0x0000TTRR (type code, rank = dims.size()), the dims as
// big-endian uint32, then payload as given.
inline Bytes idx_bytes(unsigned char type_code, const std::vector<std::uint32_t>& dims, const Bytes& payload) {
  Bytes out{0, 0, type_code, static_cast<unsigned char>(dims.size())};
  for (std::uint32_t d : dims)
    for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<unsigned char>(d >> shift));
  out.insert(out.end(), payload.begin(), payload.end());
  return out;
}

// Writes bytes gzip-compressed with zlib's gz* interface.
inline void write_gzip(const std::string& path, const Bytes& bytes) {
  gzFile file = gzopen(path.c_str(), "wb");
  REQUIRE(file != nullptr);
  if (!bytes.empty()) REQUIRE(gzwrite(file, bytes.data(), static_cast<unsigned>(bytes.size())) > 0);
  REQUIRE(gzclose(file) == Z_OK);
}

inline void write_plain(const std::string& path, const Bytes& bytes) {
  std::ofstream out(path, std::ios::binary);
  out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
  REQUIRE(out.good());
}

inline Bytes read_plain(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return Bytes(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

}  // namespace ex::test
