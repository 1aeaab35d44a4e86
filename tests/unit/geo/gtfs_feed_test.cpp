#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <string>

#include <unistd.h>

#include "core/error.hpp"
#include "geo/gtfs_calendar.hpp"
#include "geo/gtfs_check.hpp"
#include "geo/gtfs_feed.hpp"
#include "gtfs_fixture.hpp"

using namespace avip::geo;
namespace fs = std::filesystem;

namespace {

constexpr std::int32_t hms(int h, int m, int s = 0) {
  return h * 3600 + m * 60 + s;
}

/// A small feed: route R1 on weekdays (WK), route R2 on Saturdays only (SA), from 2025-01-01 (a
/// Wednesday) to 2025-06-30 (a Monday); `files` replaces or adds files.
fs::path feed(std::string const& name, std::map<std::string, std::string> const& files = {}) {
  std::map<std::string, std::string> const all{
      {"stops.txt",
       "stop_id,stop_name,stop_lat,stop_lon\nA,a,-21.0,55.40\nB,b,-21.0,55.41\nC,c,-21.0,55.42\n"},
      {"routes.txt", "route_id,route_type\nR1,3\nR2,3\n"},
      {"trips.txt", "route_id,service_id,trip_id\nR1,WK,T1\nR1,WK,T2\nR2,SA,S1\n"},
      {"stop_times.txt",
       "trip_id,arrival_time,departure_time,stop_id,stop_sequence\n"
       "T1,08:00:00,08:00:00,A,1\nT1,08:10:00,08:10:00,B,2\nT1,08:20:00,08:20:00,C,3\n"
       "T2,09:00:00,09:00:00,A,1\nT2,09:10:00,09:10:00,B,2\nT2,09:20:00,09:20:00,C,3\n"
       "S1,10:00:00,10:00:00,C,1\nS1,10:10:00,10:10:00,A,2\n"},
      {"calendar.txt",
       "service_id,monday,tuesday,wednesday,thursday,friday,saturday,sunday,start_date,end_date\n"
       "WK,1,1,1,1,1,0,0,20250101,20250630\nSA,0,0,0,0,0,1,0,20250101,20250630\n"},
  };
  std::set<std::string> every;  // every file is written, even empty
  for (auto const& [k, v] : all) {
    every.insert(k);
  }
  for (auto const& [k, v] : files) {
    every.insert(k);
  }
  return avip::test::write_feed("gtfs_feed_" + name, all, files, every);
}

std::string with_time(std::string const& t) {
  return "trip_id,arrival_time,departure_time,stop_id,stop_sequence\nT1," + t + "," + t +
         ",A,1\nT1,08:10:00,08:10:00,B,2\nT2,09:00:00,09:00:00,A,1\nT2,09:10:00,09:10:00,B,2\n"
         "S1,10:00:00,10:00:00,C,1\nS1,10:10:00,10:10:00,A,2\n";
}

std::size_t trips_of_route(gtfs_feed const& g, std::string const& route) {
  return static_cast<std::size_t>(std::count(g.trip_route.begin(), g.trip_route.end(), route));
}

}  // namespace

TEST_CASE("GTFS times are parsed strictly", "[geo][gtfs]") {
  CHECK(parse_gtfs_time("8:05:00") == hms(8, 5));
  CHECK(parse_gtfs_time("47:59:59") == hms(47, 59, 59));
  CHECK(parse_gtfs_time("08:61:00") == -1);
  CHECK(parse_gtfs_time("08:00:60") == -1);
  CHECK(parse_gtfs_time("-01:00:00") == -1);
  CHECK(parse_gtfs_time("99999999:00:00") == -1);
  CHECK(parse_gtfs_time("48:00:00") == -1);
  CHECK(parse_gtfs_time("+8:00:00") == -1);
  CHECK(parse_gtfs_time("08:00:00x") == -1);
}

TEST_CASE("bad GTFS times are refused with the file and line", "[geo][gtfs]") {
  for (std::string const t : {"08:61:00", "-01:00:00", "99999999:00:00"}) {
    auto const d = feed("badtime", {{"stop_times.txt", with_time(t)}});
    CHECK_THROWS_AS(read_gtfs(d.string(), {"20250106", 0}), avip::geo_error);
    CHECK_THROWS_WITH(read_gtfs(d.string(), {"20250106", 0}),
                      Catch::Contains("stop_times.txt, line 2") && Catch::Contains("bad time '" + t + "'"));
    fs::remove_all(d);
  }
}

