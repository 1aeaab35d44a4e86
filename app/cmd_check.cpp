#include <filesystem>
#include <iostream>
#include <memory>
#include <string>

#include <fmt/format.h>

#include "app/commands.hpp"
#include "core/error.hpp"
#include "scenarios/scenario_check.hpp"
#include "territory/load.hpp"

namespace avip::app {

void add_check_command(CLI::App& app, context& ctx) {
  auto file = std::make_shared<std::string>();
  auto* sub = app.add_subcommand(
      "check",
      "Validate a territory manifest (load every layer, check the data contract, print counts per layer "
      "and commune) or a scenario (validate it against its territory); nothing is run");
  sub->add_option("file", *file, "territory manifest (.json with \"layers\") or scenario (.json)")
      ->required();
  sub->callback([&ctx, file] {
    ctx.action = [file] {
      std::filesystem::path const path{*file};
      if (!std::filesystem::exists(path)) {
        throw usage_error{fmt::format("{}: no such file", path.string())};
      }
      if (territory::is_territory_manifest(path)) {
        auto const t = territory::load_territory(path);
        std::cout << territory::check_report(t) << "ok: territory satisfies the data contract\n";
        return 0;
      }
      std::cout << scenarios::check_scenario(path);
      return 0;
    };
  });
}

}  // namespace avip::app
