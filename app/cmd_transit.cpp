#include <iostream>
#include <memory>
#include <string>

#include <fmt/format.h>

#include "app/commands.hpp"
#include "app/output_folder.hpp"
#include "scenarios/transit_pipeline.hpp"

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
      scenarios::transit_config c;
      c.territory = o->territory;
      c.window = scenarios::window_named(o->window, "--window");
      c.tolerance = o->tolerance;
      c.zones = o->zones;
      c.progress = !o->quiet;
      c.date = o->date;
      staging_folder stage{o->out, o->force, {"temps_bus.csv"}};
      auto const written = scenarios::run_transit(
          c, [&stage] { return stage.create(); }, std::cout);
      stage.commit();
      std::cout << fmt::format(
          "{} cell × facility × window median times within {} min in {}/temps_bus.csv{}\n", written.rows,
          o->tolerance, o->out,
          o->zones ? fmt::format("; {} zones in zones_bus_{}.geojson", written.zones, o->window) : "");
      return 0;
    };
  });
}

}  // namespace avip::app
