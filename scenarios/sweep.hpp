#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "scenarios/sweep_partition.hpp"
#include "scenarios/uncertainty.hpp"
#include "sensitivity/analysis.hpp"
#include "sim/results.hpp"

namespace avip::scenarios {

/// An indicator the sensitivity analysis follows: one value per replication of a run.
struct sweep_indicator {
  sensitivity::indicator id;
  std::function<std::vector<double>(sim::run_results const&)> values;
};

/// The indicators followed; the first ranks the scenarios (priority families placed).
std::vector<sweep_indicator> const& sweep_indicators();

struct sweep_request {
  std::vector<std::filesystem::path> scenarios;  ///< the first is the reference of the ranking
  uncertainty u;
  sensitivity::method method{sensitivity::method::morris};
  int trajectories{20};  ///< Morris
  int levels{4};         ///< Morris grid levels
  int samples{512};      ///< Sobol': base rows N (N × (k + 2) points)
  std::optional<int> replications;
  std::optional<std::uint64_t> seed;
  bool progress{true};
  /// Print, on stderr, where each rank's time went (reading, synthesis, worlds, candidates, runs,
  /// gathering): a measurement (--timings), never in the outputs.
  bool timings{false};
  /// When the uncertainty names kSynthesisSeed: makes the synthetic layers of the territory `manifest`
  /// with `seed` into the empty folder `dir` (as `avipsim synth --out dir`; given by the caller, which
  /// links the synthesis).
  std::function<void(std::filesystem::path const& manifest, std::uint64_t seed,
                     std::filesystem::path const& dir)>
      synthesise;
  /// Where those layers go, one folder per rank and seed, each removed once its points have run (a
  /// folder inside the run's staging folder, never the territory's own synthetic/).
  std::filesystem::path synthesis_cache;
};

/// Runs every scenario at every point of the design on common random numbers (one seed and one
/// replication count for all points and scenarios) and estimates the indices. The points are split
/// over the ranks by balanced_points (points sharing a synthesis seed, then candidate lists, on one
/// rank as far as the balance allows; round robin if the partition gathers only that way) and the
/// values gathered in point order, so the results are identical for any number of ranks and threads.
/// Only rank 0's analysis is complete. With a synthesis seed among the parameters, each rank runs
/// its points grouped by seed: one synthesis, territory load and bus-time computation per distinct
/// seed it runs.
sensitivity::analysis run_sweep(sweep_request const& request, sweep_partition const& partition = {});

}  // namespace avip::scenarios
