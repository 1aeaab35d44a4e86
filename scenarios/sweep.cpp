#include "scenarios/sweep.hpp"

#include <algorithm>
#include <chrono>
#include <iostream>
#include <map>
#include <memory>
#include <numeric>
#include <optional>
#include <tuple>
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
                                   fs::path const& dir, double& synthesis_seconds, double& world_seconds) {
  if (!request.synthesise) {
    throw usage_error{fmt::format("{}: {} needs the synthesis, which this command does not offer",
                                  request.u.file.string(), kSynthesisSeed)};
  }
  fs::remove_all(dir);
  fs::create_directories(dir);
  auto const t0 = std::chrono::steady_clock::now();
  request.synthesise(manifest, seed, dir);
  auto const t1 = std::chrono::steady_clock::now();
  synthesis_seconds += std::chrono::duration<double>(t1 - t0).count();
  try {
    auto preps = prepare_all(request, dir, true);
    world_seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - t1).count();
    return preps;
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
    ++built_;
    return *entries_.back().second;
  }
  /// How many lists were built so far.
  [[nodiscard]] std::size_t built() const { return built_; }

 private:
  static constexpr std::size_t kKept = 8;
  std::vector<std::pair<std::vector<double>, std::unique_ptr<sim::candidates const>>> entries_;
  std::size_t built_{0};
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

namespace {

using clock_type = std::chrono::steady_clock;

double seconds_since(clock_type::time_point t0) {
  return std::chrono::duration<double>(clock_type::now() - t0).count();
}

/// Where one rank's time goes, printed on stderr with --timings (a measurement, never in the outputs).
struct sweep_timings {
  double read{0};        ///< the scenarios read and checked (and their bus times without a seed)
  double synthesis{0};   ///< synthetic layers, one per seed this rank runs
  double worlds{0};      ///< the scenarios read, edited and their bus times on those layers
  double candidates{0};  ///< candidate lists
  double runs{0};        ///< the replications and the indicators
  double gather{0};      ///< waiting for the other ranks and gathering on rank 0
  std::size_t points{0};
  std::size_t seeds{0};
  std::size_t candidate_lists{0};
};

/// Estimated seconds of a sweep's steps on one thread, La Réunion, measured with --timings
/// (2026-11-29): only their ratios matter, to balance the ranks; a wrong estimate costs time, never
/// changes a result.
constexpr double kSynthesisSeconds = 1.1;       // one synthesis
constexpr double kWorldSeconds = 1.8;           // one scenario read, edited, its bus times
constexpr double kCandidateSeconds = 0.19;      // one scenario's candidate lists
constexpr double kReplicationSeconds = 0.0026;  // one replication of one scenario

/// Each point's world (its synthesis seed's rank among the design's seeds, 0 without one) and cell
/// (its candidate inputs in every scenario), for balanced_points.
std::vector<sweep_point_cost> point_costs(sweep_request const& request, std::vector<prepared> const& preps,
                                          sensitivity::design const& d,
                                          std::function<std::uint64_t(std::size_t)> const& seed_at) {
  std::map<std::uint64_t, std::size_t> worlds;
  for (std::size_t pt = 0; pt < d.points(); ++pt) {
    worlds.emplace(seed_at(pt), 0);
  }
  std::size_t w = 0;
  for (auto& [seed, id] : worlds) {
    id = w++;
  }
  std::map<std::vector<double>, std::size_t> cells;
  std::vector<sweep_point_cost> out(d.points());
  for (std::size_t pt = 0; pt < d.points(); ++pt) {
    std::vector<double> key;
    for (auto const& p : preps) {
      auto const in = sim::candidate_inputs(params_at(p.spec.params, request.u, d, pt));
      key.insert(key.end(), in.begin(), in.end());
    }
    auto const cell = cells.emplace(std::move(key), cells.size()).first->second;
    out[pt] = {worlds.at(seed_at(pt)), cell};
  }
  return out;
}

}  // namespace

std::vector<double> sweep_partition::gather_in_point_order(std::vector<double> const& mine,
                                                           std::vector<std::size_t> const& ran,
                                                           std::size_t points,
                                                           std::size_t values_per_point) const {
  if (gather_points) {
    return gather_points(mine, ran, points, values_per_point);
  }
  std::vector<double> out(points * values_per_point, 0.0);
  for (std::size_t i = 0; i < ran.size(); ++i) {
    std::copy_n(mine.begin() + static_cast<long>(i * values_per_point), values_per_point,
                out.begin() + static_cast<long>(ran[i] * values_per_point));
  }
  return out;
}

