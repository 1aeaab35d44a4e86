#include <catch2/catch.hpp>

#include "territory/cell_lookup.hpp"

using namespace avip;

namespace {

/// Three 200 m cells of a lattice whose centres sit at odd multiples of 100 m, one far away.
sim::grid_table grid() {
  sim::grid_table g;
  g.cell_size = 200;
  for (auto const c :
       {sim::point{300, 500}, sim::point{500, 500}, sim::point{300, 700}, sim::point{10'100, 9'900}}) {
    g.id.push_back("c");
    g.centre.push_back(c);
  }
  return g;
}

}  // namespace

TEST_CASE("cell_lookup finds the cell whose square holds a point", "[territory]") {
  auto const g = grid();
  territory::cell_lookup const cells{g};
  CHECK(cells.at({300, 500}) == sim::cell_idx{0});
  CHECK(cells.at({210, 410}) == sim::cell_idx{0});
  CHECK(cells.at({399.9, 599.9}) == sim::cell_idx{0});
  CHECK(cells.at({400.1, 500}) == sim::cell_idx{1});
  CHECK(cells.at({300, 600.1}) == sim::cell_idx{2});
  CHECK(cells.at({10'050, 9'850}) == sim::cell_idx{3});
  CHECK_FALSE(cells.at({700, 500}).valid());  // no cell there
  CHECK_FALSE(cells.at({-300, -500}).valid());
  // Two points of one square share a key; a centre given twice is the same cell.
  CHECK(cells.key({210, 410}) == cells.key({390, 590}));
  CHECK(cells.key({300, 500}) != cells.key({500, 500}));
}

TEST_CASE("cell_lookup of a grid whose centres sit on multiples of the cell size", "[territory]") {
  // The lattice is the grid's own (centred on its first cell), not the CRS's multiples of 200 m.
  sim::grid_table g;
  g.cell_size = 200;
  for (auto const c : {sim::point{400, 400}, sim::point{600, 400}}) {
    g.id.push_back("c");
    g.centre.push_back(c);
  }
  territory::cell_lookup const cells{g};
  CHECK(cells.at({310, 320}) == sim::cell_idx{0});
  CHECK(cells.at({490, 480}) == sim::cell_idx{0});
  CHECK(cells.at({510, 480}) == sim::cell_idx{1});
  CHECK_FALSE(cells.at({710, 400}).valid());
}

TEST_CASE("cell_lookup of an empty grid finds nothing", "[territory]") {
  sim::grid_table const g;
  territory::cell_lookup const cells{g};
  CHECK_FALSE(cells.at({0, 0}).valid());
}
