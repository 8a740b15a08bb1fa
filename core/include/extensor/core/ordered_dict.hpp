#pragma once
// ex::OrderedDict: an insertion-ordered map with unique keys, like torch::OrderedDict
// (what Module::named_parameters() and friends return).

#include <cstddef>
#include <string>
#include <string_view>
#include <type_traits>
#include <unordered_map>
#include <utility>
#include <vector>

#include "extensor/core/error.hpp"

namespace ex {

// Keeps items in insertion order and finds them by key in O(1). Items are pairs, so
//   for (const auto& [name, tensor] : module.named_parameters()) ...
// works, and item.key() / item.value() work too (libtorch's spelling). Lookups of a
// missing key throw ex::Error naming the key and a few of the keys present. Keys must
// not be modified through an item: the index would no longer find them.
template <class Key, class Value>
class OrderedDict {
 public:
  // One entry: a std::pair (first = key, second = value) with libtorch's accessors.
  struct Item : std::pair<Key, Value> {
    using std::pair<Key, Value>::pair;
    const Key& key() const noexcept { return this->first; }
    Value& value() noexcept { return this->second; }
    const Value& value() const noexcept { return this->second; }
  };
  using iterator = typename std::vector<Item>::iterator;
  using const_iterator = typename std::vector<Item>::const_iterator;

  // key_description names the keys in error messages ("no parameter named 'fc.w'").
  explicit OrderedDict(std::string key_description = "key") : key_description_(std::move(key_description)) {}

  // Appends key -> value and returns the stored value. Throws ex::Error
  // "OrderedDict::insert: ..." when key is already present.
  Value& insert(Key key, Value value) {
    if (index_.count(key) != 0) throw Error("OrderedDict::insert: " + describe(key) + " is already present");
    index_.emplace(key, items_.size());
    items_.emplace_back(std::move(key), std::move(value));
    return items_.back().second;
  }

  // The value stored under key, or nullptr when absent.
  Value* find(const Key& key) noexcept {
    const auto it = index_.find(key);
    return it == index_.end() ? nullptr : &items_[it->second].second;
  }
  const Value* find(const Key& key) const noexcept { return const_cast<OrderedDict*>(this)->find(key); }
  bool contains(const Key& key) const noexcept { return index_.count(key) != 0; }

  // The value stored under key. Throws ex::Error "OrderedDict::at: no parameter named
  // 'fc3.weight' (have 'fc1.weight', 'fc1.bias', ...)" when key is absent.
  Value& at(const Key& key) {
    if (Value* value = find(key)) return *value;
    throw Error("OrderedDict::at: no " + describe(key) + " (have " + some_keys() + ")");
  }
  const Value& at(const Key& key) const { return const_cast<OrderedDict*>(this)->at(key); }
  // at(key): as in libtorch, a missing key throws rather than inserting.
  Value& operator[](const Key& key) { return at(key); }
  const Value& operator[](const Key& key) const { return at(key); }

  // Item `index` in insertion order. Throws ex::Error "OrderedDict: index 5 is out of
  // range for 3 items".
  Item& operator[](std::size_t index) {
    if (index >= items_.size())
      throw Error("OrderedDict: index " + std::to_string(index) + " is out of range for " +
                  std::to_string(items_.size()) + " items");
    return items_[index];
  }
  const Item& operator[](std::size_t index) const { return const_cast<OrderedDict&>(*this)[index]; }

  // Every key, then every value, in insertion order.
  std::vector<Key> keys() const {
    std::vector<Key> out;
    out.reserve(items_.size());
    for (const Item& item : items_) out.push_back(item.first);
    return out;
  }
  std::vector<Value> values() const {
    std::vector<Value> out;
    out.reserve(items_.size());
    for (const Item& item : items_) out.push_back(item.second);
    return out;
  }
  const std::vector<Item>& items() const noexcept { return items_; }

  std::size_t size() const noexcept { return items_.size(); }
  bool empty() const noexcept { return items_.empty(); }
  iterator begin() noexcept { return items_.begin(); }
  iterator end() noexcept { return items_.end(); }
  const_iterator begin() const noexcept { return items_.begin(); }
  const_iterator end() const noexcept { return items_.end(); }

 private:
  static std::string quoted(const Key& key) {
    if constexpr (std::is_convertible_v<const Key&, std::string_view>) {
      // Appended rather than "'" + ...: GCC 12 reports a false -Wrestrict on that form.
      std::string text(1, '\'');
      text.append(std::string_view(key)).push_back('\'');
      return text;
    } else {
      return "(key)";
    }
  }
  std::string describe(const Key& key) const { return key_description_ + " named " + quoted(key); }
  // Up to the first five keys, then how many more there are.
  std::string some_keys() const {
    if (items_.empty()) return "none";
    constexpr std::size_t shown = 5;
    std::string out;
    for (std::size_t i = 0; i < items_.size() && i < shown; ++i) out += (i ? ", " : "") + quoted(items_[i].first);
    if (items_.size() > shown) out += " and " + std::to_string(items_.size() - shown) + " more";
    return out;
  }

  std::string key_description_;
  std::vector<Item> items_;
  std::unordered_map<Key, std::size_t> index_;  // key -> position in items_
};

}  // namespace ex
