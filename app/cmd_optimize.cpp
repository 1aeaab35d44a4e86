#include <filesystem>
#include <iostream>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "app/commands.hpp"
#include "app/mpi_partition.hpp"
#include "app/output_folder.hpp"
#include "core/error.hpp"
#include "optimize/candidate_file.hpp"
#include "optimize/optimizer.hpp"
#include "scenarios/scenario.hpp"
#include "sim/opening_hours.hpp"

namespace avip::app {

namespace {

struct optimize_cli {
  std::string base;
  std::string candidates;
  std::string out;
  std::optional<double> budget;
  std::string budgets;
  std::optional<int> max_actions;
  std::string objective{"priority"};
  double time_limit{60};
  double mip_gap{1e-4};
  std::optional<int> replications;
  std::optional<std::uint64_t> seed;
  std::string date;
  bool no_simulation{false};
  std::string sites;
  int site_places{10};
  std::string site_hours{"Mo-Fr 07:30-18:30"};
  std::optional<double> site_cost;
  bool timings{false};
  bool force{false};
  bool quiet{false};
};

std::vector<double> parse_budgets(std::string const& text) {
  std::vector<double> out;
  std::stringstream in{text};
  std::string item;
  while (std::getline(in, item, ',')) {
    std::size_t used = 0;
    double v = 0;
    try {
      v = std::stod(item, &used);
    } catch (std::exception const&) {
      used = 0;
    }
    if (used == 0 || used != item.size() || !std::isfinite(v) || v < 0) {
      throw usage_error{
          fmt::format("--budgets: expected budgets ≥ 0 separated by commas (e.g. 0.5e6,1e6,2e6), "
                      "got '{}'",
                      item)};
    }
    out.push_back(v);
  }
  return out;
}

}  // namespace

void add_optimize_command(CLI::App& app, context& ctx) {
  auto o = std::make_shared<optimize_cli>();
  auto* sub = app.add_subcommand(
      "optimize",
      "Propose the actions (labels, hours, new places, Baby Bus stops, bus service) that cover the most "
      "families within a budget: coverage model solved by a greedy and an exact MIP (CBC), portfolios "
      "simulated against the base (recommendation.json, actions.csv, pareto.csv, actions.geojson, "
      "report.html)");
  sub->add_option("base", o->base, "base scenario")->required();
  sub->add_option("--candidates", o->candidates, "candidate actions (scenarios/candidates.schema.json)")
      ->required();
  sub->add_option("--out", o->out, "output folder (must not exist or be empty, unless --force)")->required();
  sub->add_option("--budget", o->budget, "€ a year for the recommendation (default: the candidates file's)")
      ->check(finite_non_negative());
  sub->add_option("--budgets", o->budgets, "more budgets for the cost / coverage curve, e.g. 0.5e6,1e6,2e6");
  sub->add_option("--max-actions", o->max_actions, "at most this many actions")
      ->check(CLI::NonNegativeNumber);
  sub->add_option("--objective", o->objective,
                  "priority (priority families placed, default), all (all families), priority_qpv")
      ->check(CLI::IsMember({"priority", "all", "priority_qpv"}));
  sub->add_option("--time-limit", o->time_limit, "seconds for each exact (MIP) solve (default 60)")
      ->check(finite_positive());
  sub->add_option(
         "--mip-gap", o->mip_gap,
         "CBC stops once its proven relative gap is at most this (default 1e-4, i.e. 0.01 %; 0: until "
         "the search completes)")
      ->check(CLI::Range(0.0, 1.0));
  add_replications_option(*sub, o->replications,
                          "replications of each simulated portfolio (default: the base's)");
  add_seed_option(*sub, o->seed, "random seed (default: the base scenario's)");
  add_date_option(*sub, o->date, "bus service date YYYYMMDD");
  add_allow_outside_option(*sub);
  sub->add_flag("--no-simulation", o->no_simulation, "solve the coverage model only");
  sub->add_option("--sites", o->sites,
                  "generated candidate sites: grid (a micro-crèche in every populated grid cell with unmet "
                  "demand: families of the objective no current structure can serve)")
      ->check(CLI::IsMember({"grid"}));
  sub->add_option("--site-places", o->site_places, "places of each generated site (default 10)")
      ->check(CLI::Range(1, 1000));
  sub->add_option("--site-hours", o->site_hours,
                  "opening hours of each generated site (default \"Mo-Fr 07:30-18:30\")");
  sub->add_option("--site-cost", o->site_cost, "€ a year of each generated site (default: the cost model's)")
      ->check(finite_non_negative());
  sub->add_flag("--timings", o->timings, "print the time of each phase");
  sub->add_flag("--force", o->force, "replace an earlier avipsim output folder (never another folder)");
  sub->add_flag("--quiet", o->quiet, "no progress bar");
  add_threads_option(*sub, ctx);
  sub->callback([&ctx, o] {
    ctx.action = [o] {
      optimize::optimize_request r;
      r.base = o->base;
      r.candidates = o->candidates;
      r.target = output_path(o->out);
      r.budget = o->budget;
      r.budgets = parse_budgets(o->budgets);
      r.max_actions = o->max_actions;
      r.goal = o->objective == "all"            ? optimize::objective::all
               : o->objective == "priority_qpv" ? optimize::objective::priority_qpv
                                                : optimize::objective::priority;
      r.time_limit_seconds = o->time_limit;
      r.mip_gap = o->mip_gap;
      r.replications = o->replications;
      r.seed = o->seed;
      r.date = o->date;
      r.simulate = !o->no_simulation;
      r.progress = !o->quiet;
      r.sites = o->sites;
      r.site_places = o->site_places;
      r.site_hours = o->site_hours;
      r.site_cost = o->site_cost;
      if (!r.sites.empty()) {
        try {
          (void)sim::parse_opening_hours(r.site_hours);
        } catch (error const& e) {
          throw usage_error{fmt::format("--site-hours: {}", e.what())};
        }
      }
      scenarios::read_scenario(r.base);  // invalid inputs create no folder
      optimize::read_candidate_file(r.candidates);
      mpi_partition mpi;  // under mpirun: the simulated portfolios split over the ranks, merged on rank 0
      std::optional<staging_folder> stage;
      if (mpi.root()) {
        stage.emplace(r.target, o->force, std::vector<std::string>{"optimize.json"});
      }
      auto const s =
          optimize::optimize_into(r, mpi.root() ? stage->create() : std::filesystem::path{}, mpi.partition());
      if (!mpi.root()) {
        return 0;
      }
      stage->commit();
      std::cout << fmt::format(
          "budget {:.0f} €: {} actions for {:.0f} € ({}); coverage model {:.2f} → {:.2f} families a year "
          "(greedy {:.2f} in {:.3f} s, MIP {:.2f}, bound {:.2f}, gap {:.3f} %, {}, {:.1f} s)",
          s.budget, s.actions, s.cost, s.method, s.model_base, std::max(s.model_greedy, s.model_mip),
          s.model_greedy, s.greedy_seconds, s.model_mip, s.mip_bound, 100 * s.mip_gap, s.mip_status,
          s.mip_seconds);
      if (r.simulate) {
        std::cout << fmt::format("; simulation {:.2f} → {:.2f} ({:+.2f}, 90 % {:+.2f} to {:+.2f})",
                                 s.sim_base, s.sim_recommended, s.sim_delta, s.sim_delta_lo, s.sim_delta_hi);
      }
      if (o->timings) {
        for (auto const& [phase, seconds] : s.timings) {
          std::cout << fmt::format("\n  {:>7.2f} s  {}", seconds, phase);
        }
      }
      std::cout << fmt::format(
          "\noutputs in {} (recommendation.json, actions.csv, pareto.csv, report.html)\n", o->out);
      return 0;
    };
  });
}

}  // namespace avip::app
