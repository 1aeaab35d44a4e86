#pragma once

#include <atomic>
#include <cstdint>
#include <functional>

#include "core/error.hpp"
#include "sim/params.hpp"
#include "sim/results.hpp"
#include "sim/world.hpp"

namespace avip::sim {

struct run_options {
  int replications{100};
  std::uint64_t seed{1};
  bool progress{true};  ///< progress bar on stderr
  /// Called with (replications done, total) each time a replication ends, from the thread that ran it:
  /// several threads may call it at once, so it must be thread-safe, and cheap (it is on the hot path).
  /// `done` reaches `total` exactly once, though calls may arrive out of order. Empty: none.
  std::function<void(int done, int total)> on_progress{};
  /// When set and it becomes true, run() stops each replication running at its next month, starts no
  /// other and throws run_cancelled (unless every replication had already ended). Checked once per
  /// replication and month, so a run stops within about a month of one replication's work.
  std::atomic<bool> const* cancel{nullptr};
};

/// Thrown by run() when its options' `cancel` was set during the run: nothing of it is returned.
struct run_cancelled : error {
  run_cancelled() : error{"the simulation was cancelled"} {}
};

/// Runs `options.replications` replications of the monthly model over `w` in parallel (oneTBB) and
/// summarises them. Results depend only on (w, p, replications, seed), never on the thread count nor on
/// `on_progress` and `cancel`. Throws run_cancelled when cancelled.
run_results run(world const& w, params const& p, run_options const& options);

struct candidates;

/// The same with the candidate lists built beforehand by build_candidates(w, q) for params `q` equal to
/// `p` on candidate_inputs (a sweep reuses them across its points; the results are the same).
run_results run(world const& w, params const& p, run_options const& options, candidates const& cand);

}  // namespace avip::sim
