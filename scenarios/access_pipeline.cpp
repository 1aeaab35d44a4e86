#include "scenarios/access_pipeline.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <limits>
#include <map>
#include <optional>
#include <ostream>
#include <string>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "core/atomic_file.hpp"
#include "core/error.hpp"
#include "core/memory.hpp"
#include "core/progress.hpp"
#include "geo/feature_table.hpp"
#include "geo/geometry_ops.hpp"
#include "geo/projection.hpp"
#include "geo/vector_reader.hpp"
#include "sim/fca.hpp"
#include "sim/fca_monte_carlo.hpp"

namespace avip::scenarios {

namespace {

using clock_type = std::chrono::steady_clock;

double seconds_since(clock_type::time_point t0) {
  return std::chrono::duration<double>(clock_type::now() - t0).count();
}

bool is_csv(std::string const& path) {
  auto ext = std::filesystem::path{path}.extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return std::tolower(c); });
  return ext == ".csv";
}

/// A layer's attributes, and with straight-line costs the point standing for each feature (a point,
/// or a polygon's centroid) in the metric CRS.
struct layer {
  geo::feature_table table;
  std::vector<sim::point> points;
};

/// The point of each feature (geo::centroid); a feature without one is refused, naming it.
std::vector<sim::point> points_of(geo::feature_table const& t) {
  std::vector<sim::point> out;
  out.reserve(t.geometry.size());
  for (std::size_t i = 0; i < t.geometry.size(); ++i) {
    auto const p = geo::centroid(t.geometry[i]);
    if (!p) {
      throw data_error{fmt::format("{}: an empty geometry has no point", t.where(i))};
    }
    out.push_back({p->x, p->y});
  }
  return out;
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

/// The method's distance decay; throws avip::usage_error for an unknown method, and for bad --steps
/// whatever the method.
sim::decay method_decay(access_config const& o) {
  std::optional<sim::decay> const steps =
      o.steps.empty() ? std::nullopt : std::optional<sim::decay>{parse_steps(o.steps)};
  if (o.method == "2sfca" || o.method == "raam") {
    return sim::decay::none();
  }
  if (o.method == "e2sfca") {
    return steps ? *steps : sim::decay::stepped();
  }
  if (o.method == "3sfca") {
    return steps ? *steps : sim::decay::three_step_default();
  }
  if (o.method == "g2sfca") {
    return sim::decay::gaussian(o.sigma);
  }
  throw usage_error{
      fmt::format("--method: expected 2sfca, e2sfca, g2sfca, 3sfca or raam, got '{}'", o.method)};
}

void check_config(access_config const& o) {
  if (o.replications > 0 &&
      (o.method == "raam" || o.priority_field.empty() || o.qpv_field.empty() || o.labelled_field.empty())) {
    throw usage_error{
        "--replications: needs a floating-catchment method (not raam) and --priority-field, "
        "--qpv-field and --labelled-field"};
  }
}

geo::feature_table read_table(access_config const& o, std::string const& path, int epsg, bool with_geometry) {
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

layer read_layer(access_config const& o, std::string const& path, int epsg, bool with_geometry) {
  layer l{read_table(o, path, epsg, with_geometry), {}};
  if (with_geometry) {
    l.points = points_of(l.table);
  }
  return l;
}

/// The demand layer in the metric CRS its WGS84 extent gives (set into `epsg`), read once: the points
/// of a point layer are projected in memory; polygons are read again (their centroid is taken after
/// projection).
layer read_demand_choosing_crs(access_config const& o, int& epsg) {
  auto l = read_layer(o, o.demand, 4326, true);
  double x0 = 1e9, y0 = 1e9, x1 = -1e9, y1 = -1e9;
  for (auto const& q : l.points) {
    x0 = std::min(x0, q.x), y0 = std::min(y0, q.y), x1 = std::max(x1, q.x), y1 = std::max(y1, q.y);
  }
  epsg = geo::choose_metric_epsg(x0, y0, x1, y1);
  if (!geo::all_points(l.table.geometry)) {
    return read_layer(o, o.demand, epsg, true);
  }
  // The same PROJ transformation the reader would apply, without reading the file again.
  geo::transformer const tr{l.table.epsg, epsg};
  for (auto& p : l.points) {
    auto const q = tr.forward({p.x, p.y});
    p = {q.x, q.y};
  }
  l.table.epsg = epsg;
  return l;
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

std::string const& supply_id(access_config const& o) {
  return o.supply_id_field.empty() ? o.id_field : o.supply_id_field;
}

/// Row of each id of `t`'s column `field`; a duplicate id is refused.
std::map<std::string, std::uint32_t> rows_by_id(geo::feature_table const& t, std::string const& field) {
  std::map<std::string, std::uint32_t> out;
  for (std::size_t i = 0; i < t.size(); ++i) {
    if (!out.emplace(t.text(i, field), static_cast<std::uint32_t>(i)).second) {
      throw data_error{fmt::format("{}: duplicate id '{}'", t.where(i), t.text(i, field))};
    }
  }
  return out;
}

/// --cost-filter column=value pairs, each column checked in the cost table `c`.
std::vector<std::pair<std::string, std::string>> cost_filters(access_config const& o,
                                                              geo::feature_table const& c) {
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
  return filters;
}

/// The cost table's rows kept by the filters, joined to the demand and supply rows by id.
std::vector<sim::cost_row> joined_cost_rows(access_config const& o, geo::feature_table const& d,
                                            geo::feature_table const& s) {
  auto const di = rows_by_id(d, o.id_field);
  auto const sj = rows_by_id(s, supply_id(o));
  auto const c = geo::read_vector(o.cost);
  auto const filters = cost_filters(o, c);
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
  return rows;
}

sim::fca_pairs pairs_from_cost_table(access_config const& o, geo::feature_table const& d,
                                     geo::feature_table const& s, sim::decay const& w) {
  // 3SFCA's selection weights run over every row of the table, as PySAL's; the catchment comes after.
  double const keep = o.method == "3sfca" ? std::numeric_limits<double>::infinity() : o.catchment;
  auto pairs = sim::pairs_from_table(d.size(), joined_cost_rows(o, d, s), keep, w);
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

/// What the run read and computed, for the outputs, the timings and the summary.
struct access_run {
  layer d, s;
  std::vector<double> demand, supply;
  sim::fca_pairs pairs;
  std::size_t pair_count{0};
  std::vector<double> access;
  std::optional<sim::fca_mc_results> mc;
  double read_s{0}, search_s{0}, flat_pass_s{0}, index_s{0}, monte_carlo_s{0};
};

/// Reads the layers: with coordinates (projected to a metric CRS) unless the costs come from a table.
void read_inputs(access_config const& o, access_run& run) {
  bool const straight = o.cost.empty();
  int epsg = o.epsg;
  run.d = straight && epsg == 0 ? read_demand_choosing_crs(o, epsg) : read_layer(o, o.demand, epsg, straight);
  run.s = read_layer(o, o.supply, epsg, straight);
  run.demand = numbers(run.d.table, o.demand_field);
  run.supply = numbers(run.s.table, o.supply_field);
}

/// The pair list, with its weights.
void build_pairs(access_config const& o, sim::decay const& w, access_run& run) {
  run.pairs = o.cost.empty() ? sim::catchment_pairs(run.d.points, run.s.points, o.catchment, o.speed_kmh,
                                                    o.detour, w, o.method == "raam")
                             : pairs_from_cost_table(o, run.d.table, run.s.table, w);
  run.pair_count = run.pairs.size();
}

/// One flat pass over the pair list, the memory-bandwidth bound the index is measured against (the
/// best of three, as a bound should be).
double flat_pass_seconds(access_run const& run) {
  double best = 1e300;
  for (int rep = 0; rep < 3; ++rep) {
    auto const t0 = clock_type::now();
    auto const flat = sim::two_step_fca(run.demand, run.supply, run.pairs);
    best = std::min(best, seconds_since(t0));
  }
  return best;
}

void compute_index(access_config const& o, access_run& run) {
  if (o.method == "raam") {
    progress bar{"avipsim: RAAM cycles", static_cast<std::size_t>(o.raam.max_cycles), o.progress};
    auto params = o.raam;
    params.bar = &bar;
    run.access = sim::raam(run.demand, run.supply, std::move(run.pairs), params);
    bar.finish();
  } else {
    if (o.method == "3sfca") {
      run.pairs = sim::three_step_weights(std::move(run.pairs), o.catchment);
    }
    run.access = sim::two_step_fca(run.demand, run.supply, run.pairs);
    run.pair_count = run.pairs.size();  // 3SFCA from a table: the pairs within the catchment
  }
}

/// Monte Carlo over the demand, on the same pairs.
sim::fca_mc_results monte_carlo(access_config const& o, access_run const& run) {
  auto const& d = run.d.table;
  auto const& s = run.s.table;
  sim::fca_mc_input in;
  in.children = run.demand;
  in.priority_share = numbers(d, o.priority_field);
  for (std::size_t i = 0; i < d.size(); ++i) {
    if (in.priority_share[i] > 1) {
      throw data_error{fmt::format("{}: '{}' is a share, at most 1, got {}", d.where(i), o.priority_field,
                                   in.priority_share[i])};
    }
    in.in_qpv.push_back(d.number(i, o.qpv_field) != 0 ? 1 : 0);
  }
  in.places = run.supply;
  for (std::size_t j = 0; j < s.size(); ++j) {
    in.labelled.push_back(s.number(j, o.labelled_field) != 0 ? 1 : 0);
  }
  progress bar{"avipsim: Monte Carlo", static_cast<std::size_t>(o.replications), o.progress};
  auto mc = sim::fca_monte_carlo(in, run.pairs, {o.replications, o.seed, 0.20, o.avip_turnover, &bar});
  bar.finish();
  return mc;
}

nlohmann::json timing_json(access_config const& o, access_run const& run) {
  nlohmann::json timing{{"method", o.method},
                        {"demand_points", run.d.table.size()},
                        {"supply_points", run.s.table.size()},
                        {"pairs", run.pair_count},
                        {"catchment", o.catchment},
                        {"read_s", run.read_s},
                        {"search_s", run.search_s},
                        {"index_s", run.index_s},
                        {"flat_pass_s", run.flat_pass_s}};
  if (o.method == "raam") {
    timing["raam_cycles"] = o.raam.max_cycles;
  }
  if (auto const& mc = run.mc) {
    timing["monte_carlo_s"] = run.monte_carlo_s;
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
  return timing;
}

/// `out`: one row per demand point, the index (and the Monte Carlo's mean and standard deviation).
void write_access_csv(access_config const& o, access_run const& run) {
  auto const& d = run.d.table;
  auto const& mc = run.mc;
  write_file_atomically(o.out, [&](std::ostream& out) {
    out << (mc ? "id,access,acces_moyen,acces_ecart_type\n" : "id,access\n");
    for (std::size_t i = 0; i < d.size(); ++i) {
      out << id_of(d, i, o.id_field) << ',' << number_text(run.access[i]);
      if (mc) {
        out << ',' << number_text(mc->access_mean[i]) << ',' << number_text(mc->access_sd[i]);
      }
      out << '\n';
    }
  });
}

/// `supply_out`: one row per facility, the Monte Carlo's expected AVIP children and shares.
void write_supply_csv(access_config const& o, access_run const& run) {
  auto const& s = run.s.table;
  auto const& mc = *run.mc;
  write_file_atomically(o.supply_out, [&](std::ostream& out) {
    out << "id,places,labellise,enfants_avip_attendus,part_avip_attendue,proba_part_avip_20,"
           "part_insertion_zone\n";
    for (std::size_t j = 0; j < s.size(); ++j) {
      out << id_of(s, j, supply_id(o)) << ',' << number_text(run.supply[j]) << ','
          << (s.number(j, o.labelled_field) != 0 ? 1 : 0) << ',' << number_text(mc.avip_children_mean[j])
          << ',' << number_text(mc.avip_share_mean[j]) << ',' << number_text(mc.avip_share_reaching[j]) << ','
          << number_text(mc.zone_priority_share_mean[j]) << '\n';
    }
  });
}

void print_summary(access_config const& o, access_run const& run, std::ostream& log) {
  log << fmt::format(
      "{}: {} demand points × {} supply points, {} pairs within {} (cost units) in {:.3f} s; "
      "index in {:.3f} s{}; written to {}\n",
      o.method, run.d.table.size(), run.s.table.size(), run.pair_count, o.catchment, run.search_s,
      run.index_s, o.timings.empty() ? "" : fmt::format(" (a flat pass: {:.3f} s)", run.flat_pass_s), o.out);
  if (auto const& mc = run.mc) {
    log << fmt::format(
        "Monte Carlo, {} réplications (graine {}) en {:.2f} s — moyenne (5 % – 95 %) :\n"
        "  places accessibles par enfant, en QPV :               {}\n"
        "  places accessibles par enfant, hors QPV :             {}\n"
        "  par enfant de parents en insertion, en QPV :          {}\n"
        "  par enfant de parents en insertion, hors QPV :        {}\n"
        "  structures labellisées dont les enfants AVIP attendus ÷ places atteignent 20 %\n"
        "  {:<54}{}\n",
        o.replications, o.seed, run.monte_carlo_s, summary_text(mc->access_qpv, 4),
        summary_text(mc->access_outside, 4), summary_text(mc->priority_access_qpv, 4),
        summary_text(mc->priority_access_outside, 4),
        fmt::format("({} au total ; {}) :", mc->labelled_count,
                    o.avip_turnover == 1.0 ? std::string{"stock, sans rotation"}
                                           : fmt::format("sur l'année, rotation × {}", o.avip_turnover)),
        summary_text(mc->labelled_reaching, 3));
  }
}

}  // namespace

void run_access(access_config const& o, std::ostream& log) {
  auto const t_start = clock_type::now();
  auto const w = method_decay(o);
  check_config(o);

  access_run run;
  read_inputs(o, run);
  run.read_s = seconds_since(t_start);

  auto t0 = clock_type::now();
  build_pairs(o, w, run);
  run.search_s = seconds_since(t0);
  // With --timings only: it is a measurement, not a result.
  if (!o.timings.empty()) {
    run.flat_pass_s = flat_pass_seconds(run);
  }

  t0 = clock_type::now();
  compute_index(o, run);
  run.index_s = seconds_since(t0);

  if (o.replications > 0) {
    t0 = clock_type::now();
    run.mc = monte_carlo(o, run);
    run.monte_carlo_s = seconds_since(t0);
  }

  t0 = clock_type::now();
  write_access_csv(o, run);
  if (run.mc && !o.supply_out.empty()) {
    write_supply_csv(o, run);
  }
  auto timing = timing_json(o, run);
  timing["write_s"] = seconds_since(t0);
  timing["total_s"] = seconds_since(t_start);
  timing["peak_rss_mb"] = peak_rss_mb();
  if (!o.timings.empty()) {
    write_file_atomically(o.timings, timing.dump(2) + '\n');
  }
  print_summary(o, run, log);
}

}  // namespace avip::scenarios
