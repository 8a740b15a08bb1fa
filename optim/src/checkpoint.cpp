// Checkpoint: each part writes its entries under its name and restores them; load checks
// every part before applying any, and puts the applied ones back if a later one throws.

#include "extensor/optim/checkpoint.hpp"

#include <algorithm>
#include <charconv>
#include <map>
#include <ranges>
#include <utility>

#include "common/check.hpp"
#include "extensor/core/creation.hpp"
#include "extensor/optim/lr_scheduler.hpp"
#include "extensor/optim/reduce_lr_on_plateau.hpp"

namespace ex::optim {

namespace {

using detail::fail;
using Action = std::function<void()>;

constexpr const char* kFormatKey = "format";
constexpr const char* kFormat = "extensor.checkpoint.v1";
// The key a one-tensor part (generator, counter, series) gives its entry, which the file
// names after the part alone. StateDict keys cannot be empty; part names cannot hold '.'.
const std::string kWhole = ".";

std::string describe(const Tensor& t) { return fmt::format("{} {}", dtype_name(t.dtype()), t.shape().str()); }

// entries[key], which must exist with dtype and rank; what names it in errors.
const Tensor& expect(const nn::StateDict& entries, const std::string& key, DType dtype, std::int64_t rank,
                     const std::string& what) {
  if (!entries.contains(key)) fail("{} is missing", what);
  const Tensor& t = entries.at(key);
  if (t.dtype() != dtype || t.dim() != rank)
    fail("{} must be a rank-{} {} tensor, got {}", what, rank, dtype_name(dtype), describe(t));
  return t;
}

// A non-negative decimal number without leading zeros ("0", "12"), so each number has
// one spelling; nullopt otherwise.
std::optional<std::int64_t> parse_index(std::string_view text) {
  if (text.empty() || (text.size() > 1 && text[0] == '0')) return std::nullopt;
  std::int64_t value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

// "<prefix>.<index>.<rest>" split into (index, rest); nullopt when key has another form.
std::optional<std::pair<std::int64_t, std::string>> split_indexed(const std::string& key, std::string_view prefix) {
  if (key.size() <= prefix.size() + 1 || key.compare(0, prefix.size(), prefix) != 0 || key[prefix.size()] != '.')
    return std::nullopt;
  const std::size_t dot = key.find('.', prefix.size() + 1);
  if (dot == std::string::npos || dot + 1 == key.size()) return std::nullopt;
  const auto index = parse_index(std::string_view(key).substr(prefix.size() + 1, dot - prefix.size() - 1));
  if (!index) return std::nullopt;
  return std::pair{*index, key.substr(dot + 1)};
}

// Writes each hyper-parameter of a group as a scalar tensor "param_groups.<g>.<name>".
class FieldWriter final : public OptionsVisitor {
 public:
  FieldWriter(nn::StateDict& out, std::string prefix) : out_(out), prefix_(std::move(prefix)) {}
  void field(std::string_view name, double& value) override {
    out_.insert(prefix_ + std::string(name), scalar_tensor(value, DType::Float64));
  }
  void field(std::string_view name, bool& value) override {
    out_.insert(prefix_ + std::string(name), scalar_tensor(value ? 1.0 : 0.0, DType::Bool));
  }

 private:
  nn::StateDict& out_;
  std::string prefix_;
};

// Assigns each hyper-parameter from its scalar tensor; a missing or mistyped one throws.
class FieldReader final : public OptionsVisitor {
 public:
  FieldReader(const nn::StateDict& entries, std::string prefix) : entries_(entries), prefix_(std::move(prefix)) {}
  void field(std::string_view name, double& value) override { value = read(name, DType::Float64).item<double>(); }
  void field(std::string_view name, bool& value) override { value = read(name, DType::Bool).item<bool>(); }
  std::size_t fields_read() const { return fields_read_; }

 private:
  const Tensor& read(std::string_view name, DType dtype) {
    const std::string key = prefix_ + std::string(name);
    ++fields_read_;
    return expect(entries_, key, dtype, 0, "hyper-parameter " + key);
  }
  const nn::StateDict& entries_;
  std::string prefix_;
  std::size_t fields_read_ = 0;
};

void write_optimizer(const Optimizer& optimizer, const std::string& name, nn::StateDict& out, Metadata& metadata) {
  metadata[name + ".type"] = std::string(optimizer.defaults().name());
  const OptimizerStateDict dict = optimizer.state_dict();
  for (std::size_t g = 0; g < dict.param_groups.size(); ++g) {
    const std::string prefix = fmt::format("param_groups.{}.", g);
    out.insert(prefix + "params", tensor(dict.param_groups[g].params));
    FieldWriter writer(out, prefix);
    dict.param_groups[g].options->clone()->visit_fields(writer);
  }
  for (const auto& [number, state] : dict.state)
    for (const auto& [state_name, value] : state)
      if (value.defined()) out.insert(fmt::format("state.{}.{}", number, state_name), value);
}

// The optimizer state dict the entries describe, with each group's options a copy of the
// live group's (so of the optimizer's type) with the saved values assigned.
OptimizerStateDict read_optimizer(const Optimizer& optimizer, const std::string& name, const nn::StateDict& entries,
                                  const Metadata& metadata) {
  const auto type = metadata.find(name + ".type");
  const std::string_view expected = optimizer.defaults().name();
  if (type == metadata.end()) fail("the metadata has no {}.type (the optimizer's type)", name);
  if (type->second != expected) fail("{} was saved from a {} optimizer, not {}", name, type->second, expected);

  std::map<std::int64_t, std::size_t> group_entries;  // entries per group
  OptimizerStateDict dict;
  for (const auto& [key, value] : entries) {
    if (const auto group = split_indexed(key, "param_groups")) {
      ++group_entries[group->first];
    } else if (const auto state = split_indexed(key, "state")) {
      dict.state[state->first][state->second] = value;
    } else {
      fail("unexpected entry {}.{}", name, key);
    }
  }
  const auto groups = optimizer.param_groups();
  const auto saved_groups = static_cast<std::int64_t>(group_entries.size());
  if (saved_groups != static_cast<std::int64_t>(groups.size()) ||
      (saved_groups > 0 && group_entries.rbegin()->first != saved_groups - 1))
    fail("{} has parameter groups numbered {}, but the optimizer has {} group(s)", name,
         fmt::join(std::views::keys(group_entries), ", "), groups.size());
  for (std::size_t g = 0; g < groups.size(); ++g) {
    const std::string prefix = fmt::format("param_groups.{}.", g);
    const Tensor& params = expect(entries, prefix + "params", DType::Int64, 1, name + "." + prefix + "params");
    std::unique_ptr<OptimizerOptions> options = groups[g].options->clone();
    FieldReader reader(entries, prefix);
    options->visit_fields(reader);
    if (group_entries[static_cast<std::int64_t>(g)] != reader.fields_read() + 1)
      fail("{}.{}* has entries that are not hyper-parameters of {}", name, prefix, expected);
    dict.param_groups.push_back({params.to_vector<std::int64_t>(), std::move(options)});
  }
  return dict;
}

SchedulerStateDict read_scheduler(const std::string& name, const nn::StateDict& entries) {
  SchedulerStateDict dict;
  for (const auto& [key, value] : entries)
    dict[key] = expect(entries, key, DType::Float64, 1, name + "." + key).to_vector<double>();
  return dict;
}

// The single entry of a one-tensor part (named by the part itself).
const Tensor& single_entry(const nn::StateDict& entries, const std::string& name, DType dtype, std::int64_t rank) {
  for (const auto& [key, value] : entries)
    if (key != kWhole) fail("unexpected entry {}.{}", name, key);
  return expect(entries, kWhole, dtype, rank, name);
}

}  // namespace

Checkpoint& Checkpoint::add(Part part) {
  const std::string fn = "Checkpoint::" + part.kind;
  if (part.name.empty()) fail("{}: the name is empty", fn);
  if (part.name.find('.') != std::string::npos) fail("{}: the name '{}' contains '.'", fn, part.name);
  if (part.name == kFormatKey) fail("{}: the name '{}' is reserved for the file's format", fn, part.name);
  for (const Part& other : parts_)
    if (other.name == part.name) fail("{}: '{}' is already registered (as a {})", fn, part.name, other.kind);
  parts_.push_back(std::move(part));
  return *this;
}

Checkpoint& Checkpoint::model(nn::Module& module, const std::string& name) {
  return add({name, "model",
              [&module](nn::StateDict& out, Metadata&) {
                for (const auto& [key, value] : module.state_dict()) out.insert(key, value);
              },
              [&module](const nn::StateDict& entries, const Metadata&) -> Action {
                return [&module, entries] { module.load_state_dict(entries, /*strict=*/true); };
              },
              [&module]() -> Action {
                nn::StateDict copy;
                for (const auto& [key, value] : module.state_dict()) copy.insert(key, value.clone());
                return [&module, copy] { module.load_state_dict(copy, /*strict=*/true); };
              }});
}

Checkpoint& Checkpoint::optimizer(Optimizer& optimizer, const std::string& name) {
  return add(
      {name, "optimizer",
       [&optimizer, name](nn::StateDict& out, Metadata& metadata) { write_optimizer(optimizer, name, out, metadata); },
       [&optimizer, name](const nn::StateDict& entries, const Metadata& metadata) -> Action {
         return [&optimizer, dict = read_optimizer(optimizer, name, entries, metadata)] {
           optimizer.load_state_dict(dict);
         };
       },
       [&optimizer]() -> Action {
         return [&optimizer, dict = optimizer.state_dict()] { optimizer.load_state_dict(dict); };
       }});
}

template <class Scheduler>
Checkpoint& Checkpoint::add_scheduler(Scheduler& scheduler, const std::string& name) {
  return add({name, "scheduler",
              [&scheduler](nn::StateDict& out, Metadata&) {
                for (const auto& [key, values] : scheduler.state_dict()) out.insert(key, tensor(values));
              },
              [&scheduler, name](const nn::StateDict& entries, const Metadata&) -> Action {
                return [&scheduler, dict = read_scheduler(name, entries)] { scheduler.load_state_dict(dict); };
              },
              [&scheduler]() -> Action {
                return [&scheduler, dict = scheduler.state_dict()] { scheduler.load_state_dict(dict); };
              }});
}

Checkpoint& Checkpoint::scheduler(LRScheduler& scheduler, const std::string& name) {
  return add_scheduler(scheduler, name);
}

Checkpoint& Checkpoint::scheduler(ReduceLROnPlateau& scheduler, const std::string& name) {
  return add_scheduler(scheduler, name);
}

Checkpoint& Checkpoint::generator(const std::string& name, Generator& generator) {
  return add(
      {name, "generator",
       [&generator](nn::StateDict& out, Metadata&) {
         const auto state = generator.state();
         out.insert(kWhole, tensor(std::vector<std::uint64_t>(state.begin(), state.end())));
       },
       [&generator, name](const nn::StateDict& entries, const Metadata&) -> Action {
         const Tensor& t = single_entry(entries, name, DType::UInt64, 1);
         if (t.numel() != 2) fail("{} must hold 2 values (seed, counter), got {}", name, t.numel());
         const auto v = t.to_vector<std::uint64_t>();
         return [&generator, state = std::array<std::uint64_t, 2>{v[0], v[1]}] { generator.set_state(state); };
       },
       [&generator]() -> Action { return [&generator, state = generator.state()] { generator.set_state(state); }; }});
}

Checkpoint& Checkpoint::counter(const std::string& name, std::int64_t& value) {
  return add({name, "counter",
              [&value](nn::StateDict& out, Metadata&) {
                out.insert(kWhole, tensor(std::vector<std::int64_t>{value}, Shape{}));
              },
              [&value, name](const nn::StateDict& entries, const Metadata&) -> Action {
                return [&value, saved = single_entry(entries, name, DType::Int64, 0).item<std::int64_t>()] {
                  value = saved;
                };
              },
              [&value]() -> Action { return [&value, old = value] { value = old; }; }});
}

Checkpoint& Checkpoint::series(const std::string& name, std::vector<double>& values) {
  return add({name, "series", [&values](nn::StateDict& out, Metadata&) { out.insert(kWhole, tensor(values)); },
              [&values, name](const nn::StateDict& entries, const Metadata&) -> Action {
                return [&values, saved = single_entry(entries, name, DType::Float64, 1).to_vector<double>()] {
                  values = saved;
                };
              },
              [&values]() -> Action { return [&values, old = values] { values = old; }; }});
}

void Checkpoint::save(const std::string& path, const Metadata& metadata) const {
  nn::StateDict out;
  Metadata meta{{kFormatKey, kFormat}};
  for (const Part& part : parts_) {
    nn::StateDict entries;
    part.write(entries, meta);
    for (const auto& [key, value] : entries) out.insert(key == kWhole ? part.name : part.name + "." + key, value);
  }
  for (const auto& [key, value] : metadata) {
    if (meta.contains(key)) fail("Checkpoint::save: {}: the metadata key '{}' is the checkpoint's own", path, key);
    meta.emplace(key, value);
  }
  ex::save(out, path, meta);
}

Metadata Checkpoint::load(const std::string& path) {
  const nn::StateDict file = ex::load(path);
  const Metadata metadata = load_metadata(path);
  std::vector<Action> apply;
  try {
    const auto format = metadata.find(kFormatKey);
    if (format == metadata.end() || format->second != kFormat)
      fail("not a checkpoint (its metadata has no \"{}\": \"{}\")", kFormatKey, kFormat);
    std::vector<nn::StateDict> entries(parts_.size());
    for (const auto& [key, value] : file) {
      const std::string part_name = key.substr(0, key.find('.'));
      const auto part = std::find_if(parts_.begin(), parts_.end(), [&](const Part& p) { return p.name == part_name; });
      if (part == parts_.end()) fail("entry {} belongs to no registered part", key);
      entries[static_cast<std::size_t>(part - parts_.begin())].insert(
          key.size() == part_name.size() ? kWhole : key.substr(part_name.size() + 1), value);
    }
    for (std::size_t i = 0; i < parts_.size(); ++i) apply.push_back(parts_[i].prepare(entries[i], metadata));
  } catch (const Error& e) {
    fail("Checkpoint::load: {}: {}", path, e.what());
  }
  std::vector<Action> undo;
  for (const Part& part : parts_) undo.push_back(part.snapshot());
  std::size_t applied = 0;
  try {
    for (; applied < apply.size(); ++applied) apply[applied]();
  } catch (const Error& e) {
    for (std::size_t i = 0; i < applied; ++i) undo[i]();
    fail("Checkpoint::load: {}: {} '{}': {}", path, parts_[applied].kind, parts_[applied].name, e.what());
  }
  return metadata;
}

}  // namespace ex::optim
