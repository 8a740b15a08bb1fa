#pragma once
// The training driver the Fashion-MNIST main jobs share (fashion_mnist_mlp,
// fashion_mnist_cnn): command line, data, SGD with momentum and an optional cosine
// schedule, progress bar, per-epoch evaluation, metrics CSV, checkpoints and resume. Each
// program only says how to build its model. Uses only the public headers.
//
//   <job> [--epochs 10] [--batch-size 64] [--lr L] [--momentum 0.9] [--schedule cosine|constant]
//         [--dropout P] [--threads N] [--seed 0] [--data-dir DIR] [--limit N] [--metrics FILE]
//         [--min-accuracy A] [--save FILE] [--resume FILE] [--stop-after K]
// The learning rate follows a cosine from --lr down to 0 over all steps
// (ex::optim::CosineAnnealingLR stepped per batch); --schedule constant keeps it fixed.
// Prints a progress bar with loss, throughput and ETA on a terminal (plain lines
// otherwise), the test accuracy after each epoch and a last line "final test accuracy X",
// and writes a metrics CSV (epoch, train_loss, test_loss, test_accuracy, seconds) to
// --metrics, by default <job's csv name> next to the executable: in the build tree, so a
// run from the repository root leaves the checkout clean.
// --min-accuracy exits with status 1 unless the final test accuracy reaches A (CI smoke).
// --save writes a checkpoint (ex::optim::Checkpoint: weights and buffers, optimizer,
// schedule, the random generator, the epoch and the metrics so far) after every epoch;
// --resume FILE continues the run saved in FILE up to --epochs (the total), refusing a
// file saved with other settings. A resumed run ends with the weights and metrics, bit
// for bit, of one that was never stopped (at the same thread count); its CSV repeats the
// saved epochs' metrics with the seconds left empty. --stop-after K ends the run after
// epoch K, as a kill would, for testing resume. Errors exit with status 2.
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <charconv>
#include <chrono>
#include <cstdio>
#include <extensor/extensor.hpp>
#include <filesystem>
#include <fstream>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace fashion_mnist {

using Clock = std::chrono::steady_clock;
using ex::Tensor;

// What differs between the jobs.
struct Job {
  std::string name;          // the program's name, in messages
  std::string description;   // --help's first line
  std::string metrics_file;  // default CSV name, next to the executable
  double lr;                 // default --lr
  double dropout;            // default --dropout
  // Builds the model for --dropout p; its input is a batch of images [N, 1, 28, 28].
  std::function<ex::nn::Sequential(double dropout)> make_model;
};

inline double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

// file_name in the executable's folder (Linux's /proc/self/exe; else the folder argv[0]
// names, or the current one).
inline std::string next_to_executable(const char* argv0, const std::string& file_name) {
  namespace fs = std::filesystem;
  std::error_code ec;
  fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  if (ec || exe.empty()) exe = fs::path(argv0 != nullptr ? argv0 : "");
  return (exe.parent_path() / file_name).string();
}

// One line, redrawn in place on a terminal; every tenth of the epoch otherwise.
class Progress {
 public:
  Progress(std::int64_t epoch, std::int64_t epochs, std::int64_t batches)
      : epoch_(epoch), epochs_(epochs), batches_(batches), tty_(isatty(fileno(stdout)) != 0), start_(Clock::now()) {}
  void update(std::int64_t done, std::int64_t examples, double mean_loss) {
    const double elapsed = seconds_since(start_);
    const bool milestone = done == batches_ || done % std::max<std::int64_t>(batches_ / 10, 1) == 0;
    if (!tty_ && !milestone) return;
    const int width = 30;
    const int filled = static_cast<int>(width * done / std::max<std::int64_t>(batches_, 1));
    const double eta = done > 0 ? elapsed / static_cast<double>(done) * static_cast<double>(batches_ - done) : 0;
    std::printf("%sepoch %lld/%lld [%s%s] %lld/%lld  loss %.4f  %.0f img/s  ETA %.1fs%s", tty_ ? "\r" : "",
                static_cast<long long>(epoch_), static_cast<long long>(epochs_), std::string(filled, '#').c_str(),
                std::string(width - filled, '.').c_str(), static_cast<long long>(done),
                static_cast<long long>(batches_), mean_loss, static_cast<double>(examples) / std::max(elapsed, 1e-9),
                eta, tty_ ? "" : "\n");
    if (tty_ && done == batches_) std::printf("\n");
    std::fflush(stdout);
  }

 private:
  std::int64_t epoch_, epochs_, batches_;
  bool tty_;
  Clock::time_point start_;
};

// The settings a checkpoint must have been saved with to be resumed: all but where the
// data, metrics and checkpoints are, the thread count and when to stop. Numbers are
// written in their shortest exact form, so equal settings give equal strings.
inline std::string setting(double value) {
  char text[32];
  const auto end = std::to_chars(text, text + sizeof text, value).ptr;  // shortest exact form
  return std::string(text, end);
}

