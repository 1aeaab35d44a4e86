#include <filesystem>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "app/commands.hpp"
#include "app/mpi_partition.hpp"
#include "app/output_folder.hpp"
#include "core/error.hpp"
#include "scenarios/scenario.hpp"
#include "scenarios/sweep.hpp"
#include "synth/synthesis.hpp"
#include "territory/load.hpp"
#include "viz/sensitivity_outputs.hpp"

namespace avip::app {

namespace {

struct sensitivity_cli {
  std::string uncertainty;
  std::vector<std::string> scenarios;
  std::string method{"morris"};
  int trajectories{20};
  int levels{4};
  int samples{512};
  std::string out;
  std::optional<int> replications;
  std::optional<std::uint64_t> seed;
  bool force{false};
  bool quiet{false};
  bool timings{false};
};

scenarios::sweep_request request_of(sensitivity_cli const& o) {
  scenarios::sweep_request r;
  r.u = scenarios::read_uncertainty(o.uncertainty);
  for (auto const& f : o.scenarios) {
    scenarios::read_scenario(f);  // every scenario valid before any work
    r.scenarios.emplace_back(f);
  }
  r.method = o.method == "sobol" ? sensitivity::method::sobol : sensitivity::method::morris;
  r.trajectories = o.trajectories;
  r.levels = o.levels;
  r.samples = o.samples;
  r.replications = o.replications;
  r.seed = o.seed;
  r.progress = !o.quiet;
  r.timings = o.timings;
  return r;
}

/// The synthetic layers of a territory for one seed, as `avipsim synth --out dir` makes them; a
/// calibration gap beyond its tolerance is warned (the point still runs on them).
void synthesise_layers(std::filesystem::path const& manifest, std::uint64_t seed,
                       std::filesystem::path const& dir) {
  auto const t = territory::load_territory(manifest, true);
  auto const rows = synth::synthesise(t, dir, synth::synthesis_options{seed, 1.0});
  for (auto const& r : rows) {
    if (!r.within_tolerance()) {
      std::cerr << fmt::format("warning: synthesis seed {}: a calibration gap exceeds its tolerance ({})\n",
                               seed, r.target);
      break;
    }
  }
}

std::string summary_line(sensitivity::analysis const& a, std::string const& out) {
  std::string s = fmt::format(
      "sensitivity ({}, {} points) in {}:", a.method == sensitivity::method::morris ? "Morris" : "Sobol'",
      a.sample().points(), out);
  for (std::size_t i = 1; i < a.scenario_names.size(); ++i) {
    s += fmt::format(" {} beats {} with probability {:.0f} %;", a.scenario_names[i], a.scenario_names[0],
                     100 * a.p_beats_reference[i]);
  }
  return s + "\n";
}

}  // namespace

void add_sensitivity_command(CLI::App& app, context& ctx) {
  auto o = std::make_shared<sensitivity_cli>();
  auto* sub = app.add_subcommand(
      "sensitivity",
      "How sure is a conclusion: Morris screening or Sobol' indices of every indicator over the uncertain "
      "parameters (uncertainty.json), with the probability that each scenario beats the first; splits its "
      "points over MPI ranks under mpirun");
  sub->add_option("uncertainty", o->uncertainty,
                  "uncertainty file (schema: scenarios/uncertainty.schema.json)")
      ->required();
  sub->add_option("--scenarios", o->scenarios, "scenario files; the first is the reference of the ranking")
      ->required()
      ->expected(1, -1);
  sub->add_option("--method", o->method, "morris (screening) or sobol (first-order and total indices)")
      ->check(CLI::IsMember({"morris", "sobol"}))
      ->capture_default_str();
  sub->add_option("--trajectories", o->trajectories, "Morris trajectories (each: parameters + 1 points)")
      ->check(CLI::Range(2, 10000))
      ->capture_default_str();
  sub->add_option("--levels", o->levels, "Morris grid levels (even)")
      ->check(CLI::Range(2, 20))
      ->capture_default_str();
  sub->add_option("--samples", o->samples, "Sobol' base samples N (N × (parameters + 2) points)")
      ->check(CLI::Range(16, 1000000))
      ->capture_default_str();
  sub->add_option("--out", o->out, "output folder (must not exist or be empty, unless --force)")->required();
  add_replications_option(*sub, o->replications,
                          "replications per point and scenario (default: the uncertainty file's)");
  add_seed_option(*sub, o->seed,
                  "seed of the design and of the replications (default: the first scenario's)");
  add_allow_outside_option(*sub);
  sub->add_flag("--force", o->force, "replace an earlier avipsim output folder (never another folder)");
  sub->add_flag("--quiet", o->quiet, "no progress bar");
  sub->add_flag("--timings", o->timings,
                "print on stderr where each rank's time went (reading, synthesis, worlds, candidate lists, "
                "runs, gathering)");
  add_threads_option(*sub, ctx);
  sub->callback([&ctx, o] {
    ctx.action = [o] {
      if (o->levels % 2 != 0) {
        throw usage_error{fmt::format("--levels: expected an even number, got {}", o->levels)};
      }
      auto request = request_of(*o);
      mpi_partition mpi;
      std::optional<staging_folder> stage;
      if (mpi.root()) {
        stage.emplace(o->out, o->force);
        stage->create();
      }
      if (request.u.synthesis_seed() >= 0) {
        // Each rank synthesises its seeds into the staging folder (rank 0's path, so the --out
        // folder must be on a file system every rank sees), removed before the outputs are moved.
        auto const dir = mpi.partition().broadcast(mpi.root() ? stage->path().string() : std::string{});
        request.synthesis_cache = std::filesystem::path{dir} / ".synthesis-cache";
        request.synthesise = synthesise_layers;
      }
      auto const analysis = scenarios::run_sweep(request, mpi.partition());
      if (mpi.root()) {
        if (!request.synthesis_cache.empty()) {
          std::filesystem::remove_all(request.synthesis_cache);
        }
        viz::write_sensitivity_outputs(stage->path(), analysis);
        stage->commit();
        std::cout << summary_line(analysis, o->out);
      }
      return 0;
    };
  });
}

}  // namespace avip::app
