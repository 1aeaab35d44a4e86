#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "scenarios/scenario.hpp"
#include "sim/results.hpp"
#include "sim/world.hpp"
#include "territory/territory.hpp"

namespace avip::scenarios {

struct run_request {
  std::optional<int> replications;  ///< overrides the scenario's
  std::optional<std::uint64_t> seed;
  int threads{0};  ///< recorded only: main sets the thread count
  bool progress{true};
  std::filesystem::path observed{};  ///< observed figures for the validation (empty: beside the manifest)
};

/// A scenario made ready to run: read, territory loaded, edits applied.
struct prepared {
  scenario spec;
  territory::territory territory;
  sim::world world;  ///< after the edits
};

/// `with_bus`: compute the bus travel times from the territory's GTFS feeds (cells → facilities, four
/// windows) into world.bus; `check` skips them.
prepared prepare(std::filesystem::path const& scenario_file, bool with_bus = true, bool progress = true);

/// Bus travel times of the world's populated cells to its facilities, as the engine reads them.
sim::bus_access compute_bus_access(territory::territory const& t, sim::world const& w, sim::params const& p,
                                   std::vector<edit> const& edits, bool progress);

/// Runs a prepared scenario and writes its outputs into `dir` (an empty staging folder).
sim::run_results run_into(prepared const& p, run_request const& request, std::filesystem::path const& dir);

/// Runs several scenarios on common random numbers (same seed and replication count: the engine keys
/// its draws by (seed, replication, family, month)) and writes the comparison into `dir`.
void compare_into(std::vector<std::filesystem::path> const& files, run_request const& request,
                  std::filesystem::path const& dir);

}  // namespace avip::scenarios
