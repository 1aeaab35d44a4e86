#include <catch2/catch.hpp>

#include "geo/geos_context.hpp"
#include "geo/polygon_index.hpp"

using namespace avip::geo;

namespace {
wkb from_wkt(std::string const& s) {
  geos_context g;
  auto geom = g.from_wkt(s);
  return g.to_wkb(geom.get());
}
}  // namespace

TEST_CASE("point in polygon: inside, outside, on an edge, in a hole", "[geo][polygon_index]") {
  std::vector<wkb> polys{from_wkt("POLYGON((0 0,10 0,10 10,0 10,0 0),(4 4,6 4,6 6,4 6,4 4))"),
                         from_wkt("POLYGON((10 0,20 0,20 10,10 10,10 0))")};
  auto const r = locate_points(polys, {{1, 1}, {5, 5}, {15, 5}, {25, 5}, {10, 5}, {0, 0}, {4, 5}});
  CHECK(r[0] == 0);           // inside the first
  CHECK(r[1] == kNoPolygon);  // in the hole
  CHECK(r[2] == 1);
  CHECK(r[3] == kNoPolygon);
  CHECK(r[4] == 0);  // on the shared edge: the lowest index wins, never lost
  CHECK(r[5] == 0);  // on a corner
  CHECK(r[6] == 0);  // on the hole's boundary: covered by the polygon
}

TEST_CASE("many points are located identically in parallel", "[geo][polygon_index]") {
  std::vector<wkb> polys{from_wkt("POLYGON((0 0,100 0,100 100,0 100,0 0))")};
  std::vector<xy> pts;
  for (int i = 0; i < 5000; ++i) {
    pts.push_back({static_cast<double>(i % 150), static_cast<double>(i % 97)});
  }
  auto const r = locate_points(polys, pts);
  for (std::size_t i = 0; i < pts.size(); ++i) {
    REQUIRE(r[i] == (pts[i].x <= 100 ? 0U : kNoPolygon));
  }
}

TEST_CASE("snap to nearest assigns coastal points within the distance only", "[geo][polygon_index]") {
  std::vector<wkb> polys{from_wkt("POLYGON((0 0,10 0,10 10,0 10,0 0))")};
  std::vector<xy> pts{{12, 5}, {50, 5}};
  auto r = locate_points(polys, pts);
  snap_to_nearest(polys, pts, r, 5.0);
  CHECK(r[0] == 0);
  CHECK(r[1] == kNoPolygon);
}

TEST_CASE("GEOS wrapper: validity, area, buffer and union", "[geo][geos]") {
  geos_context g;
  auto bowtie = g.from_wkt("POLYGON((0 0,10 10,10 0,0 10,0 0))");
  auto const reason = g.invalid_reason(bowtie.get());
  REQUIRE(reason.has_value());
  CHECK_THAT(*reason, Catch::Contains("Self-intersection"));
  auto sq = g.from_wkt("POLYGON((0 0,2 0,2 2,0 2,0 0))");
  CHECK(g.area(sq.get()) == Approx(4.0));
  auto disc = g.buffer(g.point(0, 0).get(), 1.0, 32);
  CHECK(g.area(disc.get()) == Approx(3.14159).epsilon(0.01));
  std::vector<geos_context::geometry> parts;
  parts.push_back(g.from_wkt("POLYGON((0 0,2 0,2 2,0 2,0 0))"));
  parts.push_back(g.from_wkt("POLYGON((1 0,3 0,3 2,1 2,1 0))"));
  auto u = g.unary_union(std::move(parts));
  CHECK(g.area(u.get()) == Approx(6.0));
}
