// FashionMNIST on hand-made roots (valid and corrupt) and on the real test split.
#include <filesystem>

#include "idx_files.hpp"
#include "test_util.hpp"

using ex::data::FashionMNIST;
using ex::test::Bytes;
using ex::test::idx_bytes;
using ex::test::TempDir;
using ex::test::write_gzip;

namespace {

// Pixel (r, c) of image n: (n * 31 + r * 28 + c) mod 256, so every image differs.
Bytes image_pixels(std::uint32_t count, std::uint32_t rows = 28, std::uint32_t cols = 28) {
  Bytes pixels;
  for (std::uint32_t n = 0; n < count; ++n)
    for (std::uint32_t i = 0; i < rows * cols; ++i) pixels.push_back(static_cast<unsigned char>((n * 31 + i) % 256));
  return pixels;
}

// Writes <prefix>-images-idx3-ubyte.gz and <prefix>-labels-idx1-ubyte.gz into dir.
void write_split(const TempDir& dir, const std::string& prefix, const Bytes& images, const Bytes& labels) {
  write_gzip(dir.file(prefix + "-images-idx3-ubyte.gz"), images);
  write_gzip(dir.file(prefix + "-labels-idx1-ubyte.gz"), labels);
}

Bytes images_file(std::uint32_t count) { return idx_bytes(0x08, {count, 28, 28}, image_pixels(count)); }
Bytes labels_file(const Bytes& labels) { return idx_bytes(0x08, {static_cast<std::uint32_t>(labels.size())}, labels); }

const bool kHaveFashionMNIST = std::filesystem::exists(FashionMNIST::kDefaultRoot);

}  // namespace

TEST_CASE("FashionMNIST reads a hand-made root: float images in [0, 1], int64 labels") {
  TempDir dir;
  write_split(dir, "train", images_file(3), labels_file({0, 9, 4}));
  write_split(dir, "t10k", images_file(2), labels_file({7, 1}));

  const FashionMNIST train(dir.str());
  CHECK(train.size() == 3);
  CHECK(train.images().shape() == ex::Shape{3, 1, 28, 28});
  CHECK(train.images().dtype() == ex::DType::Float32);
  CHECK(train.labels().dtype() == ex::DType::Int64);
  check_values(train.labels(), {3}, {0, 9, 4});
  // Image 1, row 0: bytes 31, 32, 33; row 8, column 0: byte (31 + 224) = 255.
  const ex::Tensor image1 = train.images().slice(0, 1, 2);
  check_values(image1.slice(3, 0, 3).slice(2, 0, 1), {1, 1, 1, 3}, {31 / 255.0, 32 / 255.0, 33 / 255.0}, 1e-7, 0);
  CHECK(image1.slice(2, 8, 9).slice(3, 0, 1).item<float>() == 1.0f);
  CHECK(image1.slice(2, 8, 9).slice(3, 1, 2).item<float>() == 0.0f);  // byte 256 mod 256
  // Exactly byte / 255 in float32, like torchvision's ToTensor.
  CHECK(image1.slice(2, 0, 1).slice(3, 1, 2).item<float>() == 32.0f / 255.0f);

  const ex::data::Example example = train.get(2);
  CHECK(example.data.shape() == ex::Shape{1, 28, 28});
  CHECK(example.target.item<std::int64_t>() == 4);
  const ex::data::Example batch = train.get_batch({2, 0});
  CHECK(batch.data.shape() == ex::Shape{2, 1, 28, 28});
  check_values(batch.target, {2}, {4, 0});
  CHECK(batch.data.slice(0, 1, 2).to_vector<float>() == train.get(0).data.to_vector<float>());

  const FashionMNIST test(dir.str(), /*train=*/false);
  CHECK(test.size() == 2);
  check_values(test.labels(), {2}, {7, 1});
}

