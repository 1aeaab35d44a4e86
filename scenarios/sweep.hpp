#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

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

/// Which points of a sweep this process runs (MPI: rank and size of the world communicator; one
/// process: 0 of 1) and how the ranks' values reach rank 0.
struct sweep_partition {
  int rank{0};
  int size{1};
  /// Given this rank's values (`values_per_point` per point it ran, points rank, rank + size, …),
  /// returns on rank 0 every point's values in point order; identity with one process.
  std::function<std::vector<double>(std::vector<double> const& mine, std::size_t points,
                                    std::size_t values_per_point)>
      gather;
};

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
};

/// Runs every scenario at every point of the design on common random numbers (one seed and one
/// replication count for all points and scenarios) and estimates the indices. Point i runs on rank
/// i mod size and the values are gathered in point order, so the results are identical for any
/// number of ranks and threads. Only rank 0's analysis is complete.
sensitivity::analysis run_sweep(sweep_request const& request, sweep_partition const& partition = {});

}  // namespace avip::scenarios
