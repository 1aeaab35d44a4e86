#include <iostream>
#include <memory>
#include <optional>
#include <string>

#include <fmt/format.h>

#include "app/commands.hpp"
#include "app/output_folder.hpp"
#include "scenarios/pipeline.hpp"

namespace avip::app {

namespace {

struct run_cli {
  std::string scenario;
  std::string out;
  std::optional<int> replications;
  std::optional<std::uint64_t> seed;
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
  sub->add_option("--replications", o->replications, "replications (default: the scenario's)")
      ->check(CLI::Range(1, 100000));
  sub->add_option("--seed", o->seed, "random seed (default: the scenario's)");
  sub->add_flag(
      "--force", o->force,
      "replace an existing output folder (the old one is removed only once the new one is complete)");
  sub->add_flag("--quiet", o->quiet, "no progress bar");
  add_threads_option(*sub, ctx);
  sub->callback([&ctx, o] {
    ctx.action = [o, &ctx] {
      staging_folder stage{o->out, o->force};
      auto const p = scenarios::prepare(o->scenario, true, !o->quiet);
      scenarios::run_request r{o->replications, o->seed, ctx.threads, !o->quiet};
      auto const res = scenarios::run_into(p, r, stage.path());
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
