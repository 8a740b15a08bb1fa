// ex::load and ex::load_metadata on hand-made safetensors files: every malformed form is
// refused with an ex::Error naming the file and the problem, and the odd but valid
// forms load.
#include <sys/stat.h>

#include "safetensors_util.hpp"

namespace {

struct Malformed {
  const char* what;
  Bytes file;
  std::string message;      // after "load: <path>: "
  bool header_only = true;  // load_metadata sees the problem too
};

// {"name":{"dtype":dtype,"shape":shape,"data_offsets":offsets}}, the fields as JSON text.
std::string entry(const std::string& name, const std::string& dtype, const std::string& shape,
                  const std::string& offsets) {
  return "\"" + name + "\":{\"dtype\":" + dtype + ",\"shape\":" + shape + ",\"data_offsets\":" + offsets + "}";
}
std::string object(const std::string& body) { return "{" + body + "}"; }

const Bytes kEight(8, 0);

std::vector<Malformed> malformed_files() {
  const std::string a = entry("a", "\"F32\"", "[2]", "[0,8]");
  return {
      {"an empty file", {}, "the file has 0 bytes, fewer than the 8 of the header length"},
      {"7 bytes", Bytes(7, 0), "the file has 7 bytes, fewer than the 8 of the header length"},
      {"a length beyond the file", safetensors_bytes(30, "{}"),
       "the header length 30 runs past the end of the file (2 bytes after the length)"},
      {"a length above 100 MB", safetensors_bytes(100'000'001, "{}"),
       "the header length 100000001 is above the 100000000-byte limit"},
      {"a length of 2^64 - 1", safetensors_bytes(~std::uint64_t{0}, "{}"),
       "the header length 18446744073709551615 is above the 100000000-byte limit"},
      {"an empty header", safetensors_bytes(""), "the header is not valid JSON: "},
      {"invalid JSON", safetensors_bytes("{\"a\":"), "the header is not valid JSON: parse error at line 1"},
      {"text after the object", safetensors_bytes("{} x"), "the header is not valid JSON: "},
      {"a header that is an array", safetensors_bytes("[1]"), "the header is an array, not a JSON object"},
      {"a header that is a string", safetensors_bytes("\"x\""), "the header is a string, not a JSON object"},
      {"an entry that is a number", safetensors_bytes("{\"a\":5}"),
       "entry \"a\": is the number 5, not an object with dtype, shape and data_offsets"},
      {"a missing dtype", safetensors_bytes("{\"a\":{\"shape\":[],\"data_offsets\":[0,0]}}"),
       "entry \"a\": the field \"dtype\" is missing"},
      {"a missing shape", safetensors_bytes("{\"a\":{\"dtype\":\"U8\",\"data_offsets\":[0,1]}}", {0}),
       "entry \"a\": the field \"shape\" is missing"},
      {"missing data_offsets", safetensors_bytes("{\"a\":{\"dtype\":\"U8\",\"shape\":[]}}"),
       "entry \"a\": the field \"data_offsets\" is missing"},
      {"a repeated field", safetensors_bytes(object(entry("a", "\"F32\",\"dtype\":\"F32\"", "[2]", "[0,8]")), kEight),
       "entry \"a\": the field \"dtype\" appears twice"},
      {"an unknown field", safetensors_bytes("{\"a\":{\"dtype\":\"U8\",\"extra\":1}}"),
       "entry \"a\": unknown field \"extra\" (an entry has dtype, shape and data_offsets)"},
      {"a dtype that is a number", safetensors_bytes(object(entry("a", "5", "[2]", "[0,8]")), kEight),
       "entry \"a\": \"dtype\" is the number 5, not a string"},
      {"an unknown dtype", safetensors_bytes(object(entry("a", "\"F8_E4M3\"", "[8]", "[0,8]")), kEight),
       "entry \"a\": unknown dtype \"F8_E4M3\" (extensor reads BOOL, U8, I8"},
      {"a lower-case dtype", safetensors_bytes(object(entry("a", "\"f32\"", "[2]", "[0,8]")), kEight),
       "entry \"a\": unknown dtype \"f32\""},
      {"a shape that is a string", safetensors_bytes(object(entry("a", "\"F32\"", "\"2\"", "[0,8]")), kEight),
       "entry \"a\": \"shape\" is a string, not an array of non-negative integers"},
      {"a float dim", safetensors_bytes(object(entry("a", "\"F32\"", "[2.0]", "[0,8]")), kEight),
       "entry \"a\": \"shape\" holds the non-integer number 2.0, not a non-negative integer"},
      {"a boolean dim", safetensors_bytes(object(entry("a", "\"F32\"", "[true]", "[0,8]")), kEight),
       "entry \"a\": \"shape\" holds a boolean, not a non-negative integer"},
      {"a nested shape", safetensors_bytes(object(entry("a", "\"F32\"", "[[2]]", "[0,8]")), kEight),
       "entry \"a\": \"shape\" holds an array, not a non-negative integer"},
      {"a negative dim", safetensors_bytes(object(entry("a", "\"F32\"", "[-2]", "[0,8]")), kEight),
       "entry \"a\": \"shape\" holds the negative integer -2, not a non-negative integer"},
      {"a dim above int64", safetensors_bytes(object(entry("a", "\"U8\"", "[9223372036854775808]", "[0,8]")), kEight),
       "entry \"a\": \"shape\" holds the dim 9223372036854775808, above 2^63 - 1"},
      {"a dim beyond uint64",
       safetensors_bytes(object(entry("a", "\"U8\"", "[18446744073709551616]", "[0,8]")), kEight),
       "entry \"a\": \"shape\" holds the integer 18446744073709551616 (beyond 64 bits), not a non-negative integer"},
      {"dims whose product overflows",
       safetensors_bytes(object(entry("a", "\"U8\"", "[4294967296,4294967296]", "[0,8]")), kEight),
       "entry \"a\": shape [4294967296, 4294967296] of U8 needs more than 2^62 bytes"},
      {"bytes that overflow",
       safetensors_bytes(object(entry("a", "\"F64\"", "[1152921504606846976]", "[0,8]")), kEight),
       "entry \"a\": shape [1152921504606846976] of F64 needs more than 2^62 bytes"},
      {"data_offsets that are a string", safetensors_bytes(object(entry("a", "\"F32\"", "[2]", "\"0,8\"")), kEight),
       "entry \"a\": \"data_offsets\" is a string, not an array of non-negative integers"},
      {"float offsets", safetensors_bytes(object(entry("a", "\"F32\"", "[2]", "[0,8.0]")), kEight),
       "entry \"a\": \"data_offsets\" holds the non-integer number 8.0, not a non-negative integer"},
      {"a negative offset", safetensors_bytes(object(entry("a", "\"F32\"", "[2]", "[-8,0]")), kEight),
       "entry \"a\": \"data_offsets\" holds the negative integer -8, not a non-negative integer"},
      {"one offset", safetensors_bytes(object(entry("a", "\"F32\"", "[2]", "[8]")), kEight),
       "entry \"a\": \"data_offsets\" holds 1 integers, not 2 ([begin, end])"},
      {"three offsets", safetensors_bytes(object(entry("a", "\"F32\"", "[2]", "[0,8,8]")), kEight),
       "entry \"a\": \"data_offsets\" holds more than 2 integers"},
      {"offsets out of order", safetensors_bytes(object(entry("a", "\"F32\"", "[0]", "[8,0]")), kEight),
       "entry \"a\": data_offsets [8, 0] end before they begin"},
      {"offsets past the end", safetensors_bytes(object(entry("a", "\"F32\"", "[4]", "[0,16]")), kEight),
       "entry \"a\": data_offsets [0, 16] run past the end of the data (8 bytes after the header)"},
      {"a shape that disagrees with the offsets",
       safetensors_bytes(object(entry("a", "\"F32\"", "[3]", "[0,8]")), kEight),
       "entry \"a\": shape [3] of F32 needs 12 bytes, but data_offsets [0, 8] span 8"},
      {"overlapping tensors", safetensors_bytes(object(a + "," + entry("b", "\"F32\"", "[1]", "[4,8]")), kEight),
       "entry \"b\" (data_offsets [4, 8]) overlaps entry \"a\" (data_offsets [0, 8])"},
      {"a hole between tensors",
       safetensors_bytes(object(entry("a", "\"U8\"", "[4]", "[0,4]") + "," + entry("b", "\"U8\"", "[2]", "[6,8]")),
                         kEight),
       "bytes [4, 6) of the data belong to no tensor (a hole before entry \"b\")"},
      {"a hole at the start", safetensors_bytes(object(entry("a", "\"U8\"", "[4]", "[4,8]")), kEight),
       "bytes [0, 4) of the data belong to no tensor (a hole before entry \"a\")"},
      {"trailing bytes", safetensors_bytes(object(a), Bytes(12, 0)),
       "4 trailing bytes after the last tensor (the tensors end at byte 8 of 12)"},
      {"data but no tensors", safetensors_bytes("{}", {1}), "1 trailing bytes after the last tensor"},
      {"a repeated name", safetensors_bytes(object(a + "," + a), kEight), "the name \"a\" appears twice"},
      {"an empty name", safetensors_bytes(object(entry("", "\"F32\"", "[2]", "[0,8]")), kEight),
       "a tensor name is empty"},
      {"metadata that is a string", safetensors_bytes("{\"__metadata__\":\"x\"}"),
       "\"__metadata__\" is a string, not an object of strings"},
      {"a number in the metadata", safetensors_bytes("{\"__metadata__\":{\"epoch\":3}}"),
       "\"__metadata__\": the value of \"epoch\" is the number 3, not a string"},
      {"a null in the metadata", safetensors_bytes("{\"__metadata__\":{\"k\":null}}"),
       "\"__metadata__\": the value of \"k\" is null, not a string"},
      {"a repeated metadata key", safetensors_bytes("{\"__metadata__\":{\"k\":\"1\",\"k\":\"2\"}}"),
       "\"__metadata__\": the key \"k\" appears twice"},
      {"two metadata objects", safetensors_bytes("{\"__metadata__\":{},\"__metadata__\":{}}"),
       "the name \"__metadata__\" appears twice"},
      {"a bool byte of 2", safetensors_bytes(object(entry("m", "\"BOOL\"", "[3]", "[0,3]")) + "     ", {1, 0, 2}),
       "entry \"m\": BOOL element 2 holds the byte 0x02, not 0 or 1", false},
  };
}

}  // namespace

