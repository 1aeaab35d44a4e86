#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <map>

#include <tbb/global_control.h>

#include "core/random.hpp"
#include "sim/fca.hpp"
#include "sim/raam.hpp"
#include "three_by_three.hpp"

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
using avip::sim::testing::three_by_three;

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
  auto const p = catchment_pairs(demand, supply, 30, 30, 1.0, decay::stepped());
  REQUIRE(p.offsets == std::vector<std::uint32_t>{0, 2, 4});
  CHECK(p.supply[0] == 0);
  CHECK(p.cost[0] == Approx(2.0));
  CHECK(p.weight[1] == Approx(0.68));
  CHECK(p.supply[2] == 1);
  CHECK(p.supply[3] == 2);
  CHECK(p.weight[3] == Approx(0.68));
}

TEST_CASE("step weights: PySAL's step_fn (the weight of the first threshold ≥ cost, 0 beyond)",
          "[sim][fca]") {
  auto const w = decay::stepped();
  for (double c : {0.0, 5.0, 10.0, 10.000001, 19.99, 20.0, 20.5, 30.0, 30.000001, 1e9}) {
    INFO(c);
    CHECK(w(c) == e2sfca_weight(c));
  }
  auto const custom = decay::stepped({{60, 0.22}, {20, 1.0}, {40, 0.68}});  // any order
  CHECK(custom(20) == 1.0);
  CHECK(custom(30) == 0.68);
  CHECK(custom(60) == 0.22);
  CHECK(custom(70) == 0.0);
  CHECK(decay::none()(1e6) == 1.0);
  CHECK(decay::gaussian(10)(10) == Approx(std::exp(-0.5)));
}

TEST_CASE(
    "the grid neighbour search finds the same pairs and costs as a brute-force scan, on any thread count",
    "[sim][fca]") {
  avip::random_stream rs{42, {}};
  std::vector<point> demand(700);
  std::vector<point> supply(90);
  for (auto& d : demand) {  // some demand points far outside the supply's extent
    d = {rs.uniform(-20000, 60000), rs.uniform(-20000, 60000)};
  }
  for (auto& s : supply) {
    s = {std::floor(rs.uniform(0, 40000)), std::floor(rs.uniform(0, 40000))};
  }
  supply.push_back(supply.front());  // two facilities at the same place
  for (double catchment : {1.0, 7.5, 30.0, 500.0}) {
    INFO(catchment);
    double const speed = 40;
    double const detour = 1.3;
    fca_pairs one;
    {
      tbb::global_control gc{tbb::global_control::max_allowed_parallelism, 1};
      one = catchment_pairs(demand, supply, catchment, speed, detour, decay::stepped());
    }
    auto const two = catchment_pairs(demand, supply, catchment, speed, detour, decay::stepped());
    CHECK(one.offsets == two.offsets);
    CHECK(std::equal(one.supply.begin(), one.supply.end(), two.supply.begin(), two.supply.end()));
    std::size_t total = 0;
    for (std::size_t i = 0; i < demand.size(); ++i) {
      std::map<std::uint32_t, double> expected;
      for (std::size_t j = 0; j < supply.size(); ++j) {
        double const dx = demand[i].x - supply[j].x;
        double const dy = demand[i].y - supply[j].y;
        double const cost = std::sqrt(dx * dx + dy * dy) * detour / (speed * 1000.0 / 60.0);
        if (cost <= catchment) {
          expected[static_cast<std::uint32_t>(j)] = cost;
        }
      }
      std::map<std::uint32_t, double> found;
      for (auto k = one.offsets[i]; k < one.offsets[i + 1]; ++k) {
        found[one.supply[k]] = one.cost[k];
        CHECK(one.weight[k] == e2sfca_weight(one.cost[k]));
      }
      REQUIRE(found == expected);  // the same doubles: the same formula decides
      total += expected.size();
    }
    CHECK(one.size() == total);
  }
}

TEST_CASE(
    "pairs from a cost table: beyond the catchment dropped, each point's pairs in supply order; no "
    "stored weights for plain 2SFCA",
    "[sim][fca]") {
  std::vector<cost_row> rows{{1, 2, 12.0}, {0, 1, 31.0}, {1, 0, 3.0}, {0, 2, 30.0}};
  auto const p = pairs_from_table(3, rows, 30, decay::stepped());
  CHECK(p.offsets == std::vector<std::uint32_t>{0, 1, 3, 3});
  CHECK(p.supply[0] == 2);
  CHECK(p.supply[1] == 0);
  CHECK(p.weight[0] == 0.22);
  CHECK(p.weight[2] == 0.68);
  auto const flat = pairs_from_table(3, rows, 30, decay::none());
  CHECK(flat.weight.empty());
  auto const a = two_step_fca({10, 20, 5}, {1, 2, 3}, flat);
  auto ones = flat;
  set_weights(ones, decay::none());
  auto const b = two_step_fca({10, 20, 5}, {1, 2, 3}, ones);
  CHECK(a == b);
  CHECK(a[2] == 0.0);  // no facility in reach
}

