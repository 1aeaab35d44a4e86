#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "optimize/coverage_model.hpp"

namespace avip::optimize {

/// What a portfolio may spend and hold.
struct limits {
  double budget{0.0};   ///< € a year
  int max_actions{-1};  ///< -1 = no limit
};

/// A set of actions with its model figures.
struct portfolio {
  std::vector<std::uint32_t> actions;  ///< in the order the greedy took them (or re-ordered so)
  std::vector<double> marginal;        ///< model gain of each when added in that order
  double cost{0.0};
  double covered{0.0};  ///< covered demand in the model (families a year), the base's included
};

/// Whether `p` respects the budget, the action count and the exclusive groups.
bool feasible(coverage_model const& m, std::vector<std::uint32_t> const& actions, limits const& l);

/// The lazy cost-benefit greedy of Khuller, Moss and Naor (1999) for budgeted maximum coverage: take the
/// affordable action with the best marginal gain per euro (lazily re-evaluated: a stale gain is an upper
/// bound when coverage is submodular), then return the better of that portfolio and the best single
/// action. For budgeted maximum coverage (capacities that never bind) this is within (1 − 1/e)/2 ≈ 0.316
/// of the optimum; with binding capacities coverage need not be submodular and the bound is not
/// guaranteed (the MIP's proven gap then says how good it is). When no capacity can bind, gains are
/// kept per action as in a weighted set cover (no maximum flow per evaluation). `start`: actions taken
/// first (a feasible portfolio, e.g. a smaller budget's optimum), then filled greedily (no best-single
/// alternative then).
portfolio greedy(coverage_model const& m, limits const& l, std::vector<std::uint32_t> const& start = {});

/// Re-orders a portfolio by greedy gain per euro within itself and fills `marginal` and `covered`.
portfolio order_by_gain(coverage_model const& m, std::vector<std::uint32_t> const& actions);

/// In the set-cover form (capacities_never_bind only): swaps one chosen action for another while that
/// covers more and fits the budget, the count and the groups (first improvement, best replacement), for at
/// most `seconds`. Returns `start` when no swap improves it, else the new portfolio ordered by gain.
portfolio improve_by_swaps(coverage_model const& m, limits const& l, portfolio const& start, double seconds);

/// An upper bound of the covered demand from the Lagrangian relaxation of the coverage rows (set-cover form
/// only), by subgradient descent for at most `seconds` and `max_iterations`; `lower`: a portfolio's
/// coverage, the target of the steps. Any iteration's value is a valid bound; at convergence it is the
/// linear relaxation's.
struct lagrangian_result {
  double bound{0.0};
  int iterations{0};
  double seconds{0.0};
};
lagrangian_result lagrangian_bound(coverage_model const& m, limits const& l, double lower, double seconds,
                                   int max_iterations = 5000);

/// The exact model solved by CBC under a time limit.
struct mip_result {
  bool available{false};  ///< built with CBC
  portfolio best;         ///< the best integer solution found (empty when none)
  bool has_solution{false};
  bool proven_optimal{false};  ///< CBC proved optimality (within its default tolerance)
  std::string status;          ///< CBC's own status, in words
  int cbc_status{0};
  int cbc_secondary_status{0};
  /// The best proven upper bound (families a year, the constant included): the smallest of CBC's once its
  /// search has begun, the root relaxation's value and the Lagrangian bound (set-cover form).
  double bound{0.0};
  double gap{0.0};  ///< (bound − best) ÷ best, proven
  double seconds{0.0};
  /// Whether Clp solved the root linear relaxation before the deadline: when not, CBC does not run, the
  /// start is kept and the bound is the Lagrangian one (set-cover form) or infinite.
  bool root_solved{false};
  double root_bound{0.0};  ///< the root relaxation's value (families a year, the constant included)
  int variables{0};
  int constraints{0};
  std::vector<std::uint32_t> best_in_model;  ///< `best`'s actions as the model numbers them
};

/// max Σ x subject to: demand and capacity of the coverage model, arcs open only when one of their
/// enabler's actions is chosen, budget, action count, one action per exclusive group. `start`: a feasible
/// portfolio given to CBC as its first solution (the greedy's). CBC stops once its proven gap (bound −
/// best) ÷ best is at most `relative_gap` (0: the search completes); the status says which.
mip_result solve_mip(coverage_model const& m, limits const& l, double time_limit_seconds,
                     portfolio const* start = nullptr, double relative_gap = 0.0);

}  // namespace avip::optimize
