#pragma once
// Helpers for the safetensors suites: hand-made files and the bytes of tensors.

#include <cstdint>
#include <cstring>
#include <string>

#include "file_util.hpp"
#include "nn_test_util.hpp"

namespace ex::test {

// A safetensors file: length as the 8-byte little-endian prefix, then header and data.
inline Bytes safetensors_bytes(std::uint64_t length, const std::string& header, const Bytes& data = {}) {
  Bytes out;
  for (int i = 0; i < 8; ++i) out.push_back(static_cast<unsigned char>(length >> (8 * i)));
  out.insert(out.end(), header.begin(), header.end());
  out.insert(out.end(), data.begin(), data.end());
  return out;
}
// The same with the header's true length.
inline Bytes safetensors_bytes(const std::string& header, const Bytes& data = {}) {
  return safetensors_bytes(header.size(), header, data);
}

// The bytes of t's elements in row-major order.
inline Bytes bytes_of(const Tensor& t) {
  const Tensor c = t.contiguous();
  const auto* p = static_cast<const unsigned char*>(c.raw_data());
  return Bytes(p, p + c.nbytes());
}

// A tensor of shape and dtype holding bytes (their count must be its nbytes).
inline Tensor from_bytes(const Bytes& bytes, const Shape& shape, DType dtype) {
  Tensor t = empty(shape, dtype);
  REQUIRE(t.nbytes() == bytes.size());
  if (!bytes.empty()) std::memcpy(t.raw_data(), bytes.data(), bytes.size());
  return t;
}

}  // namespace ex::test

// The names the safetensors suites share.
using ex::test::Bytes;
using ex::test::bytes_of;
using ex::test::contains;
using ex::test::read_plain;
using ex::test::safetensors_bytes;
using ex::test::TempDir;
using ex::test::write_plain;
namespace nn = ex::nn;
using Strings = std::vector<std::string>;