TEST_CASE("load: refuses every malformed file, naming the file and the problem") {
  TempDir dir;
  const std::string path = dir.file("bad.safetensors");
  for (const Malformed& m : malformed_files()) {
    INFO(std::string(m.what));
    write_plain(path, m.file);
    CHECK_THROWS_WITH_AS(ex::load(path), contains("load: " + path + ": " + m.message), ex::Error);
    if (m.header_only) {
      CHECK_THROWS_WITH_AS(ex::load_metadata(path), contains("load_metadata: " + path + ": " + m.message), ex::Error);
    } else {
      CHECK_NOTHROW(ex::load_metadata(path));
    }
  }
}

TEST_CASE("load: refuses paths that are not safetensors files, without blocking") {
  TempDir dir;
  const std::string missing = dir.file("missing.safetensors");
  CHECK_THROWS_WITH_AS(ex::load(missing), contains("load: " + missing + ": cannot open (No such file or directory)"),
                       ex::Error);
  CHECK_THROWS_WITH_AS(ex::load(dir.str()), contains("load: " + dir.str() + ": is a directory, not a safetensors file"),
                       ex::Error);
  // Opening a FIFO for reading would wait for a writer forever.
  const std::string fifo = dir.file("fifo");
  REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
  CHECK_THROWS_WITH_AS(ex::load(fifo), contains("load: " + fifo + ": is not a regular file"), ex::Error);
}

