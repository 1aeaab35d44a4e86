#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

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
  double tolerance{0.05};  ///< largest relative gap accepted (the territory's calibration file)
  [[nodiscard]] double gap() const { return expected == 0.0 ? 0.0 : (synthesised - expected) / expected; }
  [[nodiscard]] bool within_tolerance() const { return gap() <= tolerance && -gap() <= tolerance; }
};

/// The calibration table as aligned text, each row over its tolerance marked.
std::string format_calibration(std::vector<calibration_row> const& rows);

/// Writes calibration.csv (indicateur, source, cible, valeur_synthetique, ecart_relatif, nature).
void write_calibration_csv(std::filesystem::path const& file, std::vector<calibration_row> const& rows);

}  // namespace avip::synth
