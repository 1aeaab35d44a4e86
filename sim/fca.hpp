#pragma once

#include <cstdint>
#include <limits>
#include <utility>
#include <vector>

#include "core/buffer.hpp"
#include "sim/params.hpp"
#include "sim/results.hpp"
#include "sim/world.hpp"

namespace avip::sim {

/// Demand → supply pairs within a catchment, as CSR over demand points, with the pair's cost
/// (minutes) and its distance-decay weight computed once, so that every later pass streams at flat speed.
/// `weight` is empty when every weight is 1 (plain 2SFCA, RAAM), and `cost` when the caller asked for
/// weights only (the floating-catchment indices): 8 bytes less per pair to write and read for each.
struct fca_pairs {
  std::vector<std::uint32_t> offsets;  ///< size demand + 1
  flat_vector<std::uint32_t> supply;
  flat_vector<double> cost;
  flat_vector<double> weight;

  [[nodiscard]] std::size_t demand_count() const { return offsets.empty() ? 0 : offsets.size() - 1; }
  [[nodiscard]] std::size_t size() const { return supply.size(); }
};

/// Stepped weights of E2SFCA: cost ≤ 10 → 1, ≤ 20 → 0.68, ≤ 30 → 0.22 (PySAL access's default), else 0.
double e2sfca_weight(double cost);

/// Gaussian weights of G2SFCA, as PySAL access's `weights.gaussian(sigma)`: exp(−c² / (2σ²)).
double gaussian_weight(double cost, double sigma);

/// A distance-decay function as PySAL access's `weights` module defines them: none (2SFCA), a step
/// function (`weights.step_fn`: the weight of the first threshold ≥ cost, 0 beyond the last) or a Gaussian
/// (`weights.gaussian`). A plain value, so that the weight loop is a tight loop with no indirect call.
struct decay {
  enum class form : std::uint8_t { none, stepped, gaussian };
  form shape{form::none};
  std::vector<double> thresholds;  ///< ascending
  std::vector<double> values;      ///< the weight up to each threshold, then 0
  double sigma{10.0};

  static decay none() { return {}; }
  /// E2SFCA's steps by default (PySAL access's `enhanced_two_stage_fca`).
  static decay stepped(std::vector<std::pair<double, double>> steps = {{10, 1.0}, {20, 0.68}, {30, 0.22}});
  /// PySAL access's default for `three_stage_fca` (Wan et al. 2012's steps).
  static decay three_step_default() { return stepped({{10, 0.962}, {20, 0.704}, {30, 0.377}, {60, 0.042}}); }
  static decay gaussian(double sigma) { return {form::gaussian, {}, {}, sigma}; }
  /// The weight of one cost.
  [[nodiscard]] double operator()(double cost) const {
    double weight = 0;
    fill(&cost, &weight, 1);
    return weight;
  }
  /// weight[k] = (*this)(cost[k]) for k < n, with one tight loop per form.
  void fill(double const* cost, double* weight, std::size_t n) const;
};

/// Sets every pair's weight from its cost (in parallel); stores them even when they are all 1.
void set_weights(fca_pairs& pairs, decay const& w);

/// Pairs of demand and supply points within `catchment_minutes` at `speed_kmh` on straight lines ×
/// `detour` (cost = √(dx² + dy²) × detour ÷ (speed × 1000 / 60)), with their weights (none stored for
/// decay::none()).
/// Neighbour search: supply points sorted into a dense grid of square buckets (counting sort), then two
/// parallel passes over demand points (count; then costs, compaction through a per-task buffer, and copy
/// into the CSR arrays). The pair order is fixed by the grid, not by the threads.
fca_pairs catchment_pairs(std::vector<point> const& demand, std::vector<point> const& supply,
                          double catchment_minutes, double speed_kmh, double detour, decay const& w,
                          bool keep_cost = true);

/// Pairs from a cost table of (demand index, supply index, cost) rows: rows with cost > catchment are
/// dropped, each demand point's pairs sorted by supply index.
struct cost_row {
  std::uint32_t demand;
  std::uint32_t supply;
  double cost;
};
fca_pairs pairs_from_table(std::size_t demand_count, std::vector<cost_row> rows, double catchment,
                           decay const& w);

/// 3SFCA (Wan et al. 2012) as PySAL access's `three_stage_fca`: each pair's weight W_ij becomes
/// W_ij × G_ij with the selection weight G_ij = W_ij / Σ_j' W_ij' over ALL the demand point's pairs given
/// (PySAL: every row of the cost table, whatever `max_cost`), then only the pairs within `catchment` are
/// kept for the two steps (PySAL applies `max_cost` there). Needs the costs when it drops pairs.
fca_pairs three_step_weights(fca_pairs pairs, double catchment = std::numeric_limits<double>::infinity());

/// Two-step floating catchment with the pairs' weights (Luo & Qi 2009, E2SFCA when the weights are
/// stepped; plain 2SFCA when they are all 1), as PySAL access's `fca.weighted_catchment` twice:
///   R_j = S_j / Σ_i D_i W_ij        (supply-to-demand ratio of each facility)
///   A_i = Σ_j R_j W_ij              (accessibility of each demand point)
/// Facilities with no demand in reach get R_j = 0. Places per child within reach.
/// Both steps run in parallel; step 1 sums fixed chunks of demand points and adds the chunks in order,
/// so the result does not depend on the thread count.
std::vector<double> two_step_fca(std::vector<double> const& demand, std::vector<double> const& supply,
                                 fca_pairs const& pairs);

/// E2SFCA of children 0–3 of each populated cell to facility places, by car (params' speed, detour and
/// car tolerance as the catchment): fills run_results.cells[].accessibility and the children-weighted
/// mean per commune.
void fill_accessibility(world const& w, params const& p, run_results& r);

}  // namespace avip::sim
