#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <map>
#include <string>

#include <unistd.h>

#include "core/error.hpp"
#include "geo/gtfs_check.hpp"
#include "geo/gtfs_feed.hpp"
#include "gtfs_fixture.hpp"

// Defects found by the bad-input campaign (tests/campaign/bad_inputs.py): feeds that `avipsim check`
// refused but `run` read without a word (a trip of an unknown route, no routes.txt), and feeds both read
// silently (no stop times, a trip whose first stop has no time).

using namespace avip::geo;
namespace fs = std::filesystem;

namespace {

fs::path campaign_feed(std::string const& name, std::map<std::string, std::string> const& files = {}) {
  std::map<std::string, std::string> const all{
      {"stops.txt",
       "stop_id,stop_name,stop_lat,stop_lon\nA,a,-21.0,55.40\nB,b,-21.0,55.41\nC,c,-21.0,55.42\n"},
      {"routes.txt", "route_id,route_type\nR1,3\n"},
      {"trips.txt", "route_id,service_id,trip_id\nR1,WK,T1\n"},
      {"stop_times.txt",
       "trip_id,arrival_time,departure_time,stop_id,stop_sequence\n"
       "T1,08:00:00,08:00:00,A,1\nT1,08:10:00,08:10:00,B,2\nT1,08:20:00,08:20:00,C,3\n"},
      {"calendar.txt",
       "service_id,monday,tuesday,wednesday,thursday,friday,saturday,sunday,start_date,end_date\n"
       "WK,1,1,1,1,1,0,0,20250101,20250630\n"},
  };
  return avip::test::write_feed("gtfs_campaign_" + name, all, files, {"stop_times.txt"});
}

std::string read_error(fs::path const& d) {
  try {
    (void)read_gtfs(d.string(), {"20250107", 1});
  } catch (avip::geo_error const& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST_CASE("campaign: a trip of a route missing from routes.txt is refused by run as by check",
          "[geo][gtfs]") {
  auto const d = campaign_feed("route", {{"trips.txt", "route_id,service_id,trip_id\nR9,WK,T1\n"}});
  CHECK_THAT(read_error(d), Catch::Contains("trips.txt, line 2") && Catch::Contains("route_id 'R9'"));
  CHECK(check_gtfs(d.string(), std::nullopt, "20250107").fatal());
  fs::remove_all(d);
}

TEST_CASE("campaign: routes.txt is required", "[geo][gtfs]") {
  auto const d = campaign_feed("noroutes", {{"routes.txt", ""}});
  CHECK_THAT(read_error(d), Catch::Contains("routes.txt"));
  fs::remove_all(d);
}

TEST_CASE("campaign: a feed without stop times is refused", "[geo][gtfs]") {
  auto const d = campaign_feed(
      "notimes", {{"stop_times.txt", "trip_id,arrival_time,departure_time,stop_id,stop_sequence\n"}});
  CHECK_THAT(read_error(d), Catch::Contains("stop_times.txt") && Catch::Contains("no stop times"));
  CHECK(check_gtfs(d.string(), std::nullopt, "20250107").fatal());
  fs::remove_all(d);
}

TEST_CASE("campaign: a trip's first and last stops must be timed; an untimed stop between is left out",
          "[geo][gtfs]") {
  auto const first =
      campaign_feed("untimed_first", {{"stop_times.txt",
                                       "trip_id,arrival_time,departure_time,stop_id,stop_sequence\n"
                                       "T1,,,A,1\nT1,08:10:00,08:10:00,B,2\nT1,08:20:00,08:20:00,C,3\n"}});
  CHECK_THAT(read_error(first), Catch::Contains("stop_times.txt, line 2") && Catch::Contains("first stop"));
  fs::remove_all(first);
  auto const middle =
      campaign_feed("untimed_middle", {{"stop_times.txt",
                                        "trip_id,arrival_time,departure_time,stop_id,stop_sequence\n"
                                        "T1,08:00:00,08:00:00,A,1\nT1,,,B,2\nT1,08:20:00,08:20:00,C,3\n"}});
  auto const g = read_gtfs(middle.string(), {"20250107", 1});
  REQUIRE(g.patterns.size() == 1);
  CHECK(g.patterns[0].stops.size() == 2);
  CHECK(g.arrival.size() == 2);
  fs::remove_all(middle);
}
