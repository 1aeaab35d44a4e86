#include <catch2/catch.hpp>

#include <string>

#include "core/id_index.hpp"

using namespace avip;

namespace {
struct tag {};
using idx = strong_index<tag>;
}  // namespace

TEST_CASE("id_index gives each id one index, appending new ids to the column", "[core]") {
  index_vector<idx, std::string> names{"a", "b", "a"};
  id_index ids{names};
  CHECK(ids.of("a") == idx{0});  // an id given twice keeps its first index
  CHECK(ids.of("b") == idx{1});
  CHECK(ids.of("c") == idx{3});
  CHECK(ids.of("c") == idx{3});
  CHECK(names.size() == 4);
  CHECK(names[idx{3}] == "c");
  CHECK_FALSE(ids.of("").valid());  // none
  CHECK(names.size() == 4);
}
