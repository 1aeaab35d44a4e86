// Range-RAPTOR on tiny timetables built in code (metric coordinates given directly), hand-computed.
#include <catch2/catch.hpp>

#include <algorithm>
#include <map>
#include <memory>
#include <random>
#include <string>

#include <tbb/global_control.h>

#include "geo/gtfs_feed.hpp"
#include "geo/raptor.hpp"
#include "geo/timetable.hpp"
#include "geo/travel_times.hpp"

using namespace avip::geo;

namespace {

constexpr std::int32_t hm(int h, int m) {
  return h * 3600 + m * 60;
}

/// A one-day feed written in code: stops at metric positions, trips as (stop, time) lists.
struct feed_builder {
  gtfs_feed g;
  std::vector<xy> xy_;
  std::map<std::string, std::uint32_t> ids;

  std::uint32_t stop(std::string const& id, double x, double y) {
    auto const s = static_cast<std::uint32_t>(g.stop_id.size());
    g.stop_id.push_back(id);
    g.stop_lonlat.push_back({0, 0});
    xy_.push_back({x, y});
    ids[id] = s;
    return s;
  }
  /// Arrival = departure at every stop.
  void trip(std::vector<std::string> const& stops, std::vector<std::int32_t> const& times) {
    std::vector<std::uint32_t> seq;
    for (auto const& s : stops) {
      seq.push_back(ids.at(s));
    }
    auto const t = static_cast<std::uint32_t>(g.trip_offset.size());
    g.trip_offset.push_back(static_cast<std::uint32_t>(g.arrival.size()));
    g.arrival.insert(g.arrival.end(), times.begin(), times.end());
    g.departure.insert(g.departure.end(), times.begin(), times.end());
    g.trip_route.push_back("R");
    auto it =
        std::find_if(g.patterns.begin(), g.patterns.end(), [&](auto const& p) { return p.stops == seq; });
    if (it == g.patterns.end()) {
      g.patterns.push_back({seq, {}});
      it = g.patterns.end() - 1;
    }
    it->trips.push_back(t);
    std::sort(it->trips.begin(), it->trips.end(),
              [&](auto a, auto b) { return g.departure[g.trip_offset[a]] < g.departure[g.trip_offset[b]]; });
  }
  [[nodiscard]] timetable build(timetable_options const& o = {}) const { return timetable{{&g}, xy_, o}; }
  [[nodiscard]] std::unique_ptr<timetable> make(timetable_options const& o = {}) const {
    return std::make_unique<timetable>(std::vector<gtfs_feed const*>{&g}, xy_, o);
  }
};

travel_time_options options(double tolerance) {
  travel_time_options o;
  o.tolerance_minutes = tolerance;
  o.progress = false;
  return o;
}

/// Median and p80 from a point to a point, in one window; nothing when the median is above tolerance.
std::vector<profile_entry> one_profile(timetable const& tt, xy from, xy to, std::int32_t from_s,
                                       std::int32_t to_s, double tolerance) {
  auto const o = options(tolerance);
  raptor const r{tt, raptor_options{2}};
  auto const access = near_stops({from}, tt, o);
  auto const egress = egress_to({to}, tt, o);
  raptor::scratch s;
  std::vector<profile_entry> out;
  r.profile(access[0], {from_s, to_s, static_cast<std::int32_t>(tolerance * 60)}, egress, s, out);
  return out;
}

}  // namespace

TEST_CASE("an hourly route: the median wait is half an hour", "[geo][raptor][profile]") {
  feed_builder b;
  b.stop("A", 0, 0);
  b.stop("B", 10000, 0);
  for (int h = 5; h < 12; ++h) {
    b.trip({"A", "B"}, {hm(h, 0), hm(h, 10)});
  }
  auto const tt = b.build();
  // Leaving A every minute of 07:00–07:59: at 07:00 the bus leaves at once (10 min), at 07:0m the next
  // is at 08:00 (70 − m min). Sorted: 10, 11, …, 69; median (30th of 60) 39 = 29 of wait + 10 on board;
  // 80th percentile (48th) 57.
  auto const out = one_profile(tt, {0, 0}, {10000, 0}, hm(7, 0), hm(8, 0), 120);
  REQUIRE(out.size() == 1);
  CHECK(std::abs(out[0].median_min - 10 - 30) <= 1);
  CHECK(std::abs(out[0].p80_min - 57) <= 1);
}

