#pragma once

#include <cstdint>
#include <filesystem>
#include <vector>

#include "synth/calibration_table.hpp"
#include "territory/territory.hpp"

namespace avip::synth {

struct synthesis_figures;

struct synthesis_options {
  std::uint64_t seed{974};
  double family_scale{1.0};  ///< 1 = the calibrated count; tests may use less
};

/// Generates the layers no open data gave (QPV, facilities, families) from the real communes and
/// grid of `t` and the figures of its calibration file (manifest key `synthesis.calibration`, read by
/// read_synthesis_figures), writes them with calibration.csv into `out_dir` (an existing empty
/// folder), and returns the calibration table. Deterministic for a seed, whatever the thread count.
/// When `t` has a QPV layer (a real one: load it with `required_layers_only`, which keeps a layer the
/// manifest does not mark optional), no QPV is grown and no qpv.geojson is written: the families are
/// placed in and around those polygons, from the per-QPV CAF figures the manifest names in
/// `synthesis.qpv_statistics` (read_qpv_statistics) when it does, from the grid's low-income
/// households otherwise. Facilities and families of `t` are ignored.
std::vector<calibration_row> synthesise(territory::territory const& t, std::filesystem::path const& out_dir,
                                        synthesis_options const& options);

/// The same with figures read beforehand (or edited by a test).
std::vector<calibration_row> synthesise(territory::territory const& t, synthesis_figures const& figures,
                                        std::filesystem::path const& out_dir,
                                        synthesis_options const& options);

}  // namespace avip::synth
