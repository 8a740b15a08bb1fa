#pragma once
// Private: read_idx with the header's magic number, for readers that check it.

#include <cstdint>
#include <string>

#include "extensor/core/tensor.hpp"

namespace ex::data::detail {

struct IdxFile {
  std::uint32_t magic;  // the header's first four bytes, big-endian: type code << 8 | rank
  Tensor values;
};

// read_idx, with error messages starting "<fn>: <path>: ".
IdxFile read_idx_file(const std::string& path, const char* fn);

}  // namespace ex::data::detail