TEST_CASE("text coordinates, sequences and dates are refused, not read as zero", "[geo][gtfs]") {
  auto d = feed("textlat", {{"stops.txt",
                             "stop_id,stop_name,stop_lat,stop_lon\nA,a,nord,55.4\nB,b,-21,55.41\n"
                             "C,c,-21,55.42\n"}});
  CHECK_THROWS_WITH(read_gtfs(d.string(), {"20250106", 0}),
                    Catch::Contains("stops.txt, line 2") && Catch::Contains("stop_lat 'nord'"));
  fs::remove_all(d);
  d = feed("farlat",
           {{"stops.txt", "stop_id,stop_name,stop_lat,stop_lon\nA,a,-21,55.4\nB,b,-95,55.41\nC,c,-21,55\n"}});
  CHECK_THROWS_WITH(read_gtfs(d.string(), {"20250106", 0}), Catch::Contains("stops.txt, line 3"));
  fs::remove_all(d);
  d = feed("textdate",
           {{"calendar.txt",
             "service_id,monday,tuesday,wednesday,thursday,friday,saturday,sunday,start_date,end_date\n"
             "WK,1,1,1,1,1,0,0,janvier,20250630\nSA,0,0,0,0,0,1,0,20250101,20250630\n"}});
  CHECK_THROWS_AS(read_gtfs(d.string(), {"20250106", 0}), avip::geo_error);
  CHECK_THROWS_WITH(read_gtfs(d.string(), {"20250106", 0}),
                    Catch::Contains("calendar.txt, line 2") && Catch::Contains("start_date 'janvier'"));
  fs::remove_all(d);
  d = feed("textseq", {{"stop_times.txt",
                        "trip_id,arrival_time,departure_time,stop_id,stop_sequence\n"
                        "T1,08:00:00,08:00:00,A,un\nT1,08:10:00,08:10:00,B,2\n"}});
  CHECK_THROWS_WITH(read_gtfs(d.string(), {"20250106", 0}), Catch::Contains("stop_sequence"));
  fs::remove_all(d);
  CHECK_THROWS_WITH(read_gtfs_service(feed("baddate").string(), {"2025-01-06", 0}),
                    Catch::Contains("bad service date '2025-01-06'"));
}

TEST_CASE("frequencies.txt: an expansion above the cap is refused with its estimate", "[geo][gtfs]") {
  std::string stops =
      "stop_id,stop_name,stop_lat,stop_lon\nA,a,-21.0,55.40\nB,b,-21.0,55.41\nC,c,-21.0,55.42\n";
  std::string times = "trip_id,arrival_time,departure_time,stop_id,stop_sequence\n";
  for (int k = 0; k < 100; ++k) {
    stops += "P" + std::to_string(k) + ",p,-21.0," + std::to_string(55.3 + k * 0.001) + "\n";
    times += "T1,08:" + std::to_string(10 + k / 2) + ":00,08:" + std::to_string(10 + k / 2) + ":00,P" +
             std::to_string(k) + "," + std::to_string(k + 1) + "\n";
  }
  auto const d = feed("freqcap", {{"stops.txt", stops},
                                  {"stop_times.txt", times},
                                  {"trips.txt", "route_id,service_id,trip_id\nR1,WK,T1\n"},
                                  {"frequencies.txt",
                                   "trip_id,start_time,end_time,headway_secs\n"
                                   "T1,00:00:00,47:00:00,1\nT1,00:00:00,47:00:00,1\n"}});
  CHECK_THROWS_WITH(read_gtfs(d.string(), {"20250106", 0}), Catch::Contains("frequencies.txt") &&
                                                                Catch::Contains("33840000 stop times") &&
                                                                Catch::Contains("20000000"));
  fs::remove_all(d);
}

TEST_CASE("a real frequency_factor adds trips: 1.4 divides the mean headway by 1.4", "[geo][gtfs]") {
  // T1 every hour from 06:00 to 16:00: 11 trips, 10 gaps.
  auto const d = feed("factor", {{"frequencies.txt",
                                  "trip_id,start_time,end_time,headway_secs\n"
                                  "T1,06:00:00,16:30:00,3600\n"},
                                 {"trips.txt", "route_id,service_id,trip_id\nR1,WK,T1\nR2,SA,S1\n"},
                                 {"stop_times.txt",
                                  "trip_id,arrival_time,departure_time,stop_id,stop_sequence\n"
                                  "T1,08:00:00,08:00:00,A,1\nT1,08:10:00,08:10:00,B,2\n"
                                  "S1,10:00:00,10:00:00,C,1\nS1,10:10:00,10:10:00,A,2\n"}});
  auto g = read_gtfs(d.string(), {"20250106", 0});
  REQUIRE(trips_of_route(g, "R1") == 11);
  apply_service_edits(g, {{{"R1"}, hms(6, 0), hms(17, 0), 1.4, 0, "test"}});
  CHECK(trips_of_route(g, "R1") == 15);  // 10 gaps × 1.4 = 14 gaps: 4 more trips
  auto h = read_gtfs(d.string(), {"20250106", 0});
  apply_service_edits(h, {{{"R1"}, hms(6, 0), hms(17, 0), 2.0, 0, "test"}});
  CHECK(trips_of_route(h, "R1") == 21);
  auto one = read_gtfs(d.string(), {"20250106", 0});
  apply_service_edits(one, {{{"R1"}, hms(6, 0), hms(7, 0), 1.4, 0, "test"}});
  CHECK(trips_of_route(one, "R1") == 12);  // one gap: one more trip (at 06:30)
  fs::remove_all(d);
}

