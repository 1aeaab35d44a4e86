#pragma once

#include <cstdint>
#include <vector>

#include "sim/facility_summary.hpp"
#include "sim/params.hpp"
#include "sim/replication.hpp"
#include "sim/results.hpp"
#include "sim/world.hpp"

namespace avip::sim {

/// The figures of one replication comparable with the 2023 evaluation (seed 000): `evaluated`
/// labelled EAJE drawn at random, as 16 of the 26 AVIP structures answered, and the AVIP families
/// present in them during the reported year.
struct evaluation_sample {
  double parents{0}, children{0}, single{0}, under_26{0}, qpv{0}, under_12{0}, from_12_to_35{0};
  double ft{0}, caf{0}, exits{0}, exits_seeking{0}, exits_permanent{0}, exits_school{0}, exits_unplanned{0};
  double referrals{0};
};

/// Draws the evaluated structures (stream keyed by `seed` and `replication`) and counts. `in_sample`
/// is per-thread scratch.
evaluation_sample sample_evaluation(world const& w, params const& p, replication_state const& s,
                                    std::vector<facility_idx> const& labelled_eaje, int evaluated,
                                    std::uint64_t seed, int replication,
                                    std::vector<std::uint8_t>& in_sample);

/// The samples of every replication turned into the validation indicators; the facilities' year of
/// each replication gives the distribution of the labelled EAJE's AVIP shares.
validation_indicators validation_of(world const& w, std::vector<evaluation_sample> const& reps,
                                    std::vector<facility_idx> const& labelled_eaje,
                                    std::vector<facility_year> const& years, int evaluated);

}  // namespace avip::sim
