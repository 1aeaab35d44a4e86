#include "scenarios/transit_pipeline.hpp"

#include <algorithm>
#include <cstdint>
#include <iostream>
#include <vector>

#include <fmt/format.h>

#include "core/atomic_file.hpp"
#include "core/error.hpp"
#include "geo/gtfs_calendar.hpp"
#include "geo/travel_times.hpp"
#include "geo/vector_writer.hpp"
#include "scenarios/pipeline.hpp"
#include "sim/params.hpp"
#include "territory/load.hpp"

namespace avip::scenarios {

namespace {

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

/// Prints the bus service days the feeds give (and warns of expired feeds).
void describe_feeds(territory::territory const& t, std::string const& date, std::ostream& log) {
  std::vector<std::string> feeds;
  for (auto const& g : t.gtfs) {
    feeds.push_back(g.string());
  }
  auto const days = geo::describe_transit(feeds, date);
  for (auto const& warning : days.warnings) {
    std::cerr << "warning: " << warning << '\n';
  }
  log << days.line() << '\n';
}

sim::bus_access standard_bus_access(transit_config const& c, territory::territory const& t) {
  sim::params p;
  p.tolerance_minutes[static_cast<std::size_t>(sim::mobility::bus)] = c.tolerance;
  bus_access_options bo;
  bo.progress = c.progress;
  bo.standard_windows = true;
  bo.service_date = c.date;
  return compute_bus_access(t, t.world, p, {}, bo);
}

/// temps_bus.csv: one row per (cell, facility, window); the cells of each facility in `c.window` go to
/// `cells_of`. Returns the row count.
std::size_t write_bus_times(transit_config const& c, sim::world const& w, sim::bus_access const& bus,
                            std::filesystem::path const& file,
                            std::vector<std::vector<std::uint32_t>>& cells_of) {
  std::size_t rows = 0;
  write_file_atomically(file, [&](std::ostream& csv) {
    csv << "carreau,structure,fenetre,mediane_min,p80_min\n";
    for_each_standard_time(
        w, bus,
        [&](std::size_t cell, sim::facility_idx k, std::size_t win, std::uint16_t med, std::uint16_t p80) {
          csv << w.grid.id[sim::cell_idx::from(cell)] << ',' << w.facilities.id[k] << ','
              << sim::kWindowNames[win] << ',' << med << ',';
          if (p80 != sim::bus_access::kUnreachable) {
            csv << p80;
          }
          csv << '\n';
          ++rows;
          if (win == static_cast<std::size_t>(c.window)) {
            cells_of[k.index()].push_back(static_cast<std::uint32_t>(cell));
          }
        });
  });
  return rows;
}

/// zones_bus_<window>.geojson: per facility, the union of the cells reaching it. Returns the zone count.
std::size_t write_zones(transit_config const& c, sim::world const& w,
                        std::vector<std::vector<std::uint32_t>> const& cells_of,
                        std::filesystem::path const& dir) {
  std::string const window{sim::kWindowNames[static_cast<std::size_t>(c.window)]};
  geo::output_layer l{"zones_bus_" + window,
                      "Zones accessibles en bus",
                      w.epsg,
                      {{"structure", geo::field_type::text, "Structure"},
                       {"fenetre", geo::field_type::text, "Fenêtre horaire"},
                       {"tolerance_min", geo::field_type::real, "Temps médian maximal porte à porte (min)"}},
                      {},
                      {}};
  std::vector<geo::xy> homes;
  for (auto const& centre : w.grid.centre) {
    homes.push_back({centre.x, centre.y});
  }
  auto const z = geo::cell_zones(homes, w.grid.cell_size, cells_of);
  for (std::size_t j = 0; j < z.size(); ++j) {
    if (!z[j].empty()) {
      l.rows.push_back({w.facilities.id[sim::facility_idx::from(j)], window, c.tolerance});
      l.geometry.push_back(z[j]);
    }
  }
  geo::write_vector((dir / (l.name + ".geojson")).string(), geo::vector_format::geojson, l);
  return l.rows.size();
}

}  // namespace

sim::time_window window_named(std::string const& name, std::string const& option) {
  for (std::size_t i = 0; i < sim::kWindowNames.size(); ++i) {
    if (sim::kWindowNames[i] == name) {
      return static_cast<sim::time_window>(i);
    }
  }
  throw usage_error{fmt::format("{}: expected weekday, early, late or saturday, got '{}'", option, name)};
}

transit_outcome run_transit(transit_config const& c, std::function<std::filesystem::path()> const& output_dir,
                            std::ostream& log) {
  auto const t = territory::load_territory(c.territory);
  if (t.gtfs.empty()) {
    throw data_error{fmt::format("{}: the manifest lists no GTFS feed (\"gtfs\")", c.territory)};
  }
  auto const& w = t.world;
  describe_feeds(t, c.date, log);
  auto const bus = standard_bus_access(c, t);
  transit_outcome out;
  std::vector<std::vector<std::uint32_t>> cells_of(w.facilities.size());
  auto const dir = output_dir();
  out.rows = write_bus_times(c, w, bus, dir / "temps_bus.csv", cells_of);
  if (c.zones) {
    out.zones = write_zones(c, w, cells_of, dir);
  }
  return out;
}

}  // namespace avip::scenarios
