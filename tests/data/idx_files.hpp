#pragma once
// Helpers for the data tests: hand-made (gzip'd) IDX files.

#include <doctest/doctest.h>
#include <zlib.h>

#include <cstdint>
#include <string>
#include <vector>

#include "file_util.hpp"

namespace ex::test {

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

}  // namespace ex::test
