#include <algorithm>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <map>
#include <memory>
#include <string>

#include <fmt/format.h>

#include "app/commands.hpp"
#include "core/error.hpp"
#include "geo/geometry_ops.hpp"
#include "geo/projection.hpp"
#include "geo/vector_reader.hpp"
#include "sim/fca.hpp"

namespace avip::app {

namespace {

struct access_cli {
  std::string demand, supply, out, cost;
  std::string method{"e2sfca"};
  std::string demand_field{"demand"}, supply_field{"supply"}, id_field{"id"};
  double catchment{30.0};
  double speed_kmh{30.0};
  double detour{1.0};
  double sigma{10.0};
  int epsg{0};
};

/// Points (first vertex of each geometry: a point layer) of a layer, in `epsg`.
std::vector<sim::point> points(geo::feature_table const& t) {
  std::vector<sim::point> out;
  for (auto const& g : t.geometry) {
    auto const rings = g.size() == 21 ? std::vector<std::vector<geo::xy>>{} : geo::polygon_rings(g, 0);
    double x = 0;
    double y = 0;
    if (g.size() == 21) {
      std::memcpy(&x, g.data() + 5, sizeof x);
      std::memcpy(&y, g.data() + 13, sizeof y);
    } else if (!rings.empty() && !rings[0].empty()) {
      for (auto const& p : rings[0]) {  // polygon: the mean of its exterior ring
        x += p.x / static_cast<double>(rings[0].size());
        y += p.y / static_cast<double>(rings[0].size());
      }
    }
    out.push_back({x, y});
  }
  return out;
}

}  // namespace

void add_access_command(CLI::App& app, context& ctx) {
  auto o = std::make_shared<access_cli>();
  auto* sub =
      app.add_subcommand("access",
                         "Accessibility index (2SFCA, E2SFCA, G2SFCA, 3SFCA) of a demand layer to a supply "
                         "layer, as PySAL access defines them; writes one row per demand point");
  sub->add_option("--demand", o->demand, "demand layer (points or polygons, any GDAL format)")->required();
  sub->add_option("--supply", o->supply, "supply layer")->required();
  sub->add_option("--out", o->out, "output CSV (must not exist)")->required();
  sub->add_option("--method", o->method, "2sfca, e2sfca, g2sfca or 3sfca")->capture_default_str();
  sub->add_option("--catchment", o->catchment, "catchment in minutes (of the cost)")->capture_default_str();
  sub->add_option("--cost", o->cost,
                  "cost table CSV with columns origin, dest, cost (ids); default: straight lines");
  sub->add_option("--speed", o->speed_kmh, "km/h for straight-line costs")->capture_default_str();
  sub->add_option("--detour", o->detour, "detour factor for straight-line costs")->capture_default_str();
  sub->add_option("--sigma", o->sigma, "G2SFCA Gaussian width (minutes)")->capture_default_str();
  sub->add_option("--demand-field", o->demand_field, "demand value column")->capture_default_str();
  sub->add_option("--supply-field", o->supply_field, "supply value column")->capture_default_str();
  sub->add_option("--id-field", o->id_field, "id column of both layers")->capture_default_str();
  sub->add_option("--epsg", o->epsg, "metric CRS (default: chosen from the extent)");
  add_threads_option(*sub, ctx);
  sub->callback([&ctx, o] {
    ctx.action = [o] {
      if (std::filesystem::exists(o->out)) {
        throw usage_error{fmt::format("{}: already exists (outputs are never overwritten)", o->out)};
      }
      std::map<std::string, std::function<double(double)>> const weights{
          {"2sfca", [](double) { return 1.0; }},
          {"e2sfca", sim::e2sfca_weight},
          {"3sfca", sim::e2sfca_weight},
          {"g2sfca", [s = o->sigma](double c) { return sim::gaussian_weight(c, s); }}};
      auto const w = weights.find(o->method);
      if (w == weights.end()) {
        throw usage_error{
            fmt::format("--method: expected 2sfca, e2sfca, g2sfca or 3sfca, got '{}'", o->method)};
      }
      geo::read_options ro;
      ro.target_epsg = 4326;
      auto const probe = geo::read_vector(o->demand, ro);
      int epsg = o->epsg;
      if (epsg == 0) {
        auto const p = points(probe);
        double x0 = 1e9, y0 = 1e9, x1 = -1e9, y1 = -1e9;
        for (auto const& q : p) {
          x0 = std::min(x0, q.x), y0 = std::min(y0, q.y), x1 = std::max(x1, q.x), y1 = std::max(y1, q.y);
        }
        epsg = geo::choose_metric_epsg(x0, y0, x1, y1);
      }
      ro.target_epsg = epsg;
      auto const d = geo::read_vector(o->demand, ro);
      auto const s = geo::read_vector(o->supply, ro);
      std::vector<double> demand;
      std::vector<double> supply;
      for (std::size_t i = 0; i < d.size(); ++i) {
        demand.push_back(d.number(i, o->demand_field));
      }
      for (std::size_t j = 0; j < s.size(); ++j) {
        supply.push_back(s.number(j, o->supply_field));
      }
      sim::fca_pairs pairs;
      if (o->cost.empty()) {
        pairs = sim::catchment_pairs(points(d), points(s), o->catchment, o->speed_kmh, o->detour, w->second);
      } else {
        std::map<std::string, std::uint32_t> di;
        std::map<std::string, std::uint32_t> sj;
        for (std::size_t i = 0; i < d.size(); ++i) {
          di[d.text(i, o->id_field)] = static_cast<std::uint32_t>(i);
        }
        for (std::size_t j = 0; j < s.size(); ++j) {
          sj[s.text(j, o->id_field)] = static_cast<std::uint32_t>(j);
        }
        auto const c = geo::read_vector(o->cost);
        std::vector<std::vector<std::pair<std::uint32_t, double>>> rows(d.size());
        for (std::size_t k = 0; k < c.size(); ++k) {
          auto const a = di.find(c.text(k, "origin"));
          auto const b = sj.find(c.text(k, "dest"));
          if (a == di.end() || b == sj.end()) {
            throw data_error{fmt::format("{}: unknown origin or dest id", c.where(k))};
          }
          double const cost = c.number(k, "cost");
          if (cost <= o->catchment) {
            rows[a->second].emplace_back(b->second, cost);
          }
        }
        pairs.offsets.push_back(0);
        for (auto& r : rows) {
          std::sort(r.begin(), r.end());
          for (auto const& [j, cost] : r) {
            pairs.supply.push_back(j);
            pairs.cost.push_back(cost);
            pairs.weight.push_back(w->second(cost));
          }
          pairs.offsets.push_back(static_cast<std::uint32_t>(pairs.supply.size()));
        }
      }
      if (o->method == "3sfca") {
        pairs = sim::three_step_weights(std::move(pairs));
      }
      auto const a = sim::two_step_fca(demand, supply, pairs);
      std::ofstream out{o->out};
      out << "id,access\n";
      for (std::size_t i = 0; i < d.size(); ++i) {
        auto const c = d.column(o->id_field);
        out << (c ? d.text(i, o->id_field) : std::to_string(d.fid[i])) << ',' << fmt::format("{:.17g}", a[i])
            << '\n';
      }
      std::cout << fmt::format("{} ({} pairs within {} min): {} demand points written to {}\n", o->method,
                               pairs.supply.size(), o->catchment, d.size(), o->out);
      return 0;
    };
  });
}

}  // namespace avip::app
