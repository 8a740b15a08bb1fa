// IDX files through zlib's gz* interface: header, exact payload, big-endian values.
#include <zlib.h>

#include <algorithm>
#include <array>
#include <bit>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <memory>
#include <string_view>
#include <vector>

#include "common/check.hpp"
#include "data/src/idx.hpp"
#include "extensor/core/creation.hpp"
#include "extensor/data/fashion_mnist.hpp"

namespace ex::data {

using ex::detail::fail;

namespace {

// Deflate never compresses better than 1032:1, so a gzip file of n bytes holds at most
// about 1032 n bytes; a header asking for more is corrupt, and is refused before the
// payload is allocated.
constexpr std::uint64_t kMaxDeflateRatio = 1032;
// gzread takes an unsigned int length: large payloads are read in pieces this big.
constexpr std::size_t kMaxGzRead = std::size_t{1} << 30;

struct IdxType {
  unsigned char code;
  DType dtype;
};
constexpr std::array<IdxType, 6> kIdxTypes{{{0x08, DType::UInt8},
                                            {0x09, DType::Int8},
                                            {0x0B, DType::Int16},
                                            {0x0C, DType::Int32},
                                            {0x0D, DType::Float32},
                                            {0x0E, DType::Float64}}};

// An open gzip file whose errors name the caller and the path.
class GzipReader {
 public:
  GzipReader(const std::string& path, const char* fn) : path_(path), fn_(fn), file_(nullptr, &gzclose) {
    std::error_code ec;
    if (!std::filesystem::exists(path, ec)) fail("{}: {}: no such file", fn, path);
    if (std::filesystem::is_directory(path, ec)) fail("{}: {}: is a directory, not an IDX file", fn, path);
    compressed_bytes_ = std::filesystem::file_size(path, ec);
    if (ec) fail("{}: {}: cannot read its size ({})", fn, path, ec.message());
    errno = 0;
    file_.reset(gzopen(path.c_str(), "rb"));
    if (!file_) fail("{}: {}: cannot open ({})", fn, path, errno ? std::strerror(errno) : "out of memory");
    gzbuffer(file_.get(), 1 << 17);
    // gzopen also reads plain files; gzdirect tells them apart (an empty file too).
    if (gzdirect(file_.get())) fail("{}: {}: not a gzip file", fn, path);
  }

  // Reads up to n bytes into dst and returns how many it read: fewer only at the end of
  // the stream. Throws ex::Error for a corrupt or cut-off gzip stream.
  std::size_t read(void* dst, std::size_t n) {
    std::size_t done = 0;
    while (done < n) {
      const auto piece = static_cast<unsigned>(std::min(n - done, kMaxGzRead));
      const int got = gzread(file_.get(), static_cast<char*>(dst) + done, piece);
      if (got < 0) break;  // gzerror below says why
      done += static_cast<std::size_t>(got);
      if (static_cast<unsigned>(got) < piece) break;
    }
    int status = Z_OK;
    const char* message = gzerror(file_.get(), &status);
    if (status != Z_OK && status != Z_STREAM_END) {
      std::string_view reason(message);  // zlib starts it with the path, which ours names already
      if (reason.starts_with(path_ + ": ")) reason.remove_prefix(path_.size() + 2);
      fail("{}: {}: corrupt gzip stream ({})", fn_, path_, reason);
    }
    return done;
  }

  // The bytes left in the stream (read and discarded).
  std::uint64_t skip_rest() {
    std::array<char, 4096> sink;
    std::uint64_t total = 0;
    for (std::size_t got; (got = read(sink.data(), sink.size())) > 0;) total += got;
    return total;
  }

  std::uint64_t compressed_bytes() const { return compressed_bytes_; }

 private:
  std::string path_;
  const char* fn_;
  std::unique_ptr<gzFile_s, int (*)(gzFile)> file_;
  std::uint64_t compressed_bytes_ = 0;
};

std::uint32_t big_endian_u32(const unsigned char* bytes) {
  return (std::uint32_t{bytes[0]} << 24) | (std::uint32_t{bytes[1]} << 16) | (std::uint32_t{bytes[2]} << 8) |
         std::uint32_t{bytes[3]};
}

// IDX stores multi-byte values big-endian; flips each of `count` items of `size` bytes
// in place on a little-endian machine.
void big_endian_to_native(void* data, std::int64_t count, std::size_t size) {
  if constexpr (std::endian::native == std::endian::little) {
    if (size == 1) return;
    auto* bytes = static_cast<unsigned char*>(data);
    for (std::int64_t i = 0; i < count; ++i, bytes += size) std::reverse(bytes, bytes + size);
  }
}

}  // namespace

namespace detail {

IdxFile read_idx_file(const std::string& path, const char* fn) {
  GzipReader reader(path, fn);
  std::array<unsigned char, 4> magic_bytes{};
  if (const std::size_t got = reader.read(magic_bytes.data(), 4); got < 4)
    fail("{}: {}: truncated header: the data ends after {} bytes, inside the 4-byte magic number", fn, path, got);
  const std::uint32_t magic = big_endian_u32(magic_bytes.data());
  const auto* type =
      std::find_if(kIdxTypes.begin(), kIdxTypes.end(), [&](const IdxType& t) { return t.code == magic_bytes[2]; });
  if (magic_bytes[0] != 0 || magic_bytes[1] != 0 || type == kIdxTypes.end())
    fail("{}: {}: bad magic number {:#010x}: not an IDX file (expected 0x0000TTRR, type TT in 08 09 0b 0c 0d 0e)", fn,
         path, magic);

  const std::size_t rank = magic_bytes[3];
  std::vector<unsigned char> dim_bytes(4 * rank);
  if (const std::size_t got = reader.read(dim_bytes.data(), dim_bytes.size()); got < dim_bytes.size())
    fail("{}: {}: truncated header: {} of the {} bytes of dims for rank {}", fn, path, got, dim_bytes.size(), rank);
  Shape shape;
  for (std::size_t d = 0; d < rank; ++d) shape.push_back(big_endian_u32(&dim_bytes[4 * d]));

  // Checked against the bound before each step, so the product never overflows.
  const std::uint64_t itemsize = ex::itemsize(type->dtype);
  const std::uint64_t max_bytes = reader.compressed_bytes() * kMaxDeflateRatio;
  std::uint64_t payload_bytes = shape.numel() == 0 ? 0 : itemsize;
  for (std::int64_t dim : shape) {
    if (payload_bytes > 0 && payload_bytes > max_bytes / static_cast<std::uint64_t>(dim))
      fail("{}: {}: truncated payload: dims {} need more bytes than a {}-byte gzip file can hold", fn, path, shape,
           reader.compressed_bytes());
    payload_bytes *= static_cast<std::uint64_t>(dim);
  }

  Tensor values = empty(shape, type->dtype);
  if (const std::size_t got = reader.read(values.raw_data(), payload_bytes); got < payload_bytes)
    fail("{}: {}: truncated payload: {} of the {} bytes that dims {} need", fn, path, got, payload_bytes, shape);
  if (const std::uint64_t extra = reader.skip_rest(); extra > 0)
    fail("{}: {}: trailing data: {} more bytes after the {}-byte payload of dims {}", fn, path, extra, payload_bytes,
         shape);
  big_endian_to_native(values.raw_data(), values.numel(), itemsize);
  return {magic, values};
}

}  // namespace detail

Tensor read_idx(const std::string& path) { return detail::read_idx_file(path, "read_idx").values; }

}  // namespace ex::data
