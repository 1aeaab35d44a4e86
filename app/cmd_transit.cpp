#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <string>

#include <fmt/format.h>

#include "app/commands.hpp"
#include "app/output_folder.hpp"
#include "core/atomic_file.hpp"
#include "core/error.hpp"
#include "geo/geometry_ops.hpp"
#include "geo/gtfs_calendar.hpp"
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
  std::string date;  ///< bus service date YYYYMMDD; empty = automatic
};

int window_index(std::string const& w) {
  for (std::size_t i = 0; i < sim::kWindowNames.size(); ++i) {
    if (sim::kWindowNames[i] == w) {
      return static_cast<int>(i);
    }
  }
  throw usage_error{fmt::format("--window: expected weekday, early, late or saturday, got '{}'", w)};
}

/// Every (populated cell, facility, standard window) within the tolerance: the worse of the window's
/// two trips (weekday: 08:00 drop-off and 17:00 pick-up), both required, as the engine decides.
template <typename Fn>
void for_each_standard_time(sim::world const& w, sim::bus_access const& bus, Fn&& fn) {
  for (std::size_t c = 0; c < w.grid.size(); ++c) {
    auto const cell = sim::cell_idx::from(c);
    if (w.grid.people[cell] <= 0) {
      continue;
    }
    for (std::size_t win = 0; win < sim::kWindowCount; ++win) {
      auto const keys = sim::kStandardBusKeys[win];
      auto const r =
          std::lower_bound(bus.row.begin(), bus.row.end(), sim::bus_access::row_key(cell, keys[0]));
      if (r == bus.row.end() || *r != sim::bus_access::row_key(cell, keys[0])) {
        continue;
      }
      auto const i = static_cast<std::size_t>(r - bus.row.begin());
      for (auto j = bus.offsets[i]; j < bus.offsets[i + 1]; ++j) {
        auto const k = bus.facility[j];
        auto med = bus.median[j];
        auto p80 = bus.p80[j];
        if (keys[1] != keys[0]) {
          auto const other = bus.find(cell, keys[1], k);
          if (other == sim::bus_access::npos) {
            continue;
          }
          med = std::max(med, bus.median[other]);
          p80 = std::max(p80, bus.p80[other]);
        }
        fn(c, k, win, med, p80);
      }
    }
  }
}

}  // namespace

