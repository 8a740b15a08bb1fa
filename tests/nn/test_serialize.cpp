// ex::save / ex::load / ex::load_metadata: round trips of every dtype and layout, the
// exact bytes written, determinism, atomic replacement under a failing write, and the
// memory a load holds.
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <cstring>

#include "safetensors_util.hpp"

namespace {

constexpr DType kAllDTypes[] = {DType::Bool,     DType::Int8,    DType::Int16,  DType::Int32,  DType::Int64,
                                DType::UInt8,    DType::UInt16,  DType::UInt32, DType::UInt64, DType::Float16,
                                DType::BFloat16, DType::Float32, DType::Float64};

// A [2, 3] tensor of dtype whose bytes follow a fixed pattern covering every bit (NaN
// payloads and subnormals included); bools are 0 or 1.
Tensor patterned(DType dtype, unsigned seed) {
  Bytes bytes(6 * ex::itemsize(dtype));
  for (std::size_t i = 0; i < bytes.size(); ++i)
    bytes[i] = static_cast<unsigned char>((i * 97 + seed * 31 + 11) & (dtype == DType::Bool ? 1 : 0xFF));
  return ex::test::from_bytes(bytes, {2, 3}, dtype);
}

// Names of the regular files in a folder, sorted.
Strings files_in(const std::string& folder) {
  Strings names;
  for (const auto& entry : std::filesystem::directory_iterator(folder))
    names.push_back(entry.path().filename().string());
  std::sort(names.begin(), names.end());
  return names;
}

// Runs body in a forked child and returns what it returned. The child must not start
// OpenMP work (the pool does not survive fork), so bodies only read and write files.
template <class Body>
std::string in_child(Body body) {
  int fds[2];
  REQUIRE(::pipe(fds) == 0);
  std::fflush(nullptr);
  const pid_t child = ::fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    ::close(fds[0]);
    std::string out;
    try {
      out = body();
    } catch (const std::exception& e) {
      out = std::string("child threw: ") + e.what();
    }
    const ssize_t written = ::write(fds[1], out.data(), out.size());
    ::_exit(written == static_cast<ssize_t>(out.size()) ? 0 : 1);
  }
  ::close(fds[1]);
  std::string out;
  char buffer[4096];
  for (ssize_t got; (got = ::read(fds[0], buffer, sizeof buffer)) > 0;)
    out.append(buffer, static_cast<std::size_t>(got));
  ::close(fds[0]);
  int status = 0;
  REQUIRE(::waitpid(child, &status, 0) == child);
  REQUIRE(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 0);
  return out;
}

}  // namespace

TEST_CASE("save/load: every dtype, rank 0, empty and viewed tensors round-trip bit for bit, in order") {
  TempDir dir;
  nn::StateDict dict;
  unsigned seed = 0;
  for (DType dtype : kAllDTypes) dict.insert(std::string("t.") + ex::dtype_name(dtype), patterned(dtype, ++seed));
  const Tensor base = patterned(DType::Float64, 99);
  dict.insert("transposed", base.transpose(0, 1));
  dict.insert("sliced", patterned(DType::Int16, 7).slice(1, 0, 3, 2));
  dict.insert("expanded", patterned(DType::UInt8, 5).slice(0, 0, 1).expand({4, 3}));
  dict.insert("scalar", ex::full({}, -2.5, DType::BFloat16));
  dict.insert("empty", ex::zeros({0, 5}, DType::Int32));
  const Tensor leaf = ex::ones({3}).requires_grad_(true);
  dict.insert("requires_grad", leaf * 2);

  const std::string path = dir.file("all.safetensors");
  ex::save(dict, path);
  const nn::StateDict loaded = ex::load(path);
  REQUIRE(loaded.keys() == dict.keys());
  for (const auto& [name, t] : dict) {
    INFO(name);
    const Tensor& got = loaded.at(name);
    CHECK(got.dtype() == t.dtype());
    CHECK(got.shape() == t.shape());
    CHECK(got.is_contiguous());
    CHECK_FALSE(got.requires_grad());
    CHECK(bytes_of(got) == bytes_of(t));
  }
  CHECK(ex::load_metadata(path).empty());
}

