#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "sim/results.hpp"
#include "territory/territory.hpp"

namespace avip::viz {

/// One figure observed in the field (e.g. the 2023 AVIP evaluation of La Réunion), by the key of the
/// matching field of sim::validation_indicators.
struct observed_figure {
  std::string key;
  double value{0.0};
  std::string source;
  std::string note;
};

/// Reads an observed-figures CSV (UTF-8; columns indicateur,observe,source,note). Throws avip::error
/// naming the file and line for an unknown indicator, a missing or non-numeric value.
std::vector<observed_figure> read_observed(std::filesystem::path const& file);

/// The territory's observed figures: `observed/avip_2023.csv` beside its manifest, when it exists.
std::optional<std::filesystem::path> default_observed(territory::territory const& t);

/// An observed figure beside the model's: mean and 90 % interval over replications.
struct validation_row {
  std::string key;
  std::string label;  ///< French
  double observed{0.0};
  double mean{0.0};
  double lo{0.0};
  double hi{0.0};
  bool simulated{false};  ///< false when no replication gave a value (e.g. no exit at all)
  bool inside{false};     ///< observed within [lo, hi]
  bool fitted{false};     ///< the model was fitted to this figure (sim/calibration.hpp): not a test of it
  bool share{false};      ///< a share in [0, 1] (shown in %), else a count
  std::string note;
};

/// The table of observed figures against the run's validation indicators.
std::vector<validation_row> validation_table(sim::validation_indicators const& v,
                                             std::vector<observed_figure> const& observed);

/// "k des n chiffres observés dans leur intervalle à 90 % (m ajustés mis à part)": the fitted figures
/// reproduce an input and are not counted.
std::string validation_verdict(std::vector<validation_row> const& rows);

/// Aligned text table for the terminal (French labels).
std::string validation_text(std::vector<validation_row> const& rows, int evaluated_structures);

/// validation.csv (French column labels).
void write_validation_csv(std::filesystem::path const& file, std::vector<validation_row> const& rows);

/// The report's validation section (HTML with inline SVG).
std::string validation_html(std::vector<validation_row> const& rows, sim::validation_indicators const& v,
                            double target_share);

}  // namespace avip::viz