TEST_CASE("FashionMNIST rejects bad roots, naming the file and the problem") {
  TempDir dir;
  const std::string images = dir.file("train-images-idx3-ubyte.gz");
  const std::string labels = dir.file("train-labels-idx1-ubyte.gz");
  const auto throws = [&](const std::string& message) {
    CHECK_THROWS_WITH_AS(FashionMNIST(dir.str()), ex::test::contains("FashionMNIST: " + message), ex::Error);
  };

  throws(images + ": no such file");
  write_gzip(images, images_file(3));
  throws(labels + ": no such file");

  write_gzip(labels, labels_file({0, 10, 4}));
  throws(labels + ": label 10 at index 1 is outside 0..9");
  write_gzip(labels, labels_file({0, 1}));
  throws(images + " holds 3 images but " + labels + " holds 2 labels");
  write_gzip(labels, images_file(3));
  throws(labels + ": magic number 2051, expected 2049 (IDX uint8 labels [N])");
  write_gzip(labels, labels_file({0, 1, 2}));
  CHECK(FashionMNIST(dir.str()).size() == 3);  // everything in order again

  write_gzip(images, labels_file({0, 1, 2}));
  throws(images + ": magic number 2049, expected 2051 (IDX uint8 images [N, 28, 28])");
  write_gzip(images, idx_bytes(0x0D, {3, 28, 28}, Bytes(3 * 28 * 28 * 4)));
  throws(images + ": magic number 3331, expected 2051");
  write_gzip(images, idx_bytes(0x08, {3, 28, 27}, image_pixels(3, 28, 27)));
  throws(images + ": images of dims [3, 28, 27], expected [N, 28, 28]");
  Bytes truncated = images_file(3);
  truncated.pop_back();
  write_gzip(images, truncated);
  throws(images + ": truncated payload: 2351 of the 2352 bytes that dims [3, 28, 28] need");
  Bytes trailing = images_file(3);
  trailing.push_back(0);
  write_gzip(images, trailing);
  throws(images + ": trailing data: 1 more bytes after the 2352-byte payload of dims [3, 28, 28]");
  ex::test::write_plain(images, images_file(3));
  throws(images + ": not a gzip file");

  CHECK_THROWS_WITH_AS(
      FashionMNIST(dir.file("no_such_dir")),
      ex::test::contains("FashionMNIST: " + dir.file("no_such_dir") + "/train-images-idx3-ubyte.gz: no such file"),
      ex::Error);
}

TEST_CASE("FashionMNIST loads the real test split" * doctest::skip(!kHaveFashionMNIST)) {
  // Reference facts from /usr/bin/python3 (gzip + numpy over the same files).
  const FashionMNIST test(FashionMNIST::kDefaultRoot, /*train=*/false);
  CHECK(test.size() == 10000);
  CHECK(test.images().shape() == ex::Shape{10000, 1, 28, 28});
  CHECK(test.labels().shape() == ex::Shape{10000});
  check_values(test.labels().slice(0, 0, 10), {10}, {9, 2, 1, 1, 6, 1, 4, 6, 5, 7});
  // Every class has 1000 test images.
  const auto labels = test.labels().to_vector<std::int64_t>();
  std::vector<int> per_class(10);
  for (std::int64_t label : labels) ++per_class[static_cast<std::size_t>(label)];
  CHECK(per_class == std::vector<int>(10, 1000));

  // Byte sums: first image 33456, last 24390, all 573469082; pixels are exact multiples of 1/255.
  const auto byte_sum = [](const ex::Tensor& images) {
    double sum = 0;
    for (float v : images.to_vector<float>()) sum += std::round(static_cast<double>(v) * 255.0);
    return sum;
  };
  CHECK(byte_sum(test.get(0).data) == 33456);
  CHECK(byte_sum(test.get(9999).data) == 24390);
  CHECK(byte_sum(test.images()) == 573469082);
  // Row 14, columns 10..15 of the first image: bytes 0 0 98 136 110 109.
  check_values(test.images().slice(0, 0, 1).slice(2, 14, 15).slice(3, 10, 16).flatten(), {6},
               {0, 0, 98 / 255.0, 136 / 255.0, 110 / 255.0, 109 / 255.0}, 1e-7, 0);
}
