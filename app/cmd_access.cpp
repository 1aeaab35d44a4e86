#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <limits>
#include <map>
#include <memory>
#include <string>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "app/commands.hpp"
#include "app/output_folder.hpp"
#include "core/atomic_file.hpp"
#include "core/error.hpp"
#include "core/memory.hpp"
#include "core/progress.hpp"
#include "geo/geometry_ops.hpp"
#include "geo/projection.hpp"
#include "geo/vector_reader.hpp"
#include "sim/fca.hpp"
#include "sim/fca_monte_carlo.hpp"
#include "sim/raam.hpp"

namespace avip::app {

namespace {

struct access_cli {
  std::string demand, supply, out, cost, timings, supply_out;
  std::string method{"e2sfca"};
  std::string demand_field{"demand"}, supply_field{"supply"}, id_field{"id"}, supply_id_field;
  std::vector<std::string> cost_filters;  ///< column=value
  std::string cost_origin{"origin"}, cost_dest{"dest"}, cost_name{"cost"};
  std::string x_field{"x"}, y_field{"y"};
  std::string steps;  ///< empty: PySAL access's default for the method
  double catchment{30.0};
  double speed_kmh{30.0};
  double detour{1.0};
  double sigma{10.0};
  sim::raam_params raam;
  int crs{4326};
  int epsg{0};
  int replications{0};
  std::uint64_t seed{974};
  double avip_turnover{1.0};  ///< 1: none, the expected AVIP children are a stock
  std::string priority_field, qpv_field, labelled_field;
  bool quiet{false};
};

using clock_type = std::chrono::steady_clock;

double seconds_since(clock_type::time_point t0) {
  return std::chrono::duration<double>(clock_type::now() - t0).count();
}

bool is_csv(std::string const& path) {
  auto ext = std::filesystem::path{path}.extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return std::tolower(c); });
  return ext == ".csv";
}

/// Points (a point layer, or the mean of each polygon's exterior ring) of a layer.
std::vector<sim::point> points(geo::feature_table const& t) {
  std::vector<sim::point> out;
  for (auto const& g : t.geometry) {
    double x = 0;
    double y = 0;
    if (g.size() == 21) {
      std::memcpy(&x, g.data() + 5, sizeof x);
      std::memcpy(&y, g.data() + 13, sizeof y);
    } else if (auto const rings = geo::polygon_rings(g, 0); !rings.empty() && !rings[0].empty()) {
      for (auto const& p : rings[0]) {
        x += p.x / static_cast<double>(rings[0].size());
        y += p.y / static_cast<double>(rings[0].size());
      }
    }
    out.push_back({x, y});
  }
  return out;
}

/// Projects a layer of points in place (`t.epsg` to `epsg`): the same PROJ transformation the reader
/// would apply, without reading the file again. False when a geometry is not a point.
bool project_points(geo::feature_table& t, int epsg) {
  if (!std::all_of(t.geometry.begin(), t.geometry.end(), [](geo::wkb const& g) { return g.size() == 21; })) {
    return false;
  }
  geo::transformer const tr{t.epsg, epsg};
  for (auto& g : t.geometry) {
    geo::xy p;
    std::memcpy(&p.x, g.data() + 5, sizeof p.x);
    std::memcpy(&p.y, g.data() + 13, sizeof p.y);
    auto const q = tr.forward(p);
    std::memcpy(g.data() + 5, &q.x, sizeof q.x);
    std::memcpy(g.data() + 13, &q.y, sizeof q.y);
  }
  t.epsg = epsg;
  return true;
}

