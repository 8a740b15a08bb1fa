// ex::save and ex::load: safetensors files through POSIX file descriptors. Saving
// writes a temporary file beside the target and renames it over the target; loading
// checks the whole header against the file's size before allocating any tensor, then
// reads each tensor's bytes straight into its storage.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <bit>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <numeric>
#include <utility>

#include "common/check.hpp"
#include "extensor/autograd/grad_mode.hpp"
#include "extensor/nn/serialize.hpp"
#include "nn/src/serialize_header.hpp"

namespace ex {

using detail::fail;
using serialize::Header;
using serialize::HeaderEntry;

static_assert(std::endian::native == std::endian::little,
              "safetensors data is little-endian: a big-endian host would need to swap bytes");

namespace {

// read and write move at most this much per call (Linux caps a call near 2 GiB).
constexpr std::size_t kMaxIoBytes = std::size_t{1} << 30;

std::string os_error(int error) { return std::strerror(error); }

// An open file descriptor, closed on destruction.
class Fd {
 public:
  explicit Fd(int fd = -1) noexcept : fd_(fd) {}
  ~Fd() { reset(); }
  Fd(Fd&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
  Fd& operator=(Fd&& other) noexcept {
    if (this != &other) {
      reset();
      fd_ = std::exchange(other.fd_, -1);
    }
    return *this;
  }
  int get() const noexcept { return fd_; }
  void reset() noexcept {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }
  // Closes and returns close's errno (0 on success): on some file systems a failed write
  // is only reported here.
  int close() noexcept {
    const int rc = ::close(fd_);
    fd_ = -1;
    return rc == 0 ? 0 : errno;
  }

 private:
  int fd_;
};

// ---- reading ----

// A safetensors file open for reading, its size known.
struct ReadFile {
  Fd fd;
  std::uint64_t size = 0;
};

ReadFile open_for_reading(const std::string& path, const char* fn) {
  // O_NONBLOCK: opening a FIFO would otherwise wait for a writer; fstat refuses it next.
  ReadFile file;
  file.fd = Fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK));
  if (file.fd.get() < 0) fail("{}: {}: cannot open ({})", fn, path, os_error(errno));
  struct stat st {};
  if (::fstat(file.fd.get(), &st) != 0) fail("{}: {}: cannot read its size ({})", fn, path, os_error(errno));
  if (S_ISDIR(st.st_mode)) fail("{}: {}: is a directory, not a safetensors file", fn, path);
  if (!S_ISREG(st.st_mode)) fail("{}: {}: is not a regular file", fn, path);
  file.size = static_cast<std::uint64_t>(st.st_size);
  return file;
}

// Reads exactly n bytes at offset into dst. Throws when the file ends early (it shrank
// after its size was read) or the OS reports an error.
void read_at(const ReadFile& file, void* dst, std::uint64_t n, std::uint64_t offset, const char* fn,
             const std::string& path) {
  auto* out = static_cast<unsigned char*>(dst);
  for (std::uint64_t done = 0; done < n;) {
    const ssize_t got = ::pread(file.fd.get(), out + done, std::min<std::uint64_t>(n - done, kMaxIoBytes),
                                static_cast<off_t>(offset + done));
    if (got < 0 && errno == EINTR) continue;
    if (got < 0) fail("{}: {}: cannot read ({})", fn, path, os_error(errno));
    if (got == 0)
      fail(
          "{}: {}: the file ended at byte {}, before the {} bytes its size promised (was it changed while being read?)",
          fn, path, offset + done, file.size);
    done += static_cast<std::uint64_t>(got);
  }
}

struct ParsedFile {
  ReadFile file;
  Header header;
  std::uint64_t data_start = 0;  // file offset of the first data byte
};

ParsedFile read_header(const std::string& path, const char* fn) {
  ParsedFile parsed{open_for_reading(path, fn), {}, 0};
  const std::uint64_t size = parsed.file.size;
  if (size < 8) fail("{}: {}: the file has {} bytes, fewer than the 8 of the header length", fn, path, size);
  std::array<unsigned char, 8> length_bytes{};
  read_at(parsed.file, length_bytes.data(), 8, 0, fn, path);
  std::uint64_t length = 0;
  for (int i = 7; i >= 0; --i) length = (length << 8) | length_bytes[static_cast<std::size_t>(i)];
  if (length > serialize::kMaxHeaderBytes)
    fail("{}: {}: the header length {} is above the {}-byte limit", fn, path, length, serialize::kMaxHeaderBytes);
  if (length > size - 8)
    fail("{}: {}: the header length {} runs past the end of the file ({} bytes after the length)", fn, path, length,
         size - 8);
  std::string json(length, '\0');
  read_at(parsed.file, json.data(), length, 8, fn, path);
  parsed.data_start = 8 + length;
  parsed.header = serialize::parse_header(json, size - parsed.data_start, fn, path);
  return parsed;
}

// Bools are one byte each, 0 or 1: ops may rely on it, so other bytes are refused.
void check_bools(const Tensor& t, const std::string& name, const std::string& path) {
  const auto* bytes = static_cast<const unsigned char*>(t.raw_data());
  const auto* bad = std::find_if(bytes, bytes + t.nbytes(), [](unsigned char b) { return b > 1; });
  if (bad != bytes + t.nbytes())
    fail("load: {}: entry {}: BOOL element {} holds the byte {:#04x}, not 0 or 1", path, serialize::json_quoted(name),
         bad - bytes, *bad);
}

// ---- writing ----

// A temporary file in the target's folder that becomes the target on commit() and is
// removed if destroyed before.
class AtomicFile {
 public:
  AtomicFile(const std::string& path, const char* fn) : target_(path), fn_(fn) {
    const std::filesystem::path target(path);
    if (!target.has_filename()) fail("{}: {}: the path names a folder, not a file", fn, path);
    folder_ = target.has_parent_path() ? target.parent_path().string() : ".";
    // O_EXCL with a name unique to the process and call; mode 0666 lets the umask decide,
    // as for any new file.
    static std::atomic<unsigned> counter{0};
    for (int attempt = 0; fd_.get() < 0; ++attempt) {
      temp_ = (std::filesystem::path(folder_) /
               fmt::format(".{}.tmp-{}-{}", target.filename().string(), ::getpid(), counter.fetch_add(1)))
                  .string();
      fd_ = Fd(::open(temp_.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666));
      if (fd_.get() < 0 && (errno != EEXIST || attempt == 100))
        fail("{}: {}: cannot create a temporary file in '{}' ({})", fn, path, folder_, os_error(errno));
    }
  }
  ~AtomicFile() {
    if (!committed_) {
      fd_.reset();
      ::unlink(temp_.c_str());
    }
  }
  AtomicFile(const AtomicFile&) = delete;
  AtomicFile& operator=(const AtomicFile&) = delete;

