#include <filesystem>
#include <iostream>
#include <memory>
#include <optional>
#include <string>

#include <fmt/format.h>

#include "app/commands.hpp"
#include "app/mpi_partition.hpp"
#include "app/output_folder.hpp"
#include "core/error.hpp"
#include "geo/gtfs_calendar.hpp"
#include "scenarios/national.hpp"
#include "scenarios/pipeline.hpp"
#include "scenarios/territory_list.hpp"

namespace avip::app {

namespace {

struct run_cli {
  std::string scenario;
  std::string territories;
  std::string out;
  std::optional<int> replications;
  std::optional<std::uint64_t> seed;
  std::string date;
  bool force{false};
  bool quiet{false};
};

/// `avipsim run --territories list.txt`: every territory of the list, split over the MPI ranks under
/// mpirun, merged into the national summary.
int run_territories(run_cli const& o, context const& ctx) {
  std::filesystem::path const list{o.territories};
  auto const entries = scenarios::read_territory_list(list);  // every line checked before any work
  mpi_partition mpi;
  std::optional<staging_folder> stage;
  if (mpi.root()) {
    stage.emplace(o.out, o.force);
    stage->create();
  }
  // Each rank writes its territories' sub-folders into rank 0's staging folder.
  auto const dir = mpi.partition().broadcast(mpi.root() ? stage->path().string() : std::string{});
  scenarios::run_request r{o.replications, o.seed, ctx.threads, !o.quiet && mpi.root()};
  r.date = o.date;
  auto const s = scenarios::run_territories(list, entries, r, dir, mpi.partition());
  if (!mpi.root()) {
    return 0;
  }
  stage->commit();
  auto const& inds = viz::national_indicators();
  auto mean = [&](std::string const& key) {
    for (std::size_t i = 0; i < inds.size(); ++i) {
      if (inds[i].key == key) {
        return s.national[i].mean();
      }
    }
    return 0.0;
  };
  std::cout << fmt::format(
      "{} territories: {:.1f} families referred, {:.1f} placed, priority coverage {:.1f} % (replications "
      "pooled: {})\noutputs in {} (summary.json, territoires.csv, report.html; one folder per territory)\n",
      s.territories.size(), mean("referred"), mean("matched"), 100 * mean("priority_coverage"),
      s.pooled_replications, o.out);
  return 0;
}

}  // namespace

void add_run_command(CLI::App& app, context& ctx) {
  auto o = std::make_shared<run_cli>();
  auto* sub =
      app.add_subcommand("run",
                         "Run a scenario (replications in parallel) and write its outputs: summary.json, "
                         "GeoJSON layers, results.gpkg, CSV tables, report.html");
  sub->add_option("scenario", o->scenario, "scenario file (.json)");
  sub->add_option("--territories", o->territories,
                  "instead of one scenario, a list of territories: one scenario file per line (relative to "
                  "the list's folder; blank lines and # comments skipped), each run into its own sub-folder "
                  "of --out and merged into a national summary; split over MPI ranks under mpirun");
  sub->add_option("--out", o->out, "output folder (must not exist or be empty, unless --force)")->required();
  add_replications_option(*sub, o->replications, "replications (default: the scenario's)");
  add_seed_option(*sub, o->seed, "random seed (default: the scenario's)");
  add_allow_outside_option(*sub);
  add_date_option(
      *sub, o->date,
      "bus service date YYYYMMDD (the Saturday on or after it for Saturday trips; default: the scenario's "
      "\"date\", else the feeds' busiest Tuesday)");
  sub->add_flag(
      "--force", o->force,
      "replace an earlier avipsim output folder (removed only once the new one is complete; a folder "
      "avipsim did not write is never replaced)");
  sub->add_flag("--quiet", o->quiet, "no progress bar");
  add_threads_option(*sub, ctx);
  sub->callback([&ctx, o] {
    ctx.action = [o, &ctx] {
      if (o->scenario.empty() == o->territories.empty()) {
        throw usage_error{"run: give either a scenario file or --territories list.txt"};
      }
      if (!o->territories.empty()) {
        return run_territories(*o, ctx);
      }
      staging_folder stage{o->out, o->force};
      auto const p = scenarios::prepare(o->scenario, true, !o->quiet, o->date);
      scenarios::run_request r{o->replications, o->seed, ctx.threads, !o->quiet};
      auto const res = scenarios::run_into(p, r, stage.create());
      stage.commit();
      std::cout << fmt::format(
          "{}: coverage {:.1f} % (90 % interval {:.1f}–{:.1f}), priority coverage {:.1f} %, over {} "
          "replications\n"
          "outputs in {} (report.html, summary.json, results.gpkg)\n",
          p.spec.name, 100 * res.island.coverage.mean(), 100 * res.island.coverage.lo(),
          100 * res.island.coverage.hi(), 100 * res.island.priority_coverage.mean(), res.replications,
          o->out);
      return 0;
    };
  });
}

}  // namespace avip::app
