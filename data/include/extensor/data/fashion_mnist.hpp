#pragma once
// IDX files (the MNIST family's format) and the Fashion-MNIST dataset.

#include <string>

#include "extensor/data/dataset.hpp"

namespace ex::data {

// Reads a gzip'd IDX file: a big-endian header (two zero bytes, a type code, the rank,
// then one uint32 size per dim) followed by exactly the product of the sizes in elements,
// big-endian. Returns a new contiguous tensor of the header's dims and the type code's
// dtype: 0x08 uint8, 0x09 int8, 0x0B int16, 0x0C int32, 0x0D float32, 0x0E float64
// (MNIST images are uint8 [N, 28, 28], labels uint8 [N]). Throws ex::Error
// "read_idx: <path>: ..." when the file is missing or unreadable, is not gzip, the gzip
// stream is corrupt, the header is short or has a bad magic number (nonzero leading
// bytes, unknown type code), or the payload is shorter or longer than the dims say.
Tensor read_idx(const std::string& path);

// Fashion-MNIST (Xiao et al. 2017): 28x28 grey images of clothes in 10 classes, 60000
// for training and 10000 for testing, read from the four IDX files of the original
// distribution (Debian's dataset-fashion-mnist installs them in the default root).
// Example i is (image [1, 28, 28] float32 in [0, 1], label int64 rank 0); get_batch()
// copies whole rows (TensorDataset's gather).
class FashionMNIST : public TensorDataset {
 public:
  static constexpr const char* kDefaultRoot = "/usr/share/datasets/fashion-mnist";
  static constexpr std::int64_t kClasses = 10;
  static constexpr std::int64_t kRows = 28;
  static constexpr std::int64_t kCols = 28;

  // Reads root/train-images-idx3-ubyte.gz and root/train-labels-idx1-ubyte.gz (train) or
  // the t10k-* pair (test). Pixels are scaled to [0, 1] (byte / 255, like torchvision's
  // ToTensor). Throws ex::Error naming the file and the problem: read_idx's errors, a
  // magic number other than 2051 (images) or 2049 (labels), images not [N, 28, 28],
  // image and label counts that differ, a label outside 0..9.
  explicit FashionMNIST(const std::string& root = kDefaultRoot, bool train = true);

  // All images, float32 [N, 1, 28, 28] in [0, 1].
  const Tensor& images() const { return data(); }
  // All labels, int64 [N] in 0..9.
  const Tensor& labels() const { return targets(); }

 private:
  explicit FashionMNIST(Example images_and_labels);
};

}  // namespace ex::data
