#pragma once

#include <cstdint>
#include <functional>

#include "sim/params.hpp"
#include "sim/results.hpp"
#include "sim/world.hpp"

namespace avip::sim {

struct run_options {
  int replications{100};
  std::uint64_t seed{1};
  bool progress{true};  ///< progress bar on stderr
};

/// Runs `options.replications` replications of the monthly model over `w` in parallel (oneTBB) and
/// summarises them. Results depend only on (w, p, replications, seed), never on the thread count.
run_results run(world const& w, params const& p, run_options const& options);

struct candidates;

/// The same with the candidate lists built beforehand by build_candidates(w, q) for params `q` equal to
/// `p` on candidate_inputs (a sweep reuses them across its points; the results are the same).
run_results run(world const& w, params const& p, run_options const& options, candidates const& cand);

}  // namespace avip::sim
