#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "sim/samples.hpp"

namespace avip::viz {

/// An indicator of the national summary: a count summed over the territories, or a share computed
/// from two summed counts (`numerator` ÷ `denominator`, indices into the list).
struct national_indicator {
  std::string key;
  std::string column;  ///< French CSV column (communes.csv's style: couverture, non_couvert_…)
  std::string label;   ///< French
  int numerator{-1};   ///< a share: the index of its numerator, else -1
  int denominator{-1};
};

/// The indicators of `avipsim run --territories`, in column order.
std::vector<national_indicator> const& national_indicators();

/// One territory of the list: what was run and each indicator's per-replication values.
struct territory_summary {
  std::string territory;      ///< the territory's name
  std::string scenario;       ///< the scenario's name
  std::string scenario_file;  ///< as given by the list (resolved)
  std::string folder;         ///< its own outputs' sub-folder
  std::size_t line{0};        ///< line in the list
  int replications{0};
  std::uint64_t seed{0};
  double seconds{0.0};               ///< wall time of the run, outputs included
  double cpu_seconds{0.0};           ///< processor time of the run (every thread), outputs included
  std::vector<sim::samples> values;  ///< [national_indicators()]
};

/// The national summary: the territories in the list's order and the totals per replication.
struct national_summary {
  std::string list_file;
  std::vector<territory_summary> territories;
  int pooled_replications{0};          ///< replications 0 … n − 1 of every territory make the totals
  std::vector<sim::samples> national;  ///< [national_indicators()]
  int ranks{1};
  double seconds{0.0};
};

/// Sums the territories into `s.national` (per replication, over the replications every territory has).
void total_national(national_summary& s);

/// Writes summary.json (every territory and the totals, mean and 90 % interval), territoires.csv (one
/// row per territory and a national row, French labels) and report.html (the national table with
/// links to each territory's report) into `dir`, beside the territories' sub-folders.
void write_national_outputs(std::filesystem::path const& dir, national_summary const& s);

}  // namespace avip::viz