TEST_CASE("save: the bytes are the safetensors layout, header padded with spaces to 8 bytes") {
  TempDir dir;
  const std::string path = dir.file("small.safetensors");
  const nn::StateDict dict{{"a", ex::tensor(std::vector<float>{1.0f, -2.0f})},
                           {"b", ex::full({}, 7, DType::Int64)},
                           {"c", ex::tensor(std::vector<bool>{true, false, true}, {3, 1})}};
  ex::save(dict, path, {{"z", "last"}, {"format", "pt"}});
  const std::string header =
      R"({"__metadata__":{"format":"pt","z":"last"},"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},)"
      R"("b":{"dtype":"I64","shape":[],"data_offsets":[8,16]},"c":{"dtype":"BOOL","shape":[3,1],"data_offsets":[16,19]}})";
  REQUIRE(header.size() == 207);  // padded to 208
  const Bytes data{0x00, 0x00, 0x80, 0x3F, 0x00, 0x00, 0x00, 0xC0, 7, 0, 0, 0, 0, 0, 0, 0, 1, 0, 1};
  CHECK(read_plain(path) == safetensors_bytes(header + " ", data));
  CHECK(ex::load_metadata(path) == ex::Metadata{{"format", "pt"}, {"z", "last"}});

  // No metadata: no "__metadata__" key; an empty dict is the header {} and no data.
  ex::save({}, path);
  CHECK(read_plain(path) == safetensors_bytes("{}      "));
  CHECK(ex::load(path).empty());
}

TEST_CASE("save: equal state dicts and metadata give identical files") {
  TempDir dir;
  const auto model_file = [&](const std::string& name, std::uint64_t seed, const ex::Metadata& metadata) {
    ex::manual_seed(seed);
    nn::Sequential model(nn::Linear(4, 8), nn::ReLU(), nn::Linear(8, 3));
    ex::save(model->state_dict(), dir.file(name), metadata);
    return read_plain(dir.file(name));
  };
  ex::Metadata one{{"epoch", "3"}, {"arch", "mlp"}};
  ex::Metadata two;
  two.emplace("arch", "mlp");
  two.emplace("epoch", "3");
  const Bytes first = model_file("a.safetensors", 5, one);
  CHECK(model_file("b.safetensors", 5, two) == first);
  CHECK(model_file("c.safetensors", 6, one) != first);
}

TEST_CASE("save/load: a model's state dict restores its outputs, and metadata may hold any UTF-8") {
  TempDir dir;
  ex::manual_seed(3);
  nn::Sequential source(nn::Linear(4, 8), nn::ReLU(), nn::Linear(8, 3));
  const ex::Metadata metadata{{"note", "caf\xc3\xa9 \xe2\x9c\x93"}, {"quote\"key", "line\nbreak"}, {"", ""}};
  ex::save(source->state_dict(), dir.file("m.safetensors"), metadata);
  ex::manual_seed(4);
  nn::Sequential target(nn::Linear(4, 8), nn::ReLU(), nn::Linear(8, 3));
  target->load_state_dict(ex::load(dir.file("m.safetensors")));
  const Tensor x = ex::randn({5, 4});
  check_same_values(target(x), source(x), 0.0);
  CHECK(ex::load_metadata(dir.file("m.safetensors")) == metadata);
}

TEST_CASE("save: replaces an existing file, and leaves no temporary behind") {
  TempDir dir;
  const std::string path = dir.file("m.safetensors");
  ex::save({{"w", ex::zeros({2})}}, path);
  ex::save({{"w", ex::ones({3})}}, path);
  CHECK(ex::load(path).at("w").to_vector<float>() == std::vector<float>{1, 1, 1});
  CHECK(files_in(dir.str()) == Strings{"m.safetensors"});
}

TEST_CASE("save: a write that fails part-way leaves the previous file intact and no temporary") {
  TempDir dir;
  const std::string path = dir.file("m.safetensors");
  ex::save({{"w", ex::arange(4, DType::Float32)}}, path);
  const Bytes before = read_plain(path);
  const nn::StateDict big{{"w", ex::zeros({1 << 18})}};  // 1 MiB, over the child's limit
  // The child may not grow a file past 64 KiB: its write fails with EFBIG midway
  // (SIGXFSZ ignored, or the signal would kill it).
  const std::string message = in_child([&] {
    std::signal(SIGXFSZ, SIG_IGN);
    const rlimit limit{65536, 65536};
    if (::setrlimit(RLIMIT_FSIZE, &limit) != 0) return std::string("setrlimit failed");
    return ex::test::error_of([&] { ex::save(big, path); });
  });
  CHECK(message == "save: " + path + ": cannot write (" + std::strerror(EFBIG) + ")");
  CHECK(read_plain(path) == before);
  CHECK(files_in(dir.str()) == Strings{"m.safetensors"});
}

