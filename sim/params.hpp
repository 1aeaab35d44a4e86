#pragma once

#include <array>
#include <cstdint>

#include "sim/types.hpp"

namespace avip::sim {

enum class allocation_policy : std::uint8_t { priority, lottery, optimal };

/// Every model parameter, with the default a planner gets when the scenario says nothing.
/// Figures and their sources: DOMAIN.md; which parameter was fitted to which observed figure, and
/// which figures are kept apart to validate the model: data/reunion/synthetic/calibration.csv and
/// `avipsim validate`. Scenarios override them through the `params` edit.
struct params {
  // Run
  int horizon_months{12};  ///< the reported year
  /// Months simulated before the reported year so that it starts in a steady state (AVIP children
  /// already in place, contracts at every stage). Family ages are shifted back by this much.
  int warmup_months{12};
  int year{2025};             ///< calendar year of the reported year (label funding: first year or later)
  int school_entry_month{8};  ///< 0-based month of the school year start (September): children leave
  allocation_policy policy{allocation_policy::priority};
  /// Also compute, in every replication, the year-long upper bound (time-indexed LP relaxation): the
  /// most priority-weighted families any policy could place given the same referrals and stays.
  bool year_bound{false};

  // Demand: the referral funnel, a yearly probability for each RSA household with a child under 3:
  // aware of AVIP × in an insertion path with a référent × childcare is a barrier × accepts the place.
  /// Share of RSA households with a young child who know the AVIP scheme. Fitted (the one free
  /// parameter of the funnel) to the 39 AVIP parents of the 2023 evaluation (seed 000) by
  /// `avipsim validate --fit` (sim/calibration.hpp) on the La Réunion baseline, 400 replications.
  double awareness_rate{0.0426};
  /// Share engaged in an insertion path followed by a référent (signed CER or PPAE). Assumption.
  double insertion_path_rate{0.60};
  /// Share for whom childcare is a barrier to that path: 31.8 % of CER (Bras-Panon 2023, seed 000).
  double childcare_barrier_rate{0.318};
  double acceptance_rate{0.85};  ///< share who accept a compatible place (assumption)
  double demand_scale{1.0};      ///< multiplies the funnel (e.g. 1.2 = 20 % more referrals)
  int max_wait_weeks{12};        ///< a family not placed within this wait gives up (unmet)
  /// Share of the social / integration paths referred by the CAF's social workers (RSA majoré);
  /// professional paths are referred by France Travail. The 79 / 21 % mix is then an outcome.
  double caf_share_social_paths{1.0};

  // Contracts (seed 000, 002)
  int contract_months{6};
  int contract_renewals{1};
  /// Probability that a contract is renewed when it ends and the parent is still seeking. Assumption.
  double renewal_probability{0.6};
  double min_weekly_hours{10.0};
  /// Parent finds a job: the child keeps the place until school (continuity). Fitted to the 63 % of
  /// parents still seeking at exit (Réunion 2023, seed 000), by the same fit.
  double monthly_job_finding_probability{0.0854};
  double permanent_job_share{0.10};          ///< of jobs found, share on a CDI (validated: 4 % of exits)
  double monthly_dropout_probability{0.01};  ///< unplanned exit (validated: 3 exits in 2023)

  // Capacity
  double yearly_turnover{0.30};  ///< share of the other children leaving in a year (Bernoulli each month)
  /// Labelled places of a labelled EAJE whose convention gives none: this share of its PMI places.
  double labelled_places_share{0.20};
  int assmat_default_places{4};
  /// Whether referred families may be placed with assistants maternels outside a labelled network
  /// (default no: the AVIP scheme goes through labelled structures and networks).
  bool unlabelled_assmat_open{false};
  int baby_bus_min_age_months{5};
  int max_age_months{36};
  int max_age_months_disabled{72};

  // Access (DESIGN.md "Access")
  double walk_speed_kmh{4.5};
  double detour_factor{1.3};
  double car_speed_kmh{30.0};
  /// A family considers at most its nearest `max_candidates` compatible facilities (bounds memory at
  /// national scale; far beyond what a parent would visit).
  int max_candidates{100};
  std::array<double, 3> tolerance_minutes{30.0, 45.0, 20.0};  ///< by mobility: car, bus, walk

  // Weights of the optimal policy and of the year bound (priority-weighted matches)
  double priority_weight{2.0};
  double other_weight{1.0};

  // AVIP targets (seed 002)
  double avip_target_share{0.20};      ///< AVIP children in the year ÷ PMI places
  double assmat_network_target{1.0};   ///< AVIP children per member
  double l214_places_per_child{20.0};  ///< CASF L.214-7: 1 place per 20

  // Cost (CAF Puy-de-Dôme 2026, seed 002; Baby Bus seed 003)
  double label_funding_first_year{2500.0};  ///< € per labelled place, the label's first year
  double label_funding_later_years{1000.0};
  double coordinator_funding_per_tenth_fte{2400.0};
  double coordinator_places_per_tenth_fte{5.0};
  double baby_bus_yearly_cost{170000.0};  ///< ~1.7 M€ for 10 buses
};

/// Yearly probability that an RSA household with a child under 3 is referred (the funnel's product).
inline double referral_probability(params const& p) {
  double const v = p.awareness_rate * p.insertion_path_rate * p.childcare_barrier_rate * p.acceptance_rate *
                   p.demand_scale;
  return v < 0 ? 0 : (v > 1 ? 1 : v);
}

}  // namespace avip::sim
