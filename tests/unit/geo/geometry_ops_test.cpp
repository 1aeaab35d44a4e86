#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "geo/geometry_ops.hpp"
#include "geo/geos_context.hpp"

using namespace avip::geo;

namespace {
wkb from_wkt(std::string const& s) {
  geos_context g;
  auto geom = g.from_wkt(s);
  return g.to_wkb(geom.get());
}
}  // namespace

TEST_CASE("a feature's point: a 2-D or 3-D point as is, a polygon's area centroid", "[geo][geometry_ops]") {
  auto const flat = centroid(point_wkb(340000.5, 7640000.25));
  REQUIRE(flat);
  CHECK(flat->x == 340000.5);
  CHECK(flat->y == 7640000.25);
  // A 3-D point keeps its x and y (it once became (0, 0)).
  auto const high = centroid(from_wkt("POINT Z (55.5 -21.1 120)"));
  REQUIRE(high);
  CHECK(high->x == 55.5);
  CHECK(high->y == -21.1);
  // An L-shaped polygon: the area centroid, not the mean of its vertices (which counts the closing one).
  auto const l_shape = centroid(from_wkt("POLYGON((0 0,4 0,4 1,1 1,1 4,0 4,0 0))"));
  REQUIRE(l_shape);
  // Parts [0, 4] × [0, 1] (area 4, centre (2, 0.5)) and [0, 1] × [1, 4] (area 3, centre (0.5, 2.5)).
  CHECK(l_shape->x == Approx((4 * 2 + 3 * 0.5) / 7).margin(1e-12));
  CHECK(l_shape->y == Approx((4 * 0.5 + 3 * 2.5) / 7).margin(1e-12));
  CHECK_FALSE(centroid(from_wkt("POLYGON EMPTY")));
  CHECK_THROWS(centroid(wkb{1, 2, 3}));
}

TEST_CASE("a layer is a point layer when every geometry is a single point", "[geo][geometry_ops]") {
  CHECK(all_points({point_wkb(1, 2), from_wkt("POINT Z (3 4 5)")}));
  CHECK_FALSE(all_points({point_wkb(1, 2), from_wkt("POLYGON((0 0,1 0,1 1,0 0))")}));
  CHECK_FALSE(all_points({from_wkt("MULTIPOINT((0 0),(1 1))")}));
  CHECK(all_points({}));
}

TEST_CASE("a polyline simplified for a map keeps its ends and the points that bend it",
          "[geo][geometry_ops]") {
  // 0–10 m along x with 1 m wiggles, then a 50 m turn north: at 5 m only the ends and the corner remain.
  std::vector<xy> const line{{0, 0}, {10, 1}, {20, 0}, {30, -1}, {40, 0}, {40, 50}};
  auto const simple = simplify_line(line, 5.0);
  REQUIRE(simple.size() == 3);
  CHECK(simple.front().x == 0);
  CHECK(simple[1].x == 40);
  CHECK(simple[1].y == 0);
  CHECK(simple.back().y == 50);
  CHECK(simplify_line(line, 0.0).size() == line.size());
  CHECK(simplify_line({{0, 0}, {1, 1}}, 5.0).size() == 2);
}
