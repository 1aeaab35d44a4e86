#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/strong_index.hpp"
#include "sim/samples.hpp"
#include "sim/types.hpp"

namespace avip::sim {

// What one run produces. Every `samples` holds one value per replication (in replication order), so
// that means, 90 % intervals and paired deltas between scenarios can all be derived from it.
// Shares are in [0, 1]; counts are numbers of families or children over the horizon.

/// Coverage and unmet demand of one group of families (the island, a commune, a sector, QPV...).
struct group_indicators {
  samples referred;           ///< families referred over the horizon
  samples matched;            ///< of which obtained a compatible place within the max wait
  samples priority_referred;  ///< priority public (single parent, QPV/ZRR, under 26)
  samples priority_matched;
  samples coverage;           ///< matched ÷ referred
  samples priority_coverage;  ///< priority_matched ÷ priority_referred
  samples unmet_unreachable;  ///< families with nothing reachable by their modes within tolerance
  samples unmet_hours;        ///< something reachable, but no reachable facility opens at their hours
  samples unmet_full;         ///< a compatible facility exists but had no free place in time
  samples mean_wait_weeks;    ///< of matched families
};

struct commune_indicators {
  group_indicators demand;
  double places{0.0};           ///< formal places (EAJE + assistants maternels + Baby Bus sessions)
  double taux_couverture{0.0};  ///< places per 100 children under 3
  double accessibility{0.0};    ///< E2SFCA, population-weighted mean over the commune's cells
};

/// One facility's AVIP indicators over the year.
struct facility_indicators {
  samples avip_children;  ///< AVIP children welcomed in the year
  samples avip_share;     ///< avip_children ÷ PMI places (target ≥ 20 % when labelled)
  samples target_met;     ///< 1 when the 20 % target (or the L.214-7 guarantee) is met, else 0
  samples l214_met;       ///< 1 when ≥ 1 AVIP child per 20 places, else 0 (EAJE only)
  samples occupancy_end;  ///< share of places taken at the end of the horizon
};

/// A labelled manager (several EAJE) or a labelled assistant-maternel network.
struct network_indicators {
  std::string id;
  bool assmat_network{false};  ///< target: AVIP children per member ≥ 1; else ÷ PMI places ≥ 20 %
  std::int32_t members{0};
  std::int32_t places{0};
  samples avip_children;
  samples ratio;       ///< per member (assmat network) or ÷ places (EAJE manager)
  samples target_met;  ///< 0/1 per replication: its mean is the probability of meeting the target
};

struct cell_indicators {
  double referred{0.0};  ///< mean over replications
  double matched{0.0};
  double unmet{0.0};
  double unmet_priority{0.0};
  double coverage{0.0};  ///< matched ÷ referred (0 when nothing referred)
  double accessibility{0.0};
};

struct cost_indicators {
  double label_funding{0.0};        ///< € per year: labelled places × funding per place
  double coordinator_funding{0.0};  ///< € per year
  double baby_bus{0.0};             ///< € per year
  double total{0.0};
  double labelled_places{0.0};
  std::int32_t baby_buses{0};
};

struct equity_indicators {
  samples qpv_gap;            ///< coverage of QPV families − coverage of the others
  samples single_parent_gap;  ///< coverage of single-parent families − coverage of the others
  samples gini_cells;         ///< Gini of coverage over populated cells (accessibility R package)
  samples palma_cells;        ///< Palma ratio: share of the top 10 % ÷ share of the bottom 40 %
};

struct run_results {
  int replications{0};
  std::uint64_t seed{0};
  int horizon_months{0};
  group_indicators island;
  group_indicators qpv;
  group_indicators non_qpv;
  group_indicators single_parent;
  group_indicators other_parent;
  group_indicators by_france_travail;  ///< families referred by France Travail
  group_indicators by_caf;             ///< by the CAF
  group_indicators by_mission_locale;  ///< by a Mission locale
  index_vector<commune_idx, commune_indicators> communes;
  index_vector<sector_idx, group_indicators> sectors;
  index_vector<facility_idx, facility_indicators> facilities;
  std::vector<network_indicators> networks;  ///< labelled managers and assmat networks
  index_vector<cell_idx, cell_indicators> cells;
  equity_indicators equity;
  cost_indicators cost;
};

}  // namespace avip::sim
