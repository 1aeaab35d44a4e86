#include "scenarios/sweep.hpp"

#include <algorithm>
#include <chrono>

#include <fmt/format.h>

#include "core/error.hpp"
#include "core/progress.hpp"
#include "scenarios/param_bindings.hpp"
#include "scenarios/pipeline.hpp"
#include "sim/engine.hpp"

namespace avip::scenarios {

namespace fs = std::filesystem;

namespace {

std::function<std::vector<double>(sim::run_results const&)> of(sim::samples sim::group_indicators::*m) {
  return [m](sim::run_results const& r) { return (r.island.*m).values; };
}

/// The labelled EAJE reaching the 20 % target, per replication.
std::vector<double> labelled_reaching_target(sim::run_results const& r) {
  std::vector<double> out(static_cast<std::size_t>(r.replications), 0.0);
  for (auto const& f : r.facilities) {
    for (std::size_t i = 0; i < f.target_met.values.size() && i < out.size(); ++i) {
      out[i] += f.target_met.values[i];
    }
  }
  return out;
}

/// Each scenario read once, its bus times computed once (with the longest bus tolerance the
/// uncertainty allows, so that every point finds its pairs).
std::vector<prepared> prepare_all(sweep_request const& request) {
  std::vector<prepared> preps;
  for (auto const& f : request.scenarios) {
    auto p = prepare(f, false, request.progress);
    auto bus_params = p.spec.params;
    for (auto const& q : request.u.parameters) {
      if (q.name == "tolerance_bus_minutes") {
        find_param(q.name)->set(bus_params, q.spread.max());
      }
    }
    p.world.bus = compute_bus_access(p.territory, p.world, bus_params, p.spec.edits, request.progress);
    if (!preps.empty() &&
        fs::weakly_canonical(p.spec.territory) != fs::weakly_canonical(preps[0].spec.territory)) {
      throw usage_error{fmt::format("sensitivity: {} uses another territory than {}", f.string(),
                                    request.scenarios.front().string())};
    }
    preps.push_back(std::move(p));
  }
  return preps;
}

sim::params params_at(sim::params base, uncertainty const& u, sensitivity::design const& d,
                      std::size_t point) {
  for (std::size_t j = 0; j < u.parameters.size(); ++j) {
    find_param(u.parameters[j].name)->set(base, u.parameters[j].value(d.at(point, j)));
  }
  return base;
}

/// Means per point and the pooled intervals from every point's per-replication values.
void summarise(sensitivity::analysis& res, std::vector<double> const& all, std::size_t reps) {
  auto const ns = res.scenario_names.size();
  auto const ni = res.indicators.size();
  auto const points = res.sample().points();
  std::size_t const per_point = ns * ni * reps;
  res.means.assign(ns, std::vector<std::vector<double>>(ni, std::vector<double>(points, 0.0)));
  std::vector<std::vector<sim::samples>> pooled(ns, std::vector<sim::samples>(ni));
  for (std::size_t pt = 0; pt < points; ++pt) {
    for (std::size_t s = 0; s < ns; ++s) {
      for (std::size_t i = 0; i < ni; ++i) {
        auto const* v = &all[pt * per_point + (s * ni + i) * reps];
        double sum = 0;
        for (std::size_t r = 0; r < reps; ++r) {
          sum += v[r];
          pooled[s][i].values.push_back(v[r]);
        }
        res.means[s][i][pt] = sum / static_cast<double>(reps);
      }
    }
  }
  res.pooled.assign(ns, std::vector<sensitivity::interval>(ni));
  for (std::size_t s = 0; s < ns; ++s) {
    for (std::size_t i = 0; i < ni; ++i) {
      res.pooled[s][i] = {pooled[s][i].mean(), pooled[s][i].lo(), pooled[s][i].hi()};
    }
  }
}

}  // namespace

std::vector<sweep_indicator> const& sweep_indicators() {
  using G = sim::group_indicators;
  static std::vector<sweep_indicator> const v{
      {{"priority_matched", "Familles prioritaires accueillies"}, of(&G::priority_matched)},
      {{"matched", "Familles accueillies"}, of(&G::matched)},
      {{"referred", "Familles orientées"}, of(&G::referred)},
      {{"priority_coverage", "Couverture du public prioritaire"}, of(&G::priority_coverage)},
      {{"coverage", "Couverture de la demande"}, of(&G::coverage)},
      {{"unmet_not_allowed", "Sans place : aucune structure autorisée"}, of(&G::unmet_not_allowed)},
      {{"unmet_full", "Sans place : complet"}, of(&G::unmet_full)},
      {{"labelled_reaching_target", "EAJE labellisés atteignant 20 %"}, labelled_reaching_target},
      {{"qpv_gap", "Écart de couverture QPV − hors QPV"},
       [](sim::run_results const& r) { return r.equity.qpv_gap.values; }},
      {{"cost_total", "Coût CAF (€/an)"},
       [](sim::run_results const& r) {
         return std::vector<double>(static_cast<std::size_t>(r.replications), r.cost.total);
       }},
  };
  return v;
}

sensitivity::analysis run_sweep(sweep_request const& request, sweep_partition const& partition) {
  auto const start = std::chrono::steady_clock::now();
  if (request.scenarios.empty()) {
    throw usage_error{"sensitivity: give at least one scenario (--scenarios)"};
  }
  auto const preps = prepare_all(request);
  sensitivity::analysis res;
  res.method = request.method;
  res.description = request.u.description;
  res.parameters = request.u.parameters;
  res.ranks = partition.size;
  res.replications = request.replications.value_or(request.u.replications);
  res.seed = request.seed.value_or(preps.front().spec.seed);
  for (auto const& ind : sweep_indicators()) {
    res.indicators.push_back(ind.id);
  }
  for (auto const& p : preps) {
    res.scenario_names.push_back(p.spec.name);
    res.scenario_files.push_back(p.spec.file.string());
  }
  auto const k = res.parameters.size();
  if (res.method == sensitivity::method::morris) {
    res.morris = sensitivity::morris_trajectories(k, static_cast<std::size_t>(request.trajectories),
                                                  request.levels, res.seed);
  } else {
    res.sobol = sensitivity::saltelli_sobol(k, static_cast<std::size_t>(request.samples));
  }
  auto const& d = res.sample();
  auto const reps = static_cast<std::size_t>(res.replications);
  std::size_t const per_point = preps.size() * sweep_indicators().size() * reps;
  auto const first = static_cast<std::size_t>(partition.rank);
  auto const stride = static_cast<std::size_t>(partition.size);
  std::size_t const mine = d.points() > first ? (d.points() - first + stride - 1) / stride : 0;
  std::vector<double> values;
  values.reserve(mine * per_point);
  progress bar{fmt::format("avipsim: sensitivity ({} points × {} scenarios)", d.points(), preps.size()),
               mine * preps.size(), request.progress && partition.rank == 0};
  sim::run_options const o{res.replications, res.seed, false};
  for (std::size_t pt = first; pt < d.points(); pt += stride) {
    for (auto const& p : preps) {
      auto const r = sim::run(p.world, params_at(p.spec.params, request.u, d, pt), o);
      for (auto const& ind : sweep_indicators()) {
        auto v = ind.values(r);
        v.resize(reps, 0.0);
        values.insert(values.end(), v.begin(), v.end());
      }
      bar.advance();
    }
  }
  bar.finish();
  auto const all = partition.gather ? partition.gather(values, d.points(), per_point) : values;
  if (partition.rank != 0) {
    return res;
  }
  summarise(res, all, reps);
  res.estimate();
  res.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return res;
}

}  // namespace avip::scenarios
