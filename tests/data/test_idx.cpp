// read_idx on hand-made gzip'd IDX files, valid and corrupt.
#include "idx_files.hpp"
#include "test_util.hpp"

using ex::test::Bytes;
using ex::test::idx_bytes;
using ex::test::TempDir;
using ex::test::write_gzip;

TEST_CASE("read_idx reads uint8 files of any rank") {
  TempDir dir;
  write_gzip(dir.file("m.gz"), idx_bytes(0x08, {2, 3}, {0, 1, 2, 253, 254, 255}));
  const ex::Tensor m = ex::data::read_idx(dir.file("m.gz"));
  CHECK(m.dtype() == ex::DType::UInt8);
  check_values(m, {2, 3}, {0, 1, 2, 253, 254, 255});

  write_gzip(dir.file("scalar.gz"), idx_bytes(0x08, {}, {42}));
  check_values(ex::data::read_idx(dir.file("scalar.gz")), {}, {42});
  write_gzip(dir.file("empty.gz"), idx_bytes(0x08, {0, 5}, {}));
  CHECK(ex::data::read_idx(dir.file("empty.gz")).shape() == ex::Shape{0, 5});
}

TEST_CASE("read_idx decodes the big-endian signed and floating types") {
  TempDir dir;
  write_gzip(dir.file("i8.gz"), idx_bytes(0x09, {3}, {0x7F, 0x80, 0xFF}));
  const ex::Tensor i8 = ex::data::read_idx(dir.file("i8.gz"));
  CHECK(i8.dtype() == ex::DType::Int8);
  check_values(i8, {3}, {127, -128, -1});

  write_gzip(dir.file("i16.gz"), idx_bytes(0x0B, {3}, {0x01, 0x02, 0xFF, 0xFE, 0x80, 0x00}));
  const ex::Tensor i16 = ex::data::read_idx(dir.file("i16.gz"));
  CHECK(i16.dtype() == ex::DType::Int16);
  check_values(i16, {3}, {258, -2, -32768});

  write_gzip(dir.file("i32.gz"), idx_bytes(0x0C, {1, 2}, {0x00, 0x01, 0x00, 0x00, 0xFF, 0xFF, 0xFF, 0xFD}));
  const ex::Tensor i32 = ex::data::read_idx(dir.file("i32.gz"));
  CHECK(i32.dtype() == ex::DType::Int32);
  check_values(i32, {1, 2}, {65536, -3});

  // 1.5f = 0x3FC00000, -0.25f = 0xBE800000.
  write_gzip(dir.file("f32.gz"), idx_bytes(0x0D, {2}, {0x3F, 0xC0, 0x00, 0x00, 0xBE, 0x80, 0x00, 0x00}));
  const ex::Tensor f32 = ex::data::read_idx(dir.file("f32.gz"));
  CHECK(f32.dtype() == ex::DType::Float32);
  check_values(f32, {2}, {1.5, -0.25}, 0, 0);

  // 0.1 = 0x3FB999999999999A.
  write_gzip(dir.file("f64.gz"), idx_bytes(0x0E, {1}, {0x3F, 0xB9, 0x99, 0x99, 0x99, 0x99, 0x99, 0x9A}));
  const ex::Tensor f64 = ex::data::read_idx(dir.file("f64.gz"));
  CHECK(f64.dtype() == ex::DType::Float64);
  CHECK(f64.item<double>() == 0.1);
}

