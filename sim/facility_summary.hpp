#pragma once

#include <cstdint>
#include <vector>

#include "sim/params.hpp"
#include "sim/replication.hpp"
#include "sim/results.hpp"
#include "sim/world.hpp"

namespace avip::sim {

/// What each replication leaves per facility for the facility and network indicators.
struct facility_year {
  std::vector<std::int32_t> avip_children;  ///< AVIP children present at any time of the year
  std::vector<std::int32_t> taken_end;      ///< places taken at the end of the horizon
  std::vector<std::int32_t> l214_requests;  ///< months an AVIP family asked this EAJE
  std::vector<std::int32_t> l214_found;     ///< of which a guaranteed place was free
};

/// Copies one replication's per-facility figures out of its (reused) state.
facility_year facility_year_of(replication_state const& s);

/// Per facility: AVIP children and share of PMI places, the 20 % target of a labelled EAJE, CASF
/// L.214-7 (sim/l214.hpp) where it applies, occupancy at the end.
index_vector<facility_idx, facility_indicators> facility_indicators_of(
    world const& w, params const& p, std::vector<facility_year> const& reps);

/// Per labelled network (an assistant-maternel network, target ≥ 1 AVIP child per member) or manager
/// of labelled EAJE (target: AVIP children ÷ PMI places ≥ 20 %).
std::vector<network_indicators> network_indicators_of(world const& w, params const& p,
                                                      std::vector<facility_year> const& reps);

}  // namespace avip::sim
