#include <algorithm>
#include <filesystem>
#include <iostream>
#include <memory>
#include <optional>
#include <string>

#include <fmt/format.h>

#include "app/commands.hpp"
#include "core/error.hpp"
#include "geo/gtfs_check.hpp"
#include "scenarios/scenario.hpp"
#include "scenarios/scenario_check.hpp"
#include "scenarios/uncertainty.hpp"
#include "territory/load.hpp"

namespace avip::app {

namespace {

/// The box of the territory's grid cells, widened by a walk to a stop (2 km).
std::optional<geo::gtfs_extent> extent_of(territory::territory const& t) {
  auto const& g = t.world.grid;
  if (g.centre.empty()) {
    return std::nullopt;
  }
  double const margin = g.cell_size / 2 + 2000.0;
  geo::gtfs_extent e{t.world.epsg, g.centre.front().x, g.centre.front().y, g.centre.front().x,
                     g.centre.front().y};
  for (auto const& c : g.centre) {
    e.min_x = std::min(e.min_x, c.x);
    e.min_y = std::min(e.min_y, c.y);
    e.max_x = std::max(e.max_x, c.x);
    e.max_y = std::max(e.max_y, c.y);
  }
  e.min_x -= margin;
  e.min_y -= margin;
  e.max_x += margin;
  e.max_y += margin;
  return e;
}

/// Validates every feed of the territory and prints each report; throws when one is unusable.
void check_feeds(territory::territory const& t, std::string const& date) {
  auto const extent = extent_of(t);
  std::size_t bad = 0;
  std::string first;
  for (auto const& feed : t.gtfs) {
    auto const c = geo::check_gtfs(feed.string(), extent, date);
    std::cout << geo::format_gtfs_check(c);
    if (c.fatal()) {
      first = first.empty() ? c.first_errors.front() : first;
      ++bad;
    }
  }
  if (bad > 0) {
    throw data_error{fmt::format("{} of {} GTFS feeds unusable; first error: {}", bad, t.gtfs.size(), first)};
  }
}

}  // namespace

void add_check_command(CLI::App& app, context& ctx) {
  auto file = std::make_shared<std::string>();
  auto* sub = app.add_subcommand(
      "check",
      "Validate a territory manifest (load every layer, check the data contract, print counts per layer "
      "and commune) or a scenario (validate it against its territory); nothing is run");
  sub->add_option("file", *file,
                  "territory manifest (.json with \"layers\"), scenario or uncertainty file (.json)")
      ->required();
  sub->callback([&ctx, file] {
    ctx.action = [file] {
      std::filesystem::path const path{*file};
      if (!std::filesystem::exists(path)) {
        throw usage_error{fmt::format("{}: no such file", path.string())};
      }
      if (territory::is_territory_manifest(path)) {
        auto const t = territory::load_territory(path);
        std::cout << territory::check_report(t);
        check_feeds(t, {});
        std::cout << "ok: territory satisfies the data contract\n";
        return 0;
      }
      if (scenarios::is_uncertainty_file(path)) {
        std::cout << scenarios::describe(scenarios::read_uncertainty(path));
        return 0;
      }
      auto const ok = scenarios::check_scenario(path);
      auto const spec = scenarios::read_scenario(path);
      check_feeds(territory::load_territory(spec.territory), spec.date);
      std::cout << ok;
      return 0;
    };
  });
}

}  // namespace avip::app