/// "10:1,20:0.68,30:0.22" → ascending (threshold, weight) steps.
sim::decay parse_steps(std::string const& text) {
  std::vector<std::pair<double, double>> steps;
  std::size_t start = 0;
  while (start <= text.size()) {
    auto const end = std::min(text.find(',', start), text.size());
    auto const item = text.substr(start, end - start);
    auto const colon = item.find(':');
    try {
      if (colon == std::string::npos) {
        throw std::invalid_argument{item};
      }
      // Whole numbers only: "10x:1" is refused, not read as 10.
      auto const number = [](std::string const& field) {
        std::size_t used = 0;
        double const v = std::stod(field, &used);
        if (used != field.size()) {
          throw std::invalid_argument{field};
        }
        return v;
      };
      double const threshold = number(item.substr(0, colon));
      double const weight = number(item.substr(colon + 1));
      if (weight < 0 || !std::isfinite(threshold)) {
        throw std::invalid_argument{item};
      }
      steps.emplace_back(threshold, weight);
    } catch (std::logic_error const&) {
      throw usage_error{
          fmt::format("--steps: '{}' is not threshold:weight (e.g. 10:1,20:0.68,30:0.22)", item)};
    }
    start = end + 1;
  }
  return sim::decay::stepped(std::move(steps));
}

geo::feature_table read_layer(access_cli const& o, std::string const& path, int epsg, bool with_geometry) {
  geo::read_options ro;
  if (with_geometry) {
    if (is_csv(path)) {
      ro.x_field = o.x_field;
      ro.y_field = o.y_field;
      ro.source_epsg = o.crs;
    }
    ro.target_epsg = epsg;
  }
  return geo::read_vector(path, ro);
}

/// The demand layer in the metric CRS its WGS84 extent gives (set into `epsg`), read once: a point
/// layer is projected in memory; polygons are read again (their mean point is taken after projection).
geo::feature_table read_demand_choosing_crs(access_cli const& o, int& epsg) {
  auto t = read_layer(o, o.demand, 4326, true);
  double x0 = 1e9, y0 = 1e9, x1 = -1e9, y1 = -1e9;
  for (auto const& q : points(t)) {
    x0 = std::min(x0, q.x), y0 = std::min(y0, q.y), x1 = std::max(x1, q.x), y1 = std::max(y1, q.y);
  }
  epsg = geo::choose_metric_epsg(x0, y0, x1, y1);
  return project_points(t, epsg) ? t : read_layer(o, o.demand, epsg, true);
}

std::vector<double> numbers(geo::feature_table const& t, std::string const& field) {
  std::vector<double> v(t.size());
  for (std::size_t i = 0; i < t.size(); ++i) {
    v[i] = t.number(i, field);
    if (!std::isfinite(v[i]) || v[i] < 0) {
      throw data_error{fmt::format("{}: '{}' must be a finite number ≥ 0, got {}", t.where(i), field, v[i])};
    }
  }
  return v;
}

std::string id_of(geo::feature_table const& t, std::size_t i, std::string const& field) {
  return t.column(field) ? t.text(i, field) : std::to_string(t.fid[i]);
}

std::string const& supply_id(access_cli const& o) {
  return o.supply_id_field.empty() ? o.id_field : o.supply_id_field;
}

