#include <catch2/catch.hpp>

#include <cmath>
#include <vector>

#include "sim/comparison.hpp"
#include "sim/equity.hpp"

using namespace avip::sim;

TEST_CASE("Gini index", "[sim][equity]") {
  CHECK(gini({1, 1, 1, 1}) == Approx(0.0));
  // Σ(2i−n−1)x / (nΣx) with x sorted (0,0,0,1): (2·4−5)·1 / (4·1) = 0.75
  CHECK(gini({0, 0, 0, 1}) == Approx(0.75));
  CHECK(gini({}) == Approx(0.0));
}

TEST_CASE("weighted Gini with unit weights equals gini()", "[sim][equity]") {
  std::vector<double> const x{0.2, 0.5, 0.1, 0.9, 0.4};
  CHECK(weighted_gini(x, {1, 1, 1, 1, 1}) == Approx(gini(x)));
  CHECK(weighted_gini({0, 0, 0, 1}, {1, 1, 1, 1}) == Approx(0.75));
}

TEST_CASE("weighted Gini equals gini() of the values repeated by their integer weights", "[sim][equity]") {
  // {1, 3} weighted {2, 1} is {1, 1, 3}: Σ(2i−n−1)x / (nΣx) = (−2·1 + 0·1 + 2·3) / (3·5) = 4/15.
  CHECK(gini({1, 1, 3}) == Approx(4.0 / 15.0));
  CHECK(weighted_gini({1, 3}, {2, 1}) == Approx(4.0 / 15.0));
  CHECK(weighted_gini({3, 1}, {1, 2}) == Approx(4.0 / 15.0));
  CHECK(weighted_gini({0.3, 0.1, 0.7, 0.1}, {3, 1, 2, 2}) ==
        Approx(gini({0.3, 0.3, 0.3, 0.1, 0.7, 0.7, 0.1, 0.1})));
}

TEST_CASE("weighted Gini depends on the weights' proportions only, and ignores zero-weight units",
          "[sim][equity]") {
  CHECK(weighted_gini({1, 3}, {0.5, 0.25}) == Approx(4.0 / 15.0));
  CHECK(weighted_gini({1, 3, 100}, {2, 1, 0}) == Approx(4.0 / 15.0));
  CHECK(weighted_gini({}, {}) == 0.0);
  CHECK(weighted_gini({0, 0}, {1, 1}) == 0.0);
  CHECK(weighted_gini({1, 2}, {0, 0}) == 0.0);
}

TEST_CASE("Palma by income: equal coverage everywhere gives 1", "[sim][equity]") {
  auto const r = palma_by_income({0.3, 0.3, 0.3, 0.3}, {10, 20, 30, 40}, {0.5, 0.4, 0.3, 0.2});
  REQUIRE(r.has_value());
  CHECK(*r == Approx(1.0));
}

TEST_CASE("Palma by income: coverage concentrated in the rich communes gives more than 1", "[sim][equity]") {
  // Ten communes of equal weight, poverty rate falling as coverage rises: the richest 10 % is the last
  // (0.9), the poorest 40 % the first four (mean (0.1 + 0.1 + 0.2 + 0.2) / 4 = 0.15): 0.9 / 0.15 = 6.
  std::vector<double> const cov{0.1, 0.1, 0.2, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.9};
  std::vector<double> const poverty{0.60, 0.55, 0.50, 0.45, 0.40, 0.35, 0.30, 0.25, 0.20, 0.15};
  auto const r = palma_by_income(cov, std::vector<double>(10, 1.0), poverty);
  REQUIRE(r.has_value());
  CHECK(*r > 1.0);
  CHECK(*r == Approx(6.0));
  // The same coverage in the poor communes instead gives less than 1.
  std::vector<double> reversed(poverty.rbegin(), poverty.rend());
  auto const rr = palma_by_income(cov, std::vector<double>(10, 1.0), reversed);
  REQUIRE(rr.has_value());
  CHECK(*rr < 1.0);
}

TEST_CASE("Palma by income: no coverage in the poorest 40 % gives no ratio", "[sim][equity]") {
  CHECK_FALSE(palma_by_income({0, 0, 0.5, 0.8}, {2, 2, 3, 3}, {0.6, 0.5, 0.3, 0.1}).has_value());
}

TEST_CASE("Palma by income: no weight or an unknown poverty rate gives no ratio", "[sim][equity]") {
  CHECK_FALSE(palma_by_income({}, {}, {}).has_value());
  CHECK_FALSE(palma_by_income({0.2, 0.4}, {0, 0}, {0.5, 0.2}).has_value());
  CHECK_FALSE(palma_by_income({0.2, 0.4}, {1, 1}, {0.5, std::nan("")}).has_value());
}

TEST_CASE("Palma by income: units straddling the 40 % and 90 % boundaries are split by weight",
          "[sim][equity]") {
  // Poorest first: A (w 2, x 1) covers [0, 2] of the weight, B (w 4, x 3) [2, 6], C (w 3.5, x 4)
  // [6, 9.5], D (w 0.5, x 10) [9.5, 10]. Poorest 40 % = [0, 4]: 2·1 + 2·3 = 8, mean 2.
  // Richest 10 % = [9, 10]: 0.5·4 + 0.5·10 = 7, mean 7. Palma = 3.5. Given in another order.
  std::vector<double> const x{4, 1, 10, 3};
  std::vector<double> const w{3.5, 2, 0.5, 4};
  std::vector<double> const poverty{0.2, 0.5, 0.1, 0.4};
  auto const r = palma_by_income(x, w, poverty);
  REQUIRE(r.has_value());
  CHECK(*r == Approx(3.5));
}

TEST_CASE("Palma by income: communes with the same poverty rate are pooled, whatever their order",
          "[sim][equity]") {
  // B (w 2, x 1) and C (w 2, x 3) tie (0.3) across the 40 % boundary and are pooled: [2, 6], mean 2.
  // A [0, 2] x 1, D [6, 10] x 1. Poorest 40 % = [0, 4]: (2·1 + 2·2) / 4 = 1.5 (B first would give 1,
  // C first 2); richest 10 % = [9, 10]: 1. Palma = 1 / 1.5 = 2/3 in both orders.
  auto const a = palma_by_income({1, 1, 3, 1}, {2, 2, 2, 4}, {0.5, 0.3, 0.3, 0.1});
  auto const b = palma_by_income({1, 3, 1, 1}, {2, 2, 2, 4}, {0.5, 0.3, 0.3, 0.1});
  REQUIRE(a.has_value());
  REQUIRE(b.has_value());
  CHECK(*a == Approx(2.0 / 3.0));
  CHECK(*b == Approx(*a));
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

TEST_CASE("comparing a run with itself gives exactly zero deltas, and one more match gives +1",
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
