#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <optional>
#include <string>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "app/commands.hpp"
#include "core/error.hpp"
#include "geo/gtfs_check.hpp"
#include "geo/road_network.hpp"
#include "optimize/candidate_file.hpp"
#include "scenarios/scenario.hpp"
#include "scenarios/scenario_check.hpp"
#include "scenarios/uncertainty.hpp"
#include "territory/load.hpp"

namespace avip::app {

namespace {

/// Validates every feed of the territory and prints each report; throws when one is unusable.
void check_feeds(territory::territory const& t, std::string const& date) {
  auto const extent = territory::stops_extent(t);
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

/// Reads the territory's OpenStreetMap extract as `run` does (a broken or road-less file is refused here).
void check_roads(territory::territory const& t) {
  if (t.roads.empty()) {
    return;
  }
  auto const net = geo::road_network::read_osm(t.roads.string(), t.world.epsg, geo::road_options{});
  std::cout << fmt::format("roads: {} ({} nodes, fastest car road {:.0f} km/h)\n", t.roads.string(),
                           net.node_count(), net.max_car_kmh());
}

/// A candidates file for `optimize` (a top-level "actions" list).
bool is_candidates_file(std::filesystem::path const& path) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec) || std::filesystem::file_size(path, ec) > (64U << 20U)) {
    return false;  // the scenario reader names what is wrong
  }
  std::ifstream in{path};
  auto const j = nlohmann::json::parse(in, nullptr, false);
  return j.is_object() && j.contains("actions");
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
        check_roads(t);
        std::cout << "ok: territory satisfies the data contract\n";
        return 0;
      }
      if (is_candidates_file(path)) {
        auto const c = optimize::read_candidate_file(path);
        std::cout << fmt::format("ok: {} candidate actions{}\n", c.actions.size(),
                                 c.budget ? fmt::format(", budget {:.0f} € a year", *c.budget) : "");
        return 0;
      }
      if (scenarios::is_uncertainty_file(path)) {
        std::cout << scenarios::describe(scenarios::read_uncertainty(path));
        return 0;
      }
      auto const ok = scenarios::check_scenario(path);
      auto const spec = scenarios::read_scenario(path);
      auto const t = territory::load_territory(spec.territory);
      check_feeds(t, spec.date);
      check_roads(t);
      std::cout << ok;
      return 0;
    };
  });
}

}  // namespace avip::app
