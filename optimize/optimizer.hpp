#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "optimize/coverage_model.hpp"
#include "scenarios/sweep_partition.hpp"

namespace avip::optimize {

/// What `avipsim optimize` was asked.
struct optimize_request {
  std::filesystem::path base;        ///< base scenario
  std::filesystem::path candidates;  ///< candidates file
  std::filesystem::path target;  ///< the final output folder (the recommendation's `base` is relative to it)
  std::optional<double> budget;  ///< € a year (else the candidates file's, else the largest of `budgets`)
  std::vector<double> budgets;   ///< the curve (--budgets); the budget is added to it
  std::optional<int> max_actions;
  objective goal{objective::priority};
  double time_limit_seconds{60.0};  ///< per MIP solve
  double mip_gap{1e-4};             ///< CBC stops once its proven relative gap is at most this
  std::optional<int> replications;  ///< simulation of the portfolios (default: the base scenario's)
  std::optional<std::uint64_t> seed;
  bool simulate{true};
  /// Generated candidate sites: "" (none) or "grid" (a new structure in every populated cell of the
  /// grid with unmet demand of the objective: families no base facility can serve).
  std::string sites;
  int site_places{10};                          ///< places of each generated site
  std::string site_hours{"Mo-Fr 07:30-18:30"};  ///< opening hours of each generated site
  std::optional<double> site_cost;              ///< € a year of each; default: the cost model's
  bool progress{true};
  std::string date;
};

/// The headline figures (also in optimize.json).
struct optimize_summary {
  double budget{0};
  std::string method;  ///< of the recommendation: "mip" or "greedy"
  double model_base{0}, model_greedy{0}, model_mip{0}, mip_bound{0}, mip_gap{0};
  std::string mip_status;
  double greedy_seconds{0}, mip_seconds{0};
  double sim_base{0}, sim_recommended{0}, sim_delta{0}, sim_delta_lo{0}, sim_delta_hi{0};
  double cost{0};
  std::size_t actions{0};
  std::vector<std::pair<std::string, double>> timings;  ///< seconds per phase, in order
};

/// Reads the candidates, builds the coverage model, solves it for every budget (greedy and MIP),
/// simulates the portfolios on common random numbers against the base and writes recommendation.json,
/// actions.csv, pareto.csv, actions.geojson, optimize.gpkg, optimize.json, report.html and the
/// portfolios' scenario files into `dir` (an empty staging folder beside `request.target`).
/// Under MPI (`partition`), rank 0 builds and solves the model and writes every output; the base and
/// the portfolios are simulated on rank i mod size (item 0 is the base) and their results reach rank 0
/// bit for bit: identical for any number of ranks. `dir` is used on rank 0 only.
optimize_summary optimize_into(optimize_request const& request, std::filesystem::path const& dir,
                               scenarios::sweep_partition const& partition = {});

}  // namespace avip::optimize
