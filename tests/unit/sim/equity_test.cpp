#include <catch2/catch.hpp>

#include "sim/comparison.hpp"
#include "sim/equity.hpp"

using namespace avip::sim;

TEST_CASE("Gini index", "[sim][equity]") {
  CHECK(gini({1, 1, 1, 1}) == Approx(0.0));
  // Σ(2i−n−1)x / (nΣx) with x sorted (0,0,0,1): (2·4−5)·1 / (4·1) = 0.75
  CHECK(gini({0, 0, 0, 1}) == Approx(0.75));
  CHECK(gini({}) == Approx(0.0));
}

TEST_CASE("Palma ratio: richest 10 % over poorest 40 %", "[sim][equity]") {
  // 10 values 1..10: top 10 % = {10}, bottom 40 % = {1,2,3,4} (mean 2.5): 10 / 2.5 = 4.
  CHECK(palma({1, 2, 3, 4, 5, 6, 7, 8, 9, 10}) == Approx(4.0));
  CHECK(palma({5, 5, 5, 5, 5, 5, 5, 5, 5, 5}) == Approx(1.0));
}

TEST_CASE("samples: mean and 90 % interval", "[sim][samples]") {
  samples s;
  for (int i = 0; i <= 100; ++i) {
    s.values.push_back(i);
  }
  CHECK(s.mean() == Approx(50));
  CHECK(s.lo() == Approx(5));
  CHECK(s.hi() == Approx(95));
}

TEST_CASE("comparing a run with itself gives exactly zero deltas; one more match gives +1",
          "[sim][comparison]") {
  run_results a;
  a.replications = 3;
  a.island.matched.values = {10, 12, 11};
  a.island.priority_matched.values = {5, 6, 5};
  a.island.coverage.values = {0.5, 0.6, 0.55};
  a.cost.total = 1000;
  for (auto* g : {&a.island.priority_coverage, &a.island.unmet_unreachable, &a.island.unmet_hours,
                  &a.island.unmet_full}) {
    g->values = {0, 0, 0};
  }
  auto const self = compare({"a", "a"}, {&a, &a});
  for (auto v : self.deltas[1].island.matched.values) {
    CHECK(v == 0.0);
  }
  run_results b = a;
  b.island.priority_matched.values = {6, 7, 6};
  b.cost.total = 1500;
  auto const c = compare({"a", "b"}, {&a, &b});
  CHECK(c.deltas[1].island.priority_matched.mean() == Approx(1.0));
  CHECK(c.deltas[1].cost_per_additional_priority_family == Approx(500.0));
  run_results other = a;
  other.replications = 4;
  CHECK_THROWS(compare({"a", "x"}, {&a, &other}));
}