TEST_CASE("a family dropping off at 06:00 whose only bus arrives at 07:10 is not reached by bus",
          "[geo][raptor][profile]") {
  feed_builder b;
  b.stop("A", 0, 0);
  b.stop("B", 10000, 0);
  b.trip({"A", "B"}, {hm(6, 50), hm(7, 10)});
  auto const tt = b.build();
  // Departures 05:00–05:59 (the hour before the drop-off): 71 to 130 minutes door to door.
  CHECK(one_profile(tt, {0, 0}, {10000, 0}, hm(5, 0), hm(6, 0), 45).empty());
  // The same bus leaving in the hour before 07:00 is fine for a 07:00 drop-off... only in the last
  // minutes: the median is still far above 45.
  CHECK(one_profile(tt, {0, 0}, {10000, 0}, hm(6, 0), hm(7, 0), 45).empty());
  // With a 90-minute tolerance, from 06:00–06:59: 70 down to 20 min for t ≤ 06:50, nothing after (51
  // values, then 9 unreachable): the 30th is 49, the 48th 67.
  auto const loose = one_profile(tt, {0, 0}, {10000, 0}, hm(6, 0), hm(7, 0), 90);
  REQUIRE(loose.size() == 1);
  CHECK(loose[0].median_min == 49);
  CHECK(loose[0].p80_min == 67);
}

TEST_CASE("walking all the way is not a bus journey", "[geo][raptor][profile]") {
  feed_builder b;
  b.stop("A", 0, 0);
  b.stop("B", 10000, 0);
  b.trip({"A", "B"}, {hm(7, 10), hm(7, 20)});
  auto const tt = b.build();
  // Home and facility both 100 m from A: reachable on foot, never by bus.
  CHECK(one_profile(tt, {-100, 0}, {100, 0}, hm(7, 0), hm(8, 0), 45).empty());
  raptor const r{tt, raptor_options{}};
  raptor::scratch s;
  std::vector<std::int32_t> best;
  r.earliest_arrival({{0, 60}}, hm(7, 0), s, best);
  CHECK(best[0] == raptor::kNever);  // the origin's own stop is not "reached by bus"
  CHECK(best[1] == hm(7, 20));
}

TEST_CASE("an express overtaking a slow trip on the same stops is taken", "[geo][raptor][timetable]") {
  feed_builder b;
  b.stop("A", 0, 0);
  b.stop("B", 5000, 0);
  b.stop("C", 10000, 0);
  b.trip({"A", "B", "C"}, {hm(7, 0), hm(7, 30), hm(8, 0)});   // slow
  b.trip({"A", "B", "C"}, {hm(7, 5), hm(7, 15), hm(7, 25)});  // express, leaves later, arrives earlier
  b.trip({"A", "B", "C"}, {hm(7, 40), hm(7, 50), hm(8, 0)});
  auto const tt = b.build();
  CHECK(tt.route_count() == 2);  // one GTFS pattern split in two routes
  raptor const r{tt, raptor_options{}};
  raptor::scratch s;
  std::vector<std::int32_t> best;
  r.earliest_arrival({{0, 0}}, hm(6, 59), s, best);
  CHECK(best[2] == hm(7, 25));
  CHECK(best[1] == hm(7, 15));
}

TEST_CASE("a footpath chain A-B-C is followed whatever the stop numbering", "[geo][raptor][timetable]") {
  for (int order = 0; order < 2; ++order) {
    feed_builder b;
    // C, B, A numbered before or after the others: the transfer walk S → A → B → C must not depend on it.
    std::vector<std::pair<std::string, double>> chain{{"A", 0}, {"B", 300}, {"C", 600}};
    if (order == 0) {
      std::reverse(chain.begin(), chain.end());
    }
    for (auto const& [id, x] : chain) {
      b.stop(id, x, 0);
    }
    b.stop("S", -20000, 0);
    b.stop("D", 30000, 0);
    b.trip({"S", "A"}, {hm(7, 30), hm(8, 0)});
    b.trip({"C", "D"}, {hm(8, 8), hm(8, 18)});  // too early: A → C is 600 m, 10.4 min on foot
    b.trip({"C", "D"}, {hm(8, 20), hm(8, 30)});
    auto const tt = b.build();  // radius 400 m: A–C only through B
    raptor const r{tt, raptor_options{}};
    raptor::scratch s;
    std::vector<std::int32_t> best;
    r.earliest_arrival({{b.ids.at("S"), 0}}, hm(7, 20), s, best);
    CHECK(best[b.ids.at("D")] == hm(8, 30));
    CHECK(best[b.ids.at("C")] > hm(8, 10));
    CHECK(best[b.ids.at("C")] < hm(8, 11));
  }
}

