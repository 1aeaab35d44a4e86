#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "geo/geos_context.hpp"
#include "synth/qpv_cover.hpp"
#include "synth/synthesis.hpp"
#include "synth/synthesis_figures.hpp"

namespace avip::synth {

/// What every unit of the synthesis reads: the territory, its figures, and the grid arrays derived
/// once from it; plus the QPV of each cell, which the QPV unit fills and the others read.
struct synthesis_context {
  synthesis_context(territory::territory const& territory, synthesis_figures const& figures,
                    synthesis_options const& options);

  territory::territory const& t;
  sim::world const& w;
  synthesis_figures const& figures;
  synthesis_options const& options;
  double cell;  ///< grid cell size (m)
  geo::geos_context geos;
  std::vector<double> grid_people;                    ///< per commune, the grid's people
  std::vector<double> scale;                          ///< per commune, légale population ÷ grid people
  std::vector<double> low_income;                     ///< per commune, the grid's low-income households
  std::map<std::pair<long, long>, std::uint32_t> at;  ///< lattice position -> cell
  std::vector<int> qpv_of_cell;                       ///< -1 outside every QPV
  std::optional<qpv_cover> cover;                     ///< when the territory gives its QPV

  [[nodiscard]] std::size_t communes() const { return w.communes.size(); }
  [[nodiscard]] std::string const& name(std::size_t c) const {
    return w.communes.name[sim::commune_idx::from(c)];
  }
  [[nodiscard]] std::string const& code(std::size_t c) const {
    return w.communes.code[sim::commune_idx::from(c)];
  }
  [[nodiscard]] std::pair<long, long> key(sim::point p) const;
  /// People of cell `i` at the légale population's scale.
  [[nodiscard]] double people_now(std::size_t i) const;
  [[nodiscard]] bool qpv_given() const { return !t.qpv_geometry.empty(); }
};

}  // namespace avip::synth
