#include <catch2/catch.hpp>

#include <tbb/global_control.h>

#include "mini_world.hpp"
#include "sim/engine.hpp"

using namespace avip::sim;
using avip::sim::testing::mini_world;

namespace {

mini_world busy_world(int extra_places = 0) {
  mini_world m{3};
  m.facility("a", facility_kind::creche, 12 + extra_places, "Mo-Fr 07:00-18:30", 1000, true, 0.5);
  m.facility("b", facility_kind::micro_creche, 10, "Mo-Fr 07:30-18:00", 11000, true, 0.6);
  m.facility("c", facility_kind::assmat, 4, "Mo-Fr 06:00-19:30", 21000, false, 0.25);
  for (int i = 0; i < 60; ++i) {
    m.family((i * 397) % 22000, i % 5 == 0 ? "Mo-Fr 06:30-14:00" : "Mo-Fr 08:00-17:00",
             i % 3 == 0 ? mobility::car : mobility::walk, -1, i % 2 == 0, 6 + i % 24, i % 4 == 0);
  }
  return m;
}

void require_same(samples const& a, samples const& b) {
  REQUIRE(a.values == b.values);
}

}  // namespace

TEST_CASE("results are bit-identical for 1, 2 and 8 threads", "[sim][engine][determinism]") {
  auto const m = busy_world();
  params p;
  p.referral_rate = 0.9;
  run_options o{40, 7, false};
  std::vector<run_results> runs;
  for (int threads : {1, 2, 8}) {
    tbb::global_control gc{tbb::global_control::max_allowed_parallelism, static_cast<std::size_t>(threads)};
    runs.push_back(run(m.w, p, o));
  }
  for (std::size_t r = 1; r < runs.size(); ++r) {
    require_same(runs[0].island.matched, runs[r].island.matched);
    require_same(runs[0].island.unmet_full, runs[r].island.unmet_full);
    require_same(runs[0].equity.gini_cells, runs[r].equity.gini_cells);
    for (std::size_t k = 0; k < m.w.facilities.size(); ++k) {
      require_same(runs[0].facilities[facility_idx::from(k)].avip_children,
                   runs[r].facilities[facility_idx::from(k)].avip_children);
    }
    for (std::size_t c = 0; c < m.w.grid.size(); ++c) {
      REQUIRE(runs[0].cells[cell_idx::from(c)].matched == runs[r].cells[cell_idx::from(c)].matched);
    }
  }
}

TEST_CASE("coverage does not decrease when a facility's places grow", "[sim][engine][invariant]") {
  params p;
  p.referral_rate = 0.9;
  run_options o{30, 3, false};
  double previous = -1;
  for (int extra : {0, 2, 6, 20}) {
    auto const r = run(busy_world(extra).w, p, o);
    for (std::size_t i = 0; i < r.island.matched.values.size(); ++i) {
      // With common random numbers the referrals are the same; more places never match fewer.
      REQUIRE(r.island.referred.values[i] > 0);
    }
    CHECK(r.island.matched.mean() >= previous - 1e-9);
    previous = r.island.matched.mean();
  }
}

TEST_CASE("hand-computed AVIP shares on a mini-territory", "[sim][engine][e2e]") {
  // One labelled crèche of 10 places, all free (occupancy 0), and 3 families referred in month 0,
  // all within walking distance and needing weekday hours it covers. No job found, no dropout, no
  // turnover: all 3 are placed in month 0, so the crèche welcomes 3 AVIP children in the year:
  // share = 3 / 10 = 30 % ≥ 20 %, target met in every replication; L.214-7 needs ⌊10/20⌋ = 0: met.
  // A second, unlabelled crèche of 20 places 8 km away is out of walking reach: 0 children.
  mini_world m;
  m.facility("labelled", facility_kind::creche, 10, "Mo-Fr 07:00-18:30", 200, true, 0.0);
  m.facility("other", facility_kind::creche, 20, "Mo-Fr 07:00-18:30", 8000, false, 0.0);
  for (int i = 0; i < 3; ++i) {
    m.family(0, "Mo-Fr 08:00-17:00", mobility::walk, 0, i == 0);
  }
  auto const p = avip::sim::testing::quiet_params();
  auto const r = run(m.w, p, {5, 1, false});
  auto const& f = r.facilities[facility_idx{0}];
  CHECK(f.avip_children.mean() == Approx(3));
  CHECK(f.avip_share.mean() == Approx(0.3));
  CHECK(f.target_met.mean() == Approx(1.0));
  CHECK(f.l214_met.mean() == Approx(1.0));
  CHECK(r.facilities[facility_idx{1}].avip_children.mean() == Approx(0));
  CHECK(r.facilities[facility_idx{1}].l214_met.mean() == Approx(0));  // 20 places → 1 required
  CHECK(r.island.coverage.mean() == Approx(1.0));
  CHECK(r.island.priority_coverage.mean() == Approx(1.0));
  CHECK(r.cost.label_funding == Approx(10 * 2500.0));
  // With only 2 free places, the third family waits, then gives up: unmet because full.
  m.w.facilities.places[facility_idx{0}] = 2;
  auto const r2 = run(m.w, p, {5, 1, false});
  CHECK(r2.island.matched.mean() == Approx(2));
  CHECK(r2.island.unmet_full.mean() == Approx(1));
  CHECK(r2.facilities[facility_idx{0}].avip_share.mean() == Approx(1.0));
}

TEST_CASE("referrals split between France Travail (79 %) and the CAF (21 %) by default", "[sim][engine]") {
  mini_world m;
  m.facility("a", facility_kind::creche, 40, "Mo-Fr 07:00-18:30", 100, true, 0.5);
  for (int i = 0; i < 400; ++i) {
    m.family(i * 10.0, "Mo-Fr 08:00-17:00", mobility::walk, i % 12);
  }
  auto const r = run(m.w, params{}, {20, 9, false});
  double const total = r.island.referred.mean();
  REQUIRE(total == Approx(400));
  CHECK(r.by_france_travail.referred.mean() / total == Approx(0.79).margin(0.03));
  CHECK(r.by_caf.referred.mean() / total == Approx(0.21).margin(0.03));
  CHECK(r.by_mission_locale.referred.mean() == Approx(0));
  CHECK(r.by_france_travail.referred.mean() + r.by_caf.referred.mean() == Approx(total));
}