TEST_CASE("a loop route is boarded at a stop's second occurrence", "[geo][raptor][timetable]") {
  feed_builder b;
  b.stop("L0", -2000, 0);
  b.stop("X", 0, 0);
  b.stop("L1", 0, 3000);
  b.stop("L2", 3000, 3000);
  b.stop("Y", 20000, 0);
  b.trip({"L0", "X", "L1", "L2", "X", "Y"}, {hm(7, 0), hm(7, 5), hm(7, 10), hm(7, 15), hm(7, 20), hm(7, 30)});
  auto const tt = b.build();
  raptor const r{tt, raptor_options{}};
  raptor::scratch s;
  std::vector<std::int32_t> best;
  r.earliest_arrival({{b.ids.at("X"), 0}}, hm(7, 10), s, best);  // after the first pass at X
  CHECK(best[b.ids.at("Y")] == hm(7, 30));
  CHECK(best[b.ids.at("L1")] == raptor::kNever);
}

TEST_CASE("the minimum change time is respected", "[geo][raptor][timetable]") {
  feed_builder b;
  b.stop("A", 0, 0);
  b.stop("B", 10000, 0);
  b.stop("C", 20000, 0);
  b.trip({"A", "B"}, {hm(7, 40), hm(8, 0)});
  b.trip({"B", "C"}, {hm(8, 1), hm(8, 10)});
  b.trip({"B", "C"}, {hm(8, 3), hm(8, 12)});
  raptor::scratch s;
  std::vector<std::int32_t> best;
  auto const strict = b.build();  // 2 minutes
  raptor{strict, raptor_options{}}.earliest_arrival({{0, 0}}, hm(7, 30), s, best);
  CHECK(best[2] == hm(8, 12));
  timetable_options none;
  none.min_change_s = 0;
  auto const loose = b.build(none);
  raptor::scratch s2;
  raptor{loose, raptor_options{}}.earliest_arrival({{0, 0}}, hm(7, 30), s2, best);
  CHECK(best[2] == hm(8, 10));
}

TEST_CASE("bus times are identical with one and two threads", "[geo][raptor][profile]") {
  // A random grid network: 12 × 12 stops 500 m apart, 24 straight lines every 10–20 min.
  feed_builder b;
  std::mt19937 rng{974};
  for (int i = 0; i < 12; ++i) {
    for (int j = 0; j < 12; ++j) {
      b.stop("s" + std::to_string(i) + "_" + std::to_string(j), i * 500.0, j * 500.0);
    }
  }
  for (int line = 0; line < 24; ++line) {
    std::vector<std::string> stops;
    for (int k = 0; k < 12; ++k) {
      stops.push_back(line < 12 ? "s" + std::to_string(line) + "_" + std::to_string(k)
                                : "s" + std::to_string(k) + "_" + std::to_string(line - 12));
    }
    int const headway = 10 + static_cast<int>(rng() % 11);
    for (int t = hm(6, 0) + static_cast<int>(rng() % 600); t < hm(20, 0); t += headway * 60) {
      std::vector<std::int32_t> times;
      for (int k = 0; k < 12; ++k) {
        times.push_back(t + k * 90);
      }
      b.trip(stops, times);
    }
  }
  bus_network const net{b.make(), b.make()};
  bus_request req;
  for (int i = 0; i < 30; ++i) {
    req.homes.push_back({static_cast<double>(rng() % 5500), static_cast<double>(rng() % 5500)});
    req.facilities.push_back({static_cast<double>(rng() % 5500), static_cast<double>(rng() % 5500)});
  }
  req.windows = {{true, service_kind::weekday, 7 * 60, 8 * 60},
                 {false, service_kind::weekday, 17 * 60, 18 * 60},
                 {true, service_kind::saturday, 7 * 60, 8 * 60}};
  for (std::uint32_t h = 0; h < 30; ++h) {
    for (std::uint32_t w = 0; w < 3; ++w) {
      req.pairs.emplace_back(h, w);
    }
  }
  auto run = [&](int threads) {
    tbb::global_control const c{tbb::global_control::max_allowed_parallelism,
                                static_cast<std::size_t>(threads)};
    return bus_profiles(net, req, options(45));
  };
  auto const one = run(1);
  auto const two = run(2);
  CHECK(one.facility.size() > 100);
  CHECK(one.offsets == two.offsets);
  CHECK(one.facility == two.facility);
  CHECK(one.median == two.median);
  CHECK(one.p80 == two.p80);
  // Every median within the tolerance, every p80 at least the median.
  for (std::size_t i = 0; i < one.median.size(); ++i) {
    CHECK(one.median[i] <= 45);
    CHECK(one.p80[i] >= one.median[i]);
  }
}
