#pragma once

#include <cstddef>
#include <filesystem>
#include <string>
#include <vector>

namespace avip::scenarios {

/// One line of a territory list (`avipsim run --territories list.txt`).
struct territory_entry {
  std::filesystem::path scenario;  ///< the scenario file, resolved against the list's folder
  std::size_t line{0};             ///< 1-based line in the list
  std::string folder;              ///< the territory's sub-folder of the outputs (its manifest's folder name)
};

/// Reads a territory list: one scenario file per line (the scenario of a territory to run, which
/// gives its territory, replications, seed and params), a relative path being relative to the list
/// file's folder; blank lines and lines starting with '#' are skipped, as is what follows " #".
/// Every scenario is read and checked. Each problem (a missing or invalid scenario, a territory
/// manifest instead of a scenario, a territory given twice, an empty list) is one
/// avip::scenario_error naming the list file and the line.
std::vector<territory_entry> read_territory_list(std::filesystem::path const& list);

}  // namespace avip::scenarios
