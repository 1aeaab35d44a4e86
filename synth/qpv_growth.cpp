#include "synth/qpv_growth.hpp"

#include <algorithm>
#include <cmath>
#include <functional>
#include <map>
#include <queue>
#include <set>
#include <string>
#include <utility>

#include <fmt/format.h>

#include "core/random.hpp"
#include "synth/sampling.hpp"

namespace avip::synth {

namespace {

using sim::cell_idx;
using sim::commune_idx;

double published_residents(synthesis_context const& ctx, published_qpv const& p) {
  return p.residents > 0 ? p.residents : p.share * ctx.w.communes.population[commune_idx::from(p.commune)];
}

/// Residents to grow per commune (by name, as the layer is ordered): the published communes, then the
/// communes with the most low-income households sharing the rest in proportion to those (assumption
/// where the list itself was not reachable).
std::map<std::string, std::pair<std::size_t, double>> qpv_targets(synthesis_context const& ctx) {
  auto const& q = ctx.figures.qpv;
  std::map<std::string, std::pair<std::size_t, double>> target;
  for (auto const& p : q.published) {
    target[ctx.name(p.commune)] = {p.commune, published_residents(ctx, p)};
  }
  std::vector<std::tuple<double, std::string, std::size_t>> others;
  for (std::size_t c = 0; c < ctx.communes(); ++c) {
    if (!target.contains(ctx.name(c))) {
      others.emplace_back(ctx.low_income[c], ctx.name(c), c);
    }
  }
  std::sort(others.begin(), others.end(), std::greater<>{});
  double named = 0;
  for (auto const& [n, v] : target) {
    named += v.second;
  }
  auto const n_others = std::min(others.size(), static_cast<std::size_t>(q.other_communes));
  double others_weight = 0;
  for (std::size_t k = 0; k < n_others; ++k) {
    others_weight += std::get<0>(others[k]);
  }
  for (std::size_t k = 0; k < n_others; ++k) {
    target[std::get<1>(others[k])] = {std::get<2>(others[k]),
                                      (q.residents - named) * std::get<0>(others[k]) / others_weight};
  }
  return target;
}

/// One QPV of commune `c`: patches grown from the free cells with the highest low-income share
/// (jittered by the seed) until `goal` residents; a patch that runs out of neighbours continues from
/// the next seed, so a QPV may have several parts, as real ones do. Marks the cells `number`.
std::vector<std::uint32_t> grow_one(synthesis_context& ctx, std::size_t c, double goal, int number,
                                    double& residents) {
  auto const& w = ctx.w;
  random_stream rng{ctx.options.seed, {1, static_cast<std::uint64_t>(number)}};
  auto next_seed = [&]() -> std::int64_t {
    std::int64_t found = -1;
    double best = -1;
    for (std::size_t i = 0; i < w.grid.size(); ++i) {
      auto const ci = cell_idx::from(i);
      if (w.grid.commune[ci].index() != c || ctx.qpv_of_cell[i] >= 0 || w.grid.people[ci] < 20) {
        continue;
      }
      double const share =
          w.grid.low_income_households[ci] / std::max(1.0, w.grid.people[ci]) * rng.uniform(0.9, 1.1);
      if (share > best) {
        best = share;
        found = static_cast<std::int64_t>(i);
      }
    }
    return found;
  };
  auto const priority = [&](std::uint32_t i) {
    return w.grid.low_income_households[cell_idx{i}] / std::max(1.0, w.grid.people[cell_idx{i}]);
  };
  residents = 0;
  std::vector<std::uint32_t> members;
  std::set<std::uint32_t> queued;
  bool done = false;
  for (int patch = 0; patch < 20 && !done && residents < goal * 0.98; ++patch) {
    auto const seed_cell = next_seed();
    if (seed_cell < 0) {
      break;
    }
    std::priority_queue<std::pair<double, std::uint32_t>> frontier;
    frontier.emplace(1e9, static_cast<std::uint32_t>(seed_cell));
    queued.insert(static_cast<std::uint32_t>(seed_cell));
    while (!frontier.empty() && residents < goal) {
      auto const [prio, i] = frontier.top();
      frontier.pop();
      if (ctx.qpv_of_cell[i] >= 0) {
        continue;
      }
      double const add = ctx.people_now(i);
      if (residents > 0 && residents + add > goal * 1.02) {
        if (residents >= goal * 0.98) {
          done = true;
          break;  // close enough: stop growing
        }
        continue;  // too big a step: try the smaller cells of the frontier
      }
      residents += add;
      members.push_back(i);
      ctx.qpv_of_cell[i] = number;
      auto const kk = ctx.key(w.grid.centre[cell_idx{i}]);
      for (auto [dx, dy] : {std::pair{1, 0}, {-1, 0}, {0, 1}, {0, -1}}) {
        auto it = ctx.at.find({kk.first + dx, kk.second + dy});
        if (it == ctx.at.end() || queued.contains(it->second) || ctx.qpv_of_cell[it->second] >= 0 ||
            w.grid.commune[cell_idx{it->second}].index() != c) {
          continue;
        }
        queued.insert(it->second);
        frontier.emplace(priority(it->second), it->second);
      }
    }
  }
  return members;
}

geo::output_layer empty_qpv_layer(int epsg) {
  return {"qpv",
          "Quartiers prioritaires (synthétiques)",
          epsg,
          {{"code", geo::field_type::text, "QPV code (synthetic)"},
           {"name", geo::field_type::text, "name"},
           {"commune", geo::field_type::text, "INSEE code of the commune"},
           {"residents", geo::field_type::real, "residents (2023 scale)"},
           {"synthetic", geo::field_type::boolean, "synthesised"},
           {"source", geo::field_type::text, "method and calibration"}},
          {},
          {}};
}

}  // namespace

void take_given_qpv(synthesis_context& ctx, std::vector<calibration_row>& calib) {
  auto const& w = ctx.w;
  auto const& q = ctx.figures.qpv;
  for (std::size_t i = 0; i < w.grid.size(); ++i) {
    auto const qpv = w.grid.qpv[cell_idx::from(i)];
    ctx.qpv_of_cell[i] = qpv.valid() ? static_cast<int>(qpv.index()) : -1;
  }
  if (!std::all_of(w.qpvs.code.begin(), w.qpvs.code.end(),
                   [&](std::string const& code) { return code.rfind(q.list_prefix, 0) == 0; })) {
    return;  // the published figures describe another list
  }
  std::set<std::size_t> communes;
  std::vector<double> residents(ctx.communes(), 0.0);
  double total = 0;
  for (std::size_t k = 0; k < w.qpvs.size(); ++k) {
    auto const c = w.qpvs.commune[sim::qpv_idx::from(k)];
    double const r = w.qpvs.residents[sim::qpv_idx::from(k)];
    total += r;
    if (c.valid()) {
      communes.insert(c.index());
      residents[c.index()] += r;
    }
  }
  auto const check = row_nature::check;
  calib.push_back(
      {"qpv_count", q.source, static_cast<double>(q.count), static_cast<double>(w.qpvs.size()), check});
  calib.push_back({"qpv_communes", q.source, static_cast<double>(q.communes),
                   static_cast<double>(communes.size()), check});
  if (total <= 0) {
    return;  // the layer gives no residents
  }
  calib.push_back({"qpv_residents island", q.source, q.residents, total, check});
  for (auto const& p : q.published) {
    calib.push_back({fmt::format("qpv_residents {} {}", ctx.code(p.commune), ctx.name(p.commune)), q.source,
                     published_residents(ctx, p), residents[p.commune], check});
  }
}

geo::output_layer grow_qpv(synthesis_context& ctx, std::vector<calibration_row>& calib) {
  auto const& w = ctx.w;
  auto const& q = ctx.figures.qpv;
  auto layer = empty_qpv_layer(w.epsg);
  auto const target = qpv_targets(ctx);
  std::vector<double> weights;
  for (auto const& [n, v] : target) {
    weights.push_back(v.second);
  }
  auto const per_commune = apportion(q.count, weights, 1);
  int number = 0;
  std::size_t k = 0;
  for (auto const& [cname, v] : target) {
    auto const [c, goal_total] = v;
    auto commune_geom = ctx.geos.from_wkb(ctx.t.commune_geometry[c]);
    int const n = per_commune[k++];
    double const per = goal_total / n;
    double commune_done = 0;
    for (int j = 0; j < n; ++j) {
      double const goal = (j == n - 1) ? goal_total - commune_done : per;
      double residents = 0;
      auto const members = grow_one(ctx, c, goal, number, residents);
      if (members.empty()) {
        break;
      }
      commune_done += residents;
      std::vector<geo::geos_context::geometry> squares;
      for (auto i : members) {
        auto const& p = w.grid.centre[cell_idx{i}];
        squares.push_back(
            ctx.geos.box(p.x - ctx.cell / 2, p.y - ctx.cell / 2, p.x + ctx.cell / 2, p.y + ctx.cell / 2));
      }
      auto merged = ctx.geos.unary_union(std::move(squares));
      auto clipped = ctx.geos.intersection(merged.get(), commune_geom.get());
      layer.rows.push_back(
          {fmt::format("{}{:03d}", q.grown_code_prefix, number + 1),
           fmt::format("Quartier synthétique {} n°{}", cname, j + 1), ctx.code(c), std::round(residents),
           true,
           fmt::format("synthetic: grown from the {:g} m cells with the highest low-income share ({}); "
                       "calibrated on {} (seed {})",
                       ctx.cell, q.grid_source, q.source, ctx.options.seed)});
      layer.geometry.push_back(ctx.geos.to_wkb(clipped.get()));
      ++number;
    }
    calib.push_back({fmt::format("qpv_residents {} {}", ctx.code(c), cname), "calibration (commune share)",
                     goal_total, commune_done});
  }
  double total = 0;
  for (auto const& r : layer.rows) {
    total += std::get<double>(r[3]);
  }
  calib.insert(calib.begin(),
               {"qpv_count", q.source, static_cast<double>(q.count), static_cast<double>(layer.rows.size())});
  calib.insert(calib.begin() + 1, {"qpv_residents island", q.source, q.residents, total});
  return layer;
}

}  // namespace avip::synth
