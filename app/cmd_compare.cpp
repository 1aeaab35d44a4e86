#include <filesystem>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "app/commands.hpp"
#include "app/output_folder.hpp"
#include "scenarios/pipeline.hpp"

namespace avip::app {

namespace {

struct compare_cli {
  std::vector<std::string> scenarios;
  std::string out;
  std::optional<int> replications;
  std::optional<std::uint64_t> seed;
  bool force{false};
  bool quiet{false};
};

}  // namespace

void add_compare_command(CLI::App& app, context& ctx) {
  auto o = std::make_shared<compare_cli>();
  auto* sub = app.add_subcommand("compare",
                                 "Run several scenarios on common random numbers and report deltas against "
                                 "the first (comparison.json, CSV, GeoJSON of deltas, report.html)");
  sub->add_option("scenarios", o->scenarios, "scenario files; the first is the reference")
      ->required()
      ->expected(1, -1);
  sub->add_option("--out", o->out, "output folder (must not exist or be empty, unless --force)")->required();
  sub->add_option("--replications", o->replications, "replications for all (default: the first scenario's)")
      ->check(CLI::Range(1, 100000));
  sub->add_option("--seed", o->seed, "random seed for all (default: the first scenario's)");
  sub->add_flag("--force", o->force, "replace an existing output folder");
  sub->add_flag("--quiet", o->quiet, "no progress bar");
  add_threads_option(*sub, ctx);
  sub->callback([&ctx, o] {
    ctx.action = [o, &ctx] {
      staging_folder stage{o->out, o->force};
      std::vector<std::filesystem::path> files(o->scenarios.begin(), o->scenarios.end());
      scenarios::compare_into(files, {o->replications, o->seed, ctx.threads, !o->quiet}, stage.path());
      stage.commit();
      std::cout << fmt::format("comparison of {} scenarios in {} (comparison.json, report.html)\n",
                               files.size(), o->out);
      return 0;
    };
  });
}

}  // namespace avip::app