TEST_CASE("3SFCA: selection weights G = W / ΣW per demand point", "[sim][fca]") {
  // i0: W = (1, 0.68) → ΣW = 1.68 → W·G = 1/1.68 = 0.5952381, 0.68²/1.68 = 0.2752381
  // i1: W = (0.22, 1, 0.68) → ΣW = 1.9 → 0.0254737, 0.5263158, 0.2433684
  // i2: W = (0.22, 1) → ΣW = 1.22 → 0.0396721, 0.8196721
  // Step 1: j0 = 100·0.5952381 + 50·0.0254737 = 60.79749; j1 = 100·0.2752381 + 50·0.5263158 + 10·0.0396721
  //   = 54.23633; j2 = 50·0.2433684 + 10·0.8196721 = 20.36514.  R = 10/60.79749, 20/54.23633, 5/20.36514
  // Step 2: A_i0 = 0.5952381·R0 + 0.2752381·R1 = 0.0979047 + 0.1014958 = 0.1994005
  auto const p = three_step_weights(three_by_three(e2sfca_weight));
  CHECK(p.weight[0] == Approx(1.0 / 1.68));
  CHECK(p.weight[2] == Approx(0.22 * 0.22 / 1.9));
  auto const a = two_step_fca({100, 50, 10}, {10, 20, 5}, p);
  // A_i1 = 0.0254737·R0 + 0.5263158·R1 + 0.2433684·R2 = 0.0041899 + 0.1940824 + 0.0597512 = 0.2580235
  // A_i2 = 0.0396721·R1 + 0.8196721·R2 = 0.0146293 + 0.2012439 = 0.2158733
  CHECK(a[0] == Approx(0.1994009).epsilon(1e-5));
  CHECK(a[1] == Approx(0.2580236).epsilon(1e-5));
  CHECK(a[2] == Approx(0.2158733).epsilon(1e-5));
}

TEST_CASE("3SFCA: the selection weights count the pairs beyond the catchment, the two steps do not",
          "[sim][fca]") {
  // One demand point, facilities at 5 and 45 minutes, steps 10: 1, 60: 0.5. G over both: W = (1, 0.5),
  // ΣW = 1.5 → W·G = (1/1.5, 0.25/1.5); the catchment of 30 keeps the first only.
  auto const p = three_step_weights(
      pairs_from_table(1, {{0, 0, 5.0}, {0, 1, 45.0}}, 1e300, decay::stepped({{10, 1.0}, {60, 0.5}})), 30);
  REQUIRE(p.size() == 1);
  CHECK(p.offsets == std::vector<std::uint32_t>{0, 1});
  CHECK(p.weight[0] == Approx(1.0 / 1.5));
}

TEST_CASE("G2SFCA: Gaussian weights as PySAL's gaussian(sigma)", "[sim][fca]") {
  CHECK(gaussian_weight(0, 10) == Approx(1.0));
  CHECK(gaussian_weight(10, 10) == Approx(std::exp(-0.5)));
  // σ = 10: W = exp(−c²/200): i0: 0.8824969, 0.3246525; i1: 0.0439369, 0.7261490, 0.4867523;
  // i2: 0.0198411, 0.9559975. Step 1: j0 = 88.24969 + 2.196847 = 90.446537; j1 = 32.465247 + 36.307452
  //   + 0.198411 = 68.971110; j2 = 24.337613 + 9.559975 = 33.897588. R = 0.1105626, 0.2899765, 0.1475031.
  // Step 2: A_i0 = 0.0975710 + 0.0941417 = 0.1917127; A_i1 = 0.0048578 + 0.2105661 + 0.0717975 = 0.2872214;
  //   A_i2 = 0.0057535 + 0.1410126 = 0.1467661.
  auto const a = two_step_fca({100, 50, 10}, {10, 20, 5},
                              three_by_three([](double c) { return gaussian_weight(c, 10); }));
  CHECK(a[0] == Approx(0.1917127).epsilon(1e-6));
  CHECK(a[1] == Approx(0.2872214).epsilon(1e-6));
  CHECK(a[2] == Approx(0.1467661).epsilon(1e-6));
  // Supply is conserved when every facility has demand in reach, whatever the weights: Σ D·A = Σ S.
  CHECK(100 * a[0] + 50 * a[1] + 10 * a[2] == Approx(35.0));
}

