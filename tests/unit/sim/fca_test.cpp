#include <catch2/catch.hpp>

#include "sim/fca.hpp"

using namespace avip::sim;

// Hand-computed 3 × 3 example. Demand points i (weights D = 100, 50, 10) and facilities j (S = 10, 20, 5)
// with travel costs (minutes):
//            j0   j1   j2
//   i0        5   15   40
//   i1       25    8   12
//   i2       35   28    3
// E2SFCA weights (≤10: 1, ≤20: 0.68, ≤30: 0.22, else 0):
//   i0: 1, 0.68, 0     i1: 0.22, 1, 0.68     i2: 0, 0.22, 1
// Step 1: Σ_i D_i W_ij: j0 = 100·1 + 50·0.22 = 111; j1 = 100·0.68 + 50·1 + 10·0.22 = 120.2;
//         j2 = 50·0.68 + 10·1 = 44.  R = 10/111, 20/120.2, 5/44.
// Step 2: A_i0 = R0 + 0.68 R1 = 0.0900901 + 0.1131448 = 0.2032349
//         A_i1 = 0.22 R0 + R1 + 0.68 R2 = 0.0198198 + 0.1663894 + 0.0772727 = 0.2634819
//         A_i2 = 0.22 R1 + R2 = 0.0366057 + 0.1136364 = 0.1502421
namespace {
fca_pairs three_by_three(double (*w)(double)) {
  double const cost[3][3] = {{5, 15, 40}, {25, 8, 12}, {35, 28, 3}};
  fca_pairs p;
  p.offsets = {0};
  for (int i = 0; i < 3; ++i) {
    for (std::uint32_t j = 0; j < 3; ++j) {
      if (cost[i][j] <= 30) {
        p.supply.push_back(j);
        p.cost.push_back(cost[i][j]);
        p.weight.push_back(w(cost[i][j]));
      }
    }
    p.offsets.push_back(static_cast<std::uint32_t>(p.supply.size()));
  }
  return p;
}
}  // namespace

TEST_CASE("E2SFCA on a hand-computed 3 × 3 example", "[sim][fca]") {
  auto const a = two_step_fca({100, 50, 10}, {10, 20, 5}, three_by_three(e2sfca_weight));
  CHECK(a[0] == Approx(0.2032349).epsilon(1e-6));
  CHECK(a[1] == Approx(0.2634819).epsilon(1e-6));
  CHECK(a[2] == Approx(0.1502421).epsilon(1e-6));
}

TEST_CASE("2SFCA (all weights 1 within 30 minutes) on the same example", "[sim][fca]") {
  // Step 1: j0 = 150, j1 = 160, j2 = 60 → R = 10/150, 20/160, 5/60.
  // A_i0 = R0 + R1 = 0.0666667 + 0.125 = 0.1916667; A_i1 = R0 + R1 + R2 = 0.275; A_i2 = R1 + R2 = 0.2083333
  auto const a = two_step_fca({100, 50, 10}, {10, 20, 5}, three_by_three([](double) { return 1.0; }));
  CHECK(a[0] == Approx(0.1916667).epsilon(1e-6));
  CHECK(a[1] == Approx(0.275).epsilon(1e-6));
  CHECK(a[2] == Approx(0.2083333).epsilon(1e-6));
}

TEST_CASE("2SFCA conserves supply: Σ_i D_i A_i = Σ_j S_j when every facility has demand in reach",
          "[sim][fca]") {
  auto const a = two_step_fca({100, 50, 10}, {10, 20, 5}, three_by_three([](double) { return 1.0; }));
  CHECK(100 * a[0] + 50 * a[1] + 10 * a[2] == Approx(35.0));
}

TEST_CASE("the neighbour search finds exactly the pairs within the catchment", "[sim][fca]") {
  std::vector<point> demand{{0, 0}, {20000, 0}};
  std::vector<point> supply{{1000, 0}, {9000, 0}, {30000, 0}};
  // 30 km/h, detour 1: 1 km = 2 min, 9 km = 18 min, 30 km = 60 min; from 20 km: 19 km = 38, 11 km = 22, 10 km
  // = 20.
  auto const p = catchment_pairs(demand, supply, 30, 30, 1.0, e2sfca_weight);
  REQUIRE(p.offsets == std::vector<std::uint32_t>{0, 2, 4});
  CHECK(p.supply[0] == 0);
  CHECK(p.cost[0] == Approx(2.0));
  CHECK(p.weight[1] == Approx(0.68));
  CHECK(p.supply[2] == 1);
  CHECK(p.supply[3] == 2);
  CHECK(p.weight[3] == Approx(0.68));
}
