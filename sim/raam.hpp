#pragma once

#include <vector>

#include "core/progress.hpp"
#include "sim/fca.hpp"

namespace avip::sim {

/// Parameters of the rational agent access model, with PySAL access's defaults (`Access.raam`).
struct raam_params {
  double tau{60.0};          ///< travel cost equivalent to a congestion of 100 % of the mean ratio
  double rho{0.0};           ///< congestion scale; 0: the mean demand-to-supply ratio Σ D / Σ S
  int max_cycles{150};       ///< cycles of the optimisation
  double initial_step{0.2};  ///< share of a demand point that may move in the first cycle
  double half_life{50.0};    ///< cycles to halve the share that may move
  double min_step{0.005};    ///< floor of that share
  int limit_initial{20};     ///< cycles during which moves into a facility are scaled to its size
  progress* bar{nullptr};    ///< advanced once per cycle when set
};

/// RAAM (Saxon & Snow 2020), as PySAL access's `raam.iterate_raam`, over the pair list: every demand
/// point i spreads its demand D_i over the facilities it reaches so as to minimise its total cost
///   C_ij = t_ij / τ + (Σ_i' a_i'j) / (ρ S_j)        (travel plus congestion),
/// starting from the nearest facility. Each cycle, every demand point moves an integer amount δ_i from
/// its costliest used facility (max) to its cheapest (min): the amount that equalises the two costs,
///   δ_i = (S_min S_max / (S_min + S_max)) · (t_max − t_min + (a_min + a_max + o_max) / S_max − o_min /
///   S_min)
///         − a_min                       (o: the demand of the others at the facility; S scaled by ρ),
/// capped by a_max and by step · D_i (step = initial_step · 0.5^(cycle / half_life), at least min_step),
/// truncated to an integer; during the first `limit_initial` cycles the moves into a facility are
/// divided by max(1, Σ δ into it / S_j) and rounded half to even. The result is each demand point's cost
/// Σ_j C_ij a_ij / D_i with the congestion of the last cycle's start (lower is better access).
/// Demand points with no demand or no facility with places in reach get NaN (PySAL leaves them out).
/// The per-cycle pass over the pair list (the cheapest facility of each demand point) runs in parallel;
/// sums are over integers (or in a fixed order), so the result does not depend on the thread count.
/// Takes the pair list over (move it in, or pass a copy): its costs become the travel terms in place.
std::vector<double> raam(std::vector<double> const& demand, std::vector<double> const& supply,
                         fca_pairs pairs, raam_params const& p = {});

}  // namespace avip::sim
