#pragma once

#include <cstddef>
#include <filesystem>
#include <functional>
#include <iosfwd>
#include <string>

#include "sim/types.hpp"

namespace avip::scenarios {

/// What `avipsim transit` computes: bus travel times from every populated cell to every facility in the
/// standard windows (sim::kStandardBusKeys), and optionally each facility's bus-reachable zone.
struct transit_config {
  std::string territory;                               ///< manifest with GTFS feeds
  sim::time_window window{sim::time_window::weekday};  ///< window of the zones
  double tolerance{45.0};                              ///< door-to-door minutes
  bool zones{false};
  bool progress{true};
  std::string date;  ///< bus service date YYYYMMDD; empty = automatic
};

/// What was written.
struct transit_outcome {
  std::size_t rows{0};   ///< rows of temps_bus.csv
  std::size_t zones{0};  ///< zones written (with `zones`)
};

/// Loads the territory, computes the bus times, and writes temps_bus.csv (and zones_bus_<window>.geojson)
/// into the folder `output_dir()` returns, called once the times are computed. The bus service days kept
/// go to `log`, expired feeds as warnings to standard error.
transit_outcome run_transit(transit_config const& c, std::function<std::filesystem::path()> const& output_dir,
                            std::ostream& log);

/// The standard window named `name` (sim::kWindowNames); throws avip::usage_error naming `option`.
sim::time_window window_named(std::string const& name, std::string const& option);

}  // namespace avip::scenarios
