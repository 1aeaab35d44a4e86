#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>

#include <unistd.h>

#include "core/error.hpp"
#include "geo/gtfs_feed.hpp"
#include "geo/projection.hpp"
#include "geo/raptor.hpp"

using namespace avip::geo;
namespace fs = std::filesystem;

namespace {

std::string tiny() {
  return std::string{AVIP_SOURCE_DIR} + "/tests/data/gtfs/tiny";
}

std::uint32_t stop(gtfs_feed const& g, std::string const& id) {
  for (std::size_t i = 0; i < g.stop_id.size(); ++i) {
    if (g.stop_id[i] == id) {
      return static_cast<std::uint32_t>(i);
    }
  }
  FAIL("no stop " << id);
  return 0;
}

std::vector<xy> metric(gtfs_feed const& g) {
  transformer const t{4326, 2975};
  std::vector<xy> out;
  for (auto const& p : g.stop_lonlat) {
    out.push_back(t.forward(p));
  }
  return out;
}

constexpr std::int32_t hms(int h, int m, int s = 0) {
  return h * 3600 + m * 60 + s;
}

fs::path broken_copy(std::string const& name) {
  auto d = fs::temp_directory_path() / ("avip_gtfs_" + name + "_" + std::to_string(::getpid()));
  fs::remove_all(d);
  fs::create_directories(d);
  for (auto const& e : fs::directory_iterator{tiny()}) {
    fs::copy_file(e.path(), d / e.path().filename());
  }
  return d;
}

}  // namespace

TEST_CASE("GTFS times past midnight", "[geo][gtfs]") {
  CHECK(parse_gtfs_time("08:05:00") == hms(8, 5));
  CHECK(parse_gtfs_time("25:10:30") == hms(25, 10, 30));
  CHECK(parse_gtfs_time("8:05") == -1);
  CHECK(parse_gtfs_time("") == -1);
}

TEST_CASE("a tiny feed: BOM, quoted fields, CRLF, calendar and an exception", "[geo][gtfs]") {
  auto const g = read_gtfs(tiny(), {"20250106", 0});  // a Monday
  CHECK(g.stop_count() == 5);
  CHECK(g.stop_id[0] == "A");                               // the BOM is not part of the first column's name
  CHECK(g.patterns.size() == 3);                            // A-B-C (3 trips), C-B-A (t5) and B2-D (t3)
  auto const holiday = read_gtfs(tiny(), {"20250714", 0});  // WK removed, HOL added
  REQUIRE(holiday.patterns.size() == 1);
  CHECK(holiday.patterns[0].trips.size() == 1);
  auto const typical = read_gtfs(tiny(), {"", 0});
  CHECK(typical.date.size() == 8);
  CHECK(typical.patterns.size() == 3);
}

TEST_CASE("RAPTOR earliest arrivals, hand-computed", "[geo][raptor]") {
  auto const g = read_gtfs(tiny(), {"20250106", 0});
  raptor const r{g, metric(g), raptor_options{}};
  raptor::scratch s;
  std::vector<std::int32_t> best;
  // From A at 07:55: t1 at 08:00, B at 08:10, C at 08:20; walk B → B2 (about 60 m, ~1 min), t3 at
  // 08:15 from B2, D at 08:30.
  r.earliest_arrival({{stop(g, "A"), hms(7, 55)}}, s, best);
  CHECK(best[stop(g, "B")] == hms(8, 10));
  CHECK(best[stop(g, "C")] == hms(8, 20));
  CHECK(best[stop(g, "B2")] > hms(8, 10));
  CHECK(best[stop(g, "B2")] < hms(8, 12));
  CHECK(best[stop(g, "D")] == hms(8, 30));
  // From A at 08:05: the next trip is t2 at 09:00; D is then unreachable (no later R2 trip).
  r.earliest_arrival({{stop(g, "A"), hms(8, 5)}}, s, best);
  CHECK(best[stop(g, "C")] == hms(9, 20));
  CHECK(best[stop(g, "D")] == raptor::kNever);
  // Past midnight: the 24:30 trip reaches C at 24:50.
  r.earliest_arrival({{stop(g, "A"), hms(24, 20)}}, s, best);
  CHECK(best[stop(g, "C")] == hms(24, 50));
  // No transfer allowed: D cannot be reached from A.
  raptor const direct{g, metric(g), raptor_options{0, 400, 4.5, 1.3}};
  direct.earliest_arrival({{stop(g, "A"), hms(7, 55)}}, s, best);
  CHECK(best[stop(g, "C")] == hms(8, 20));
  CHECK(best[stop(g, "D")] == raptor::kNever);
}

