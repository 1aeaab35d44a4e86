#include <catch2/catch.hpp>

#include <cmath>

#include <tbb/global_control.h>

#include "core/random.hpp"
#include "sim/raam.hpp"
#include "three_by_three.hpp"

using namespace avip::sim;

// Hand-computed RAAM on the 3 × 3 example of fca_test.cpp: demand D = (100, 50, 10), supply S = (10, 20, 5),
// pairs within 30 minutes: i0 → j0 5, j1 15; i1 → j0 25, j1 8, j2 12; i2 → j1 28, j2 3. τ = 60, so travel
// t = cost / 60. ρ = Σ D / Σ S = 160 / 35, so S' = ρ S = (45.714286, 91.428571, 22.857143).
// Start: everyone at the nearest facility: i0 → j0, i1 → j1, i2 → j2; at the facilities 100, 50, 10;
// congestion = (2.1875, 0.546875, 0.4375).
// Cycle 0 (step 0.2):
//   i0: cost j0 = 2.1875 + 0.083333 = 2.270833, j1 = 0.546875 + 0.25 = 0.796875 → min j1, max j0.
//       S'j1 S'j0 / (S'j1 + S'j0) = 30.476190; (0.083333 − 0.25) + (0 + 100 + 0) / 45.714286 − 50 / 91.428571
//       = 1.473958 → 44.920635 − 0 = 44.92, capped by 0.2 × 100 = 20 → δ = 20.
//   i1: cost j0 = 2.604167, j1 = 0.680208, j2 = 0.6375 → min j2, max j1; 18.285714 × (0.133333 − 0.2 + 50 /
//       91.428571 − 10 / 22.857143) = 0.780952 → δ = 0.  i2: min = max = j2 → δ = 0.
//   Moves into j1: 20 / 91.43 < 1, no scaling. Now i0: j0 80, j1 20.
//   With one cycle, RAAM = the cost at the cycle's congestion: i0 (80 × 2.2708333 + 20 × 0.796875) / 100
//   = 1.9760417; i1 0.6802083; i2 0.4875.
// Cycle 1 (step 0.2 × 0.5^(1/50) = 0.197247): at the facilities 80, 70, 10 → congestion 1.75, 0.765625,
// 0.4375.
//   i0: j0 1.833333, j1 1.015625 → min j1, max j0: 30.476190 × 1.473958 − 20 = 24.92, capped by 19.7247 → 19.
//   i1: j0 2.166667, j1 0.898958, j2 0.6375 → min j2, max j1: 18.285714 × (−0.066667 + 70 / 91.428571 −
//   0.4375)
//       = 4.780952 → 4 (cap 9.86).  i2: 0.
//   Now i0: j0 61, j1 39; i1: j1 46, j2 4. RAAM: i0 (61 × 1.8333333 + 39 × 1.015625) / 100 = 1.5144271;
//   i1 (46 × 0.8989583 + 4 × 0.6375) / 50 = 0.8780417; i2 0.4875.
namespace {
fca_pairs three_by_three() {
  return avip::sim::testing::three_by_three(decay::none());  // RAAM reads the costs only
}
}  // namespace

TEST_CASE("RAAM on the hand-computed 3 × 3 example, one and two cycles", "[sim][raam]") {
  raam_params p;
  p.max_cycles = 1;
  auto const one = raam({100, 50, 10}, {10, 20, 5}, three_by_three(), p);
  CHECK(one[0] == Approx(1.9760417).epsilon(1e-7));
  CHECK(one[1] == Approx(0.6802083).epsilon(1e-7));
  CHECK(one[2] == Approx(0.4875).epsilon(1e-12));
  p.max_cycles = 2;
  auto const two = raam({100, 50, 10}, {10, 20, 5}, three_by_three(), p);
  CHECK(two[0] == Approx(1.5144271).epsilon(1e-7));
  CHECK(two[1] == Approx(0.8780417).epsilon(1e-7));
  CHECK(two[2] == Approx(0.4875).epsilon(1e-12));
}

TEST_CASE("RAAM: points with no demand or no facility with places in reach are undefined", "[sim][raam]") {
  auto p = three_by_three();
  auto const r = raam({100, 0, 10}, {10, 20, 0}, p);
  CHECK(std::isfinite(r[0]));
  CHECK(std::isnan(r[1]));     // no demand
  CHECK(std::isfinite(r[2]));  // j1 has places, j2 has none: i2 goes to j1 only
  // Its cost: the travel to j1 plus j1's congestion, at most all the demand there (ρ = 110 / 30).
  CHECK(r[2] >= 28.0 / 60);
  CHECK(r[2] <= 28.0 / 60 + 110.0 / (20 * 110.0 / 30));
  CHECK_THROWS(raam({1, 1, 1}, {1, 1, 1}, three_by_three(), raam_params{60, 0, 0}));
}

TEST_CASE("RAAM conserves every demand point's demand and does not depend on the thread count",
          "[sim][raam]") {
  avip::random_stream rs{7, {}};
  std::size_t const n = 400;
  std::size_t const m = 40;
  std::vector<point> dp(n);
  std::vector<point> sp(m);
  std::vector<double> demand(n);
  std::vector<double> supply(m);
  for (std::size_t i = 0; i < n; ++i) {
    dp[i] = {std::floor(rs.uniform(0, 30000)), std::floor(rs.uniform(0, 30000))};
    demand[i] = static_cast<double>(1 + rs.below(30));
  }
  for (std::size_t j = 0; j < m; ++j) {
    sp[j] = {std::floor(rs.uniform(0, 30000)), std::floor(rs.uniform(0, 30000))};
    supply[j] = static_cast<double>(5 + rs.below(40));
  }
  auto const pairs = catchment_pairs(dp, sp, 15, 60, 1, decay::none());
  std::vector<double> single;
  {
    tbb::global_control gc{tbb::global_control::max_allowed_parallelism, 1};
    single = raam(demand, supply, pairs);
  }
  auto const multi = raam(demand, supply, pairs);
  for (std::size_t i = 0; i < n; ++i) {
    if (pairs.offsets[i + 1] > pairs.offsets[i]) {
      REQUIRE(std::isfinite(single[i]));
      CHECK(single[i] == multi[i]);
      // The cost is at least the travel to the nearest facility (congestion ≥ 0).
      double nearest = 1e300;
      for (auto k = pairs.offsets[i]; k < pairs.offsets[i + 1]; ++k) {
        nearest = std::min(nearest, pairs.cost[k] / 60);
      }
      CHECK(single[i] >= nearest);
    } else {
      CHECK(std::isnan(single[i]));
    }
  }
}