TEST_CASE("save: a failed rename removes the temporary, and OS errors name the file and the cause") {
  TempDir dir;
  // The target is a non-empty folder: everything is written, then rename fails.
  const std::string folder = dir.file("taken");
  std::filesystem::create_directories(folder + "/inside");
  const nn::StateDict dict{{"w", ex::ones({2})}};
  const std::string renamed = ex::test::error_of([&] { ex::save(dict, folder); });
  CHECK(renamed.starts_with("save: " + folder + ": cannot replace it with the new file ("));
  CHECK(files_in(dir.str()) == Strings{"taken"});

  const std::string missing = dir.file("no/such/folder/m.safetensors");
  CHECK_THROWS_WITH_AS(ex::save(dict, missing),
                       contains("save: " + missing + ": cannot create a temporary file in '" +
                                dir.file("no/such/folder") + "' (No such file or directory)"),
                       ex::Error);
  CHECK_THROWS_WITH_AS(ex::save(dict, dir.str() + "/"), contains("save: " + dir.str() + "/: the path names a folder"),
                       ex::Error);
}

TEST_CASE("save: refuses what the format cannot hold before touching the disk") {
  TempDir dir;
  const std::string path = dir.file("m.safetensors");
  CHECK_THROWS_WITH_AS(ex::save({{"__metadata__", ex::ones({1})}}, path),
                       contains("save: " + path + ": a tensor cannot be named \"__metadata__\""), ex::Error);
  CHECK_THROWS_WITH_AS(ex::save({{"bad\xff", ex::ones({1})}}, path),
                       contains("save: " + path + ": the tensor name \"bad\xef\xbf\xbd\" is not valid UTF-8"),
                       ex::Error);
  CHECK_THROWS_WITH_AS(ex::save({{"w", ex::ones({1})}}, path, {{"k", "\xc3"}}),
                       contains("save: " + path + ": the metadata value \"\xef\xbf\xbd\" is not valid UTF-8"),
                       ex::Error);
  CHECK(files_in(dir.str()).empty());
}

TEST_CASE("load: reads each tensor straight into its storage, holding one copy of the data") {
  TempDir dir;
  const std::string path = dir.file("big.safetensors");
  constexpr std::int64_t kElements = std::int64_t{1} << 21;  // 8 MiB of float32 per tensor
  constexpr long kDataKiB = 4 * kElements * 4 / 1024;
  {
    nn::StateDict dict;
    const char* names[] = {"t0", "t1", "t2", "t3"};
    for (int i = 0; i < 4; ++i) dict.insert(names[i], ex::full({kElements}, i + 0.5));
    ex::save(dict, path);
  }
  ex::empty_cache();  // freed blocks would otherwise be reused without growing the RSS
  // In a fresh child the peak RSS starts at the current RSS, so its growth is what the load
  // added: the tensors (a reader that buffered the data first would add twice as much).
  const std::string growth = in_child([&] {
    rusage before{}, after{};
    ::getrusage(RUSAGE_SELF, &before);
    const nn::StateDict loaded = ex::load(path);
    ::getrusage(RUSAGE_SELF, &after);
    const float* last = loaded.at("t3").data<float>();
    if (last[0] != 3.5f || last[kElements - 1] != 3.5f) return std::string("wrong values");
    return std::to_string(after.ru_maxrss - before.ru_maxrss);
  });
  INFO("peak RSS growth " << growth << " KiB for " << kDataKiB << " KiB of data");
  REQUIRE(growth.find_first_not_of("0123456789") == std::string::npos);
  const long kib = std::stol(growth);
  CHECK(kib > kDataKiB * 9 / 10);
  CHECK(kib < kDataKiB * 5 / 4);
}