TEST_CASE("the Car Jaune feed loads", "[geo][gtfs][reunion]") {
  auto const g = read_gtfs(std::string{AVIP_SOURCE_DIR} + "/data/reunion/raw/car-jaune.zip", {"", 1});
  CHECK(g.stop_count() == 458);
  CHECK(g.patterns.size() > 10);
  CHECK(g.trip_offset.size() > 100);
}

TEST_CASE("bad feeds: one message naming the file and line", "[geo][gtfs]") {
  auto d = broken_copy("nostops");
  fs::remove(d / "stops.txt");
  CHECK_THROWS_WITH(read_gtfs(d.string(), {"20250106", 0}), Catch::Contains("stops.txt"));
  fs::remove_all(d);

  d = broken_copy("unknowntrip");
  std::ofstream{d / "stop_times.txt", std::ios::app} << "ghost,10:00:00,10:00:00,A,1\n";
  CHECK_THROWS_WITH(read_gtfs(d.string(), {"20250106", 0}),
                    Catch::Contains("stop_times.txt, line 18") && Catch::Contains("unknown trip_id 'ghost'"));
  fs::remove_all(d);

  d = broken_copy("backwards");
  {
    std::ifstream in{d / "stop_times.txt"};
    std::string text{std::istreambuf_iterator<char>{in}, {}};
    in.close();
    text.replace(text.find("t1,08:20:00,08:20:00"), 20, "t1,08:05:00,08:05:00");
    std::ofstream{d / "stop_times.txt"} << text;
  }
  CHECK_THROWS_WITH(read_gtfs(d.string(), {"20250106", 0}),
                    Catch::Contains("line 4") && Catch::Contains("back in time"));
  fs::remove_all(d);

  d = broken_copy("notzip");
  std::ofstream{d / "feed.zip"} << "this is not a zip";
  CHECK_THROWS_WITH(read_gtfs((d / "feed.zip").string()), Catch::Contains("not a zip"));
  fs::remove_all(d);
}

#include "geo/travel_times.hpp"

TEST_CASE("door-to-door bus times by window on the tiny feed", "[geo][travel_times]") {
  auto const g = read_gtfs(tiny(), {"20250106", 0});
  auto const stops = metric(g);
  // Origin 100 m west of A; destinations 100 m east of C and 200 m south of D, and one far away.
  std::vector<xy> const origins{{stops[stop(g, "A")].x - 100, stops[stop(g, "A")].y}};
  std::vector<xy> const dests{{stops[stop(g, "C")].x + 100, stops[stop(g, "C")].y},
                              {stops[stop(g, "D")].x, stops[stop(g, "D")].y - 200},
                              {stops[stop(g, "A")].x + 50000, stops[stop(g, "A")].y}};
  travel_time_options o;
  o.progress = false;
  o.tolerance_minutes = 120;
  auto const m = bus_travel_times({tiny()}, 2975, origins, dests, o);
  REQUIRE(m.offsets.size() == 2);
  // Walking 100 m × 1.3 at 4.5 km/h = 104 s each way. Morning (departures from the stop every 15 min
  // in 07:00–08:30, arrive by 09:00; the parent leaves home the walking time before): the 08:00 trip
  // from A reaches C at 08:20: 104 + 1,200 + 104 = 1,408 s → 24 min. Evening return (17:00–18:30):
  // t5 leaves C at 17:30, A at 17:50: 1,408 s too. Weekday = the worse leg: 24 min. Early (arrive before
  // 7:30): no bus; late (leave after 19:00): no bus; Saturday: no service.
  REQUIRE(m.offsets[1] >= 1);
  CHECK(m.destination[0] == 0);
  CHECK(m.minutes[0][0] == 24);
  CHECK(m.minutes[0][1] == kUnreachableMinutes);
  CHECK(m.minutes[0][2] == kUnreachableMinutes);
  CHECK(m.minutes[0][3] == kUnreachableMinutes);
  // Nothing reaches the far destination.
  for (auto j = m.offsets[0]; j < m.offsets[1]; ++j) {
    CHECK(m.destination[j] != 2);
  }
}

