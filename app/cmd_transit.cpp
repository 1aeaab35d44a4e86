#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <string>

#include <fmt/format.h>

#include "app/commands.hpp"
#include "app/output_folder.hpp"
#include "core/error.hpp"
#include "geo/geometry_ops.hpp"
#include "geo/travel_times.hpp"
#include "geo/vector_writer.hpp"
#include "scenarios/pipeline.hpp"
#include "sim/params.hpp"
#include "sim/types.hpp"
#include "territory/load.hpp"

namespace avip::app {

namespace {

struct transit_cli {
  std::string territory;
  std::string out;
  std::string window{"weekday"};
  double tolerance{45.0};
  bool zones{false};
  bool force{false};
  bool quiet{false};
};

int window_index(std::string const& w) {
  for (std::size_t i = 0; i < sim::kWindowNames.size(); ++i) {
    if (sim::kWindowNames[i] == w) {
      return static_cast<int>(i);
    }
  }
  throw usage_error{fmt::format("--window: expected weekday, early, late or saturday, got '{}'", w)};
}

}  // namespace

void add_transit_command(CLI::App& app, context& ctx) {
  auto o = std::make_shared<transit_cli>();
  auto* sub =
      app.add_subcommand("transit",
                         "Bus travel times from every populated cell to every facility (four windows) "
                         "and, with --zones, each facility's bus-reachable zone");
  sub->add_option("territory", o->territory, "territory manifest with GTFS feeds")->required();
  sub->add_option("--out", o->out, "output folder (must not exist or be empty, unless --force)")->required();
  sub->add_option("--tolerance", o->tolerance, "door-to-door minutes")
      ->capture_default_str()
      ->check(CLI::Range(1.0, 240.0));
  sub->add_option("--window", o->window, "window of the zones: weekday, early, late, saturday")
      ->capture_default_str();
  sub->add_flag("--zones", o->zones,
                "also write zones_bus_<window>.geojson (union of walking discs around reached stops)");
  sub->add_flag("--force", o->force, "replace an existing output folder");
  sub->add_flag("--quiet", o->quiet, "no progress bar");
  add_threads_option(*sub, ctx);
  sub->callback([&ctx, o] {
    ctx.action = [o] {
      int const window = window_index(o->window);
      staging_folder stage{o->out, o->force};
      auto const t = territory::load_territory(o->territory);
      if (t.gtfs.empty()) {
        throw data_error{fmt::format("{}: the manifest lists no GTFS feed (\"gtfs\")", o->territory)};
      }
      auto const& w = t.world;
      sim::params p;
      p.tolerance_minutes[static_cast<std::size_t>(sim::mobility::bus)] = o->tolerance;
      auto const bus = scenarios::compute_bus_access(t, w, p, {}, !o->quiet);
      std::ofstream csv{stage.path() / "temps_bus.csv"};
      csv << "carreau,structure,fenetre,minutes\n";
      std::size_t rows = 0;
      for (std::size_t c = 0; c + 1 < bus.offsets.size(); ++c) {
        for (auto j = bus.offsets[c]; j < bus.offsets[c + 1]; ++j) {
          for (std::size_t win = 0; win < sim::kWindowCount; ++win) {
            if (bus.minutes[j][win] != sim::bus_access::kUnreachable) {
              csv << w.grid.id[sim::cell_idx::from(c)] << ',' << w.facilities.id[bus.facility[j]] << ','
                  << sim::kWindowNames[win] << ',' << bus.minutes[j][win] << '\n';
              ++rows;
            }
          }
        }
      }
      csv.close();
      std::vector<geo::xy> dests;
      for (auto const& l : w.facilities.location) {
        dests.push_back({l.x, l.y});
      }
      geo::travel_time_options opt;
      opt.tolerance_minutes = o->tolerance;
      opt.progress = false;
      std::size_t zones = 0;
      if (o->zones) {
        geo::output_layer l{"zones_bus_" + o->window,
                            "Zones accessibles en bus",
                            w.epsg,
                            {{"structure", geo::field_type::text, "Structure"},
                             {"fenetre", geo::field_type::text, "Fenêtre horaire"},
                             {"tolerance_min", geo::field_type::real, "Temps maximal porte à porte (min)"}},
                            {},
                            {}};
        for (auto const& feed : t.gtfs) {
          auto const z = geo::bus_reachable_zones(feed.string(), w.epsg, dests, window, opt);
          for (std::size_t j = 0; j < z.size(); ++j) {
            if (!z[j].empty()) {
              l.rows.push_back({w.facilities.id[sim::facility_idx::from(j)], o->window, o->tolerance});
              l.geometry.push_back(z[j]);
            }
          }
        }
        zones = l.rows.size();
        geo::write_vector((stage.path() / (l.name + ".geojson")).string(), geo::vector_format::geojson, l);
      }
      stage.commit();
      std::cout << fmt::format(
          "{} cell × facility × window times within {} min in {}/temps_bus.csv{}\n", rows, o->tolerance,
          o->out, o->zones ? fmt::format("; {} zones in zones_bus_{}.geojson", zones, o->window) : "");
      return 0;
    };
  });
}

}  // namespace avip::app