namespace {

/// The points in (world, cell, point) order, world w coming at place `world_rank[w]`.
std::vector<std::size_t> points_in_order(std::vector<sweep_point_cost> const& points,
                                         std::vector<std::size_t> const& world_rank) {
  std::vector<std::size_t> order(points.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    return std::tuple{world_rank[points[a].world], points[a].cell} <
           std::tuple{world_rank[points[b].world], points[b].cell};
  });
  return order;
}

/// The cut of `order` into the fewest consecutive runs of cost ≤ `limit` each (a run's first point
/// always fits), as the end of each run; with the prefix counts of world and cell starts.
struct run_costs {
  std::vector<std::size_t> worlds;  ///< worlds[i]: world starts among the first i points
  std::vector<std::size_t> cells;
  sweep_cost_model cost;

  run_costs(std::vector<sweep_point_cost> const& points, std::vector<std::size_t> const& order,
            sweep_cost_model const& c)
      : worlds(order.size() + 1, 0), cells(order.size() + 1, 0), cost(c) {
    for (std::size_t i = 0; i < order.size(); ++i) {
      auto const& p = points[order[i]];
      bool const new_world = i == 0 || p.world != points[order[i - 1]].world;
      bool const new_cell = new_world || p.cell != points[order[i - 1]].cell;
      worlds[i + 1] = worlds[i] + (new_world ? 1 : 0);
      cells[i + 1] = cells[i] + (new_cell ? 1 : 0);
    }
  }
  /// The cost of the points [a, b) of the order, b > a.
  [[nodiscard]] double of(std::size_t a, std::size_t b) const {
    return static_cast<double>(worlds[b] - worlds[a + 1] + 1) * cost.world_setup +
           static_cast<double>(cells[b] - cells[a + 1] + 1) * cost.cell_setup +
           static_cast<double>(b - a) * cost.point;
  }
  [[nodiscard]] std::vector<std::size_t> cut(double limit) const {
    auto const n = worlds.size() - 1;
    std::vector<std::size_t> ends;
    for (std::size_t a = 0; a < n;) {
      auto b = a + 1;
      while (b < n && of(a, b + 1) <= limit) {
        ++b;
      }
      ends.push_back(b);
      a = b;
    }
    return ends;
  }
  /// The smallest limit whose cut needs at most `ranks` runs (bisection), and that cut.
  [[nodiscard]] std::pair<double, std::vector<std::size_t>> best(int ranks) const {
    auto const n = worlds.size() - 1;
    double lo = 0;
    double hi = of(0, n);
    for (int it = 0; it < 64 && hi - lo > 1e-9 * hi; ++it) {
      double const mid = 0.5 * (lo + hi);
      (cut(mid).size() <= static_cast<std::size_t>(ranks) ? hi : lo) = mid;
    }
    auto ends = cut(hi);
    double most = 0;
    for (std::size_t r = 0, a = 0; r < ends.size(); a = ends[r++]) {
      most = std::max(most, of(a, ends[r]));
    }
    return {most, std::move(ends)};
  }
};

}  // namespace

std::vector<std::vector<std::size_t>> balanced_points(std::vector<sweep_point_cost> const& points,
                                                      sweep_cost_model const& cost, int ranks) {
  std::vector<std::vector<std::size_t>> out(static_cast<std::size_t>(std::max(ranks, 1)));
  if (points.empty()) {
    return out;
  }
  std::size_t worlds = 0;
  for (auto const& p : points) {
    worlds = std::max(worlds, p.world + 1);
  }
  // Every order of the worlds when there are few (a consecutive cut can then group any worlds on a
  // rank), else their own order; the first order with the smallest most loaded rank wins. At most
  // 5! = 120 orders, each a sort and a bisection over the points: milliseconds for a few thousand.
  std::vector<std::size_t> world_rank(worlds);
  std::iota(world_rank.begin(), world_rank.end(), std::size_t{0});
  constexpr std::size_t kPermutedWorlds = 5;
  constexpr std::size_t kPermutedPoints = 20000;
  std::optional<std::pair<double, std::vector<std::size_t>>> best;
  std::vector<std::size_t> best_order;
  do {
    auto order = points_in_order(points, world_rank);
    auto cut = run_costs{points, order, cost}.best(ranks);
    if (!best || cut.first < best->first * (1 - 1e-12)) {
      best = std::move(cut);
      best_order = std::move(order);
    }
  } while (ranks > 1 && worlds <= kPermutedWorlds && points.size() <= kPermutedPoints &&
           std::next_permutation(world_rank.begin(), world_rank.end()));
  std::size_t a = 0;
  for (std::size_t r = 0; r < best->second.size(); ++r) {
    out[r].assign(best_order.begin() + static_cast<long>(a),
                  best_order.begin() + static_cast<long>(best->second[r]));
    a = best->second[r];
  }
  return out;
}