TEST_CASE("a bus_service edit on a route that does not run that day applies where it runs", "[geo][gtfs]") {
  auto const d = feed("notthatday");
  auto g = read_gtfs(d.string(), {"20250106", 0});  // a Monday: R2 runs on Saturdays only
  CHECK(trips_of_route(g, "R2") == 0);
  auto const trips = g.trip_route.size();
  CHECK_NOTHROW(apply_service_edits(g, {{{"R2"}, hms(6, 0), hms(20, 0), 1.0, 1800, "x.json: /edits/0"}}));
  CHECK(g.trip_route.size() == trips);
  auto s = read_gtfs(d.string(), {"20250104", 0});  // a Saturday
  apply_service_edits(s, {{{"R2"}, hms(6, 0), hms(20, 0), 1.0, 1800, "x.json: /edits/0"}});
  CHECK(trips_of_route(s, "R2") > 1);
  CHECK_THROWS_WITH(apply_service_edits(g, {{{"R9"}, 0, hms(23, 0), 2.0, 0, "x.json: /edits/0"}}),
                    Catch::Contains("x.json: /edits/0") && Catch::Contains("no route 'R9'"));
  fs::remove_all(d);
}

TEST_CASE("service calendars: validity, automatic day and dates outside the feed", "[geo][gtfs]") {
  auto const d =
      feed("validity", {{"calendar_dates.txt", "service_id,date,exception_type\nWK,20250630,2\n"}});
  auto const s = read_gtfs_service(d.string(), {"", 1});
  CHECK(s.valid_from == "20250101");
  CHECK(s.valid_to == "20250628");  // the last Monday is removed; the last Saturday runs
  CHECK(s.date.size() == 8);
  CHECK_THAT(s.reason, Catch::Contains("automatique"));
  CHECK(s.expired);  // ended in 2025
  REQUIRE(!s.warnings.empty());
  CHECK_THAT(s.warnings.front(), Catch::Contains("2025-06-28"));
  CHECK(s.route_ids == std::vector<std::string>{"R1", "R2"});
  auto const g = read_gtfs(d.string(), {"20250106", 0});
  CHECK(g.valid_to == "20250628");
  CHECK(g.date == "20250106");
  // A day outside the feed, or one without any trip: an error naming the day and the validity.
  CHECK_THROWS_WITH(read_gtfs(d.string(), {"20260105", 0}),
                    Catch::Contains("2026-01-05") && Catch::Contains("2025-01-01 to 2025-06-28"));
  CHECK_THROWS_WITH(read_gtfs_service(d.string(), {"20250105", 6}),
                    Catch::Contains("no trip runs on 2025-01-05"));
  auto const t = describe_transit({d.string()}, "20250107");
  CHECK(t.date == "20250107");
  CHECK(t.saturday == "20250111");
  CHECK(t.has_route("R2"));
  CHECK_FALSE(t.has_route("R9"));
  CHECK_THAT(t.line(), Catch::Contains("2025-01-07") && Catch::Contains("2025-06-28"));
  fs::remove_all(d);
}

TEST_CASE("check_gtfs counts problems per feed instead of stopping at the first", "[geo][gtfs]") {
  auto const d = feed("check", {{"stops.txt",
                                 "stop_id,stop_name,stop_lat,stop_lon\nA,a,-21.0,55.40\n"
                                 "B,b,-21.0,55.41\nC,c,-21.0,55.42\nC,c2,-21.0,55.42\n"},
                                {"stop_times.txt", with_time("08:61:00") + "S1,10:20:00,10:20:00,Z,3\n"
                                                                           "T2,09:05:00,09:05:00,C,3\n"}});
  auto const c = check_gtfs(d.string(), std::nullopt);
  CHECK(c.fatal());
  CHECK(c.stops == 4);
  CHECK(c.stop_times == 8);
  CHECK(c.errors.at("invalid_time") == 2);  // arrival and departure of one row
  CHECK(c.errors.at("foreign_key_violation") == 1);
  CHECK(c.errors.at("duplicate_key") == 1);
  CHECK(c.errors.at("trip_times_go_backwards") == 1);
  REQUIRE(c.service.has_value());
  auto const text = format_gtfs_check(c);
  CHECK_THAT(text, Catch::Contains("validity: 2025-01-01 to 2025-06-30") &&
                       Catch::Contains("stop_times.txt, line 2: bad time '08:61:00'"));
  auto const ok = check_gtfs(feed("checkok").string(), std::nullopt);
  CHECK_FALSE(ok.fatal());
  CHECK(ok.warnings.contains("feed_expired"));
  fs::remove_all(d);
}
