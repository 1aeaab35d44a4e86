#pragma once

#include <string>
#include <vector>

#include "sim/results.hpp"

namespace avip::sim {

/// Paired differences (scenario − reference) per replication: with common random numbers the
/// replications of two scenarios share their draws, so the delta's interval measures the effect,
/// not noise, and comparing a scenario with itself gives exactly zero.
struct group_delta {
  samples matched;
  samples priority_matched;
  samples coverage;
  samples priority_coverage;
  samples unmet_unreachable;
  samples unmet_hours;
  samples unmet_not_allowed;
  samples unmet_full;
  samples censored;
  samples matched_partial;
  samples children_placed;
};

struct scenario_delta {
  std::string name;
  group_delta island;
  group_delta qpv;
  group_delta non_qpv;
  index_vector<commune_idx, group_delta> communes;
  index_vector<sector_idx, group_delta> sectors;
  std::vector<double> cell_matched;  ///< mean delta of matched families per grid cell
  std::vector<double> cell_unmet;    ///< mean delta of unmet families per grid cell
  double cost_delta{0.0};            ///< € per year
  /// cost_delta ÷ mean additional priority families covered; NaN when none is gained.
  double cost_per_additional_priority_family{0.0};
};

struct comparison {
  std::vector<std::string> names;           ///< scenario names, the reference first
  std::vector<run_results const*> results;  ///< same order; not owned
  std::vector<scenario_delta> deltas;       ///< one per scenario against the first (the first: zeros)
};

/// Pairs replication r of each scenario with replication r of the first. All results must share the
/// territory's communes, sectors and grid, and the replication count (throws avip::error otherwise).
comparison compare(std::vector<std::string> names, std::vector<run_results const*> results);

}  // namespace avip::sim
