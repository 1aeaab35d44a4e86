#include <iostream>
#include <memory>
#include <string>

#include "app/commands.hpp"
#include "app/output_folder.hpp"
#include "scenarios/access_pipeline.hpp"

namespace avip::app {

namespace {

struct access_cli {
  scenarios::access_config config;
  bool quiet{false};
};

}  // namespace

void add_access_command(CLI::App& app, context& ctx) {
  auto cli = std::make_shared<access_cli>();
  auto* o = &cli->config;
  auto* sub = app.add_subcommand(
      "access",
      "Accessibility index (2SFCA, E2SFCA, G2SFCA, 3SFCA, RAAM) of a demand layer to a supply layer, as "
      "PySAL "
      "access defines them; writes one row per demand point, and with --replications a Monte Carlo over "
      "the demand: per facility the expected AVIP children ÷ places (the label's 20 % target) and, apart, "
      "the share of children of parents in insertion in its catchment; and the QPV breakdown");
  sub->add_option("--demand", o->demand, "demand layer (points or polygons, any GDAL format; CSV with x, y)")
      ->required();
  sub->add_option("--supply", o->supply, "supply layer")->required();
  sub->add_option("--out", o->out, "output CSV, one row per demand point (must not exist)")->required();
  sub->add_option("--method", o->method, "2sfca, e2sfca, g2sfca, 3sfca or raam")->capture_default_str();
  sub->add_option("--catchment", o->catchment, "catchment in minutes (of the cost)")
      ->capture_default_str()
      ->check(finite_positive());
  sub->add_option("--cost", o->cost,
                  "cost table (any GDAL table) of demand id, supply id, cost; default: "
                  "straight lines at --speed × --detour");
  sub->add_option("--cost-origin", o->cost_origin, "cost table: demand id column")->capture_default_str();
  sub->add_option("--cost-dest", o->cost_dest, "cost table: supply id column")->capture_default_str();
  sub->add_option("--cost-name", o->cost_name, "cost table: cost column")->capture_default_str();
  sub->add_option("--cost-filter", o->cost_filters,
                  "cost table: keep the rows where column=value (e.g. fenetre=weekday for avipsim transit's "
                  "temps_bus.csv); repeatable");
  sub->add_option("--speed", o->speed_kmh, "km/h for straight-line costs")
      ->capture_default_str()
      ->check(finite_positive());
  sub->add_option("--detour", o->detour, "detour factor for straight-line costs")
      ->capture_default_str()
      ->check(finite_range(1.0, 10.0));
  sub->add_option("--steps", o->steps,
                  "E2SFCA and 3SFCA step weights, threshold:weight,… (default, as PySAL access: "
                  "10:1,20:0.68,30:0.22 for E2SFCA, 10:0.962,20:0.704,30:0.377,60:0.042 for 3SFCA)");
  sub->add_option("--sigma", o->sigma, "G2SFCA Gaussian width (minutes)")
      ->capture_default_str()
      ->check(finite_positive());
  sub->add_option("--tau", o->raam.tau, "RAAM: travel cost worth a congestion of the mean ratio")
      ->capture_default_str()
      ->check(finite_positive());
  sub->add_option("--rho", o->raam.rho, "RAAM: congestion scale (0: the mean demand-to-supply ratio)")
      ->capture_default_str()
      ->check(finite_non_negative());
  sub->add_option("--max-cycles", o->raam.max_cycles, "RAAM: optimisation cycles")
      ->capture_default_str()
      ->check(whole_range(1, 100000));
  sub->add_option("--demand-field", o->demand_field, "demand value column")->capture_default_str();
  sub->add_option("--supply-field", o->supply_field, "supply value column")->capture_default_str();
  sub->add_option("--id-field", o->id_field, "id column of the demand layer (and of the supply layer)")
      ->capture_default_str();
  sub->add_option("--supply-id-field", o->supply_id_field, "id column of the supply layer, when it differs");
  sub->add_option("--x-field", o->x_field, "CSV layers: x (or longitude) column")->capture_default_str();
  sub->add_option("--y-field", o->y_field, "CSV layers: y (or latitude) column")->capture_default_str();
  sub->add_option("--crs", o->crs, "CSV layers: EPSG code of their coordinates")->capture_default_str();
  sub->add_option("--epsg", o->epsg,
                  "metric CRS of the straight-line costs (default: chosen from the extent)");
  sub->add_option("--timings", o->timings,
                  "write the timings (and the Monte Carlo summary) to this JSON file");
  add_replications_option(*sub, o->replications, "Monte Carlo replications over the demand (0: none)", 0);
  add_seed_option(*sub, o->seed, "Monte Carlo seed")->capture_default_str();
  sub->add_option("--priority-field", o->priority_field,
                  "Monte Carlo: demand column, share of children of parents in insertion");
  sub->add_option("--qpv-field", o->qpv_field, "Monte Carlo: demand column, 1 in a QPV");
  sub->add_option("--labelled-field", o->labelled_field, "Monte Carlo: supply column, 1 when labelled AVIP");
  sub->add_option("--avip-turnover", o->avip_turnover,
                  "Monte Carlo: children of parents in insertion welcomed in a year per place they hold at "
                  "one time; default 1, none: the expected AVIP children are a stock (present at one time), "
                  "below the label's yearly count when children come and go within the year")
      ->capture_default_str()
      ->check(finite_range(1.0, 100.0));
  sub->add_option("--supply-out", o->supply_out,
                  "Monte Carlo: per-facility CSV: enfants_avip_attendus (the facility's share of the "
                  "children of parents in insertion of each point in reach, as the index's step 2 spreads "
                  "them: W_ij S_j / Σ_k W_ik S_k, capped at its places, × --avip-turnover), "
                  "part_avip_attendue (that ÷ places: the label's measure), proba_part_avip_20 (the "
                  "probability it reaches 20 %), part_insertion_zone (the share of children of parents in "
                  "insertion in its weighted catchment, whatever its places: not the label's target)");
  sub->add_flag("--quiet", cli->quiet, "no progress bar");
  add_threads_option(*sub, ctx);
  sub->callback([&ctx, cli] {
    ctx.action = [cli] {
      auto& c = cli->config;
      for (auto const* f : {&c.out, &c.timings, &c.supply_out}) {
        if (!f->empty()) {
          check_output_file(*f);  // before the work, not after it
        }
      }
      c.progress = !cli->quiet;
      scenarios::run_access(c, std::cout);
      return 0;
    };
  });
}

}  // namespace avip::app
