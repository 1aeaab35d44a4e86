#pragma once

#include <filesystem>
#include <string>

#include "sensitivity/analysis.hpp"

namespace avip::viz {

/// Writes a sensitivity analysis into `dir` (an empty staging folder): sensitivity.json (everything),
/// indices.csv (scenario × indicator × parameter, French labels), ranking.csv (per scenario: the
/// probability of beating the reference and of each rank, the indicators' intervals with parameter
/// uncertainty) and report.html (tornado charts, the rank probabilities, the parameter table).
void write_sensitivity_outputs(std::filesystem::path const& dir, sensitivity::analysis const& a);

/// The report alone (self-contained HTML, French).
std::string sensitivity_report(sensitivity::analysis const& a);

}  // namespace avip::viz
