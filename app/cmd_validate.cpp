#include <iostream>
#include <memory>
#include <optional>
#include <string>

#include <fmt/format.h>

#include "app/commands.hpp"
#include "app/output_folder.hpp"
#include "core/error.hpp"
#include "geo/gtfs_calendar.hpp"
#include "scenarios/pipeline.hpp"
#include "sim/calibration.hpp"
#include "sim/engine.hpp"
#include "viz/validation.hpp"

namespace avip::app {

namespace {

struct validate_cli {
  std::string scenario;
  std::string observed;
  std::string out;
  std::optional<int> replications;
  std::optional<std::uint64_t> seed;
  std::string date;
  bool fit{false};
  bool force{false};
  bool quiet{false};
};

}  // namespace

void add_validate_command(CLI::App& app, context& ctx) {
  auto o = std::make_shared<validate_cli>();
  auto* sub = app.add_subcommand("validate",
                                 "Run a scenario and set what was observed in the field (the 2023 AVIP "
                                 "evaluation for La Réunion) beside "
                                 "the model's figures with their 90 % intervals; --fit first fits the "
                                 "model's two unknown rates to two of "
                                 "the observed figures and says which");
  sub->add_option("scenario", o->scenario, "scenario file (.json)")->required();
  sub->add_option("--observed", o->observed,
                  "observed figures (CSV: indicateur,observe,source,note; default: observed/avip_2023.csv "
                  "beside the territory manifest)");
  add_replications_option(*sub, o->replications, "replications (default: the scenario's)");
  add_seed_option(*sub, o->seed, "random seed (default: the scenario's)");
  add_allow_outside_option(*sub);
  sub->add_flag(
      "--fit", o->fit,
      "fit awareness_rate to the observed parents and monthly_job_finding_probability to the observed "
      "share of exits still seeking (bisection on common random numbers), then validate with them");
  sub->add_option("--out", o->out, "also write the run's outputs and validation.csv into this folder");
  sub->add_flag("--force", o->force, "replace an earlier avipsim output folder (never another folder)");
  sub->add_flag("--quiet", o->quiet, "no progress bar");
  add_date_option(
      *sub, o->date,
      "bus service date YYYYMMDD (the Saturday on or after it for Saturday trips; default: the scenario's "
      "\"date\", else the feeds' busiest Tuesday)");
  add_threads_option(*sub, ctx);
  sub->callback([&ctx, o] {
    ctx.action = [o, &ctx] {
      std::optional<staging_folder> stage;
      if (!o->out.empty()) {
        stage.emplace(o->out, o->force);
      }
      auto p = scenarios::prepare(o->scenario, true, !o->quiet, o->date);
      auto const observed_file = o->observed.empty() ? viz::default_observed(p.territory)
                                                     : std::optional<std::filesystem::path>{o->observed};
      if (!observed_file) {
        throw usage_error{fmt::format(
            "validate: no observed figures for {} (give --observed file.csv, or put observed/avip_2023.csv "
            "beside the territory manifest)",
            p.territory.manifest.string())};
      }
      auto const observed = viz::read_observed(*observed_file);
      sim::run_options ro;
      ro.replications = o->replications.value_or(p.spec.replications);
      ro.seed = o->seed.value_or(p.spec.seed);
      ro.progress = !o->quiet;
      if (o->fit) {
        sim::fit_targets targets;
        for (auto const& f : observed) {
          if (f.key == "parents") {
            targets.parents = f.value;
          } else if (f.key == "exit_share_seeking") {
            targets.exit_share_seeking = f.value;
          }
        }
        std::cout << "Fitted (the model reproduces these figures by construction; they test nothing):\n";
        for (auto const& fp : sim::fit(p.world, p.spec.params, targets, ro)) {
          std::cout << fmt::format("  {} = {:.4f}   fitted to {}: observed {:.3g}, simulated {:.3g}\n",
                                   fp.name, fp.value, fp.target, fp.observed, fp.simulated);
        }
        std::cout << "Put them in the scenario's params (or sim/params.hpp's defaults) to keep them.\n\n";
      }
      sim::run_results res;
      if (stage) {
        scenarios::run_request r{ro.replications, ro.seed, ctx.threads, !o->quiet};
        r.observed = *observed_file;
        res = scenarios::run_into(p, r, stage->create());
      } else {
        res = sim::run(p.world, p.spec.params, ro);
      }
      auto const rows = viz::validation_table(res.validation, observed);
      if (stage) {
        viz::write_validation_csv(stage->path() / "validation.csv", rows);
        stage->commit();
        std::cout << fmt::format("outputs in {} (validation.csv, report.html, summary.json)\n", o->out);
      }
      // The table, then its last line: how many observed figures fall inside their interval. A figure
      // outside is information about the model, not an error: the exit status stays 0.
      std::cout << fmt::format("{} — {} réplications, graine {}, chiffres observés : {}\n", p.spec.name,
                               ro.replications, ro.seed, observed_file->string());
      std::cout << viz::validation_text(rows, res.validation.evaluated_structures);
      return 0;
    };
  });
}

}  // namespace avip::app
