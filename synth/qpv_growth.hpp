#pragma once

#include <vector>

#include "geo/vector_writer.hpp"
#include "synth/calibration_table.hpp"
#include "synth/synthesis_context.hpp"

namespace avip::synth {

/// The territory's own QPV layer (real): marks the cells of each QPV in `ctx` and checks the layer
/// against the published figures it was not built from (count, communes, residents), when those
/// figures describe its list (codes beginning with the file's `qpv.list_prefix`).
void take_given_qpv(synthesis_context& ctx, std::vector<calibration_row>& calib);

/// Grows the file's `qpv.count` QPV from the poorest cells of the communes with published residents
/// and of the `qpv.other_communes` communes with the most low-income households; marks their cells
/// in `ctx` and returns the layer (qpv.geojson).
geo::output_layer grow_qpv(synthesis_context& ctx, std::vector<calibration_row>& calib);

}  // namespace avip::synth
