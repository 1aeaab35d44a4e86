#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "geo/gtfs_calendar.hpp"
#include "geo/vector_writer.hpp"
#include "sim/comparison.hpp"
#include "sim/params.hpp"
#include "sim/results.hpp"
#include "sim/world.hpp"
#include "territory/territory.hpp"

namespace avip::viz {

/// What summary.json and the report say about how a run was made.
struct run_metadata {
  std::string scenario_name;
  std::string scenario_file;
  std::string scenario_json;  ///< the scenario as resolved (base merged, defaults filled), JSON text
  std::string version;
  std::uint64_t seed{0};
  int replications{0};
  int threads{0};
  double elapsed_seconds{0.0};
  /// Observed figures to validate against (CSV, see viz/validation.hpp); empty: observed/avip_2023.csv
  /// beside the territory manifest, when it exists (no validation section otherwise).
  std::filesystem::path observed_file{};
  geo::transit_summary transit{};  ///< bus service days kept and the feeds' validity (empty without feeds)
};

/// The output layers of a run (in the world's metric CRS), shared by the files and the report.
struct layers {
  geo::output_layer communes, sectors, qpv, facilities, grid;
};
layers build_layers(territory::territory const& t, sim::world const& w, sim::params const& p,
                    sim::run_results const& r);

/// Writes a run's outputs into `dir` (an existing, empty temporary folder; the caller moves it into
/// place): summary.json, GeoJSON layers (communes, qpv, sectors, facilities, grid), results.gpkg
/// with all layers, CSV tables with French labels, report.html. `w` is the world as the run saw it
/// (after the scenario's edits).
void write_run_outputs(std::filesystem::path const& dir, territory::territory const& t, sim::world const& w,
                       sim::params const& p, sim::run_results const& r, run_metadata const& meta);

struct compared_scenario {
  run_metadata meta;
  sim::world const* world{nullptr};  ///< as that scenario's run saw it
  sim::params params;
};

/// Writes a comparison into `dir`: comparison.json, CSV tables, GeoJSON of deltas per commune and
/// per grid cell, comparison.gpkg, report.html. `scenarios` is in the order of `c.names`.
void write_comparison_outputs(std::filesystem::path const& dir, territory::territory const& t,
                              std::vector<compared_scenario> const& scenarios, sim::comparison const& c);

}  // namespace avip::viz
