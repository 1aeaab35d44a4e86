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
#include "geo/gtfs_calendar.hpp"
#include "scenarios/pipeline.hpp"

namespace avip::app {

namespace {

struct compare_cli {
  std::vector<std::string> scenarios;
  std::string out;
  std::optional<int> replications;
  std::optional<std::uint64_t> seed;
  std::string date;
  bool force{false};
  bool quiet{false};
};

}  // namespace

void add_compare_command(CLI::App& app, context& ctx) {
  auto o = std::make_shared<compare_cli>();
  auto* sub =
      app.add_subcommand("compare",
                         "Run several scenarios on common random numbers and report deltas against "
                         "the first (comparison.json, CSV, GeoJSON of deltas, report.html); splits its "
                         "scenarios over MPI ranks under mpirun");
  sub->add_option("scenarios", o->scenarios, "scenario files; the first is the reference")
      ->required()
      ->expected(1, -1);
  sub->add_option("--out", o->out, "output folder (must not exist or be empty, unless --force)")->required();
  add_replications_option(*sub, o->replications, "replications for all (default: the first scenario's)");
  add_seed_option(*sub, o->seed, "random seed for all (default: the first scenario's)");
  add_allow_outside_option(*sub);
  add_date_option(*sub, o->date,
                  "bus service date YYYYMMDD (the Saturday on or after it for Saturday trips; default: each "
                  "scenario's \"date\", else the feeds' busiest Tuesday)");
  sub->add_flag("--force", o->force, "replace an earlier avipsim output folder (never another folder)");
  sub->add_flag("--quiet", o->quiet, "no progress bar");
  add_threads_option(*sub, ctx);
  sub->callback([&ctx, o] {
    ctx.action = [o, &ctx] {
      std::vector<std::filesystem::path> files(o->scenarios.begin(), o->scenarios.end());
      for (auto const& f : files) {
        scenarios::read_scenario(f);  // an invalid scenario creates no folder
      }
      mpi_partition mpi;  // under mpirun: scenario i on rank i mod size, merged on rank 0
      std::optional<staging_folder> stage;
      if (mpi.root()) {
        stage.emplace(o->out, o->force);
      }
      scenarios::run_request request{o->replications, o->seed, ctx.threads, !o->quiet};
      request.date = o->date;
      scenarios::compare_into(files, request, mpi.root() ? stage->create() : std::filesystem::path{},
                              mpi.partition());
      if (mpi.root()) {
        stage->commit();
        std::cout << fmt::format("comparison of {} scenarios in {} (comparison.json, report.html)\n",
                                 files.size(), o->out);
      }
      return 0;
    };
  });
}

}  // namespace avip::app
