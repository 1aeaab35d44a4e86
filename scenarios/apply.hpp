#pragma once

#include <cstdint>
#include <string>

#include "scenarios/scenario.hpp"
#include "sim/world.hpp"
#include "territory/territory.hpp"

namespace avip::scenarios {

/// Applies the scenario's edits, in order, to a copy of the territory's world and returns it.
/// Selectors that match nothing, ids that do not exist, duplicate ids and overlapping edits (two
/// hours edits on one facility, a label and an unlabel of the same one) are collected and thrown
/// as one avip::scenario_error naming the file and JSON pointer of each.
sim::world apply_edits(scenario const& s, territory::territory const& t);

/// Bytes a run of `replications` replications of `w` under `p` needs at least: the candidate lists
/// (families × min(facilities, max_candidates)) and the per-replication samples (replications × the
/// indicators per facility, commune and sector).
std::uint64_t estimated_run_bytes(sim::world const& w, sim::params const& p, int replications);

/// Refuses, before anything is allocated, a run whose estimate exceeds this machine's memory: throws
/// avip::scenario_error naming `file` and `pointer` (what to lower) with the estimate.
void check_run_memory(sim::world const& w, sim::params const& p, int replications, std::string const& file);

}  // namespace avip::scenarios
