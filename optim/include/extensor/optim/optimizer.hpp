#pragma once
// ex::optim::Optimizer: the base of every optimizer. It owns parameter groups (each with
// its own options), per-parameter state (momentum buffers, Adam's moments), zero_grad and
// an in-memory state_dict, so a concrete optimizer only writes its options and step().
//
// Adding an optimizer (SGD, Adam, AdamW, RMSprop and Adagrad are written this way):
// 1. Derive `FooOptions` from OptimizerOptions: its hyper-parameters with chaining
//    setters, plus clone(), name() ("Foo"), lr()/set_lr(), validate(), visit_fields()
//    (so checkpoints save every hyper-parameter) and, if it has a momentum,
//    cycled_momentum()/set_cycled_momentum().
// 2. Derive `Foo` from Optimizer. Its constructors pass the groups and a copy of the
//    options to Optimizer's protected constructor, which validates everything.
// 3. Write step(): under ex::NoGradGuard, for_each_gradient<FooOptions>(update) hands
//    update each parameter with a defined grad(), its group's options (their type is
//    guaranteed to be the defaults') and its state; run one fused in-place update (a
//    kernel in optim/src) over the parameter, its gradient and the tensors kept in the
//    state under PyTorch's names ("step", "exp_avg", "exp_avg_sq").
// 4. Override check_loaded_state() so load_state_dict rejects state the step cannot use,
//    and loaded_state() if state is kept in another dtype than the parameter's.

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "extensor/core/tensor.hpp"

namespace ex::optim {

// What OptimizerOptions::visit_fields hands each hyper-parameter to, by PyTorch's name
// ("lr", "momentum", "betas.0"): a checkpoint reads the values when saving and assigns
// them when loading.
class OptionsVisitor {
 public:
  virtual void field(std::string_view name, double& value) = 0;
  virtual void field(std::string_view name, bool& value) = 0;

 protected:
  ~OptionsVisitor() = default;
};

// The hyper-parameters of one parameter group. Each optimizer derives its own options
// type (SGDOptions, ...); a group's options always have the optimizer's options type.
class OptimizerOptions {
 public:
  virtual ~OptimizerOptions() = default;
  // A copy of these options with the same dynamic type.
  virtual std::unique_ptr<OptimizerOptions> clone() const = 0;
  // The optimizer these options belong to ("SGD"); error messages of construction use it.
  virtual std::string_view name() const = 0;
  // The learning rate, the one hyper-parameter every optimizer has, so learning-rate
  // schedulers can change it through the base type.
  virtual double lr() const = 0;
  virtual void set_lr(double lr) = 0;
  // The momentum a cyclic schedule varies (SGD's and RMSprop's momentum, Adam's and
  // AdamW's beta1); nullopt for optimizers that have none.
  virtual std::optional<double> cycled_momentum() const { return std::nullopt; }
  // Sets that momentum; throws ex::Error for optimizers that have none.
  virtual void set_cycled_momentum(double momentum);
  // Throws ex::Error whose message starts with fn if a value is out of range.
  virtual void validate(std::string_view fn) const = 0;
  // Calls visitor.field once per hyper-parameter, lr first, always in the same order,
  // with a reference to the value (which the visitor may change; validate afterwards).
  // The default visits lr alone, so an optimizer written outside extensor still
  // checkpoints its learning rate; the built-in options visit all of theirs.
  virtual void visit_fields(OptionsVisitor& visitor);

 protected:
  OptimizerOptions() = default;
  OptimizerOptions(const OptimizerOptions&) = default;
  OptimizerOptions& operator=(const OptimizerOptions&) = default;
};

// Parameters that share options. Without options a group takes a copy of the
// optimizer's defaults when it is added. Copying a group copies its options.
struct ParamGroup {
  std::vector<Tensor> params;
  std::unique_ptr<OptimizerOptions> options;

  explicit ParamGroup(std::vector<Tensor> params_) : params(std::move(params_)) {}
  ParamGroup(std::vector<Tensor> params_, std::unique_ptr<OptimizerOptions> options_)
      : params(std::move(params_)), options(std::move(options_)) {}
  ParamGroup(std::vector<Tensor> params_, const OptimizerOptions& options_)
      : params(std::move(params_)), options(options_.clone()) {}
  ParamGroup(const ParamGroup& other)
      : params(other.params), options(other.options ? other.options->clone() : nullptr) {}
  ParamGroup& operator=(const ParamGroup& other) {
    if (this != &other) *this = ParamGroup(other);
    return *this;
  }
  ParamGroup(ParamGroup&&) noexcept = default;
  ParamGroup& operator=(ParamGroup&&) noexcept = default;
};

// What an optimizer keeps for one parameter, by PyTorch's names ("momentum_buffer").
using ParamState = std::map<std::string, Tensor, std::less<>>;

// A snapshot of an optimizer's state and options, laid out like PyTorch's
// optimizer.state_dict(): parameters are numbered 0, 1, ... over all groups in order.
struct OptimizerStateDict {
  struct Group {
    std::vector<std::int64_t> params;                 // the numbers of the group's parameters
    std::shared_ptr<const OptimizerOptions> options;  // the group's options (a copy)
  };
  std::vector<Group> param_groups;
  std::map<std::int64_t, ParamState> state;  // by parameter number; parameters with state only
};

// The base of all optimizers. Not copyable; it holds handles to the parameters (the
// tensors a model's parameters() returns), never copies of them.
class Optimizer {
 public:
  virtual ~Optimizer() = default;
  Optimizer(const Optimizer&) = delete;
  Optimizer& operator=(const Optimizer&) = delete;

