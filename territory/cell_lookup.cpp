#include "territory/cell_lookup.hpp"

#include <cmath>

namespace avip::territory {

cell_lookup::cell_lookup(sim::grid_table const& grid) : size_{grid.cell_size} {
  if (grid.size() > 0) {
    origin_ = grid.centre[sim::cell_idx::from(0)];
  }
  for (auto c = sim::cell_idx::from(0); c.index() < grid.size(); ++c) {
    cells_.try_emplace(key(grid.centre[c]), c);
  }
}

std::uint64_t cell_lookup::key(sim::point p) const {
  auto const column = static_cast<std::int64_t>(std::floor((p.x - origin_.x) / size_ + 0.5));
  auto const row = static_cast<std::int64_t>(std::floor((p.y - origin_.y) / size_ + 0.5));
  return (static_cast<std::uint64_t>(static_cast<std::uint32_t>(column)) << 32U) |
         static_cast<std::uint32_t>(row);
}

sim::cell_idx cell_lookup::at(sim::point p) const {
  auto const it = cells_.find(key(p));
  return it == cells_.end() ? sim::cell_idx::invalid() : it->second;
}

}  // namespace avip::territory
