// Fashion-MNIST: two IDX files checked against the format's fixed layout, converted to
// training dtypes (float32 pixels in [0, 1], int64 labels).
#include "extensor/data/fashion_mnist.hpp"

#include <filesystem>

#include "common/check.hpp"
#include "data/src/idx.hpp"
#include "extensor/core/creation.hpp"

namespace ex::data {

using ex::detail::fail;

namespace {

constexpr const char* kFn = "FashionMNIST";
constexpr std::uint32_t kImagesMagic = 2051;  // uint8 (0x08), rank 3
constexpr std::uint32_t kLabelsMagic = 2049;  // uint8 (0x08), rank 1

Tensor read_checked(const std::string& path, std::uint32_t magic, const char* what) {
  detail::IdxFile file = detail::read_idx_file(path, kFn);
  if (file.magic != magic) fail("{}: {}: magic number {}, expected {} (IDX {})", kFn, path, file.magic, magic, what);
  return file.values;
}

// images uint8 [N, 28, 28] -> float32 [N, 1, 28, 28], byte / 255 like torchvision's ToTensor.
Tensor scaled_images(const Tensor& bytes) {
  Tensor images = empty({bytes.size(0), 1, FashionMNIST::kRows, FashionMNIST::kCols}, DType::Float32);
  const std::uint8_t* src = bytes.data<std::uint8_t>();
  float* dst = images.data<float>();
  for (std::int64_t i = 0, n = bytes.numel(); i < n; ++i) dst[i] = static_cast<float>(src[i]) / 255.0f;
  return images;
}

Example load(const std::string& root, bool train) {
  const std::string prefix = train ? "train" : "t10k";
  const std::string images_path = (std::filesystem::path(root) / (prefix + "-images-idx3-ubyte.gz")).string();
  const std::string labels_path = (std::filesystem::path(root) / (prefix + "-labels-idx1-ubyte.gz")).string();

  const Tensor image_bytes = read_checked(images_path, kImagesMagic, "uint8 images [N, 28, 28]");
  if (image_bytes.size(1) != FashionMNIST::kRows || image_bytes.size(2) != FashionMNIST::kCols)
    fail("{}: {}: images of dims {}, expected [N, 28, 28]", kFn, images_path, image_bytes.shape());
  const Tensor label_bytes = read_checked(labels_path, kLabelsMagic, "uint8 labels [N]");
  if (label_bytes.size(0) != image_bytes.size(0))
    fail("{}: {} holds {} images but {} holds {} labels", kFn, images_path, image_bytes.size(0), labels_path,
         label_bytes.size(0));

  Tensor labels = empty({label_bytes.size(0)}, DType::Int64);
  const std::uint8_t* src = label_bytes.data<std::uint8_t>();
  std::int64_t* dst = labels.data<std::int64_t>();
  for (std::int64_t i = 0; i < label_bytes.size(0); ++i) {
    if (src[i] >= FashionMNIST::kClasses)
      fail("{}: {}: label {} at index {} is outside 0..{}", kFn, labels_path, src[i], i, FashionMNIST::kClasses - 1);
    dst[i] = src[i];
  }
  return {scaled_images(image_bytes), labels};
}

}  // namespace

FashionMNIST::FashionMNIST(const std::string& root, bool train) : FashionMNIST(load(root, train)) {}

FashionMNIST::FashionMNIST(Example images_and_labels)
    : TensorDataset(std::move(images_and_labels.data), std::move(images_and_labels.target)) {}

}  // namespace ex::data
