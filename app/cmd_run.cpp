#include <iostream>
#include <memory>
#include <optional>
#include <string>

#include <fmt/format.h>

#include "app/commands.hpp"
#include "app/output_folder.hpp"
#include "geo/gtfs_calendar.hpp"
#include "scenarios/pipeline.hpp"

namespace avip::app {

namespace {

struct run_cli {
  std::string scenario;
  std::string out;
  std::optional<int> replications;
  std::optional<std::uint64_t> seed;
  std::string date;
  bool force{false};
  bool quiet{false};
};

}  // namespace

void add_run_command(CLI::App& app, context& ctx) {
  auto o = std::make_shared<run_cli>();
  auto* sub =
      app.add_subcommand("run",
                         "Run a scenario (replications in parallel) and write its outputs: summary.json, "
                         "GeoJSON layers, results.gpkg, CSV tables, report.html");
  sub->add_option("scenario", o->scenario, "scenario file (.json)")->required();
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
