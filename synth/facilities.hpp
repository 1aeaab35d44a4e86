#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "geo/vector_writer.hpp"
#include "synth/calibration_table.hpp"
#include "synth/synthesis_context.hpp"

namespace avip::synth {

/// One synthetic structure, its point in the metric CRS.
struct facility_row {
  std::string id, name, kind;
  int places{0};
  std::string hours;
  double occupancy{0.9};
  bool avip{false};
  std::string network, manager, bus, source;
  double x{0}, y{0};
  std::size_t commune{0};
};

/// The territory's childcare offer from the file's `facilities` figures: micro-crèches, other EAJE
/// and assistants maternels apportioned over the communes by children under 3 (but for the pinned
/// communes), the labelled EAJE, the named experiments and networks, the Baby Bus sites; each placed
/// on the grid ∝ children 0–3.
std::vector<facility_row> synthesise_facilities(synthesis_context const& ctx);

/// The facilities layer (facilities.geojson); appends the facility rows of the calibration table.
geo::output_layer facility_layer(synthesis_context& ctx, std::vector<facility_row> const& fac,
                                 std::vector<calibration_row>& calib);

}  // namespace avip::synth
