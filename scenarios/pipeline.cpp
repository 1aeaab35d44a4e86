#include "scenarios/pipeline.hpp"

#include <chrono>
#include <map>

#include <fmt/format.h>

#include "core/error.hpp"
#include "geo/travel_times.hpp"
#include "scenarios/apply.hpp"
#include "scenarios/scenario_check.hpp"
#include "sim/comparison.hpp"
#include "sim/engine.hpp"
#include "sim/fca.hpp"
#include "territory/load.hpp"
#include "viz/run_outputs.hpp"

namespace avip::scenarios {

namespace fs = std::filesystem;

sim::bus_access compute_bus_access(territory::territory const& t, sim::world const& w, sim::params const& p,
                                   std::vector<edit> const& edits, bool progress) {
  sim::bus_access bus;
  if (t.gtfs.empty()) {
    return bus;
  }
  std::vector<std::uint8_t> wanted(w.grid.size(), 0);
  for (std::size_t i = 0; i < w.grid.size(); ++i) {
    wanted[i] = w.grid.people[sim::cell_idx::from(i)] > 0 ? 1 : 0;
  }
  for (auto c : w.families.cell) {
    if (c.valid()) {
      wanted[c.index()] = 1;
    }
  }
  std::vector<geo::xy> origins;
  std::vector<std::size_t> cell_of;
  for (std::size_t i = 0; i < w.grid.size(); ++i) {
    if (wanted[i] != 0) {
      origins.push_back({w.grid.centre[sim::cell_idx::from(i)].x, w.grid.centre[sim::cell_idx::from(i)].y});
      cell_of.push_back(i);
    }
  }
  std::vector<geo::xy> dests;
  for (auto const& l : w.facilities.location) {
    dests.push_back({l.x, l.y});
  }
  std::vector<std::string> feeds;
  for (auto const& g : t.gtfs) {
    feeds.push_back(g.string());
  }
  geo::travel_time_options o;
  o.tolerance_minutes = p.tolerance_minutes[static_cast<std::size_t>(sim::mobility::bus)];
  o.walk_speed_kmh = p.walk_speed_kmh;
  o.detour_factor = p.detour_factor;
  o.progress = progress;
  for (auto const& e : edits) {
    if (e.kind == edit_kind::bus_service) {
      o.service_edits.push_back({e.routes, e.service_from_s, e.service_to_s, e.frequency_factor, e.headway_s,
                                 e.file + ": " + e.pointer});
    }
  }
  auto const m = geo::bus_travel_times(feeds, w.epsg, origins, dests, o);
  bus.offsets.assign(w.grid.size() + 1, 0);
  std::vector<std::uint32_t> count(w.grid.size(), 0);
  for (std::size_t k = 0; k < origins.size(); ++k) {
    count[cell_of[k]] = m.offsets[k + 1] - m.offsets[k];
  }
  for (std::size_t i = 0; i < w.grid.size(); ++i) {
    bus.offsets[i + 1] = bus.offsets[i] + count[i];
  }
  bus.facility.resize(bus.offsets.back());
  bus.minutes.resize(bus.offsets.back());
  for (std::size_t k = 0; k < origins.size(); ++k) {
    auto o2 = bus.offsets[cell_of[k]];
    for (auto j = m.offsets[k]; j < m.offsets[k + 1]; ++j, ++o2) {
      bus.facility[o2] = sim::facility_idx{m.destination[j]};
      bus.minutes[o2] = m.minutes[j];
    }
  }
  return bus;
}

prepared prepare(fs::path const& scenario_file, bool with_bus, bool progress) {
  prepared p;
  p.spec = read_scenario(scenario_file);
  p.territory = territory::load_territory(p.spec.territory);
  p.world = apply_edits(p.spec, p.territory);
  if (with_bus) {
    p.world.bus = compute_bus_access(p.territory, p.world, p.spec.params, p.spec.edits, progress);
  }
  return p;
}

namespace {

viz::run_metadata metadata(prepared const& p, run_request const& request, int reps, std::uint64_t seed,
                           double seconds) {
  viz::run_metadata m;
  m.scenario_name = p.spec.name;
  m.scenario_file = p.spec.file.string();
  m.scenario_json = p.spec.resolved_json;
  m.version = AVIP_VERSION;
  m.seed = seed;
  m.replications = reps;
  m.threads = request.threads;
  m.elapsed_seconds = seconds;
  m.observed_file = request.observed;
  return m;
}

}  // namespace

sim::run_results run_into(prepared const& p, run_request const& request, fs::path const& dir) {
  auto const start = std::chrono::steady_clock::now();
  sim::run_options o;
  o.replications = request.replications.value_or(p.spec.replications);
  o.seed = request.seed.value_or(p.spec.seed);
  o.progress = request.progress;
  auto results = sim::run(p.world, p.spec.params, o);
  sim::fill_accessibility(p.world, p.spec.params, results);
  double const secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  viz::write_run_outputs(dir, p.territory, p.world, p.spec.params, results,
                         metadata(p, request, o.replications, o.seed, secs));
  return results;
}

void compare_into(std::vector<fs::path> const& files, run_request const& request, fs::path const& dir) {
  if (files.empty()) {
    throw usage_error{"compare: give at least one scenario"};
  }
  std::vector<prepared> preps;
  for (auto const& f : files) {
    preps.push_back(prepare(f, true, request.progress));
  }
  for (auto const& p : preps) {
    if (fs::weakly_canonical(p.spec.territory) != fs::weakly_canonical(preps.front().spec.territory)) {
      throw usage_error{fmt::format("compare: {} uses another territory than {}", p.spec.file.string(),
                                    preps.front().spec.file.string())};
    }
  }
  // Common random numbers: one seed and one replication count for all.
  sim::run_options o;
  o.replications = request.replications.value_or(preps.front().spec.replications);
  o.seed = request.seed.value_or(preps.front().spec.seed);
  o.progress = request.progress;
  std::vector<sim::run_results> results;
  std::vector<viz::compared_scenario> meta;
  std::vector<std::string> names;
  std::map<std::string, int> seen;
  for (auto const& p : preps) {
    auto const start = std::chrono::steady_clock::now();
    results.push_back(sim::run(p.world, p.spec.params, o));
    sim::fill_accessibility(p.world, p.spec.params, results.back());
    double const secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    auto name = p.spec.name;
    if (int const n = seen[name]++; n > 0) {
      name += fmt::format(" ({})", n + 1);
    }
    names.push_back(name);
    viz::compared_scenario cs;
    cs.meta = metadata(p, request, o.replications, o.seed, secs);
    cs.meta.scenario_name = name;
    cs.world = &p.world;
    cs.params = p.spec.params;
    meta.push_back(std::move(cs));
  }
  std::vector<sim::run_results const*> ptrs;
  for (auto const& r : results) {
    ptrs.push_back(&r);
  }
  auto const c = sim::compare(names, ptrs);
  viz::write_comparison_outputs(dir, preps.front().territory, meta, c);
}

std::string check_scenario(fs::path const& file) {
  auto const p = prepare(file, false);
  std::size_t labelled = 0;
  for (auto a : p.world.facilities.avip) {
    labelled += a;
  }
  return fmt::format(
      "ok: scenario '{}' ({} edits) on {}: {} facilities ({} labelled AVIP), {} families, "
      "{} replications, seed {}\n",
      p.spec.name, p.spec.edits.size(), p.territory.name, p.world.facilities.size(), labelled,
      p.world.families.size(), p.spec.replications, p.spec.seed);
}

}  // namespace avip::scenarios
