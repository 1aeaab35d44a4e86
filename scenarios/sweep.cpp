#include "scenarios/sweep.hpp"

#include <algorithm>
#include <chrono>
#include <memory>
#include <utility>

#include <fmt/format.h>

#include <unistd.h>

#include "core/error.hpp"
#include "core/progress.hpp"
#include "scenarios/param_bindings.hpp"
#include "scenarios/pipeline.hpp"
#include "sim/candidates.hpp"
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

/// Each scenario read once (on the territory's own synthetic layers, or those of `synthetic_dir`),
/// its bus times computed once (with the longest bus tolerance the uncertainty allows, so that every
/// point finds its pairs) unless `with_bus` is false.
std::vector<prepared> prepare_all(sweep_request const& request, fs::path const& synthetic_dir = {},
                                  bool with_bus = true) {
  std::vector<prepared> preps;
  for (auto const& f : request.scenarios) {
    auto p = prepare(f, false, request.progress, {}, synthetic_dir);
    if (with_bus) {
      auto bus_params = p.spec.params;
      for (auto const& q : request.u.parameters) {
        if (q.name == "tolerance_bus_minutes") {
          find_param(q.name)->set(bus_params, q.spread.max());
        }
      }
      p.world.bus = compute_bus_access(p.territory, p.world, bus_params, p.spec.edits, request.progress);
    }
    if (!preps.empty() &&
        fs::weakly_canonical(p.spec.territory) != fs::weakly_canonical(preps[0].spec.territory)) {
      throw usage_error{fmt::format("sensitivity: {} uses another territory than {}", f.string(),
                                    request.scenarios.front().string())};
    }
    preps.push_back(std::move(p));
  }
  return preps;
}

/// The scenarios on the synthetic layers of `seed`: synthesised into the rank's cache folder, read,
/// edited, with their bus times.
std::vector<prepared> prepare_seed(sweep_request const& request, fs::path const& manifest, std::uint64_t seed,
                                   fs::path const& dir) {
  if (!request.synthesise) {
    throw usage_error{fmt::format("{}: {} needs the synthesis, which this command does not offer",
                                  request.u.file.string(), kSynthesisSeed)};
  }
  fs::remove_all(dir);
  fs::create_directories(dir);
  request.synthesise(manifest, seed, dir);
  try {
    return prepare_all(request, dir, true);
  } catch (error const& e) {
    throw scenario_error{fmt::format("{} (on the synthetic layers of {} {}, {})", e.what(), kSynthesisSeed,
                                     seed, request.u.file.string())};
  }
}

/// The candidate lists of one scenario's world for the last few candidate inputs: a Morris step or a
/// Saltelli column that changes no tolerance reuses them (built once, not at every point).
class candidate_cache {
 public:
  sim::candidates const& get(sim::world const& w, sim::params const& p) {
    auto key = sim::candidate_inputs(p);
    for (auto const& [k, c] : entries_) {
      if (k == key) {
        return *c;
      }
    }
    if (entries_.size() >= kKept) {
      entries_.erase(entries_.begin());
    }
    entries_.emplace_back(std::move(key), std::make_unique<sim::candidates>(sim::build_candidates(w, p)));
    return *entries_.back().second;
  }

 private:
  static constexpr std::size_t kKept = 8;
  std::vector<std::pair<std::vector<double>, std::unique_ptr<sim::candidates const>>> entries_;
};

