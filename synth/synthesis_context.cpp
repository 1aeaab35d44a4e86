#include "synth/synthesis_context.hpp"

#include <cmath>

namespace avip::synth {

using sim::cell_idx;
using sim::commune_idx;

synthesis_context::synthesis_context(territory::territory const& territory, synthesis_figures const& f,
                                     synthesis_options const& o)
    : t{territory},
      w{territory.world},
      figures{f},
      options{o},
      cell{territory.world.grid.cell_size},
      grid_people(territory.world.communes.size(), 0.0),
      scale(territory.world.communes.size(), 1.0),
      low_income(territory.world.communes.size(), 0.0),
      qpv_of_cell(territory.world.grid.size(), -1) {
  for (std::size_t i = 0; i < w.grid.size(); ++i) {
    if (auto c = w.grid.commune[cell_idx::from(i)]; c.valid()) {
      grid_people[c.index()] += w.grid.people[cell_idx::from(i)];
    }
  }
  for (std::size_t c = 0; c < communes(); ++c) {
    scale[c] = grid_people[c] > 0 ? w.communes.population[commune_idx::from(c)] / grid_people[c] : 1.0;
  }
  for (std::size_t i = 0; i < w.grid.size(); ++i) {
    if (auto c = w.grid.commune[cell_idx::from(i)]; c.valid()) {
      low_income[c.index()] += w.grid.low_income_households[cell_idx::from(i)];
    }
  }
  for (std::size_t i = 0; i < w.grid.size(); ++i) {
    at[key(w.grid.centre[cell_idx::from(i)])] = static_cast<std::uint32_t>(i);
  }
}

std::pair<long, long> synthesis_context::key(sim::point p) const {
  return {std::lround(std::floor(p.x / cell)), std::lround(std::floor(p.y / cell))};
}

double synthesis_context::people_now(std::size_t i) const {
  auto c = w.grid.commune[cell_idx::from(i)];
  return c.valid() ? w.grid.people[cell_idx::from(i)] * scale[c.index()] : 0.0;
}

}  // namespace avip::synth
