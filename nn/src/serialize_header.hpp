#pragma once
// Private: the JSON header of safetensors files, parsed and checked against the file's
// size, and composed for writing.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "extensor/core/dtype.hpp"
#include "extensor/core/shape.hpp"
#include "extensor/nn/serialize.hpp"

namespace ex::serialize {

// Readers refuse larger headers (the reference implementation's limit), so a corrupt
// length can never make them allocate more than this for the header.
inline constexpr std::uint64_t kMaxHeaderBytes = 100'000'000;

// One tensor of a header: offsets are relative to the first byte after the header.
struct HeaderEntry {
  std::string name;
  DType dtype = DType::Float32;
  Shape shape;
  std::uint64_t begin = 0, end = 0;
};

struct Header {
  std::vector<HeaderEntry> entries;  // in the order of the JSON object
  Metadata metadata;
};

// s as a JSON string literal, for messages: names with quotes or control bytes print
// unambiguously, and bytes that are not UTF-8 as U+FFFD.
std::string json_quoted(const std::string& s);

// The safetensors code of a dtype ("F32").
const char* dtype_code(DType dtype) noexcept;

// Parses the header's JSON and checks every entry against data_bytes, the bytes that
// follow the header in the file: on return the entries tile [0, data_bytes) exactly, in
// some order, each spanning its shape's bytes. Throws ex::Error "<fn>: <path>: ..."
// naming the first problem found.
Header parse_header(std::string_view json, std::uint64_t data_bytes, const char* fn, const std::string& path);

// The header of a file holding entries (laid out back to back in the given order) and
// metadata, as written: compact JSON, "__metadata__" first when not empty, padded with
// spaces to a multiple of 8 bytes. Throws ex::Error "<fn>: <path>: ..." for a name
// "__metadata__", strings that are not valid UTF-8 and a header above kMaxHeaderBytes.
std::string compose_header(const std::vector<HeaderEntry>& entries, const Metadata& metadata, const char* fn,
                           const std::string& path);

}  // namespace ex::serialize
