#pragma once

#include <filesystem>
#include <vector>

#include "scenarios/pipeline.hpp"
#include "scenarios/sweep_partition.hpp"
#include "scenarios/territory_list.hpp"
#include "viz/national_outputs.hpp"

namespace avip::scenarios {

/// Runs each territory of a list (`avipsim run --territories`) as `avipsim run` runs its scenario,
/// its outputs into `dir / folder` (`dir`: the staging folder, on a file system every rank sees), and
/// merges them in the list's order into the national summary. Territory i runs on rank i mod size
/// (each rank using its cores), its per-replication indicators reach rank 0 bit for bit: the summary
/// is identical for any number of ranks and threads. Only rank 0's summary is complete; rank 0
/// writes the national outputs into `dir`.
viz::national_summary run_territories(std::filesystem::path const& list,
                                      std::vector<territory_entry> const& entries, run_request const& request,
                                      std::filesystem::path const& dir,
                                      sweep_partition const& partition = {});

}  // namespace avip::scenarios