sim::fca_pairs pairs_from_cost_table(access_cli const& o, geo::feature_table const& d,
                                     geo::feature_table const& s, sim::decay const& w) {
  std::map<std::string, std::uint32_t> di;
  std::map<std::string, std::uint32_t> sj;
  for (std::size_t i = 0; i < d.size(); ++i) {
    if (!di.emplace(d.text(i, o.id_field), static_cast<std::uint32_t>(i)).second) {
      throw data_error{fmt::format("{}: duplicate id '{}'", d.where(i), d.text(i, o.id_field))};
    }
  }
  for (std::size_t j = 0; j < s.size(); ++j) {
    if (!sj.emplace(s.text(j, supply_id(o)), static_cast<std::uint32_t>(j)).second) {
      throw data_error{fmt::format("{}: duplicate id '{}'", s.where(j), s.text(j, supply_id(o)))};
    }
  }
  auto const c = geo::read_vector(o.cost);
  std::vector<std::pair<std::string, std::string>> filters;
  for (auto const& f : o.cost_filters) {
    auto const eq = f.find('=');
    if (eq == std::string::npos || eq == 0) {
      throw usage_error{fmt::format("--cost-filter: expected column=value, got '{}'", f)};
    }
    filters.emplace_back(f.substr(0, eq), f.substr(eq + 1));
    if (!c.column(filters.back().first)) {
      throw data_error{fmt::format("{}: no column '{}' (from --cost-filter)", o.cost, filters.back().first)};
    }
  }
  std::vector<sim::cost_row> rows;
  rows.reserve(c.size());
  for (std::size_t k = 0; k < c.size(); ++k) {
    if (!std::all_of(filters.begin(), filters.end(),
                     [&](auto const& f) { return c.text(k, f.first) == f.second; })) {
      continue;
    }
    auto const a = di.find(c.text(k, o.cost_origin));
    if (a == di.end()) {
      throw data_error{fmt::format("{}: origin '{}' is not a demand id of {}", c.where(k),
                                   c.text(k, o.cost_origin), o.demand)};
    }
    auto const b = sj.find(c.text(k, o.cost_dest));
    if (b == sj.end()) {
      throw data_error{fmt::format("{}: dest '{}' is not a supply id of {}", c.where(k),
                                   c.text(k, o.cost_dest), o.supply)};
    }
    double const cost = c.number(k, o.cost_name);
    if (!std::isfinite(cost) || cost < 0) {
      throw data_error{fmt::format("{}: cost must be a finite number ≥ 0, got {}", c.where(k), cost)};
    }
    rows.push_back({a->second, b->second, cost});
  }
  // 3SFCA's selection weights run over every row of the table, as PySAL's; the catchment comes after.
  double const keep = o.method == "3sfca" ? std::numeric_limits<double>::infinity() : o.catchment;
  auto pairs = sim::pairs_from_table(d.size(), std::move(rows), keep, w);
  for (std::size_t i = 0; i < pairs.demand_count(); ++i) {
    for (auto k = pairs.offsets[i] + 1; k < pairs.offsets[i + 1]; ++k) {
      if (pairs.supply[k] == pairs.supply[k - 1]) {
        throw data_error{
            fmt::format("{}: the pair ({}, {}) appears twice (several windows or modes? "
                        "choose one with --cost-filter)",
                        o.cost, d.text(i, o.id_field), s.text(pairs.supply[k], supply_id(o)))};
      }
    }
  }
  return pairs;
}

std::string number_text(double v) {
  return std::isnan(v) ? std::string{} : fmt::format("{:.17g}", v);
}

nlohmann::json summary_json(sim::mc_summary const& s) {
  return {{"mean", s.mean}, {"p05", s.p05}, {"p95", s.p95}};
}

std::string summary_text(sim::mc_summary const& s, int digits) {
  return fmt::format("{:.{}f} ({:.{}f} – {:.{}f})", s.mean, digits, s.p05, digits, s.p95, digits);
}