sensitivity::analysis run_sweep(sweep_request const& request, sweep_partition const& partition) {
  auto const start = clock_type::now();
  if (request.scenarios.empty()) {
    throw usage_error{"sensitivity: give at least one scenario (--scenarios)"};
  }
  sweep_timings timing;
  int const seed_param = request.u.synthesis_seed();
  // With a synthesis seed, these only name the scenarios and check them: each seed prepares its own.
  auto const preps = prepare_all(request, {}, seed_param < 0);
  timing.read = seconds_since(start);
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
  auto const seed_at = [&](std::size_t pt) {
    return seed_param < 0
               ? std::uint64_t{0}
               : static_cast<std::uint64_t>(res.parameters[static_cast<std::size_t>(seed_param)].value(
                     d.at(pt, static_cast<std::size_t>(seed_param))));
  };
  // This rank's points, balanced by cost over the ranks: those sharing a seed's layers, then those
  // sharing candidate lists, run together (a caller that gathers only round robin gets round robin).
  bool const round_robin = partition.size > 1 && !partition.gather_points && partition.gather;
  auto const ns = static_cast<double>(preps.size());
  sweep_cost_model const cost{seed_param < 0 ? 0.0 : kSynthesisSeconds + ns * kWorldSeconds,
                              ns * kCandidateSeconds, ns * static_cast<double>(reps) * kReplicationSeconds};
  auto const my_points = round_robin
                             ? partition.mine(d.points())
                             : balanced_points(point_costs(request, preps, d, seed_at), cost,
                                               partition.size)[static_cast<std::size_t>(partition.rank)];
  std::vector<double> values(my_points.size() * per_point, 0.0);
  progress bar{fmt::format("avipsim: sensitivity ({} points × {} scenarios)", d.points(), preps.size()),
               my_points.size() * preps.size(), request.progress && partition.rank == 0};
  sim::run_options const o{res.replications, res.seed, false};
  auto const cache = request.synthesis_cache / fmt::format("rank-{}", partition.rank);
  std::optional<std::uint64_t> seeded;
  std::vector<prepared> seed_preps;
  std::vector<candidate_cache> reused;  // per scenario
  for (std::size_t i = 0; i < my_points.size(); ++i) {
    auto const pt = my_points[i];
    auto const* use = &preps;
    if (seed_param >= 0) {
      auto const seed = seed_at(pt);
      if (seeded != seed) {
        if (seeded) {
          fs::remove_all(cache / fmt::format("seed-{}", *seeded));
        }
        seed_preps = prepare_seed(request, preps.front().spec.territory, seed,
                                  cache / fmt::format("seed-{}", seed), timing.synthesis, timing.worlds);
        reused.clear();  // other worlds
        seeded = seed;
        ++timing.seeds;
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
      auto const t0 = clock_type::now();
      auto const built = reused[s].built();
      auto const& c = reused[s].get(p.world, q);
      auto const t1 = clock_type::now();
      timing.candidates += std::chrono::duration<double>(t1 - t0).count();
      timing.candidate_lists += reused[s].built() - built;
      auto const r = sim::run(p.world, q, o, c);
      for (auto const& ind : sweep_indicators()) {
        auto v = ind.values(r);
        v.resize(reps, 0.0);
        out = std::copy(v.begin(), v.end(), out);
      }
      timing.runs += seconds_since(t1);
      bar.advance();
    }
  }
  timing.points = my_points.size();
  if (seeded) {
    fs::remove_all(cache);
  }
  bar.finish();
  auto const g0 = clock_type::now();
  auto const all = round_robin ? partition.gather(values, d.points(), per_point)
                               : partition.gather_in_point_order(values, my_points, d.points(), per_point);
  timing.gather = seconds_since(g0);
  if (request.timings) {
    std::cerr << fmt::format(
        "sweep timings, rank {} of {}: {} points, {} seeds, {} candidate lists; read {:.2f} s, synthesis "
        "{:.2f} s, seed worlds {:.2f} s, candidates {:.2f} s, runs {:.2f} s, waiting and gathering {:.2f} s, "
        "total {:.2f} s\n",
        partition.rank, partition.size, timing.points, timing.seeds, timing.candidate_lists, timing.read,
        timing.synthesis, timing.worlds, timing.candidates, timing.runs, timing.gather, seconds_since(start));
  }
  if (partition.rank != 0) {
    return res;
  }
  summarise(res, all, reps);
  res.estimate();
  res.seconds = seconds_since(start);
  return res;
}

}  // namespace avip::scenarios