  // Updates every parameter that has a gradient, in place and without recording on the
  // tape. Parameters whose grad() is undefined are skipped. Throws ex::Error "step: ..."
  // if a group's options were changed to invalid values.
  virtual void step() = 0;

  // Clears the gradient of every parameter: set_to_none resets grad() to an undefined
  // tensor (the next backward allocates a fresh one, like PyTorch's default); otherwise
  // each gradient is detached and filled with zeros in place (a tensor shared with the
  // gradient sees the zeros too).
  void zero_grad(bool set_to_none = true);

  // Adds a group of parameters, after every already added. Without options the group
  // gets a copy of defaults(). Throws ex::Error "add_param_group: ..." when a parameter
  // is undefined, not floating, not a leaf, does not require grad, is an expanded view
  // (stride 0 over a dim of size > 1), or already belongs to a group (or twice to this
  // one), naming its position and shape; and when the options have another type than
  // defaults() or invalid values.
  void add_param_group(ParamGroup group);

  // The groups in order. Change hyper-parameters (a learning-rate schedule) through
  // group.options; add parameters only through add_param_group, which validates them.
  std::span<ParamGroup> param_groups() noexcept { return groups_; }
  std::span<const ParamGroup> param_groups() const noexcept { return groups_; }

  // The options new groups copy when they have none.
  const OptimizerOptions& defaults() const noexcept { return *defaults_; }
  OptimizerOptions& defaults() noexcept { return *defaults_; }

  // The state kept for param (by its TensorImpl, so a view of the same data is another
  // parameter), or null if it has none yet (no step saw a gradient for it).
  const ParamState* find_state(const Tensor& param) const;

  // A snapshot of the state (tensors cloned, so later steps do not change it) and of
  // every group's options. Loading it into an optimizer of the same type over the same
  // parameters (or copies of them) makes further steps give the same results.
  OptimizerStateDict state_dict() const;

  // Replaces the state and every group's options with copies of dict's. Throws ex::Error
  // "load_state_dict: ..." when the number of groups, of parameters in a group, the
  // numbering or the options' type differ from this optimizer's, when options are
  // invalid, and when a parameter's state does not fit it (check_loaded_state). Nothing
  // changes when it throws.
  void load_state_dict(const OptimizerStateDict& dict);

 protected:
  // Validates defaults (messages start with defaults.name()), then adds groups in order
  // like add_param_group. Throws ex::Error "<name>: got an empty parameter list" when
  // groups is empty.
  Optimizer(std::vector<ParamGroup> groups, std::unique_ptr<OptimizerOptions> defaults);

  // The state of param, created empty on first use. param must belong to a group.
  ParamState& state_for(const Tensor& param);

  // The loop of a step(): validates every group's options first (messages start with
  // "step", and nothing is updated when one throws), then calls update(param, grad,
  // options, state) for each parameter with a defined gradient, group by group, with the
  // group's options as Options (the defaults' type) and state_for(param). The caller
  // holds the ex::NoGradGuard.
  template <class Options, class Update>
  void for_each_gradient(Update&& update) {
    for (const ParamGroup& group : groups_) group.options->validate("step");
    for (const ParamGroup& group : groups_) {
      const auto& options = static_cast<const Options&>(*group.options);
      for (const Tensor& param : group.params) {
        const Tensor grad = param.grad();
        if (grad.defined()) update(param, grad, options, state_for(param));
      }
    }
  }

  // Called by load_state_dict for each parameter with state, after loaded_state() made
  // the copies: throws ex::Error "load_state_dict: ..." if the state is not what step()
  // expects. The default accepts anything.
  virtual void check_loaded_state(const Tensor& param, std::int64_t number, const ParamState& state) const;

  // Called by load_state_dict for each defined state tensor `saved`, named name, of
  // parameter number: the copy this optimizer keeps. The default converts floating state
  // to the parameter's dtype, as PyTorch does, and clones the rest (integer "step"
  // counters); an override may keep another dtype (float32 moments of half-precision
  // parameters) and throw ex::Error "load_state_dict: ..." for a value it cannot take.
  virtual Tensor loaded_state(const Tensor& param, std::int64_t number, std::string_view name,
                              const Tensor& saved) const;

 private:
  void add_group(ParamGroup group, std::string_view fn);

  std::unique_ptr<OptimizerOptions> defaults_;
  std::vector<ParamGroup> groups_;
  // Keyed by the parameter's TensorImpl; the owning key keeps the address from being
  // reused by another tensor while the state exists.
  std::unordered_map<std::shared_ptr<TensorImpl>, ParamState> state_;
};

}  // namespace ex::optim
