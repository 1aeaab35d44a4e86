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
  /// Compatible facilities exist, but none may take an AVIP child (unlabelled EAJE under 20 places,
  /// unlabelled assistants maternels): the remedy is a label, not places.
  samples unmet_not_allowed;
  samples unmet_full;       ///< a facility that may take them exists but had no free place in their wait
  samples censored;         ///< still within their wait at the end of the year: neither met nor unmet
  samples matched_partial;  ///< of matched: placed where only part of their hours is covered (Baby Bus)
  samples children_placed;  ///< children of the matched families (each takes one place)
  samples mean_wait_weeks;  ///< of matched families
};

struct commune_indicators {
  group_indicators demand;
  double places{0.0};           ///< formal places (EAJE + assistants maternels + Baby Bus sessions)
  double taux_couverture{0.0};  ///< places per 100 children under 3
  double accessibility{0.0};    ///< E2SFCA, population-weighted mean over the commune's cells
};

/// One facility's AVIP indicators over the year.
struct facility_indicators {
  samples avip_children;  ///< AVIP children welcomed in the year (present at any time of the year)
  samples avip_share;     ///< avip_children ÷ PMI places (target ≥ 20 % when labelled)
  samples target_met;     ///< labelled EAJE: 1 when avip_share ≥ 20 %, else 0 (empty when not labelled)
  /// CASF L.214-7 (EAJE of 20 places or more; empty, "not applicable", below): per replication, the
  /// share of the requests of AVIP families (months a waiting family had this EAJE among its
  /// candidates) that found a guaranteed place free. Replications without a request are left out.
  samples l214_available;
  samples l214_requests;  ///< those requests, per replication (0 when none)
  samples occupancy_end;  ///< share of places taken at the end of the horizon
};

/// A labelled manager (several EAJE) or a labelled assistant-maternel network.
struct network_indicators {
  std::string id;
  bool assmat_network{false};  ///< target: AVIP children per member ≥ 1; else ÷ PMI places ≥ 20 %
  std::int32_t members{0};
  std::int32_t places{0};
  samples avip_children;
  samples ratio;  ///< per member (assmat network) or ÷ places (EAJE manager)
  /// Assistant-maternel network: share of members who welcomed ≥ 1 AVIP child (the target is per
  /// member, seed 002); EAJE manager: empty.
  samples members_met_share;
  /// 0/1 per replication, its mean the probability of meeting the target: every member reaches it
  /// (assmat network), or the manager's AVIP children ÷ its PMI places ≥ 20 %.
  samples target_met;
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
  double label_funding{0.0};  ///< € per year: labelled places × funding per place (first or later year)
  double coordinator_funding{0.0};  ///< € per year: référents and network coordinators
  double baby_bus{0.0};             ///< € per year
  double total{0.0};
  double labelled_places{0.0};
  double labelled_places_first_year{0.0};  ///< of which in their label's first year
  std::int32_t baby_buses{0};
};

struct equity_indicators {
  samples qpv_gap;            ///< coverage of QPV families − coverage of the others
  samples single_parent_gap;  ///< coverage of single-parent families − coverage of the others
  /// Gini of the coverage of communes (matched ÷ referred), weighted by their children under 3.
  samples gini_communes;
  /// Palma ratio of coverage with communes ranked by income (poverty rate): coverage-weighted share of
  /// the children of the richest 10 % ÷ that of the poorest 40 %. Replications where it is undefined
  /// (no coverage among the poorest 40 %) are left out and counted in `palma_undefined`.
  samples palma_income;
  int palma_undefined{0};
};

/// Figures of one replication comparable with the 2023 evaluation of seed 000 (16 of 26 AVIP
/// structures answered): each replication draws `evaluated_structures` labelled EAJE at random and
/// counts the AVIP families present in them during the reported year.
struct validation_indicators {
  int evaluated_structures{16};
  samples parents;                   ///< observed 39
  samples children;                  ///< observed 40
  samples single_parents;            ///< observed 22
  samples parents_under_26;          ///< observed 15 (under 25 in the evaluation)
  samples parents_qpv;               ///< observed 20
  samples children_under_12_months;  ///< age at entry; observed 8
  samples children_12_35_months;     ///< observed 32
  samples share_france_travail;      ///< of referrals; observed 79 %
  samples share_caf;                 ///< observed 21 %
  samples exits;                     ///< families who left during the year
  samples exit_share_seeking;        ///< of exits: still seeking a job; observed 63 %
  samples exit_share_permanent_job;  ///< of exits: on a CDI; observed 4 %
  samples exit_share_school;         ///< of exits: the child entered school ("most exits")
  samples exits_unplanned;           ///< dropouts; observed 3
  samples referrals;                 ///< AVIP referrals in the year, island-wide (all prescribers)
  /// AVIP share (children ÷ PMI places) of every labelled EAJE, every replication (distribution).
  std::vector<double> labelled_shares;
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
  validation_indicators validation;
  /// Year bound (params.year_bound): per replication, the most priority-weighted families any policy
  /// could place (LP relaxation of the time-indexed problem), beside `policy_value`, the policy's.
  samples bound_value;
  samples policy_value;
};

}  // namespace avip::sim