#include "geo/geos_context.hpp"

TEST_CASE("bus-reachable zone: the union of walking discs around stops reached in time", "[geo][zones]") {
  auto const g = read_gtfs(tiny(), {"20250106", 0});
  auto const stops = metric(g);
  auto const c = stops[stop(g, "C")];
  travel_time_options o;
  o.progress = false;
  o.tolerance_minutes = 30;
  auto const zones = bus_reachable_zones(tiny(), 2975, {{c.x + 100, c.y}}, 0, o);
  REQUIRE(zones.size() == 1);
  geos_context gc;
  auto const zone = gc.from_wkb(zones[0]);
  auto const a = stops[stop(g, "A")];
  // From A, the 08:00 trip reaches C at 08:20: 20 min + 104 s of walking leave ~8 min to walk to A.
  CHECK(gc.covers(zone.get(), a.x - 200, a.y));
  // 5 km from any stop: outside.
  CHECK_FALSE(gc.covers(zone.get(), a.x - 5000, a.y));
  CHECK_FALSE(gc.invalid_reason(zone.get()).has_value());
}

TEST_CASE("service edits: a headway adds trips, a factor divides headways, unknown routes are named",
          "[geo][gtfs_edit]") {
  auto g = read_gtfs(tiny(), {"20250106", 0});
  raptor::scratch s;
  std::vector<std::int32_t> best;
  // Before: from A at 08:05, the next trip is at 09:00 (C at 09:20).
  apply_service_edits(g, {{{"R1"}, hms(8, 0), hms(9, 0), 1.0, 15 * 60, "test"}});
  raptor const r{g, metric(g), raptor_options{}};
  r.earliest_arrival({{stop(g, "A"), hms(8, 5)}}, s, best);
  CHECK(best[stop(g, "C")] == hms(8, 35));  // a copy of t1 departing 08:15
  auto h = read_gtfs(tiny(), {"20250106", 0});
  apply_service_edits(
      h, {{{}, hms(8, 0), hms(8, 59), 2.0, 0, "test"}});  // one extra trip between 08:00 and 09:00
  raptor const r2{h, metric(h), raptor_options{}};
  r2.earliest_arrival({{stop(h, "A"), hms(8, 5)}}, s, best);
  CHECK(best[stop(h, "C")] == hms(8, 50));  // the 08:30 copy
  auto k = read_gtfs(tiny(), {"20250106", 0});
  CHECK_THROWS_WITH(apply_service_edits(k, {{{"R9"}, 0, hms(23, 0), 2.0, 0, "x.json: /edits/0"}}),
                    Catch::Contains("x.json: /edits/0") && Catch::Contains("no route 'R9'"));
}

TEST_CASE("frequencies.txt expands a template trip", "[geo][gtfs]") {
  auto const d = broken_copy("frequencies");
  std::ofstream{d / "frequencies.txt"}
      << "trip_id,start_time,end_time,headway_secs\nt3,08:15:00,09:15:00,1200\n";
  auto const g = read_gtfs(d.string(), {"20250106", 0});
  raptor const r{g, metric(g), raptor_options{}};
  raptor::scratch s;
  std::vector<std::int32_t> best;
  // Runs at 08:15, 08:35, 08:55 (15 minutes to D): from B2 at 08:20, the 08:35 one reaches D at 08:50.
  r.earliest_arrival({{stop(g, "B2"), hms(8, 20)}}, s, best);
  CHECK(best[stop(g, "D")] == hms(8, 50));
  r.earliest_arrival({{stop(g, "B2"), hms(8, 56)}}, s, best);
  CHECK(best[stop(g, "D")] == raptor::kNever);
  std::ofstream{d / "frequencies.txt"}
      << "trip_id,start_time,end_time,headway_secs\nt3,09:00:00,08:00:00,600\n";
  CHECK_THROWS_WITH(read_gtfs(d.string(), {"20250106", 0}), Catch::Contains("frequencies.txt, line 2"));
  fs::remove_all(d);
}
