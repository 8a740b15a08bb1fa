// ex::OrderedDict: insertion order, lookups, the errors that name missing keys.
#include <string>
#include <vector>

#include "test_util.hpp"

using Dict = ex::OrderedDict<std::string, int>;
using Strings = std::vector<std::string>;

TEST_CASE("OrderedDict keeps insertion order and finds by key") {
  Dict d("entry");
  CHECK(d.empty());
  CHECK(d.insert("b", 2) == 2);
  d.insert("a", 1);
  d.insert("c", 3);
  CHECK(d.size() == 3);
  CHECK(d.keys() == Strings{"b", "a", "c"});
  CHECK(d.values() == std::vector<int>{2, 1, 3});
  CHECK(d.at("a") == 1);
  d["a"] = 10;
  CHECK(d.at("a") == 10);
  CHECK(d.contains("c"));
  CHECK_FALSE(d.contains("z"));
  REQUIRE(d.find("c") != nullptr);
  CHECK(*d.find("c") == 3);
  CHECK(d.find("z") == nullptr);
  CHECK(d[std::size_t{0}].key() == "b");
  CHECK(d[std::size_t{2}].value() == 3);
  Strings seen;
  int total = 0;
  for (const auto& [key, value] : d) {
    seen.push_back(key);
    total += value;
  }
  CHECK(seen == Strings{"b", "a", "c"});
  CHECK(total == 15);
}

TEST_CASE("OrderedDict errors name the key and some of the keys present") {
  Dict d("parameter");
  CHECK_THROWS_WITH_AS(d.at("w"), "OrderedDict::at: no parameter named 'w' (have none)", ex::Error);
  for (int i = 0; i < 7; ++i) d.insert(std::string("k").append(std::to_string(i)), i);
  CHECK_THROWS_WITH_AS(d.at("fc.weight"),
                       "OrderedDict::at: no parameter named 'fc.weight' (have 'k0', 'k1', 'k2', 'k3', 'k4' and 2 more)",
                       ex::Error);
  CHECK_THROWS_WITH_AS(d["x"], doctest::Contains("no parameter named 'x'"), ex::Error);
  CHECK_THROWS_WITH_AS(d.insert("k3", 0), "OrderedDict::insert: parameter named 'k3' is already present", ex::Error);
  CHECK_THROWS_WITH_AS(d[std::size_t{7}], "OrderedDict: index 7 is out of range for 7 items", ex::Error);
  CHECK(d.size() == 7);
}
