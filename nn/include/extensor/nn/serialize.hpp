#pragma once
// ex::save / ex::load: state dicts in safetensors files, the format of Hugging Face's
// safetensors library, which PyTorch, NumPy and JAX programs read and write.
//
// A file is an 8-byte little-endian length N, N bytes of JSON mapping each tensor name to
// {"dtype", "shape", "data_offsets": [begin, end]} (plus an optional "__metadata__"
// object of strings), then the tensors' bytes, little-endian and row-major, where each
// entry's offsets (relative to the end of the header) say. Dtype codes: BOOL, U8, I8,
// U16, I16, U32, I32, U64, I64, F16, BF16, F32, F64, one per extensor dtype.

#include <map>
#include <string>

#include "extensor/nn/state_dict.hpp"

namespace ex {

// The metadata of a safetensors file: string keys to string values ("__metadata__").
using Metadata = std::map<std::string, std::string>;

// Writes dict to path as a safetensors file: tensors in the dict's order, each written
// contiguous (views are copied one at a time), the header padded with spaces to a
// multiple of 8 bytes, metadata (if any) first in the header with its keys sorted. Equal
// dicts and metadata give byte-identical files. The write is atomic: the bytes go to a
// temporary file in path's folder, which is flushed to disk, renamed over path and the
// folder synced, so path holds either its old contents or the whole new file; a failure
// removes the temporary. Throws ex::Error "save: <path>: ..." for a tensor named
// "__metadata__", names or metadata that are not valid UTF-8, a header above 100 MB,
// and any OS error (naming it: no such folder, permission denied, disk full, file too
// large), and when syncing the folder fails after the rename.
void save(const nn::StateDict& dict, const std::string& path, const Metadata& metadata = {});

// Reads the tensors of the safetensors file at path, in the order of its header, as
// contiguous tensors of the file's dtypes and shapes that do not require grad. Each
// tensor's bytes are read straight into its storage: memory holds one copy of the data.
// Throws ex::Error "load: <path>: ..." naming the problem when the file cannot be opened
// or read or is malformed: shorter than 8 bytes; a header length beyond the file or above
// 100 MB; a header that is not valid JSON or not an object; an entry that is not an
// object, has a missing, repeated, unknown or mistyped field, an unknown dtype, a
// negative dim or a shape whose bytes overflow, data_offsets that are not two
// non-negative integers, end before they begin, run past the data, overlap another
// entry or leave bytes between entries unused, or span a byte count other than shape
// times itemsize; an empty or repeated name; __metadata__ that is not an object of
// strings; bytes after the last tensor; a BOOL byte other than 0 or 1.
nn::StateDict load(const std::string& path);

// The "__metadata__" of the safetensors file at path (empty when it has none). Reads and
// checks the header as load does, not the tensor data. Throws ex::Error
// "load_metadata: <path>: ..." for the same problems as load, except those only the
// data shows (BOOL bytes).
Metadata load_metadata(const std::string& path);

}  // namespace ex
