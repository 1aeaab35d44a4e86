#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <string>

#include "harness.hpp"

namespace fs = std::filesystem;

using avip::test::avipsim;
using avip::test::src;
using avip::test::temp_folder;

namespace {

/// A copy of tests/data/mini with a GTFS folder "g" listed in its manifest, stops near the mini
/// territory; `bad_time` goes into the first stop time.
fs::path mini_with_feed(std::string const& name, std::string const& bad_time = "08:00:00") {
  auto const d = temp_folder("gtfs_cli", name);
  fs::copy(src("tests/data/mini"), d / "mini", fs::copy_options::recursive);
  auto const g = d / "mini" / "g";
  fs::create_directories(g);
  std::ofstream{g / "stops.txt"} << "stop_id,stop_name,stop_lat,stop_lon\nA,a,45.73,3.03\nB,b,45.74,3.04\n";
  std::ofstream{g / "stop_times.txt"} << "trip_id,arrival_time,departure_time,stop_id,stop_sequence\nT,"
                                      << bad_time << "," << bad_time << ",A,1\nT,08:30:00,08:30:00,B,2\n";
  std::ofstream{g / "routes.txt"} << "route_id,route_type\nR,3\n";
  std::ofstream{g / "trips.txt"} << "route_id,service_id,trip_id\nR,S,T\n";
  std::ofstream{g / "calendar.txt"}
      << "service_id,monday,tuesday,wednesday,thursday,friday,saturday,sunday,start_date,end_date\n"
         "S,1,1,1,1,1,1,1,20250101,20251231\n";
  std::ifstream in{d / "mini" / "territory.json"};
  std::string text{std::istreambuf_iterator<char>{in}, {}};
  text.insert(text.rfind('}'), ", \"gtfs\": [\"g\"]\n");
  std::ofstream{d / "mini" / "t-gtfs.json"} << text;
  return d;
}

}  // namespace

TEST_CASE("avipsim check prints the validity of the Réunion feed", "[cli][gtfs]") {
  auto const r = avipsim("check " + src("data/reunion/territory.json"));
  INFO(r.output);
  CHECK(r.code == 0);
  CHECK_THAT(r.output, Catch::Contains("validity: 2025-01-01 to 2026-11-30") &&
                           Catch::Contains("2025-11-30") && Catch::Contains("458 stops"));
}

TEST_CASE("avipsim check refuses a feed with bad times, naming the file and line", "[cli][gtfs]") {
  for (std::string const t : {"08:61:00", "-01:00:00"}) {
    auto const d = mini_with_feed("badtime", t);
    auto const r = avipsim("check " + (d / "mini" / "t-gtfs.json").string());
    INFO(r.output);
    CHECK(r.code == 1);
    CHECK_THAT(r.output, Catch::Contains("stop_times.txt, line 2: bad time '" + t + "'"));
    CHECK_THAT(r.output, !Catch::Contains("internal error"));
    fs::remove_all(d);
  }
  auto const d = mini_with_feed("goodtime");
  auto const ok = avipsim("check " + (d / "mini" / "t-gtfs.json").string());
  INFO(ok.output);
  CHECK(ok.code == 0);
  CHECK_THAT(ok.output, Catch::Contains("validity: 2025-01-01 to 2025-12-31"));
  fs::remove_all(d);
}

TEST_CASE("avipsim check of a scenario: the date and the bus_service routes against the feeds",
          "[cli][gtfs]") {
  auto const d = mini_with_feed("scenario");
  std::ofstream{d / "late.json"} << R"({"territory": "mini/t-gtfs.json", "date": "20260301"})";
  auto const late = avipsim("check " + (d / "late.json").string());
  INFO(late.output);
  CHECK(late.code == 1);
  CHECK_THAT(late.output,
             Catch::Contains("no trip runs on 2026-03-01") && Catch::Contains("2025-01-01 to 2025-12-31"));
  std::ofstream{d / "text.json"} << R"({"territory": "mini/t-gtfs.json", "date": "1er mars"})";
  auto const text = avipsim("check " + (d / "text.json").string());
  CHECK(text.code == 1);
  CHECK_THAT(text.output, Catch::Contains("/date") && !Catch::Contains("internal error"));
  std::ofstream{d / "route.json"} << R"({"territory": "mini/t-gtfs.json", "edits": [
      {"type": "bus_service", "routes": ["R9"], "from": "19:00", "to": "21:00", "headway_minutes": 30}]})";
  auto const route = avipsim("check " + (d / "route.json").string());
  INFO(route.output);
  CHECK(route.code == 1);
  CHECK_THAT(route.output, Catch::Contains("/edits/0/routes/0") && Catch::Contains("no route 'R9'"));
  std::ofstream{d / "fine.json"} << R"({"territory": "mini/t-gtfs.json", "date": "20250610", "edits": [
      {"type": "bus_service", "routes": ["R"], "from": "19:00", "to": "21:00", "headway_minutes": 30}]})";
  auto const fine = avipsim("check " + (d / "fine.json").string());
  INFO(fine.output);
  CHECK(fine.code == 0);
  auto const bad_date = avipsim("transit " + (d / "mini" / "t-gtfs.json").string() +
                                " --date 2025-06-10 --out " + (d / "t").string());
  CHECK(bad_date.code == 2);
  fs::remove_all(d);
}