// Per-epoch metrics, kept in the checkpoint so a resumed run's CSV is complete.
struct History {
  std::vector<double> train_loss, test_loss, test_accuracy;
};

struct Evaluation {
  double loss;
  double accuracy;
};

// Mean loss and accuracy over the test set, in evaluation mode and without recording.
inline Evaluation evaluate(ex::nn::Sequential& model, const ex::data::FashionMNIST& test) {
  ex::NoGradGuard no_grad;
  model->eval();
  ex::data::DataLoader loader(std::shared_ptr<const ex::data::Dataset>(&test, [](const ex::data::Dataset*) {}),
                              ex::data::DataLoaderOptions(1000));
  double loss_sum = 0, correct = 0;
  for (const ex::data::Example& batch : loader) {
    const Tensor logits = model(batch.data);
    loss_sum += ex::cross_entropy(logits, batch.target, Tensor(), -100, ex::Reduction::Sum).item<double>();
    correct += ex::sum(ex::equal(ex::argmax(logits, 1), batch.target)).item<double>();
  }
  model->train();
  const auto n = static_cast<double>(test.size());
  return {loss_sum / n, correct / n};
}

// The settings of a run, from the command line.
struct Settings {
  std::int64_t epochs = 10, batch_size = 64, limit = 0, stop_after = 0;
  double lr = 0, momentum = 0.9, dropout = 0, min_accuracy = -1;
  std::string schedule = "cosine";
  int threads = 0;
  std::uint64_t seed = 0;
  std::string data_dir = ex::data::FashionMNIST::kDefaultRoot, metrics_path, save_path, resume_path;

  // What a checkpoint records and a resume must match.
  ex::Metadata metadata() const {
    return {{"setting.epochs", setting(static_cast<double>(epochs))},
            {"setting.batch_size", setting(static_cast<double>(batch_size))},
            {"setting.lr", setting(lr)},
            {"setting.momentum", setting(momentum)},
            {"setting.schedule", schedule},
            {"setting.dropout", setting(dropout)},
            {"setting.seed", std::to_string(seed)},
            {"setting.limit", setting(static_cast<double>(limit))}};
  }
};

