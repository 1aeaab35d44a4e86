#pragma once

#include <vector>

#include "geo/vector_writer.hpp"
#include "synth/calibration_table.hpp"
#include "synth/synthesis_context.hpp"

namespace avip::synth {

/// The families in insertion (RSA households with a child under 3) from the file's `families`
/// figures: spread over the communes ∝ low-income households and on the grid; with the territory's
/// own QPV, each QPV receives the families its CAF figures give with its share of single parents.
/// Single parenthood follows each commune's share (single_parent_shares), the rest of the profile
/// the shares of the family's commune and of being in a QPV (family_figures::profile_for). Returns
/// the layer (families.geojson) and appends the family rows of the calibration table.
geo::output_layer synthesise_families(synthesis_context& ctx, std::vector<calibration_row>& calib);

}  // namespace avip::synth
