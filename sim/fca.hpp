#pragma once

#include <cstdint>
#include <functional>
#include <vector>

#include "sim/params.hpp"
#include "sim/results.hpp"
#include "sim/world.hpp"

namespace avip::sim {

/// Demand → supply pairs within a catchment, as CSR over demand points, with the pair's cost
/// (minutes) and its distance-decay weight computed once, so that every later pass streams at flat speed.
struct fca_pairs {
  std::vector<std::uint32_t> offsets;  ///< size demand + 1
  std::vector<std::uint32_t> supply;
  std::vector<double> cost;
  std::vector<double> weight;
};

/// Stepped weights of E2SFCA: cost ≤ 10 → 1, ≤ 20 → 0.68, ≤ 30 → 0.22 (PySAL access's default), else 0.
double e2sfca_weight(double cost);

/// Gaussian weights of G2SFCA, as PySAL access's `weights.gaussian(sigma)`: exp(−c² / (2σ²)).
double gaussian_weight(double cost, double sigma);

/// 3SFCA (Wan et al. 2012) as PySAL access's `three_stage_fca`: each pair's weight W_ij becomes
/// W_ij × G_ij with the selection weight G_ij = W_ij / Σ_j' W_ij' over the demand point's pairs; the two
/// steps then run on these weights. Returns the pairs with the new weights.
fca_pairs three_step_weights(fca_pairs pairs);

/// Pairs of demand and supply points within `catchment_minutes` at `speed_kmh` on straight lines ×
/// `detour` (grid-bucket neighbour search, parallel over demand points).
fca_pairs catchment_pairs(std::vector<point> const& demand, std::vector<point> const& supply,
                          double catchment_minutes, double speed_kmh, double detour,
                          std::function<double(double)> const& weight);

/// Two-step floating catchment with the pairs' weights (Luo & Qi 2009, E2SFCA when the weights are
/// stepped; plain 2SFCA when they are all 1):
///   R_j = S_j / Σ_i D_i W_ij        (supply-to-demand ratio of each facility)
///   A_i = Σ_j R_j W_ij              (accessibility of each demand point)
/// Facilities with no demand in reach get R_j = 0. Places per child within reach.
std::vector<double> two_step_fca(std::vector<double> const& demand, std::vector<double> const& supply,
                                 fca_pairs const& pairs);

/// E2SFCA of children 0–3 of each populated cell to facility places, by car (params' speed, detour and
/// car tolerance as the catchment): fills run_results.cells[].accessibility and the children-weighted
/// mean per commune.
void fill_accessibility(world const& w, params const& p, run_results& r);

}  // namespace avip::sim