// Trains job.make_model's model as the command line says; returns the exit status.
inline int run(const Job& job, int argc, char** argv) {
  CLI::App app{job.description};
  Settings s;
  s.lr = job.lr;
  s.dropout = job.dropout;
  s.metrics_path = next_to_executable(argv[0], job.metrics_file);
  app.add_option("--epochs", s.epochs, "passes over the training set")->check(CLI::Range(1, 1000));
  app.add_option("--batch-size", s.batch_size, "examples per step")->check(CLI::Range(1, 60000));
  app.add_option("--lr", s.lr, "learning rate")->check(CLI::Range(0.0, 10.0));
  app.add_option("--schedule", s.schedule, "learning-rate schedule: cosine (from --lr to 0 over all steps) or constant")
      ->check(CLI::IsMember({"cosine", "constant"}));
  app.add_option("--momentum", s.momentum, "SGD momentum")->check(CLI::Range(0.0, 1.0));
  app.add_option("--dropout", s.dropout, "dropout probability (0: none)")->check(CLI::Range(0.0, 0.99));
  app.add_option("--threads", s.threads, "threads (0: the default)")->check(CLI::Range(0, 1024));
  app.add_option("--seed", s.seed, "seed of initialization, shuffling and dropout");
  app.add_option("--data-dir", s.data_dir, "folder with the four *-ubyte.gz files");
  app.add_option("--limit", s.limit, "use only the first N training images (0: all)")->check(CLI::Range(0, 60000));
  app.add_option("--metrics", s.metrics_path, "metrics CSV to write (default: next to this executable)");
  app.add_option("--min-accuracy", s.min_accuracy, "exit 1 unless the final test accuracy reaches this");
  app.add_option("--save", s.save_path, "write a checkpoint to this file after every epoch");
  app.add_option("--resume", s.resume_path, "continue the run saved in this checkpoint up to --epochs");
  app.add_option("--stop-after", s.stop_after, "stop after this epoch, as if killed (0: never)")
      ->check(CLI::Range(0, 1000));
  CLI11_PARSE(app, argc, argv);

  try {
    if (s.threads > 0) ex::set_num_threads(s.threads);
    ex::manual_seed(s.seed);
    auto load_start = Clock::now();
    auto train = std::make_shared<ex::data::FashionMNIST>(s.data_dir, true);
    const ex::data::FashionMNIST test(s.data_dir, false);
    std::shared_ptr<const ex::data::Dataset> train_set = train;
    if (s.limit > 0 && s.limit < train->size())
      train_set = std::make_shared<ex::data::TensorDataset>(train->images().slice(0, 0, s.limit),
                                                            train->labels().slice(0, 0, s.limit));
    std::printf("data: %lld training and %lld test images from %s (%.2fs)\n", static_cast<long long>(train_set->size()),
                static_cast<long long>(test.size()), s.data_dir.c_str(), seconds_since(load_start));

    ex::nn::Sequential model = job.make_model(s.dropout);
    std::printf("%s", ex::nn::summary(model, {1, 1, 28, 28}).c_str());
    ex::optim::SGD optimizer(model->parameters(), ex::optim::SGDOptions(s.lr).momentum(s.momentum));
    ex::nn::CrossEntropyLoss criterion;
    ex::data::DataLoader loader(train_set, ex::data::DataLoaderOptions(s.batch_size).shuffle(true).seed(s.seed));

    // One scheduler step per batch, so batch k trains at 0.5 * lr * (1 + cos(pi * k /
    // total_steps)) (computed recursively, as PyTorch does, so up to rounding).
    std::optional<ex::optim::CosineAnnealingLR> scheduler;
    if (s.schedule == "cosine") scheduler.emplace(optimizer, s.epochs * loader.num_batches());

    std::int64_t epochs_done = 0;
    History history;
    ex::optim::Checkpoint checkpoint;
    checkpoint.model(*model).optimizer(optimizer);
    if (scheduler) checkpoint.scheduler(*scheduler);
    checkpoint.generator("default_generator", ex::default_generator())
        .counter("epoch", epochs_done)
        .series("train_loss", history.train_loss)
        .series("test_loss", history.test_loss)
        .series("test_accuracy", history.test_accuracy);
    const ex::Metadata settings = s.metadata();
    if (!s.resume_path.empty()) {
      const ex::Metadata saved = ex::load_metadata(s.resume_path);
      for (const auto& [key, value] : settings) {
        const auto found = saved.find(key);
        if (found == saved.end() || found->second != value)
          throw ex::Error(s.resume_path + " was saved with " + key.substr(8) + " " +
                          (found == saved.end() ? std::string("unset") : found->second) + ", not " + value);
      }
      checkpoint.load(s.resume_path);
      loader.set_epoch(epochs_done);
      std::printf("resumed %s after epoch %lld\n", s.resume_path.c_str(), static_cast<long long>(epochs_done));
    }

    std::ofstream metrics(s.metrics_path);
    if (!metrics) throw ex::Error(job.name + ": cannot write " + s.metrics_path);
    metrics << "epoch,train_loss,test_loss,test_accuracy,seconds\n";
    for (std::size_t e = 0; e < history.train_loss.size(); ++e)
      metrics << e + 1 << ',' << history.train_loss[e] << ',' << history.test_loss[e] << ',' << history.test_accuracy[e]
              << ",\n";
    Evaluation last{history.test_loss.empty() ? 0.0 : history.test_loss.back(),
                    history.test_accuracy.empty() ? 0.0 : history.test_accuracy.back()};
    for (std::int64_t epoch = epochs_done + 1; epoch <= s.epochs; ++epoch) {
      Progress progress(epoch, s.epochs, loader.num_batches());
      const auto start = Clock::now();
      double loss_sum = 0;
      std::int64_t batches = 0, examples = 0;
      for (const ex::data::Example& batch : loader) {
        const Tensor loss = criterion(model(batch.data), batch.target);
        optimizer.zero_grad();
        loss.backward();
        optimizer.step();
        if (scheduler) scheduler->step();
        loss_sum += loss.item<double>();
        examples += batch.target.numel();
        ++batches;
        progress.update(batches, examples, loss_sum / static_cast<double>(batches));
      }
      const double train_seconds = seconds_since(start);
      last = evaluate(model, test);
      const double train_loss = loss_sum / static_cast<double>(batches);
      std::printf("epoch %lld: train loss %.4f, test loss %.4f, test accuracy %.4f, %.2fs (%.0f img/s)\n",
                  static_cast<long long>(epoch), train_loss, last.loss, last.accuracy, train_seconds,
                  static_cast<double>(examples) / train_seconds);
      metrics << epoch << ',' << train_loss << ',' << last.loss << ',' << last.accuracy << ',' << train_seconds << '\n';
      metrics.flush();
      epochs_done = epoch;
      history.train_loss.push_back(train_loss);
      history.test_loss.push_back(last.loss);
      history.test_accuracy.push_back(last.accuracy);
      if (!s.save_path.empty()) checkpoint.save(s.save_path, settings);
      if (epoch == s.stop_after) {
        std::printf("stopped after epoch %lld (--stop-after)\n", static_cast<long long>(epoch));
        return 0;
      }
    }
    std::printf("final test accuracy %.4f; metrics in %s\n", last.accuracy, s.metrics_path.c_str());
    if (s.min_accuracy >= 0 && last.accuracy < s.min_accuracy) {
      std::printf("test accuracy %.4f is below --min-accuracy %.4f\n", last.accuracy, s.min_accuracy);
      return 1;
    }
  } catch (const ex::Error& e) {
    std::fprintf(stderr, "%s: %s\n", job.name.c_str(), e.what());
    return 2;
  }
  return 0;
}

}  // namespace fashion_mnist
