#include <catch2/catch.hpp>

#include <cmath>
#include <limits>

#include "mini_world.hpp"
#include "sim/candidates.hpp"

using namespace avip::sim;
using avip::sim::testing::mini_world;

namespace {

double car_minutes_of(candidates const& c, family_idx f, facility_idx k) {
  for (auto i = c.offsets[f.index()]; i < c.offsets[f.index() + 1]; ++i) {
    if (c.facility[i] == k) {
      return c.minutes[i];
    }
  }
  return -1;
}

}  // namespace

TEST_CASE("a commune's detour factor changes its families' straight-line car time",
          "[sim][candidates][roads]") {
  mini_world m;  // communes C1 (x ≈ 0) and C2 (x ≈ 10 km)
  auto const k = m.facility("creche", facility_kind::creche, 10, "Mo-Fr 07:00-18:30", 4000);
  auto const plain = m.family(0, "Mo-Fr 08:00-17:00", mobility::car);        // in C1
  auto const mountain = m.family(8000, "Mo-Fr 08:00-17:00", mobility::car);  // in C2, 4 km away too
  params const p;
  auto const before = build_candidates(m.w, p);
  double const default_minutes = 4000 * 1.3 / (30.0 * 1000 / 60);  // 10.4 min
  CHECK(car_minutes_of(before, plain, k) == Approx(default_minutes).epsilon(1e-4));
  CHECK(car_minutes_of(before, mountain, k) == Approx(default_minutes).epsilon(1e-4));

  // C2's roads run 2.5 times the straight line: 20 min; C1 gives none (NaN): the default 1.3.
  m.w.communes.detour_factor = {std::numeric_limits<double>::quiet_NaN(), 2.5};
  auto const after = build_candidates(m.w, p);
  CHECK(car_minutes_of(after, plain, k) == Approx(default_minutes).epsilon(1e-4));
  CHECK(car_minutes_of(after, mountain, k) == Approx(4000 * 2.5 / (30.0 * 1000 / 60)).epsilon(1e-4));

  // Beyond the car tolerance (30 min) with a factor of 4: 32 min by car, 4 km on foot is longer still.
  m.w.communes.detour_factor = {std::numeric_limits<double>::quiet_NaN(), 4.0};
  auto const far = build_candidates(m.w, p);
  CHECK(far.count(mountain) == 0);
  CHECK(far.reason[mountain.index()] == no_match_reason::unreachable);
}

TEST_CASE("road times, when given, replace the straight lines", "[sim][candidates][roads]") {
  mini_world m;
  auto const k = m.facility("creche", facility_kind::creche, 10, "Mo-Fr 07:00-18:30", 4000);
  auto const driver = m.family(0, "Mo-Fr 08:00-17:00", mobility::car);
  auto const walker = m.family(3000, "Mo-Fr 08:00-17:00", mobility::walk);  // 1 km: 17 min straight × 1.3
  auto const off_road = m.family(3500, "Mo-Fr 08:00-17:00", mobility::walk);
  auto& r = m.w.roads;
  float const inf = std::numeric_limits<float>::infinity();
  r.max_car_kmh = 90;
  r.offsets = {0, 1, 2, 2};
  r.facility = {k, k};
  r.car = {25.0F, inf};
  r.walk = {inf, 19.5F};
  r.family_walks_on_roads = {1, 1, 0};  // the third family is beyond the snapping limit
  r.facility_walks_on_roads = {1};
  params const p;
  auto const c = build_candidates(m.w, p);
  CHECK(car_minutes_of(c, driver, k) == Approx(25.0));  // road time, not 10.4 min straight
  CHECK(car_minutes_of(c, walker, k) == Approx(19.5));
  // Off the walking graph: a straight line × 1.3, 500 m = 8.7 min.
  CHECK(car_minutes_of(c, off_road, k) == Approx(500 * 1.3 / (4.5 * 1000 / 60)).epsilon(1e-4));

  r.car = {inf, inf};  // not reachable by car within the bound, and 4 km on foot is too far
  auto const none = build_candidates(m.w, p);
  CHECK(none.count(driver) == 0);
}
