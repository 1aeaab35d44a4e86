#include "synth/calibration_table.hpp"

#include <cmath>
#include <fstream>

#include <fmt/format.h>

#include "core/error.hpp"

namespace avip::synth {

std::string_view nature_label(row_nature n) {
  return n == row_nature::check ? "contrôle" : "entrée reproduite";
}

std::string format_calibration(std::vector<calibration_row> const& rows) {
  std::string out =
      fmt::format("{:<48} {:>12} {:>12} {:>8}  {}\n", "target", "expected", "synthesised", "gap", "nature");
  for (auto const& r : rows) {
    out += fmt::format("{:<48} {:>12.2f} {:>12.2f} {:>7.2f}%  {}{}\n", r.target.substr(0, 48), r.expected,
                       r.synthesised, 100 * r.gap(), nature_label(r.nature),
                       r.within_tolerance() ? "" : fmt::format("  <-- over {:g} %", 100 * r.tolerance));
  }
  return out;
}

void write_calibration_csv(std::filesystem::path const& file, std::vector<calibration_row> const& rows) {
  std::ofstream csv{file};
  if (!csv) {
    throw data_error{fmt::format("{}: cannot be written", file.string())};
  }
  csv << "indicateur,source,cible,valeur_synthetique,ecart_relatif,nature\n";
  for (auto const& r : rows) {
    csv << fmt::format("\"{}\",\"{}\",{:.4f},{:.4f},{:.4f},\"{}\"\n", r.target, r.source, r.expected,
                       r.synthesised, r.gap(), nature_label(r.nature));
  }
}

}  // namespace avip::synth
