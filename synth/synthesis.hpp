#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "territory/territory.hpp"

namespace avip::synth {

/// Whether a real figure was given to the synthesis, which must then reproduce it, or kept apart to
/// check the synthesis against a figure it was not given. Only the second says something about the
/// synthetic layers beyond their construction.
enum class row_nature : std::uint8_t { input_reproduced, check };

/// "entrée reproduite" or "contrôle", as written in the `nature` column of calibration.csv.
std::string_view nature_label(row_nature n);

/// One line of the calibration table: a real figure, what the synthesis produced, and the gap.
struct calibration_row {
  std::string target;  ///< e.g. "qpv_residents 97411 Saint-Denis"
  std::string source;  ///< where the real figure comes from
  double expected{0.0};
  double synthesised{0.0};
  row_nature nature{row_nature::input_reproduced};
  [[nodiscard]] double gap() const { return expected == 0.0 ? 0.0 : (synthesised - expected) / expected; }
};

struct synthesis_options {
  std::uint64_t seed{974};
  double family_scale{1.0};  ///< 1 = the calibrated count; tests may use less
};

/// Generates the layers no open data gave for La Réunion (QPV, facilities, families) from the real
/// communes and 200 m grid of `t`, writes them with calibration.csv into `out_dir` (an existing empty
/// folder), and returns the calibration table. Deterministic for a seed, whatever the thread count.
/// When `t` has a QPV layer (a real one: load it with `required_layers_only`, which keeps a layer the
/// manifest does not mark optional), no QPV is grown and no qpv.geojson is written: the families are
/// placed in and around those polygons, from the per-QPV CAF figures the manifest names in
/// `synthesis.qpv_statistics` (read_qpv_statistics) when it does, from the grid's low-income
/// households otherwise. Facilities and families of `t` are ignored.
std::vector<calibration_row> synthesise(territory::territory const& t, std::filesystem::path const& out_dir,
                                        synthesis_options const& options);

/// The calibration table as aligned text.
std::string format_calibration(std::vector<calibration_row> const& rows);

}  // namespace avip::synth
