#pragma once

#include <cstdint>
#include <unordered_map>

#include "sim/world.hpp"

namespace avip::territory {

/// The grid cell holding a point. The grid is regular (one cell size, every centre on one lattice), so
/// a point belongs to the cell whose centre lies within half a cell of it; the cells are found by
/// hashing their column and row on that lattice, not by scanning the grid.
class cell_lookup {
 public:
  explicit cell_lookup(sim::grid_table const& grid);

  /// The cell whose square holds `p`; `cell_idx::invalid()` outside the grid.
  [[nodiscard]] sim::cell_idx at(sim::point p) const;

  /// The column and row of the lattice square holding `p`, packed: equal for two points of one
  /// cell's square (two cells with the same key are the same cell given twice).
  [[nodiscard]] std::uint64_t key(sim::point p) const;

 private:
  double size_;
  sim::point origin_{};  ///< the first cell's centre: the lattice is centred on it
  std::unordered_map<std::uint64_t, sim::cell_idx> cells_;
};

}  // namespace avip::territory
