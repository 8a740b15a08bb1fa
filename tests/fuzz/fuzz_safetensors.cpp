// libFuzzer harness for ex::load and ex::load_metadata: the input bytes are the file,
// written to a temporary file (temp_file.hpp). Any ex::Error is a fine outcome; other
// exceptions escape so the fuzzer reports them. What a crash would not reveal is
// checked too:
//  - load_metadata refuses whatever load refuses for its header;
//  - a load that succeeds returns exactly what an independent parse of the header (a
//    nlohmann document) describes: the entries in header order, their dtypes and shapes,
//    the bytes at their offsets, and the metadata;
//  - saving what was loaded and loading it back gives the same tensors and metadata, and
//    saving that again gives the same bytes.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "extensor/core/error.hpp"
#include "extensor/core/tensor.hpp"
#include "extensor/core/threading.hpp"
#include "extensor/nn/serialize.hpp"
#include "temp_file.hpp"

namespace {

using ex::fuzz::TempFile;
using Bytes = std::vector<unsigned char>;

[[noreturn]] void fail(const std::string& what) {
  std::fprintf(stderr, "fuzz_safetensors: %s\n", what.c_str());
  std::abort();
}

void write_file(const std::string& path, const std::uint8_t* data, std::size_t size) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
  if (!out) fail("cannot write the temporary file");
}

Bytes read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return Bytes(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

Bytes bytes_of(const ex::Tensor& t) {
  const auto* p = static_cast<const unsigned char*>(t.raw_data());
  return Bytes(p, p + t.nbytes());
}

const char* code_of(ex::DType dtype) {
  switch (dtype) {
    case ex::DType::Bool:
      return "BOOL";
    case ex::DType::UInt8:
      return "U8";
    case ex::DType::Int8:
      return "I8";
    case ex::DType::UInt16:
      return "U16";
    case ex::DType::Int16:
      return "I16";
    case ex::DType::UInt32:
      return "U32";
    case ex::DType::Int32:
      return "I32";
    case ex::DType::UInt64:
      return "U64";
    case ex::DType::Int64:
      return "I64";
    case ex::DType::Float16:
      return "F16";
    case ex::DType::BFloat16:
      return "BF16";
    case ex::DType::Float32:
      return "F32";
    case ex::DType::Float64:
      return "F64";
  }
  return "?";
}

// The loaded dict and metadata against the file's bytes, parsed independently.
void check_against_bytes(const ex::nn::StateDict& dict, const ex::Metadata& metadata, const std::uint8_t* data,
                         std::size_t size) {
  std::uint64_t length = 0;
  for (int i = 7; i >= 0; --i) length = (length << 8) | data[i];
  const auto header = nlohmann::ordered_json::parse(data + 8, data + 8 + length);
  const std::uint8_t* payload = data + 8 + length;
  std::vector<std::string> names;
  ex::Metadata expected_metadata;
  for (const auto& [key, value] : header.items()) {
    if (key == "__metadata__") {
      expected_metadata = value.get<ex::Metadata>();
      continue;
    }
    names.push_back(key);
    const ex::Tensor& t = dict.at(key);  // throws ex::Error if absent: reported below
    if (value.at("dtype").get<std::string>() != code_of(t.dtype())) fail("a dtype differs from the header's");
    if (value.at("shape").get<std::vector<std::int64_t>>() != t.shape().vec())
      fail("a shape differs from the header's");
    // Empty tensors are skipped: with huge dims beside the 0, contiguous_strides
    // saturates and Tensor::is_contiguous then answers false for a fresh tensor.
    if ((t.numel() > 0 && !t.is_contiguous()) || t.requires_grad()) fail("a loaded tensor is a view or requires grad");
    const auto begin = value.at("data_offsets").at(0).get<std::uint64_t>();
    const auto end = value.at("data_offsets").at(1).get<std::uint64_t>();
    if (end > size - 8 - length || end - begin != t.nbytes()) fail("a tensor's size disagrees with its offsets");
    if (bytes_of(t) != Bytes(payload + begin, payload + end)) fail("a tensor's bytes differ from the file's");
  }
  if (names != dict.keys()) fail("the names or their order differ from the header's");
  if (metadata != expected_metadata) fail("the metadata differs from the header's");
}

void check_round_trip(const ex::nn::StateDict& dict, const ex::Metadata& metadata) {
  TempFile first("safetensors", ".first"), second("safetensors", ".second");
  ex::save(dict, first.path(), metadata);
  const ex::nn::StateDict again = ex::load(first.path());
  if (again.keys() != dict.keys()) fail("a round trip changed the names");
  for (const auto& [name, t] : dict) {
    const ex::Tensor& u = again.at(name);
    if (u.dtype() != t.dtype() || u.shape() != t.shape() || bytes_of(u) != bytes_of(t))
      fail("a round trip changed '" + name + "'");
  }
  if (ex::load_metadata(first.path()) != metadata) fail("a round trip changed the metadata");
  ex::save(again, second.path(), metadata);
  if (read_file(first.path()) != read_file(second.path())) fail("saving equal dicts gave different bytes");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const bool single_threaded = (ex::set_num_threads(1), true);
  (void)single_threaded;

  TempFile file("safetensors", "");
  write_file(file.path(), data, size);
  bool header_ok = true;
  try {
    (void)ex::load_metadata(file.path());
  } catch (const ex::Error&) {
    header_ok = false;
  }
  ex::nn::StateDict dict;
  ex::Metadata metadata;
  try {
    dict = ex::load(file.path());
  } catch (const ex::Error&) {
    return 0;
  }
  if (!header_ok) fail("load accepted a file whose header load_metadata refused");
  metadata = ex::load_metadata(file.path());
  try {
    check_against_bytes(dict, metadata, data, size);
  } catch (const nlohmann::json::exception& e) {
    fail(std::string("load accepted a header that nlohmann cannot read as a safetensors header: ") + e.what());
  } catch (const ex::Error& e) {
    fail(std::string("a header entry is missing from the loaded dict: ") + e.what());
  }
  check_round_trip(dict, metadata);
  return 0;
}
