#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>

#include <unistd.h>

#include "core/error.hpp"
#include "geo/gtfs_lines.hpp"
#include "gtfs_fixture.hpp"

using namespace avip::geo;
namespace fs = std::filesystem;

namespace {

/// Three stops on a line and a weekday service: R1's trips T1 and T2 follow shape SH1, T3 the same
/// stops on shape SH2, T4 names a shape shapes.txt lacks; R2's trip S1 has no shape_id. `files`
/// replaces or adds files ("" removes one).
fs::path feed(std::string const& name, std::map<std::string, std::string> const& files = {}) {
  std::map<std::string, std::string> const all{
      {"stops.txt",
       "stop_id,stop_name,stop_lat,stop_lon\nA,a,-21.0,55.40\nB,b,-21.0,55.41\nC,c,-21.0,55.42\n"},
      {"routes.txt", "route_id,route_type\nR1,3\nR2,3\n"},
      {"trips.txt",
       "route_id,service_id,trip_id,shape_id\nR1,WK,T1,SH1\nR1,WK,T2,SH1\nR1,WK,T3,SH2\nR1,WK,T4,ghost\n"
       "R2,WK,S1,\n"},
      {"stop_times.txt",
       "trip_id,arrival_time,departure_time,stop_id,stop_sequence\n"
       "T1,08:00:00,08:00:00,A,1\nT1,08:10:00,08:10:00,B,2\nT1,08:20:00,08:20:00,C,3\n"
       "T2,09:00:00,09:00:00,A,1\nT2,09:10:00,09:10:00,B,2\nT2,09:20:00,09:20:00,C,3\n"
       "T3,10:00:00,10:00:00,A,1\nT3,10:10:00,10:10:00,B,2\nT3,10:20:00,10:20:00,C,3\n"
       "T4,11:00:00,11:00:00,A,1\nT4,11:10:00,11:10:00,B,2\nT4,11:20:00,11:20:00,C,3\n"
       "S1,10:00:00,10:00:00,C,1\nS1,10:10:00,10:10:00,A,2\n"},
      {"calendar.txt",
       "service_id,monday,tuesday,wednesday,thursday,friday,saturday,sunday,start_date,end_date\n"
       "WK,1,1,1,1,1,0,0,20250101,20250630\n"},
      // Out of order on purpose: the points follow shape_pt_sequence.
      {"shapes.txt",
       "shape_id,shape_pt_lat,shape_pt_lon,shape_pt_sequence\n"
       "SH1,-21.001,55.405,2\nSH1,-21.0,55.40,1\nSH1,-21.0,55.42,3\n"
       "SH2,-21.0,55.40,0\nSH2,-20.99,55.41,5\nSH2,-21.0,55.42,9\n"},
  };
  return avip::test::write_feed("gtfs_lines_" + name, all, files);
}

gtfs_lines::line const& line_of(gtfs_lines const& g, std::string const& route, std::string const& shape) {
  auto const it = std::find_if(g.lines.begin(), g.lines.end(),
                               [&](auto const& l) { return l.route == route && l.shape == shape; });
  REQUIRE(it != g.lines.end());
  return *it;
}

}  // namespace

TEST_CASE("bus lines follow shapes.txt, one per route and shape, and their stops without a shape",
          "[geo][gtfs][lines]") {
  auto const d = feed("shapes");
  auto const g = read_gtfs_lines(d.string());
  CHECK(g.route_ids == std::vector<std::string>{"R1", "R2"});
  REQUIRE(g.lines.size() == 4);
  auto const& sh1 = line_of(g, "R1", "SH1");
  CHECK(sh1.trips == 2);  // T1 and T2, one line
  CHECK(sh1.stops == 3);
  REQUIRE(sh1.lonlat.size() == 3);
  CHECK(sh1.lonlat[1].x == Approx(55.405));
  CHECK(sh1.lonlat[1].y == Approx(-21.001));
  auto const& sh2 = line_of(g, "R1", "SH2");
  CHECK(sh2.trips == 1);
  CHECK(sh2.lonlat[1].y == Approx(-20.99));
  auto const& ghost = line_of(g, "R1", "");  // T4: its shape is not in shapes.txt
  CHECK(ghost.trips == 1);
  REQUIRE(ghost.lonlat.size() == 3);
  CHECK(ghost.lonlat[1].x == Approx(55.41));  // stop B
  auto const& s1 = line_of(g, "R2", "");
  CHECK(s1.trips == 1);
  REQUIRE(s1.lonlat.size() == 2);
  CHECK(s1.lonlat[0].x == Approx(55.42));  // C then A
  fs::remove_all(d);
}

TEST_CASE("bus lines without shapes.txt, or without using it, are the stop sequences", "[geo][gtfs][lines]") {
  auto const d = feed("no_shapes", {{"shapes.txt", ""}});
  for (auto const& g : {read_gtfs_lines(d.string()), read_gtfs_lines(feed("ignored").string(), false)}) {
    REQUIRE(g.lines.size() == 2);  // R1 (T1 to T4: one stop sequence) and R2
    CHECK(line_of(g, "R1", "").trips == 4);
    CHECK(line_of(g, "R2", "").trips == 1);
  }
  fs::remove_all(d);
  fs::remove_all(feed("ignored"));
}

TEST_CASE("a malformed shapes.txt is refused naming its file and line", "[geo][gtfs][lines]") {
  struct bad {
    std::string name, shapes, expected;
  };
  std::vector<bad> const cases{
      {"twice", "shape_id,shape_pt_lat,shape_pt_lon,shape_pt_sequence\nSH1,-21,55.4,1\nSH1,-21,55.5,1\n",
       "shapes.txt, line 3: shape 'SH1' has shape_pt_sequence 1 twice"},
      {"latitude", "shape_id,shape_pt_lat,shape_pt_lon,shape_pt_sequence\nSH1,-121,55.4,1\n",
       "shapes.txt, line 2: bad shape_pt_lat"},
      {"sequence", "shape_id,shape_pt_lat,shape_pt_lon,shape_pt_sequence\nSH1,-21,55.4,first\n",
       "shapes.txt, line 2: bad shape_pt_sequence"},
      {"column", "shape_id,shape_pt_lat,shape_pt_lon\nSH1,-21,55.4\n", "shape_pt_sequence"},
      {"empty_id", "shape_id,shape_pt_lat,shape_pt_lon,shape_pt_sequence\n,-21,55.4,1\n",
       "shapes.txt, line 2: empty shape_id"},
  };
  for (auto const& c : cases) {
    INFO(c.name);
    auto const d = feed("bad_" + c.name, {{"shapes.txt", c.shapes}});
    CHECK_THROWS_AS(read_gtfs_lines(d.string()), avip::geo_error);
    CHECK_THROWS_WITH(read_gtfs_lines(d.string()), Catch::Contains(c.expected));
    CHECK(read_gtfs_lines(d.string(), false).lines.size() == 2);
    fs::remove_all(d);
  }
}
