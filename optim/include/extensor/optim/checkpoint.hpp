#pragma once
// ex::optim::Checkpoint: a whole training state in one safetensors file (ex::save), so a
// stopped run resumes exactly where it was. A Checkpoint names the live objects to save
// from and restore into, each under its own name:
//
//   std::int64_t epoch = 0;
//   ex::optim::Checkpoint checkpoint;
//   checkpoint.model(*model).optimizer(sgd).scheduler(cosine)
//       .generator("default", ex::default_generator()).counter("epoch", epoch);
//   checkpoint.save("run.safetensors");   // after each epoch; atomic
//   checkpoint.load("run.safetensors");   // before training, to resume
//
// The file holds, as tensors named "<part>.<entry>":
//   model:      "<name>.<state dict key>", the module's parameters and buffers;
//   optimizer:  "<name>.param_groups.<g>.params" (int64 parameter numbers) and
//               "<name>.param_groups.<g>.<hyper-parameter>" (float64 or bool scalars, by
//               OptimizerOptions::visit_fields), "<name>.state.<number>.<state>" (PyTorch's
//               state names: "momentum_buffer", "exp_avg", "step", ...);
//   scheduler:  "<name>.<key>", a float64 vector per entry of its state_dict();
//   generator:  "<name>", uint64 [2] (Generator::state());
//   counter:    "<name>", an int64 scalar;  series: "<name>", a float64 vector;
// and the metadata "format" = "extensor.checkpoint.v1" and "<optimizer name>.type" = the
// options' name ("SGD"), next to the caller's metadata. Nothing depends on time, host or
// address: equal states give byte-identical files.

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "extensor/core/random.hpp"
#include "extensor/nn/module.hpp"
#include "extensor/nn/serialize.hpp"
#include "extensor/optim/optimizer.hpp"

namespace ex::optim {

class LRScheduler;
class ReduceLROnPlateau;

// The parts of a training state, by reference: every registered object must outlive the
// Checkpoint (or at least its save and load calls). Registration order is file order.
class Checkpoint {
 public:
  // Each registration throws ex::Error "Checkpoint::<part>: ..." for a name that is empty,
  // contains '.', is "format", or is already registered.
  Checkpoint& model(nn::Module& module, const std::string& name = "model");
  Checkpoint& optimizer(Optimizer& optimizer, const std::string& name = "optimizer");
  Checkpoint& scheduler(LRScheduler& scheduler, const std::string& name = "scheduler");
  Checkpoint& scheduler(ReduceLROnPlateau& scheduler, const std::string& name = "scheduler");
  Checkpoint& generator(const std::string& name, Generator& generator);
  Checkpoint& counter(const std::string& name, std::int64_t& value);
  Checkpoint& series(const std::string& name, std::vector<double>& values);

  // Writes every part's current state to path, atomically (ex::save). metadata is added
  // to the file's; throws ex::Error "Checkpoint::save: ..." for a key of metadata that the
  // checkpoint writes itself ("format", "<optimizer>.type"), and like ex::save.
  void save(const std::string& path, const Metadata& metadata = {}) const;

  // Restores every part from the file at path, all or nothing: when it throws, every
  // registered object is as it was. Throws ex::Error "Checkpoint::load: <path>: ..." for a
  // file that is not a checkpoint ("format"), an entry no registered part owns, a part
  // with missing entries, an optimizer of another type, hyper-parameters or counters of
  // the wrong dtype or shape, a model or optimizer state that does not fit (naming what
  // Module::load_state_dict / Optimizer::load_state_dict / the scheduler's
  // load_state_dict report), and like ex::load for a malformed file. Returns the file's
  // metadata.
  Metadata load(const std::string& path);

 private:
  // One registered part: how it writes its entries and restores them.
  struct Part {
    std::string name;
    std::string kind;  // "model", "optimizer", ...: the registration function's name
    // Appends the part's entries (names without the "<name>." prefix) and metadata.
    std::function<void(nn::StateDict&, Metadata&)> write;
    // Checks the part's entries (prefix removed) and metadata without changing anything,
    // and returns the action that applies them (which may still throw, as
    // Module::load_state_dict does); throws ex::Error naming the problem.
    std::function<std::function<void()>(const nn::StateDict&, const Metadata&)> prepare;
    // A snapshot of the current state, as an action that puts it back.
    std::function<std::function<void()>()> snapshot;
  };

  Checkpoint& add(Part part);
  template <class Scheduler>
  Checkpoint& add_scheduler(Scheduler& scheduler, const std::string& name);

  std::vector<Part> parts_;
};

}  // namespace ex::optim
