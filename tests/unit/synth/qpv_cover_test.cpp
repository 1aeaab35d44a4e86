#include <catch2/catch.hpp>

#include <utility>
#include <vector>

#include "core/random.hpp"
#include "geo/geos_context.hpp"
#include "synth/qpv_cover.hpp"

using namespace avip;

namespace {

/// Four 200 m cells (two by two from the origin) and two QPV: one across the border of the two lower
/// cells (x 150–250, y 50–150), one on no cell at all.
territory::territory tiny(geo::geos_context const& g) {
  territory::territory t;
  auto& grid = t.world.grid;
  grid.cell_size = 200;
  for (auto [x, y] : {std::pair{100.0, 100.0}, {300.0, 100.0}, {100.0, 300.0}, {300.0, 300.0}}) {
    grid.id.push_back("c");
    grid.centre.push_back({x, y});
  }
  auto across = g.box(150, 50, 250, 150);
  auto away = g.box(1000, 1000, 1100, 1100);
  t.qpv_geometry = {g.to_wkb(across.get()), g.to_wkb(away.get())};
  return t;
}

}  // namespace

TEST_CASE("qpv_cover: the share of each cell in the QPV and where points are drawn", "[synth][qpv]") {
  geo::geos_context g;
  auto const t = tiny(g);
  synth::qpv_cover const cover{t, g};
  REQUIRE(cover.qpv_count() == 2);
  CHECK(cover.covered(0) == Approx(0.125));  // 50 m × 100 m of 200 m × 200 m
  CHECK(cover.covered(1) == Approx(0.125));
  CHECK(cover.covered(2) == 0.0);
  CHECK(cover.weight_in(0, {1, 1, 5, 5}) == Approx(0.25));
  CHECK(cover.weight_in(0, {2, 0, 0, 0}) == Approx(0.25));

  random_stream rng{974, {1}};
  for (int k = 0; k < 200; ++k) {  // all the weight on the left cell: its part only, 1 m inside
    auto const p = cover.draw_inside(0, {1, 0, 0, 0}, rng);
    REQUIRE(p.x >= 151);
    REQUIRE(p.x <= 200);
    REQUIRE(p.y >= 51);
    REQUIRE(p.y <= 149);
    REQUIRE(cover.inside(0, p.x, p.y));
  }
  bool right = false;
  for (int k = 0; k < 200; ++k) {  // no weight anywhere: by area, both cells
    auto const p = cover.draw_inside(0, {0, 0, 0, 0}, rng);
    REQUIRE(cover.inside(0, p.x, p.y));
    right = right || p.x > 200;
  }
  CHECK(right);
  auto const p = cover.draw_inside(1, {1, 1, 1, 1}, rng);  // a QPV on no cell: anywhere inside it
  CHECK(cover.inside(1, p.x, p.y));
  CHECK_FALSE(cover.inside(0, p.x, p.y));

  CHECK(cover.near_any(0, 160, 100));    // inside
  CHECK(cover.near_any(0, 149.5, 100));  // within the 1 m margin
  CHECK_FALSE(cover.near_any(0, 140, 100));
  CHECK_FALSE(cover.near_any(2, 160, 300));
}