#include <fstream>
#include <map>
#include <sstream>

namespace {

std::vector<std::vector<std::string>> read_csv(std::string const& name) {
  std::ifstream in{std::string{AVIP_SOURCE_DIR} + "/tests/data/fca/" + name};
  std::vector<std::vector<std::string>> rows;
  std::string line;
  std::getline(in, line);  // header
  while (std::getline(in, line)) {
    std::vector<std::string> cells;
    std::stringstream ss{line};
    std::string cell;
    while (std::getline(ss, cell, ',')) {
      cells.push_back(cell);
    }
    rows.push_back(cells);
  }
  return rows;
}

}  // namespace

TEST_CASE("the same numbers as PySAL access on a shipped fixture (30 demand × 8 supply, 30-minute catchment)",
          "[sim][fca][pysal]") {
  // tests/data/fca: inputs and PySAL access's results (two_stage_fca with no weight, with
  // step_fn({10: 1, 20: 0.68, 30: 0.22}) and gaussian(10), three_stage_fca with its default weights, and
  // raam with its defaults over the whole cost table),
  // computed once with PySAL access; no Python is needed to run this test.
  std::map<std::string, std::uint32_t> di;
  std::map<std::string, std::uint32_t> sj;
  std::vector<double> demand;
  std::vector<double> supply;
  for (auto const& r : read_csv("demand.csv")) {
    di[r[0]] = static_cast<std::uint32_t>(demand.size());
    demand.push_back(std::stod(r[1]));
  }
  for (auto const& r : read_csv("supply.csv")) {
    sj[r[0]] = static_cast<std::uint32_t>(supply.size());
    supply.push_back(std::stod(r[1]));
  }
  std::vector<std::vector<std::pair<std::uint32_t, double>>> rows(demand.size());
  std::vector<cost_row> table;
  for (auto const& r : read_csv("cost.csv")) {
    double const c = std::stod(r[2]);
    table.push_back({di.at(r[0]), sj.at(r[1]), c});
    if (c <= 30) {
      rows[di.at(r[0])].emplace_back(sj.at(r[1]), c);
    }
  }
  auto pairs_with = [&](auto&& w) {
    fca_pairs p;
    p.offsets = {0};
    for (auto const& row : rows) {
      for (auto const& [j, c] : row) {
        p.supply.push_back(j);
        p.cost.push_back(c);
        p.weight.push_back(w(c));
      }
      p.offsets.push_back(static_cast<std::uint32_t>(p.supply.size()));
    }
    return p;
  };
  auto const two = two_step_fca(demand, supply, pairs_with([](double) { return 1.0; }));
  auto const e2 = two_step_fca(demand, supply, pairs_with(e2sfca_weight));
  auto const g2 = two_step_fca(demand, supply, pairs_with([](double c) { return gaussian_weight(c, 10); }));
  // 3SFCA's selection weights run over every row of the cost table (PySAL's), the catchment applies after.
  auto const three = two_step_fca(
      demand, supply,
      three_step_weights(pairs_from_table(demand.size(), table, 1e300, decay::three_step_default()), 30));
  // RAAM has no catchment in PySAL: it spreads demand over every pair of the cost table.
  auto const raam_cost = raam(demand, supply, pairs_from_table(demand.size(), table, 1e300, decay::none()));
  auto const expected = read_csv("pysal_access_results.csv");
  REQUIRE(expected.size() == demand.size());
  for (auto const& r : expected) {
    auto const i = di.at(r[0]);
    INFO(r[0]);
    CHECK(two[i] == Approx(std::stod(r[1])).epsilon(1e-9).margin(1e-15));
    CHECK(e2[i] == Approx(std::stod(r[2])).epsilon(1e-9).margin(1e-15));
    CHECK(g2[i] == Approx(std::stod(r[3])).epsilon(1e-9).margin(1e-15));
    CHECK(three[i] == Approx(std::stod(r[4])).epsilon(1e-9).margin(1e-15));
    REQUIRE(r.size() == 6);  // PySAL leaves out the points RAAM cannot place; the fixture has none
    CHECK(raam_cost[i] == Approx(std::stod(r[5])).epsilon(1e-9).margin(1e-15));
  }
}
