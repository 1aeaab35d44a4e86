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
  double target_share{0.20};  ///< the AVIP label's target share of children of parents in insertion
  progress* bar{nullptr};     ///< advanced by the replicates done, when set
};

/// A replicate-level indicator summarised over the replicates.
struct mc_summary {
  double mean{0}, p05{0}, p95{0};
};

struct fca_mc_results {
  // Per demand point, over replicates.
  std::vector<double> access_mean;
  std::vector<double> access_sd;
  // Per facility, over replicates.
  std::vector<double> priority_share_mean;  ///< Σ_i P_i W_ij / Σ_i D_i W_ij (NaN when never in reach)
  std::vector<double> reach_target;         ///< share of replicates where that share ≥ the target
  // Per replicate, summarised.
  mc_summary access_qpv;               ///< children-weighted mean access of children living in a QPV
  mc_summary access_outside;           ///< … outside QPV
  mc_summary priority_access_qpv;      ///< priority-children-weighted mean access, in QPV
  mc_summary priority_access_outside;  ///< … outside QPV
  mc_summary labelled_reaching;        ///< share of labelled facilities reaching the target
  int replications{0};
  std::size_t labelled_count{0};
};

/// Monte Carlo over demand: in each replicate, every demand point's children are drawn
/// (Poisson of the expected count) and, among them, the children of parents in insertion (binomial of
/// the priority share); the two-step floating catchment then runs on the drawn children with the pairs'
/// weights (computed once), and each facility's priority share is the share of children of parents in
/// insertion in its weighted catchment, Σ_i P_i W_ij / Σ_i D_i W_ij: the composition of its intake if it
/// recruits in proportion to its catchment, to check against the AVIP label's 20 %.
/// Replicates run in batches of 8 that share one pass over the pair list; batches run in parallel and are
/// reduced in batch order. Draws come from streams keyed by (seed, replicate, demand point), so the results
/// are identical for any thread count.
fca_mc_results fca_monte_carlo(fca_mc_input const& in, fca_pairs const& pairs, fca_mc_options const& o);

}  // namespace avip::sim