int run_access(access_cli const& o) {
  auto const t_start = clock_type::now();
  for (auto const* f : {&o.out, &o.timings, &o.supply_out}) {
    if (!f->empty()) {
      check_output_file(*f);  // before the work, not after it
    }
  }
  std::map<std::string, sim::decay> const weights{
      {"2sfca", sim::decay::none()},
      {"e2sfca", o.steps.empty() ? sim::decay::stepped() : parse_steps(o.steps)},
      {"3sfca", o.steps.empty() ? sim::decay::three_step_default() : parse_steps(o.steps)},
      {"g2sfca", sim::decay::gaussian(o.sigma)},
      {"raam", sim::decay::none()}};
  auto const w = weights.find(o.method);
  if (w == weights.end()) {
    throw usage_error{
        fmt::format("--method: expected 2sfca, e2sfca, g2sfca, 3sfca or raam, got '{}'", o.method)};
  }
  if (o.replications > 0 &&
      (o.method == "raam" || o.priority_field.empty() || o.qpv_field.empty() || o.labelled_field.empty())) {
    throw usage_error{
        "--replications: needs a floating-catchment method (not raam) and --priority-field, "
        "--qpv-field and --labelled-field"};
  }

  // Read: with coordinates (projected to a metric CRS) unless the costs come from a table.
  bool const straight = o.cost.empty();
  int epsg = o.epsg;
  auto const d =
      straight && epsg == 0 ? read_demand_choosing_crs(o, epsg) : read_layer(o, o.demand, epsg, straight);
  auto const s = read_layer(o, o.supply, epsg, straight);
  auto const demand = numbers(d, o.demand_field);
  auto const supply = numbers(s, o.supply_field);
  double const read_s = seconds_since(t_start);

  // The pair list, with its weights.
  auto t0 = clock_type::now();
  auto pairs = straight ? sim::catchment_pairs(points(d), points(s), o.catchment, o.speed_kmh, o.detour,
                                               w->second, o.method == "raam")
                        : pairs_from_cost_table(o, d, s, w->second);
  double const search_s = seconds_since(t0);

  // With --timings: one flat pass over the pair list, the memory-bandwidth bound the index is measured
  // against (the best of three, as a bound should be). Only then: it is a measurement, not a result.
  double flat_pass_s = 0;
  if (!o.timings.empty()) {
    flat_pass_s = 1e300;
    for (int rep = 0; rep < 3; ++rep) {
      t0 = clock_type::now();
      auto const flat = sim::two_step_fca(demand, supply, pairs);
      flat_pass_s = std::min(flat_pass_s, seconds_since(t0));
    }
  }
  std::size_t pair_count = pairs.size();

  // The index.
  t0 = clock_type::now();
  std::vector<double> access;
  if (o.method == "raam") {
    progress bar{"avipsim: RAAM cycles", static_cast<std::size_t>(o.raam.max_cycles), !o.quiet};
    auto params = o.raam;
    params.bar = &bar;
    access = sim::raam(demand, supply, std::move(pairs), params);
    bar.finish();
  } else {
    if (o.method == "3sfca") {
      pairs = sim::three_step_weights(std::move(pairs), o.catchment);
    }
    access = sim::two_step_fca(demand, supply, pairs);
    pair_count = pairs.size();  // 3SFCA from a table: the pairs within the catchment
  }
  double const index_s = seconds_since(t0);

  nlohmann::json timing{{"method", o.method},   {"demand_points", d.size()}, {"supply_points", s.size()},
                        {"pairs", pair_count},  {"catchment", o.catchment},  {"read_s", read_s},
                        {"search_s", search_s}, {"index_s", index_s},        {"flat_pass_s", flat_pass_s}};
  if (o.method == "raam") {
    timing["raam_cycles"] = o.raam.max_cycles;
  }

  // Monte Carlo over the demand, on the same pairs.
  std::optional<sim::fca_mc_results> mc;
  if (o.replications > 0) {
    t0 = clock_type::now();
    sim::fca_mc_input in;
    in.children = demand;
    in.priority_share = numbers(d, o.priority_field);
    for (std::size_t i = 0; i < d.size(); ++i) {
      if (in.priority_share[i] > 1) {
        throw data_error{fmt::format("{}: '{}' is a share, at most 1, got {}", d.where(i), o.priority_field,
                                     in.priority_share[i])};
      }
      in.in_qpv.push_back(d.number(i, o.qpv_field) != 0 ? 1 : 0);
    }
    in.places = supply;
    for (std::size_t j = 0; j < s.size(); ++j) {
      in.labelled.push_back(s.number(j, o.labelled_field) != 0 ? 1 : 0);
    }
    progress bar{"avipsim: Monte Carlo", static_cast<std::size_t>(o.replications), !o.quiet};
    mc = sim::fca_monte_carlo(in, pairs, {o.replications, o.seed, 0.20, o.avip_turnover, &bar});
    bar.finish();
    timing["monte_carlo_s"] = seconds_since(t0);
    timing["replications"] = o.replications;
    timing["monte_carlo"] = {
        {"access_qpv", summary_json(mc->access_qpv)},
        {"access_outside_qpv", summary_json(mc->access_outside)},
        {"priority_access_qpv", summary_json(mc->priority_access_qpv)},
        {"priority_access_outside_qpv", summary_json(mc->priority_access_outside)},
        {"labelled_expected_avip_share_reaching_20", summary_json(mc->labelled_reaching)},
        {"labelled", mc->labelled_count},
        {"avip_intake", o.avip_turnover == 1.0 ? "stock" : "yearly"},
        {"avip_turnover", o.avip_turnover}};
  }

  // Write.
  t0 = clock_type::now();
  write_file_atomically(o.out, [&](std::ostream& out) {
    out << (mc ? "id,access,acces_moyen,acces_ecart_type\n" : "id,access\n");
    for (std::size_t i = 0; i < d.size(); ++i) {
      out << id_of(d, i, o.id_field) << ',' << number_text(access[i]);
      if (mc) {
        out << ',' << number_text(mc->access_mean[i]) << ',' << number_text(mc->access_sd[i]);
      }
      out << '\n';
    }
  });
  if (mc && !o.supply_out.empty()) {
    write_file_atomically(o.supply_out, [&](std::ostream& out) {
      out << "id,places,labellise,enfants_avip_attendus,part_avip_attendue,proba_part_avip_20,"
             "part_insertion_zone\n";
      for (std::size_t j = 0; j < s.size(); ++j) {
        out << id_of(s, j, supply_id(o)) << ',' << number_text(supply[j]) << ','
            << (s.number(j, o.labelled_field) != 0 ? 1 : 0) << ',' << number_text(mc->avip_children_mean[j])
            << ',' << number_text(mc->avip_share_mean[j]) << ',' << number_text(mc->avip_share_reaching[j])
            << ',' << number_text(mc->zone_priority_share_mean[j]) << '\n';
      }
    });
  }
  timing["write_s"] = seconds_since(t0);
  timing["total_s"] = seconds_since(t_start);
  timing["peak_rss_mb"] = peak_rss_mb();
  if (!o.timings.empty()) {
    write_file_atomically(o.timings, timing.dump(2) + '\n');
  }

  std::cout << fmt::format(
      "{}: {} demand points × {} supply points, {} pairs within {} (cost units) in {:.3f} s; "
      "index in {:.3f} s{}; written to {}\n",
      o.method, d.size(), s.size(), pair_count, o.catchment, search_s, index_s,
      o.timings.empty() ? "" : fmt::format(" (a flat pass: {:.3f} s)", flat_pass_s), o.out);
  if (mc) {
    std::cout << fmt::format(
        "Monte Carlo, {} réplications (graine {}) en {:.2f} s — moyenne (5 % – 95 %) :\n"
        "  places accessibles par enfant, en QPV :               {}\n"
        "  places accessibles par enfant, hors QPV :             {}\n"
        "  par enfant de parents en insertion, en QPV :          {}\n"
        "  par enfant de parents en insertion, hors QPV :        {}\n"
        "  structures labellisées dont les enfants AVIP attendus ÷ places atteignent 20 %\n"
        "  {:<54}{}\n",
        o.replications, o.seed, timing["monte_carlo_s"].get<double>(), summary_text(mc->access_qpv, 4),
        summary_text(mc->access_outside, 4), summary_text(mc->priority_access_qpv, 4),
        summary_text(mc->priority_access_outside, 4),
        fmt::format("({} au total ; {}) :", mc->labelled_count,
                    o.avip_turnover == 1.0 ? std::string{"stock, sans rotation"}
                                           : fmt::format("sur l'année, rotation × {}", o.avip_turnover)),
        summary_text(mc->labelled_reaching, 3));
  }
  return 0;
}

}  // namespace

void add_access_command(CLI::App& app, context& ctx) {
  auto o = std::make_shared<access_cli>();
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
  sub->add_flag("--quiet", o->quiet, "no progress bar");
  add_threads_option(*sub, ctx);
  sub->callback([&ctx, o] { ctx.action = [o] { return run_access(*o); }; });
}

}  // namespace avip::app
