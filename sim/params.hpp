#pragma once

#include <array>
#include <cstdint>

#include "sim/types.hpp"

namespace avip::sim {

enum class allocation_policy : std::uint8_t { priority, lottery, optimal };

/// Every model parameter, with the default a planner gets when the scenario says nothing.
/// Figures and their sources: DOMAIN.md. Scenarios override them through the `params` edit.
struct params {
  // Run
  int horizon_months{12};
  allocation_policy policy{allocation_policy::priority};

  // Demand and referrals
  double referral_share_france_travail{0.79};  ///< seed 000, 2023 profile
  double referral_share_caf{0.21};
  /// Expected share of the families layer referred over the horizon (families with referral_month -1
  /// draw theirs; others keep theirs). Default: 31.8 % of signed insertion contracts cite childcare as a
  /// barrier (Bras-Panon 2023, seed 000).
  double referral_rate{0.318};
  double demand_scale{1.0};  ///< multiplies the demand (e.g. 1.2 = 20 % more referrals)
  int max_wait_weeks{12};    ///< a family not placed within this wait gives up (unmet)

  // Contracts (seed 000, 002)
  int contract_months{6};
  int contract_renewals{1};
  double min_weekly_hours{10.0};
  double monthly_job_finding_probability{0.10};  ///< parent finds a job: keeps the place (continuity)
  double monthly_dropout_probability{0.03};      ///< family leaves for other reasons

  // Capacity
  double yearly_turnover{0.30};  ///< share of places freed during the year by children leaving
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

  // Weights of the optimal policy (priority-weighted matches)
  double priority_weight{2.0};
  double other_weight{1.0};

  // AVIP targets (seed 002)
  double avip_target_share{0.20};      ///< AVIP children in the year ÷ PMI places
  double assmat_network_target{1.0};   ///< AVIP children per member
  double l214_places_per_child{20.0};  ///< CASF L.214-7: 1 place per 20

  // Cost (CAF Puy-de-Dôme 2026, seed 002; Baby Bus seed 003)
  double label_funding_first_year{2500.0};  ///< € per labelled place
  double label_funding_later_years{1000.0};
  double coordinator_funding_per_tenth_fte{2400.0};
  double coordinator_places_per_tenth_fte{5.0};
  double baby_bus_yearly_cost{170000.0};  ///< ~1.7 M€ for 10 buses
  bool first_label_year{true};
};

}  // namespace avip::sim
