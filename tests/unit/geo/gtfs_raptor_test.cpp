#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>

#include <unistd.h>

#include "core/error.hpp"
#include "geo/gtfs_feed.hpp"
#include "geo/projection.hpp"
#include "geo/raptor.hpp"
#include "geo/timetable.hpp"

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

std::vector<xy> metric(gtfs_feed const& g);

/// A timetable of one feed with the default options (400 m transfers, 2 min change).
timetable table(gtfs_feed const& g, timetable_options const& o = {});

std::vector<xy> metric(gtfs_feed const& g) {
  transformer const t{4326, 2975};
  std::vector<xy> out;
  for (auto const& p : g.stop_lonlat) {
    out.push_back(t.forward(p));
  }
  return out;
}

timetable table(gtfs_feed const& g, timetable_options const& o) {
  return timetable{{&g}, metric(g), o};
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
  auto const tt = table(g);
  raptor const r{tt, raptor_options{}};
  raptor::scratch s;
  std::vector<std::int32_t> best;
  // From A at 07:55: t1 at 08:00, B at 08:10, C at 08:20; walk B → B2 (about 60 m, ~1 min), t3 at
  // 08:15 from B2 (the 2-minute change time is met), D at 08:30.
  r.earliest_arrival({{stop(g, "A"), 0}}, hms(7, 55), s, best);
  CHECK(best[stop(g, "B")] == hms(8, 10));
  CHECK(best[stop(g, "C")] == hms(8, 20));
  CHECK(best[stop(g, "B2")] > hms(8, 10));
  CHECK(best[stop(g, "B2")] < hms(8, 12));
  CHECK(best[stop(g, "D")] == hms(8, 30));
  // From A at 08:05: the next trip is t2 at 09:00; D is then unreachable (no later R2 trip).
  r.earliest_arrival({{stop(g, "A"), 0}}, hms(8, 5), s, best);
  CHECK(best[stop(g, "C")] == hms(9, 20));
  CHECK(best[stop(g, "D")] == raptor::kNever);
  // Past midnight: the 24:30 trip reaches C at 24:50.
  r.earliest_arrival({{stop(g, "A"), 0}}, hms(24, 20), s, best);
  CHECK(best[stop(g, "C")] == hms(24, 50));
  // No transfer allowed: D cannot be reached from A.
  raptor const direct{tt, raptor_options{0}};
  direct.earliest_arrival({{stop(g, "A"), 0}}, hms(7, 55), s, best);
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
  travel_time_options o;
  o.progress = false;
  o.tolerance_minutes = 120;
  o.service_date = "20250106";
  bus_network const net{{tiny()}, 2975, o};
  auto const& tt = net.day(service_kind::weekday);
  // The tiny feed runs on weekdays only: its Saturday and Sunday (after 2025-01-06) have no bus.
  CHECK(net.date(service_kind::weekday) == "20250106");
  CHECK(net.date(service_kind::saturday) == "none");
  CHECK(net.date(service_kind::sunday) == "none");
  CHECK(net.day(service_kind::sunday).trip_count() == 0);
  auto const g = read_gtfs(tiny(), {"20250106", 0});
  auto const stops = metric(g);
  // Home 100 m west of A; facilities 100 m east of C, and one far away.
  bus_request req;
  req.homes = {{stops[stop(g, "A")].x - 100, stops[stop(g, "A")].y}};
  req.facilities = {{stops[stop(g, "C")].x + 100, stops[stop(g, "C")].y},
                    {stops[stop(g, "A")].x + 50000, stops[stop(g, "A")].y}};
  req.windows = {{true, service_kind::weekday, 7 * 60, 8 * 60},
                 {false, service_kind::weekday, 17 * 60, 18 * 60},
                 {true, service_kind::saturday, 7 * 60, 8 * 60}};
  req.pairs = {{0, 0}, {0, 1}, {0, 2}};
  CHECK(tt.stop_count() == 5);
  auto const m = bus_profiles(net, req, o);
  REQUIRE(m.offsets.size() == 4);
  // Morning, leaving home at 07:00 + m: 104 s to A (100 m × 1.3 at 4.5 km/h), t1 at 08:00 for m ≤ 58,
  // C at 08:20, 104 s to the facility: 80 − m min + 104 s; m = 59 waits for t2 (09:00): 82.7 min.
  // Sorted, the 30th of 60 is m = 29: 52.7 → 53; the 48th is m = 11: 70.7 → 71.
  REQUIRE(m.offsets[1] - m.offsets[0] == 1);
  CHECK(m.facility[0] == 0);
  CHECK(m.median[0] == 53);
  CHECK(m.p80[0] == 71);
  // Evening from the facility, 17:00–17:59: t5 leaves C at 17:30 (reached on foot by 17:28), A at
  // 17:50, then nothing: 29 minutes of 60 reach home, so the median is unreachable.
  CHECK(m.offsets[2] - m.offsets[1] == 0);
  // Saturday: no service.
  CHECK(m.offsets[3] - m.offsets[2] == 0);
}