TEST_CASE("load: odd but valid files load, and names keep the header's order, not the data's") {
  TempDir dir;
  const std::string path = dir.file("ok.safetensors");
  // b's data comes first; an empty tensor with huge dims beside a 0; leading and trailing
  // whitespace in the header; a 0-byte tensor at the end of the data.
  const std::string header =
      " {\"a\":{\"dtype\":\"I16\",\"shape\":[2],\"data_offsets\":[2,6]},"
      "\"b\":{\"shape\":[],\"data_offsets\":[0,2],\"dtype\":\"F16\"},"
      "\"e\":{\"dtype\":\"F64\",\"shape\":[0,4611686018427387904,4],\"data_offsets\":[6,6]},"
      "\"__metadata__\":{\"k\":\"v\"}}   \n";
  write_plain(path, safetensors_bytes(header, {0x00, 0x3C, 0xFF, 0xFF, 0x02, 0x01}));
  const nn::StateDict loaded = ex::load(path);
  CHECK(loaded.keys() == Strings{"a", "b", "e"});
  CHECK(loaded.at("a").dtype() == DType::Int16);
  CHECK(loaded.at("a").to_vector<std::int64_t>() == std::vector<std::int64_t>{-1, 0x0102});
  CHECK(loaded.at("b").dtype() == DType::Float16);
  CHECK(loaded.at("b").shape() == ex::Shape{});
  CHECK(loaded.at("b").item<float>() == 1.0f);  // 0x3C00
  CHECK(loaded.at("e").shape() == ex::Shape{0, std::int64_t{1} << 62, 4});
  CHECK(ex::load_metadata(path) == ex::Metadata{{"k", "v"}});

  // Two empty tensors at the same offset, and a file with no tensors at all.
  write_plain(path, safetensors_bytes(
                        object(entry("x", "\"U8\"", "[0]", "[0,0]") + "," + entry("y", "\"BOOL\"", "[2,0]", "[0,0]"))));
  CHECK(ex::load(path).keys() == Strings{"x", "y"});
  write_plain(path, safetensors_bytes("{}"));
  CHECK(ex::load(path).empty());
}
