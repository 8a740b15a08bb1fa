// libFuzzer harness for ex::data::read_idx. read_idx only accepts gzip files (it tells
// them apart by content, not by name), so each input is read twice: as the file's raw
// bytes, which exercises zlib's handling of damaged gzip streams, and gzip-compressed,
// which reaches the IDX header and payload checks. Any ex::Error is a fine outcome;
// other exceptions escape so the fuzzer reports them. A successful read must return
// exactly what the IDX bytes say.
#include <zlib.h>

#include <algorithm>
#include <array>
#include <bit>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <string>

#include "extensor/core/error.hpp"
#include "extensor/core/tensor.hpp"
#include "extensor/data/fashion_mnist.hpp"
#include "temp_file.hpp"

namespace {

using ex::fuzz::TempFile;

[[noreturn]] void fail(const char* what) {
  std::fprintf(stderr, "fuzz_idx: %s\n", what);
  std::abort();
}

void write_plain(const std::string& path, const std::uint8_t* data, std::size_t size) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
  if (!out) fail("cannot write the temporary file");
}

void write_gzip(const std::string& path, const std::uint8_t* data, std::size_t size) {
  gzFile file = gzopen(path.c_str(), "wb1");
  if (file == nullptr) fail("cannot open the temporary gzip file");
  if (size > 0 && gzwrite(file, data, static_cast<unsigned>(size)) <= 0) fail("cannot write the temporary gzip file");
  if (gzclose(file) != Z_OK) fail("cannot close the temporary gzip file");
}

std::uint64_t big_endian_u32(const std::uint8_t* bytes) {
  return (std::uint64_t{bytes[0]} << 24) | (std::uint64_t{bytes[1]} << 16) | (std::uint64_t{bytes[2]} << 8) |
         std::uint64_t{bytes[3]};
}

// Checks that values is what the IDX bytes describe: the header's dtype and dims, and
// the whole rest of the bytes as the big-endian payload.
void check_decoded(const ex::Tensor& values, const std::uint8_t* data, std::size_t size) {
  constexpr std::array<std::pair<std::uint8_t, ex::DType>, 6> kTypes{{{0x08, ex::DType::UInt8},
                                                                      {0x09, ex::DType::Int8},
                                                                      {0x0B, ex::DType::Int16},
                                                                      {0x0C, ex::DType::Int32},
                                                                      {0x0D, ex::DType::Float32},
                                                                      {0x0E, ex::DType::Float64}}};
  if (size < 4 || data[0] != 0 || data[1] != 0) fail("read a file whose magic number is not 0x0000TTRR");
  const auto* type = std::find_if(kTypes.begin(), kTypes.end(), [&](const auto& t) { return t.first == data[2]; });
  if (type == kTypes.end() || values.dtype() != type->second) fail("the dtype does not match the type code");
  const std::size_t rank = data[3];
  const std::size_t header = 4 + 4 * rank;
  if (size < header || values.dim() != static_cast<std::int64_t>(rank)) fail("the rank does not match the header");
  for (std::size_t d = 0; d < rank; ++d)
    if (static_cast<std::uint64_t>(values.size(static_cast<std::int64_t>(d))) != big_endian_u32(data + 4 + 4 * d))
      fail("a dim does not match the header");
  if (!values.is_contiguous()) fail("the result is not contiguous");
  const std::size_t itemsize = values.itemsize();
  if (values.nbytes() != size - header) fail("the payload is not exactly the rest of the file");
  const auto* got = static_cast<const std::uint8_t*>(values.raw_data());
  const std::uint8_t* want = data + header;
  for (std::size_t i = 0; i < values.nbytes(); i += itemsize)
    for (std::size_t b = 0; b < itemsize; ++b)
      if (got[i + b] != want[i + itemsize - 1 - b]) fail("a value differs from the big-endian payload");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static_assert(std::endian::native == std::endian::little, "check_decoded flips bytes for a little-endian host");
  {
    TempFile file("idx", "");
    write_plain(file.path(), data, size);
    try {
      ex::data::read_idx(file.path());
    } catch (const ex::Error&) {
    }
  }
  {
    TempFile file("idx", ".gz");
    write_gzip(file.path(), data, size);
    ex::Tensor values;
    try {
      values = ex::data::read_idx(file.path());
    } catch (const ex::Error&) {
      return 0;
    }
    check_decoded(values, data, size);
  }
  return 0;
}
