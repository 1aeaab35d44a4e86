#pragma once

#include <cstdint>
#include <vector>

#include "core/progress.hpp"
#include "sim/fca.hpp"

namespace avip::sim {

/// What a Monte Carlo run of a floating-catchment index draws from and reports on.
struct fca_mc_input {
  std::vector<double> children;        ///< per demand point: expected children (Poisson mean)
  std::vector<double> priority_share;  ///< per demand point: share of children of parents in insertion
  std::vector<std::uint8_t> in_qpv;    ///< per demand point: 1 in a QPV
  std::vector<double> places;          ///< per facility
  std::vector<std::uint8_t> labelled;  ///< per facility: 1 when labelled AVIP
};

struct fca_mc_options {
  int replications{1000};
  std::uint64_t seed{974};
  /// The AVIP label's target: AVIP children welcomed ÷ PMI places ≥ 20 %.
  double target_share{0.20};
  /// Children of parents in insertion welcomed over a year per place they hold at one time. 1 (the
  /// default) is no turnover: the expected AVIP children are a stock, those present at one time, which
  /// understates the label's yearly count whenever children leave and others arrive within the year.
  double yearly_turnover{1.0};
  progress* bar{nullptr};  ///< advanced by the replicates done, when set
};

/// A replicate-level indicator summarised over the replicates.
struct mc_summary {
  double mean{0}, p05{0}, p95{0};
};

struct fca_mc_results {
  // Per demand point, over replicates.
  std::vector<double> access_mean;
  std::vector<double> access_sd;
  // Per facility, over replicates; the shares and probabilities are NaN for a facility without places.
  std::vector<double> avip_children_mean;   ///< expected AVIP children (0 without places), see below
  std::vector<double> avip_share_mean;      ///< expected AVIP children ÷ places: the label's measure
  std::vector<double> avip_share_reaching;  ///< share of replicates where that share ≥ the target
  /// Σ_i P_i W_ij / Σ_i D_i W_ij: the share of children of parents in insertion in the facility's weighted
  /// catchment (NaN when no child is ever in reach). A property of the catchment, whatever the places:
  /// not the label's target, which counts the children the facility welcomes against its places.
  std::vector<double> zone_priority_share_mean;
  // Per replicate, summarised.
  mc_summary access_qpv;               ///< children-weighted mean access of children living in a QPV
  mc_summary access_outside;           ///< … outside QPV
  mc_summary priority_access_qpv;      ///< priority-children-weighted mean access, in QPV
  mc_summary priority_access_outside;  ///< … outside QPV
  mc_summary labelled_reaching;        ///< share of labelled facilities whose AVIP share reaches the target
  int replications{0};
  std::size_t labelled_count{0};
};

/// The expected AVIP children of each facility for given children of parents in insertion per demand point
/// (P_i), with the pairs' weights W_ij: each demand point sends its children to the facilities in its
/// catchment as the floating-catchment index's step 2 spreads a child over them,
///   P_i × W_ij S_j / Σ_k W_ik S_k   to facility j,
/// so that every child with a place in reach is counted once (children of a point with no place in reach
/// go nowhere); each facility's sum is capped at its places S_j (the children present at one time), then
/// multiplied by `yearly_turnover` (1: none, a stock). Divided by S_j it is the label's measure.
/// Deterministic: the Monte Carlo applies the same allocation to each replicate's drawn children.
std::vector<double> expected_avip_children(std::vector<double> const& priority_children,
                                           std::vector<double> const& places, fca_pairs const& pairs,
                                           double yearly_turnover = 1.0);

/// Monte Carlo over demand: in each replicate, every demand point's children are drawn
/// (Poisson of the expected count) and, among them, the children of parents in insertion (binomial of
/// the priority share); the two-step floating catchment then runs on the drawn children with the pairs'
/// weights (computed once). Per facility, the replicate's expected AVIP children (expected_avip_children
/// of the drawn children of parents in insertion) ÷ places is checked against the AVIP label's 20 %, and
/// the share of children of parents in insertion in its weighted catchment is reported beside it, under
/// its own name.
/// Replicates run in batches of 8 that share one pass over the pair list; batches run in parallel and are
/// reduced in batch order. Draws come from streams keyed by (seed, replicate, demand point), so the results
/// are identical for any thread count.
fca_mc_results fca_monte_carlo(fca_mc_input const& in, fca_pairs const& pairs, fca_mc_options const& o);

}  // namespace avip::sim