sim::params params_at(sim::params base, uncertainty const& u, sensitivity::design const& d,
                      std::size_t point) {
  for (std::size_t j = 0; j < u.parameters.size(); ++j) {
    if (u.parameters[j].name == kSynthesisSeed) {
      continue;
    }
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

std::vector<std::size_t> sweep_partition::mine(std::size_t items) const {
  std::vector<std::size_t> out;
  for (auto i = static_cast<std::size_t>(rank); i < items; i += static_cast<std::size_t>(size)) {
    out.push_back(i);
  }
  return out;
}

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

namespace {

/// Refuses, before anything is allocated, a sweep whose design and values would not fit in this
/// machine's memory (rank 0 keeps every point's values, then a copy for the analysis).
void check_sweep_memory(sweep_request const& r, std::size_t k, std::size_t scenarios, std::size_t reps) {
  bool const morris = r.method == sensitivity::method::morris;
  double const points = morris ? static_cast<double>(r.trajectories) * static_cast<double>(k + 1)
                               : static_cast<double>(r.samples) * static_cast<double>(k + 2);
  double const values = points * static_cast<double>(scenarios) *
                        static_cast<double>(sweep_indicators().size()) * static_cast<double>(reps);
  double const need = 8.0 * (2.0 * values + points * static_cast<double>(k));
  auto const pages = sysconf(_SC_PHYS_PAGES);
  auto const page = sysconf(_SC_PAGE_SIZE);
  if (pages <= 0 || page <= 0) {
    return;
  }
  double const have = static_cast<double>(pages) * static_cast<double>(page);
  if (need > have * 0.8) {
    throw usage_error{fmt::format(
        "{}: this sweep would need about {:.1f} GB ({:.0f} points × {} scenarios × {} indicators × {} "
        "replications), more than this machine's {:.1f} GB: lower {} or --replications",
        morris ? "--trajectories" : "--samples", need / 1e9, points, scenarios, sweep_indicators().size(),
        reps, have / 1e9, morris ? "--trajectories" : "--samples")};
  }
}

}  // namespace

sensitivity::analysis run_sweep(sweep_request const& request, sweep_partition const& partition) {
  auto const start = std::chrono::steady_clock::now();
  if (request.scenarios.empty()) {
    throw usage_error{"sensitivity: give at least one scenario (--scenarios)"};
  }
  int const seed_param = request.u.synthesis_seed();
  // With a synthesis seed, these only name the scenarios and check them: each seed prepares its own.
  auto const preps = prepare_all(request, {}, seed_param < 0);
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
  check_sweep_memory(request, k, preps.size(), static_cast<std::size_t>(res.replications));
  if (res.method == sensitivity::method::morris) {
    res.morris = sensitivity::morris_trajectories(k, static_cast<std::size_t>(request.trajectories),
                                                  request.levels, res.seed);
  } else {
    res.sobol = sensitivity::saltelli_sobol(k, static_cast<std::size_t>(request.samples));
  }
  auto const& d = res.sample();
  auto const reps = static_cast<std::size_t>(res.replications);
  std::size_t const per_point = preps.size() * sweep_indicators().size() * reps;
  auto const my_points = partition.mine(d.points());
  auto seed_at = [&](std::size_t pt) {
    return seed_param < 0
               ? std::uint64_t{0}
               : static_cast<std::uint64_t>(res.parameters[static_cast<std::size_t>(seed_param)].value(
                     d.at(pt, static_cast<std::size_t>(seed_param))));
  };
  // Points grouped by synthesis seed (one group without one), each written at its own slot.
  std::vector<std::size_t> order(my_points.size());
  for (std::size_t i = 0; i < order.size(); ++i) {
    order[i] = i;
  }
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    return seed_at(my_points[a]) < seed_at(my_points[b]);
  });
  std::vector<double> values(my_points.size() * per_point, 0.0);
  progress bar{fmt::format("avipsim: sensitivity ({} points × {} scenarios)", d.points(), preps.size()),
               my_points.size() * preps.size(), request.progress && partition.rank == 0};
  sim::run_options const o{res.replications, res.seed, false};
  auto const cache = request.synthesis_cache / fmt::format("rank-{}", partition.rank);
  std::optional<std::uint64_t> seeded;
  std::vector<prepared> seed_preps;
  std::vector<candidate_cache> reused;  // per scenario
  for (auto const i : order) {
    auto const pt = my_points[i];
    auto const* use = &preps;
    if (seed_param >= 0) {
      auto const seed = seed_at(pt);
      if (seeded != seed) {
        if (seeded) {
          fs::remove_all(cache / fmt::format("seed-{}", *seeded));
        }
        seed_preps =
            prepare_seed(request, preps.front().spec.territory, seed, cache / fmt::format("seed-{}", seed));
        reused.clear();  // other worlds
        seeded = seed;
      }
      use = &seed_preps;
    }
    auto* out = &values[i * per_point];
    if (reused.size() != use->size()) {
      reused.clear();
      reused.resize(use->size());
    }
    for (std::size_t s = 0; s < use->size(); ++s) {
      auto const& p = (*use)[s];
      auto const q = params_at(p.spec.params, request.u, d, pt);
      auto const r = sim::run(p.world, q, o, reused[s].get(p.world, q));
      for (auto const& ind : sweep_indicators()) {
        auto v = ind.values(r);
        v.resize(reps, 0.0);
        out = std::copy(v.begin(), v.end(), out);
      }
      bar.advance();
    }
  }
  if (seeded) {
    fs::remove_all(cache);
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