void add_transit_command(CLI::App& app, context& ctx) {
  auto o = std::make_shared<transit_cli>();
  auto* sub =
      app.add_subcommand("transit",
                         "Bus travel times (range-RAPTOR, median and 80th percentile over every departure "
                         "minute, initial wait included, at least one bus trip) from every populated cell to "
                         "every facility in four standard windows, into temps_bus.csv (carreau, structure, "
                         "fenetre, mediane_min, p80_min): weekday = departures 07:00-08:00 home to facility "
                         "and 17:00-18:00 back (the worse of both), early = 05:30-06:30 to the facility "
                         "(06:30 drop-off), late = 19:30-20:30 back home (19:30 pick-up), saturday = "
                         "07:00-08:00 on a Saturday. With --zones, each facility's bus-reachable zone in "
                         "--window: the cells whose median is within the tolerance, as the engine decides");
  sub->add_option("territory", o->territory, "territory manifest with GTFS feeds")->required();
  sub->add_option("--out", o->out, "output folder (must not exist or be empty, unless --force)")->required();
  sub->add_option("--tolerance", o->tolerance, "door-to-door minutes")
      ->capture_default_str()
      ->check(finite_range(1.0, 240.0));
  sub->add_option("--window", o->window,
                  "window of the zones: weekday (08:00 drop-off, 17:00 pick-up), early (06:30 drop-off), "
                  "late (19:30 pick-up), saturday (08:00 drop-off)")
      ->capture_default_str();
  sub->add_flag(
      "--zones", o->zones,
      "also write zones_bus_<window>.geojson (union of the 200 m cells reaching the facility within the "
      "tolerance, median time)");
  sub->add_flag("--force", o->force, "replace an earlier avipsim output folder (never another folder)");
  sub->add_flag("--quiet", o->quiet, "no progress bar");
  add_date_option(
      *sub, o->date,
      "bus service date YYYYMMDD (the Saturday on or after it for the saturday window; default: the "
      "feeds' busiest Tuesday)");
  add_threads_option(*sub, ctx);
  sub->callback([&ctx, o] {
    ctx.action = [o] {
      int const window = window_index(o->window);
      staging_folder stage{o->out, o->force, {"temps_bus.csv"}};
      auto const t = territory::load_territory(o->territory);
      if (t.gtfs.empty()) {
        throw data_error{fmt::format("{}: the manifest lists no GTFS feed (\"gtfs\")", o->territory)};
      }
      auto const& w = t.world;
      sim::params p;
      p.tolerance_minutes[static_cast<std::size_t>(sim::mobility::bus)] = o->tolerance;
      scenarios::bus_access_options bo;
      bo.progress = !o->quiet;
      bo.standard_windows = true;
      bo.service_date = o->date;
      {
        std::vector<std::string> feeds;
        for (auto const& g : t.gtfs) {
          feeds.push_back(g.string());
        }
        auto const days = geo::describe_transit(feeds, o->date);
        for (auto const& warning : days.warnings) {
          std::cerr << "warning: " << warning << '\n';
        }
        std::cout << days.line() << '\n';
      }
      auto const bus = scenarios::compute_bus_access(t, w, p, {}, bo);
      std::size_t rows = 0;
      std::vector<std::vector<std::uint32_t>> cells_of(w.facilities.size());
      write_file_atomically(stage.create() / "temps_bus.csv", [&](std::ostream& csv) {
        csv << "carreau,structure,fenetre,mediane_min,p80_min\n";
        for_each_standard_time(
            w, bus,
            [&](std::size_t c, sim::facility_idx k, std::size_t win, std::uint16_t med, std::uint16_t p80) {
              csv << w.grid.id[sim::cell_idx::from(c)] << ',' << w.facilities.id[k] << ','
                  << sim::kWindowNames[win] << ',' << med << ',';
              if (p80 != sim::bus_access::kUnreachable) {
                csv << p80;
              }
              csv << '\n';
              ++rows;
              if (static_cast<int>(win) == window) {
                cells_of[k.index()].push_back(static_cast<std::uint32_t>(c));
              }
            });
      });
      std::size_t zones = 0;
      if (o->zones) {
        geo::output_layer l{
            "zones_bus_" + o->window,
            "Zones accessibles en bus",
            w.epsg,
            {{"structure", geo::field_type::text, "Structure"},
             {"fenetre", geo::field_type::text, "Fenêtre horaire"},
             {"tolerance_min", geo::field_type::real, "Temps médian maximal porte à porte (min)"}},
            {},
            {}};
        std::vector<geo::xy> homes;
        for (auto const& c : w.grid.centre) {
          homes.push_back({c.x, c.y});
        }
        auto const z = geo::cell_zones(homes, w.grid.cell_size, cells_of);
        for (std::size_t j = 0; j < z.size(); ++j) {
          if (!z[j].empty()) {
            l.rows.push_back({w.facilities.id[sim::facility_idx::from(j)], o->window, o->tolerance});
            l.geometry.push_back(z[j]);
          }
        }
        zones = l.rows.size();
        geo::write_vector((stage.path() / (l.name + ".geojson")).string(), geo::vector_format::geojson, l);
      }
      stage.commit();
      std::cout << fmt::format(
          "{} cell × facility × window median times within {} min in {}/temps_bus.csv{}\n", rows,
          o->tolerance, o->out,
          o->zones ? fmt::format("; {} zones in zones_bus_{}.geojson", zones, o->window) : "");
      return 0;
    };
  });
}

}  // namespace avip::app
