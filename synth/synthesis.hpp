#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "territory/territory.hpp"

namespace avip::synth {

/// One line of the calibration table: a real figure, what the synthesis produced, and the gap.
struct calibration_row {
  std::string target;  ///< e.g. "qpv_residents 97411 Saint-Denis"
  std::string source;  ///< where the real figure comes from
  double expected{0.0};
  double synthesised{0.0};
  [[nodiscard]] double gap() const { return expected == 0.0 ? 0.0 : (synthesised - expected) / expected; }
};

struct synthesis_options {
  std::uint64_t seed{974};
  double family_scale{1.0};  ///< 1 = the calibrated count; tests may use less
};

/// Generates the layers no open data gave for La Réunion (QPV, facilities, families) from the real
/// communes and 200 m grid of `t` (its optional layers are ignored), writes qpv.geojson,
/// facilities.geojson, families.geojson and calibration.csv into `out_dir` (an existing empty folder),
/// and returns the calibration table. Deterministic for a seed, whatever the thread count.
std::vector<calibration_row> synthesise(territory::territory const& t, std::filesystem::path const& out_dir,
                                        synthesis_options const& options);

/// The calibration table as aligned text.
std::string format_calibration(std::vector<calibration_row> const& rows);

}  // namespace avip::synth
