#include "scenarios/pipeline.hpp"

#include <chrono>
#include <map>

#include <fmt/format.h>

#include "core/error.hpp"
#include "scenarios/apply.hpp"
#include "scenarios/scenario_check.hpp"
#include "sim/comparison.hpp"
#include "sim/engine.hpp"
#include "sim/fca.hpp"
#include "territory/load.hpp"
#include "viz/run_outputs.hpp"

namespace avip::scenarios {

namespace fs = std::filesystem;

prepared prepare(fs::path const& scenario_file) {
  prepared p;
  p.spec = read_scenario(scenario_file);
  p.territory = territory::load_territory(p.spec.territory);
  p.world = apply_edits(p.spec, p.territory);
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
    preps.push_back(prepare(f));
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
  auto const p = prepare(file);
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