#include "geo/geos_context.hpp"

TEST_CASE("bus-reachable zone: the union of the cells listed", "[geo][zones]") {
  std::vector<xy> const homes{{0, 0}, {200, 0}, {5000, 5000}};
  auto const zones = cell_zones(homes, 200, {{0, 1}, {}});
  REQUIRE(zones.size() == 2);
  CHECK(zones[1].empty());
  geos_context gc;
  auto const zone = gc.from_wkb(zones[0]);
  CHECK(gc.area(zone.get()) == Approx(2 * 200 * 200));
  CHECK(gc.covers(zone.get(), 250, 50));
  CHECK_FALSE(gc.covers(zone.get(), 5000, 5000));
  CHECK_FALSE(gc.invalid_reason(zone.get()).has_value());
}

TEST_CASE("service edits: a headway adds trips, a factor divides headways, unknown routes are named",
          "[geo][gtfs_edit]") {
  auto g = read_gtfs(tiny(), {"20250106", 0});
  raptor::scratch s;
  std::vector<std::int32_t> best;
  // Before: from A at 08:05, the next trip is at 09:00 (C at 09:20).
  apply_service_edits(g, {{{"R1"}, hms(8, 0), hms(9, 0), 1.0, 15 * 60, "test"}});
  auto const tt = table(g);
  raptor const r{tt, raptor_options{}};
  r.earliest_arrival({{stop(g, "A"), 0}}, hms(8, 5), s, best);
  CHECK(best[stop(g, "C")] == hms(8, 35));  // a copy of t1 departing 08:15
  auto h = read_gtfs(tiny(), {"20250106", 0});
  apply_service_edits(
      h, {{{}, hms(8, 0), hms(8, 59), 2.0, 0, "test"}});  // one extra trip between 08:00 and 09:00
  auto const tt2 = table(h);
  raptor const r2{tt2, raptor_options{}};
  raptor::scratch s2;
  r2.earliest_arrival({{stop(h, "A"), 0}}, hms(8, 5), s2, best);
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
  auto const tt = table(g);
  raptor const r{tt, raptor_options{}};
  raptor::scratch s;
  std::vector<std::int32_t> best;
  // Runs at 08:15, 08:35, 08:55 (15 minutes to D): from B2 at 08:20, the 08:35 one reaches D at 08:50.
  r.earliest_arrival({{stop(g, "B2"), 0}}, hms(8, 20), s, best);
  CHECK(best[stop(g, "D")] == hms(8, 50));
  r.earliest_arrival({{stop(g, "B2"), 0}}, hms(8, 56), s, best);
  CHECK(best[stop(g, "D")] == raptor::kNever);
  std::ofstream{d / "frequencies.txt"}
      << "trip_id,start_time,end_time,headway_secs\nt3,09:00:00,08:00:00,600\n";
  CHECK_THROWS_WITH(read_gtfs(d.string(), {"20250106", 0}), Catch::Contains("frequencies.txt, line 2"));
  fs::remove_all(d);
}