  void write(const void* data, std::size_t n) {
    const auto* in = static_cast<const unsigned char*>(data);
    for (std::size_t done = 0; done < n;) {
      const ssize_t put = ::write(fd_.get(), in + done, std::min(n - done, kMaxIoBytes));
      if (put < 0 && errno == EINTR) continue;
      if (put < 0) fail("{}: {}: cannot write ({})", fn_, target_, os_error(errno));
      done += static_cast<std::size_t>(put);
    }
  }

  // Flushes the data to disk, renames the temporary over the target and syncs the
  // folder, so the new name survives a crash too.
  void commit() {
    if (::fsync(fd_.get()) != 0) fail("{}: {}: cannot flush to disk ({})", fn_, target_, os_error(errno));
    if (const int error = fd_.close(); error != 0) fail("{}: {}: cannot close ({})", fn_, target_, os_error(error));
    if (::rename(temp_.c_str(), target_.c_str()) != 0)
      fail("{}: {}: cannot replace it with the new file ({})", fn_, target_, os_error(errno));
    committed_ = true;
    const Fd folder(::open(folder_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (folder.get() < 0 || ::fsync(folder.get()) != 0)
      fail("{}: {}: written, but syncing its folder '{}' failed ({}): the new name may not survive a crash", fn_,
           target_, folder_, os_error(errno));
  }

 private:
  std::string target_, folder_, temp_;
  const char* fn_;
  Fd fd_;
  bool committed_ = false;
};

}  // namespace

void save(const nn::StateDict& dict, const std::string& path, const Metadata& metadata) {
  constexpr const char* fn = "save";
  std::vector<HeaderEntry> entries;
  entries.reserve(dict.size());
  std::uint64_t offset = 0;
  for (const auto& [name, t] : dict) {
    entries.push_back({name, t.dtype(), t.shape(), offset, offset + t.nbytes()});
    offset += t.nbytes();
  }
  // Everything that can be refused without the disk is refused before the disk is touched.
  const std::string header = serialize::compose_header(entries, metadata, fn, path);
  std::array<unsigned char, 8> length{};
  for (std::size_t i = 0; i < 8; ++i) length[i] = static_cast<unsigned char>(header.size() >> (8 * i));

  AtomicFile file(path, fn);
  file.write(length.data(), length.size());
  file.write(header.data(), header.size());
  NoGradGuard no_grad;  // a view of a tensor that requires grad is copied without recording
  for (const auto& [name, t] : dict) {
    Tensor contiguous;
    try {
      contiguous = t.contiguous();
    } catch (const Error& e) {
      fail("{}: {}: entry {}: {}", fn, path, serialize::json_quoted(name), e.what());
    }
    file.write(contiguous.raw_data(), contiguous.nbytes());
  }
  file.commit();
}

nn::StateDict load(const std::string& path) {
  constexpr const char* fn = "load";
  const ParsedFile parsed = read_header(path, fn);
  const std::vector<HeaderEntry>& entries = parsed.header.entries;
  // Allocated and read in file order, so the disk is read front to back.
  std::vector<std::size_t> order(entries.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::sort(order.begin(), order.end(),
            [&](std::size_t a, std::size_t b) { return entries[a].begin < entries[b].begin; });
  std::vector<Tensor> tensors(entries.size());
  for (std::size_t i : order) {
    const HeaderEntry& e = entries[i];
    try {
      tensors[i] = detail::allocate(e.shape, e.dtype, fn);
    } catch (const Error& error) {
      fail("{}: {}: entry {}: {}", fn, path, serialize::json_quoted(e.name), error.what());
    }
    read_at(parsed.file, tensors[i].raw_data(), e.end - e.begin, parsed.data_start + e.begin, fn, path);
    if (e.dtype == DType::Bool) check_bools(tensors[i], e.name, path);
  }
  nn::StateDict dict;
  for (std::size_t i = 0; i < entries.size(); ++i) dict.insert(entries[i].name, std::move(tensors[i]));
  return dict;
}

Metadata load_metadata(const std::string& path) { return read_header(path, "load_metadata").header.metadata; }

}  // namespace ex