TEST_CASE("read_idx rejects malformed files, naming the file and the problem") {
  TempDir dir;
  const auto throws = [&](const std::string& name, const std::string& message) {
    const std::string path = dir.file(name);
    INFO(name);
    CHECK_THROWS_WITH_AS(ex::data::read_idx(path), ex::test::contains("read_idx: " + path + ": " + message), ex::Error);
  };

  throws("missing.gz", "no such file");
  throws("", "is a directory");

  ex::test::write_plain(dir.file("plain.idx"), idx_bytes(0x08, {2}, {1, 2}));
  throws("plain.idx", "not a gzip file");
  ex::test::write_plain(dir.file("empty_file"), {});
  throws("empty_file", "not a gzip file");

  Bytes nonzero_lead = idx_bytes(0x08, {2}, {1, 2});
  nonzero_lead[0] = 1;
  write_gzip(dir.file("bad_zero.gz"), nonzero_lead);
  throws("bad_zero.gz", "bad magic number 0x01000801: not an IDX file");
  write_gzip(dir.file("bad_type.gz"), idx_bytes(0x07, {2}, {1, 2}));
  throws("bad_type.gz", "bad magic number 0x00000701");

  write_gzip(dir.file("short_magic.gz"), {0, 0});
  throws("short_magic.gz", "truncated header: the data ends after 2 bytes, inside the 4-byte magic number");
  write_gzip(dir.file("short_dims.gz"), {0, 0, 0x08, 3, 0, 0, 0, 2, 0, 0});
  throws("short_dims.gz", "truncated header: 6 of the 12 bytes of dims for rank 3");

  write_gzip(dir.file("short_payload.gz"), idx_bytes(0x08, {2, 3}, {1, 2, 3, 4, 5}));
  throws("short_payload.gz", "truncated payload: 5 of the 6 bytes that dims [2, 3] need");
  write_gzip(dir.file("short_i16.gz"), idx_bytes(0x0B, {2}, {0, 1, 0}));
  throws("short_i16.gz", "truncated payload: 3 of the 4 bytes that dims [2] need");
  write_gzip(dir.file("trailing.gz"), idx_bytes(0x08, {2}, {1, 2, 3, 4}));
  throws("trailing.gz", "trailing data: 2 more bytes after the 2-byte payload of dims [2]");

  // dims that no gzip file of this size can hold are refused before allocating them
  write_gzip(dir.file("huge.gz"), idx_bytes(0x0E, {0xFFFFFFFF, 0xFFFFFFFF, 0xFFFFFFFF}, {}));
  throws("huge.gz", "truncated payload: dims [4294967295, 4294967295, 4294967295] need more bytes than a");
}

TEST_CASE("read_idx rejects damaged gzip streams") {
  TempDir dir;
  Bytes payload(4000);
  for (std::size_t i = 0; i < payload.size(); ++i) payload[i] = static_cast<unsigned char>(i * 7919 % 251);
  write_gzip(dir.file("good.gz"), idx_bytes(0x08, {4000}, payload));
  check_values(ex::data::read_idx(dir.file("good.gz")).slice(0, 0, 3), {3}, {0, 138, 25});
  const Bytes good = ex::test::read_plain(dir.file("good.gz"));
  REQUIRE(good.size() > 100);

  const auto throws = [&](const std::string& name, const Bytes& bytes, const std::string& reason) {
    INFO(name);
    ex::test::write_plain(dir.file(name), bytes);
    CHECK_THROWS_WITH_AS(ex::data::read_idx(dir.file(name)),
                         ex::test::contains("read_idx: " + dir.file(name) + ": corrupt gzip stream" + reason),
                         ex::Error);
  };
  // Cut in the middle of the deflate data.
  throws("cut.gz", Bytes(good.begin(), good.begin() + static_cast<long>(good.size() / 2)), " (unexpected end of file)");
  // The CRC-32 in the gzip trailer (the last 8 bytes hold CRC and length) no longer matches.
  Bytes bad_crc = good;
  bad_crc[bad_crc.size() - 8] ^= 0xFF;
  throws("crc.gz", bad_crc, " (incorrect data check)");
  // Garbage in place of the deflate data after the 10-byte gzip header.
  Bytes garbage = good;
  for (std::size_t i = 10; i < 40; ++i) garbage[i] = 0xFF;
  throws("garbage.gz", garbage, "");
}
