// Engine core benchmark: times sim::run alone (candidates, the monthly replications, their indicators)
// and prints its time and peak memory. It is not end to end: `bash bench/reunion-run` times `avipsim run` on
// La Réunion as a planner waits for it (territory loading, bus times, outputs included).
//   (a) La Réunion, engine core: the baseline scenario prepared as `avipsim run` prepares it (territory
//       loaded, edits applied, bus times by timetable; timed apart and printed), then sim::run only; no
//       outputs written.
//   (b) national size, engine core on a synthetic world (no file reading, no bus times, no outputs):
//       a world of 2 M families and 300 k facilities generated in memory (not counted), then 100
//       replications (goal < 10 min, < 8 GB); scalable by options.
//   ./build/engine_bench [--scenario scenarios/reunion/baseline.json] [--replications 1000]
//                        [--families 2000000] [--facilities 300000] [--national-replications 100]
//                        [--skip-national]
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <string>

#include "core/memory.hpp"
#include "core/random.hpp"
#include "scenarios/pipeline.hpp"
#include "sim/engine.hpp"
#include "sim/opening_hours.hpp"

using namespace avip;

namespace {

template <typename Fn>
double seconds(Fn&& fn) {
  auto const t0 = std::chrono::steady_clock::now();
  fn();
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

/// A territory of `n_fam` families and `n_fac` facilities on a 600 × 600 km square, 196 communes, built
/// in memory: every column of the world filled as the loader fills it, but no grid, no QPV and no bus
/// timetable (families use their car or walk; straight-line distances only).
sim::world national(std::size_t n_fam, std::size_t n_fac) {
  sim::world w;
  w.epsg = 2154;
  w.sectors.name.push_back("France");
  int const side = 14;  // 196 communes
  for (int c = 0; c < side * side; ++c) {
    w.communes.code.push_back(std::to_string(10000 + c));
    w.communes.name.push_back("C" + std::to_string(c));
    w.communes.epci.push_back("");
    w.communes.sector.push_back(sim::sector_idx{0});
    w.communes.population.push_back(300000);
    w.communes.children_under_3.push_back(10000);
    w.communes.zrr.push_back(0);
    w.communes.centroid.push_back({(c % side + 0.5) * 600000.0 / side, (c / side + 0.5) * 600000.0 / side});
    w.communes.poverty_rate.push_back(0.1 + 0.3 * static_cast<double>(c % 7) / 6.0);  // ranks for equity
  }
  auto commune_of = [&](double x, double y) {
    int const cx = std::min(side - 1, static_cast<int>(x / (600000.0 / side)));
    int const cy = std::min(side - 1, static_cast<int>(y / (600000.0 / side)));
    return sim::commune_idx::from(cy * side + cx);
  };
  // Towns: demand and offer cluster around 2,000 centres.
  random_stream r{1, {7}};
  std::vector<sim::point> towns(2000);
  for (auto& t : towns) {
    t = {r.uniform(0, 600000), r.uniform(0, 600000)};
  }
  auto near_town = [&](random_stream& rr) {
    auto const& t = towns[rr.below(towns.size())];
    return sim::point{std::clamp(t.x + rr.uniform(-3000, 3000), 0.0, 599999.0),
                      std::clamp(t.y + rr.uniform(-3000, 3000), 0.0, 599999.0)};
  };
  auto const weekday = sim::parse_opening_hours("Mo-Fr 07:00-18:30");
  auto const early = sim::parse_opening_hours("Mo-Fr 06:00-19:30");
  auto& fa = w.facilities;
  for (std::size_t k = 0; k < n_fac; ++k) {
    random_stream rr{2, {k}};
    auto const p = near_town(rr);
    bool const assmat = rr.bernoulli(0.6);
    fa.id.push_back("k" + std::to_string(k));
    fa.name.push_back("");
    fa.kind.push_back(assmat ? sim::facility_kind::assmat : sim::facility_kind::multi_accueil);
    fa.places.push_back(assmat ? 4 : 10 + static_cast<int>(rr.below(50)));
    fa.hours.push_back(rr.bernoulli(0.1) ? early : weekday);
    fa.hours_text.push_back("");
    fa.occupancy.push_back(rr.uniform(0.8, 0.98));
    bool const labelled = rr.bernoulli(0.05);
    fa.avip.push_back(labelled ? 1 : 0);
    fa.avip_places.push_back(0);  // the default share of its places
    fa.label_year.push_back(static_cast<std::int16_t>(labelled ? 2021 : 0));
    fa.network.push_back(sim::network_idx::invalid());
    fa.manager.push_back(sim::manager_idx::invalid());
    fa.bus.push_back(sim::bus_idx::invalid());
    fa.synthetic.push_back(1);
    fa.source.push_back("");
    fa.location.push_back(p);
    fa.commune.push_back(commune_of(p.x, p.y));
    fa.qpv.push_back(sim::qpv_idx::invalid());
    fa.cell.push_back(sim::cell_idx::invalid());
  }
  auto const need = sim::parse_opening_hours("Mo-Fr 08:00-17:00");
  auto& fm = w.families;
  for (std::size_t f = 0; f < n_fam; ++f) {
    random_stream rr{3, {f}};
    auto const p = near_town(rr);
    fm.id.push_back("");
    fm.location.push_back(p);
    fm.commune.push_back(commune_of(p.x, p.y));
    fm.qpv.push_back(sim::qpv_idx::invalid());
    fm.cell.push_back(sim::cell_idx::invalid());
    fm.zrr.push_back(0);
    fm.children_under_3.push_back(1);
    fm.child_age_months.push_back(static_cast<std::uint8_t>(6 + rr.below(30)));
    fm.disabled_child.push_back(0);
    fm.single_parent.push_back(rr.bernoulli(0.4) ? 1 : 0);
    fm.parent_under_26.push_back(rr.bernoulli(0.3) ? 1 : 0);
    fm.path.push_back(sim::insertion_path::job_search);
    fm.hours.push_back(need);
    fm.mobility_mode.push_back(rr.bernoulli(0.55) ? sim::mobility::car : sim::mobility::walk);
    fm.referral_month.push_back(-1);
    fm.synthetic.push_back(1);
  }
  return w;
}

}  // namespace

int main(int argc, char** argv) {
  std::string scenario = "scenarios/reunion/baseline.json";
  int reps = 1000;
  std::size_t families = 2'000'000;
  std::size_t facilities = 300'000;
  int national_reps = 100;
  bool skip_national = false;
  for (int i = 1; i < argc; ++i) {
    std::string const a = argv[i];
    auto next = [&] { return i + 1 < argc ? std::string{argv[++i]} : std::string{"0"}; };
    if (a == "--scenario")
      scenario = next();
    else if (a == "--replications")
      reps = std::stoi(next());
    else if (a == "--families")
      families = std::stoull(next());
    else if (a == "--facilities")
      facilities = std::stoull(next());
    else if (a == "--national-replications")
      national_reps = std::stoi(next());
    else if (a == "--skip-national")
      skip_national = true;
  }
  std::printf(
      "engine core: sim::run only (replications and indicators); for `avipsim run` end to end, "
      "bash bench/reunion-run\n");
  scenarios::prepared prep;
  double const prepare_s = seconds([&] { prep = scenarios::prepare(scenario, true, false); });
  auto const& w0 = prep.world;
  sim::run_results r;
  double const s = seconds([&] { r = sim::run(w0, prep.spec.params, {reps, prep.spec.seed, false}); });
  std::printf(
      "La Réunion, engine core on the prepared baseline world (%s; loading, edits and bus times took "
      "%.2f s, not counted; no outputs written): %zu families, %zu facilities, %d replications: %.2f s, "
      "peak RSS %.0f MB, coverage %.3f\n",
      scenario.c_str(), prepare_s, w0.families.size(), w0.facilities.size(), reps, s, avip::peak_rss_mb(),
      r.island.coverage.mean());
  if (skip_national) {
    return 0;
  }
  sim::world w;
  double const build = seconds([&] { w = national(families, facilities); });
  sim::params const p;
  double const run_s = seconds([&] { r = sim::run(w, p, {national_reps, 1, false}); });
  std::printf(
      "national-size, engine core on a synthetic world (no file reading, no bus times, no outputs): %zu "
      "families, %zu facilities (generated in memory in %.1f s, not counted), %d replications: %.1f s "
      "(goal < 600 s), peak RSS %.0f MB (goal < 8192; the process's peak, La Réunion included), "
      "coverage %.3f\n",
      families, facilities, build, national_reps, run_s, avip::peak_rss_mb(), r.island.coverage.mean());
  return 0;
}
