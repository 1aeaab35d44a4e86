#include <catch2/catch.hpp>

#include "mini_world.hpp"
#include "sim/candidates.hpp"

using namespace avip::sim;
using avip::sim::testing::mini_world;

TEST_CASE("reachable and open is a candidate, too far is unreachable, closed is hours", "[sim][candidates]") {
  mini_world m;
  m.facility("near", facility_kind::creche, 10, "Mo-Fr 07:00-18:30", 500);
  m.facility("far", facility_kind::creche, 10, "Mo-Fr 07:00-18:30", 10000);
  m.family(0, "Mo-Fr 08:00-17:00", mobility::walk);                  // 500 m on foot: ~9 min
  m.family(4000, "Mo-Fr 08:00-17:00", mobility::walk);               // 3.5 km on foot: too far
  m.family(0, "Mo-Fr 08:00-17:00; Sa 08:00-12:00", mobility::walk);  // needs Saturday
  m.family(4000, "Mo-Fr 08:00-17:00", mobility::car);                // both by car
  params const p;
  auto const c = build_candidates(m.w, p);
  REQUIRE(c.count(family_idx{0}) == 1);
  CHECK(c.facility[c.offsets[0]] == facility_idx{0});
  CHECK(c.minutes[c.offsets[0]] == Approx(500 * 1.3 / (4.5 * 1000 / 60)).epsilon(1e-4));
  CHECK(c.reason[1] == no_match_reason::unreachable);
  CHECK(c.reason[2] == no_match_reason::hours);
  REQUIRE(c.count(family_idx{3}) == 2);
  CHECK(c.facility[c.offsets[3]] == facility_idx{0});  // nearest first
}

TEST_CASE("Baby Bus: from 5 months, and 10 h of the needed hours in its sessions", "[sim][candidates]") {
  mini_world m;
  m.facility("bus-site", facility_kind::baby_bus_site, 12, "Mo,Th 08:30-16:00", 300);
  m.family(0, "Mo,Tu,Th 09:00-15:00", mobility::walk, 0, false, 18);  // 12 h of it on Mo/Th: fits
  m.family(0, "Mo,Tu,Th 09:00-15:00", mobility::walk, 0, false, 3);   // too young for now
  m.family(0, "Tu,We 09:00-15:00", mobility::walk, 0, false, 18);     // no session on its days
  auto const c = build_candidates(m.w, params{});
  CHECK(c.count(family_idx{0}) == 1);
  CHECK(c.partial[c.offsets[0]] == 1);  // 12 of its 18 hours: partly covered
  // Ages are checked when a place is offered (children age during the run): a candidate at 3 months,
  // taken from 5 months.
  CHECK(c.count(family_idx{1}) == 1);
  CHECK_FALSE(fits_age(m.w, params{}, family_idx{1}, facility_idx{0}, 3));
  CHECK(fits_age(m.w, params{}, family_idx{1}, facility_idx{0}, 5));
  CHECK(c.reason[2] == no_match_reason::hours);
}

TEST_CASE("bus access from the timetable extends a bus family's reach", "[sim][candidates]") {
  mini_world m;
  m.facility("far", facility_kind::creche, 10, "Mo-Fr 06:00-18:30", 10000);
  m.family(0, "Mo-Fr 08:00-17:00", mobility::bus);
  m.family(0, "Mo-Fr 06:00-14:00", mobility::bus);  // its morning window is 05:00-06:00
  auto c = build_candidates(m.w, params{});
  CHECK(c.reason[0] == no_match_reason::unreachable);
  auto const cell = m.w.families.cell[family_idx{0}];
  REQUIRE(cell == m.w.families.cell[family_idx{1}]);
  auto const morning = bus_window_key(bus_trip::morning, 8 * 60);
  auto const evening = bus_window_key(bus_trip::evening, 17 * 60);
  // The 08:00 family's two trips are within 45 min (median 35 and 40); the 06:00 family's morning
  // window has no row: no bus before 06:00.
  m.w.bus.row = {bus_access::row_key(cell, morning), bus_access::row_key(cell, evening)};
  m.w.bus.offsets = {0, 1, 2};
  m.w.bus.facility = {facility_idx{0}, facility_idx{0}};
  m.w.bus.median = {35, 40};
  m.w.bus.p80 = {44, bus_access::kUnreachable};
  c = build_candidates(m.w, params{});
  REQUIRE(c.count(family_idx{0}) == 1);
  CHECK(c.minutes[c.offsets[0]] == Approx(40));  // the worse of the two medians
  CHECK(c.reason[1] == no_match_reason::unreachable);
  // Without the evening row, the 08:00 family cannot come back by bus.
  m.w.bus.row = {bus_access::row_key(cell, morning)};
  m.w.bus.offsets = {0, 1};
  m.w.bus.facility = {facility_idx{0}};
  m.w.bus.median = {35};
  m.w.bus.p80 = {44};
  c = build_candidates(m.w, params{});
  CHECK(c.reason[0] == no_match_reason::unreachable);
}

TEST_CASE("a family's bus windows come from its own care hours", "[sim][candidates]") {
  week_mask m;
  m.open(0, 6 * 60, 14 * 60);
  m.open(2, 7 * 60 + 30, 18 * 60 + 15);
  auto w = bus_windows_of(m);
  CHECK(w.weekday);
  CHECK_FALSE(w.saturday);
  CHECK(bus_key_departures(w.morning) == std::array<int, 2>{5 * 60, 6 * 60});
  CHECK(bus_key_departures(w.evening) == std::array<int, 2>{18 * 60 + 15, 19 * 60 + 15});
  m.open(5, 8 * 60, 12 * 60);
  w = bus_windows_of(m);
  CHECK(w.saturday);
  CHECK(bus_key_trip(w.saturday_morning) == bus_trip::saturday);
  CHECK(bus_key_departures(w.saturday_morning) == std::array<int, 2>{7 * 60, 8 * 60});
  CHECK_FALSE(w.sunday);
  CHECK(kStandardBusKeys[0][0] == bus_window_key(bus_trip::morning, 8 * 60));
  // A Sunday need is its own trip (on the Sunday timetable), not the Saturday's.
  m.open(6, 9 * 60, 13 * 60);
  w = bus_windows_of(m);
  REQUIRE(w.sunday);
  CHECK(bus_key_trip(w.sunday_morning) == bus_trip::sunday);
  CHECK(bus_key_departures(w.sunday_morning) == std::array<int, 2>{8 * 60, 9 * 60});
  std::vector<std::uint16_t> keys;
  w.for_each_key([&](std::uint16_t k) { keys.push_back(k); });
  CHECK(keys == std::vector<std::uint16_t>{w.morning, w.evening, w.saturday_morning, w.sunday_morning});
}
