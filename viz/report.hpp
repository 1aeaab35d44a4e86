#pragma once

#include <string>
#include <vector>

#include "viz/run_outputs.hpp"
#include "viz/validation.hpp"

namespace avip::viz {

/// The reports' shared <style> element (one look for run, comparison and sensitivity reports).
std::string report_style();

/// The self-contained report of a run (inline SVG maps and charts, French labels, no network), with
/// the validation section when `validation` is not empty.
std::string run_report(territory::territory const& t, sim::world const& w, sim::params const& p,
                       sim::run_results const& r, run_metadata const& meta,
                       std::vector<validation_row> const& validation = {});

/// The report of a comparison: bars with intervals per scenario, delta maps per commune, cost per
/// additional priority family covered.
std::string comparison_report(territory::territory const& t, std::vector<compared_scenario> const& scenarios,
                              sim::comparison const& c);

}  // namespace avip::viz
