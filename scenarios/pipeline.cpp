#include "scenarios/pipeline.hpp"

#include <algorithm>
#include <chrono>
#include <cstring>
#include <iostream>
#include <limits>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <tuple>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "core/error.hpp"
#include "geo/file_hash.hpp"
#include "geo/road_network.hpp"
#include "geo/travel_times.hpp"
#include "scenarios/apply.hpp"
#include "scenarios/scenario_check.hpp"
#include "sim/comparison.hpp"
#include "sim/engine.hpp"
#include "sim/fca.hpp"
#include "sim/results_archive.hpp"
#include "territory/load.hpp"
#include "viz/run_outputs.hpp"

namespace avip::scenarios {

namespace fs = std::filesystem;

namespace {

/// FNV-1a over bytes, to key the bus caches.
struct hasher {
  std::uint64_t h{14695981039346656037ULL};
  void bytes(void const* p, std::size_t n) {
    auto const* c = static_cast<unsigned char const*>(p);
    for (std::size_t i = 0; i < n; ++i) {
      h = (h ^ c[i]) * 1099511628211ULL;
    }
  }
  template <typename T>
  void value(T const& v) {
    bytes(&v, sizeof v);
  }
  void text(std::string const& s) {
    value(s.size());
    bytes(s.data(), s.size());
  }
};

/// Timetables and bus times already computed in this process, keyed by a hash of their inputs.
struct bus_cache {
  std::mutex mutex;
  std::map<std::uint64_t, std::shared_ptr<geo::bus_network const>> networks;
  std::map<std::uint64_t, std::shared_ptr<sim::bus_access const>> times;
};

bus_cache& cache() {
  static bus_cache c;
  return c;
}

/// The timetable a trip of the model runs on.
geo::service_kind service_kind_of(sim::bus_trip trip) {
  switch (trip) {
    case sim::bus_trip::saturday:
      return geo::service_kind::saturday;
    case sim::bus_trip::sunday:
      return geo::service_kind::sunday;
    default:
      return geo::service_kind::weekday;
  }
}

/// The (cell, window key) pairs to compute: the bus families' windows, and with `standard` every
/// populated cell × the standard windows.
std::vector<std::pair<std::uint32_t, std::uint16_t>> needed_pairs(sim::world const& w, bool standard) {
  std::vector<std::pair<std::uint32_t, std::uint16_t>> pairs;
  for (std::size_t i = 0; i < w.families.size(); ++i) {
    auto const f = sim::family_idx::from(i);
    if (w.families.mobility_mode[f] != sim::mobility::bus || !w.families.cell[f].valid()) {
      continue;
    }
    auto const need = sim::bus_windows_of(w.families.hours[f]);
    auto const c = static_cast<std::uint32_t>(w.families.cell[f].index());
    need.for_each_key([&](std::uint16_t key) { pairs.emplace_back(c, key); });
  }
  if (standard) {
    for (std::size_t i = 0; i < w.grid.size(); ++i) {
      if (w.grid.people[sim::cell_idx::from(i)] > 0) {
        for (auto const& keys : sim::kStandardBusKeys) {
          pairs.emplace_back(static_cast<std::uint32_t>(i), keys[0]);
          pairs.emplace_back(static_cast<std::uint32_t>(i), keys[1]);
        }
      }
    }
  }
  std::sort(pairs.begin(), pairs.end());
  pairs.erase(std::unique(pairs.begin(), pairs.end()), pairs.end());
  return pairs;
}

geo::bus_request make_request(sim::world const& w,
                              std::vector<std::pair<std::uint32_t, std::uint16_t>> const& pairs,
                              std::vector<std::uint16_t>& keys) {
  geo::bus_request r;
  for (auto const& c : w.grid.centre) {
    r.homes.push_back({c.x, c.y});
  }
  for (auto const& l : w.facilities.location) {
    r.facilities.push_back({l.x, l.y});
  }
  keys.clear();
  for (auto const& pr : pairs) {
    keys.push_back(pr.second);
  }
  std::sort(keys.begin(), keys.end());
  keys.erase(std::unique(keys.begin(), keys.end()), keys.end());
  for (auto k : keys) {
    auto const d = sim::bus_key_departures(k);
    auto const trip = sim::bus_key_trip(k);
    r.windows.push_back({trip != sim::bus_trip::evening, service_kind_of(trip), d[0], d[1]});
  }
  for (auto const& [c, k] : pairs) {
    auto const win = std::lower_bound(keys.begin(), keys.end(), k) - keys.begin();
    r.pairs.emplace_back(c, static_cast<std::uint32_t>(win));
  }
  return r;
}

}  // namespace

sim::bus_access compute_bus_access(territory::territory const& t, sim::world const& w, sim::params const& p,
                                   std::vector<edit> const& edits, bus_access_options const& ba) {
  if (t.gtfs.empty()) {
    return {};
  }
  geo::travel_time_options o;
  o.tolerance_minutes = p.tolerance_minutes[static_cast<std::size_t>(sim::mobility::bus)];
  o.walk_speed_kmh = p.walk_speed_kmh;
  o.detour_factor = p.detour_factor;
  o.progress = ba.progress;
  o.service_date = ba.service_date;
  o.stops_extent = territory::stops_extent(t);
  std::vector<std::string> feeds;
  hasher net_key;
  for (auto const& g : t.gtfs) {
    feeds.push_back(g.string());
    net_key.text(fs::weakly_canonical(g).string());
    net_key.text(fs::is_regular_file(g) ? geo::file_sha256(g.string()) : std::string{});
  }
  for (auto const& e : edits) {
    if (e.kind == edit_kind::bus_service) {
      o.service_edits.push_back({e.routes, e.service_from_s, e.service_to_s, e.frequency_factor, e.headway_s,
                                 e.file + ": " + e.pointer});
      for (auto const& r : e.routes) {
        net_key.text(r);
      }
      net_key.value(e.service_from_s);
      net_key.value(e.service_to_s);
      net_key.value(e.frequency_factor);
      net_key.value(e.headway_s);
    }
  }
  net_key.text(o.service_date);
  net_key.value(w.epsg);
  net_key.value(o.walk_speed_kmh);
  net_key.value(o.detour_factor);
  auto const pairs = needed_pairs(w, ba.standard_windows);
  hasher times_key = net_key;
  times_key.value(o.tolerance_minutes);
  times_key.bytes(pairs.data(), pairs.size() * sizeof(pairs[0]));
  times_key.bytes(w.grid.centre.data(), w.grid.centre.size() * sizeof(sim::point));
  times_key.bytes(w.facilities.location.data(), w.facilities.location.size() * sizeof(sim::point));
  auto& c = cache();
  std::lock_guard const lock{c.mutex};
  if (auto it = c.times.find(times_key.h); it != c.times.end()) {
    return *it->second;
  }
  auto& net = c.networks[net_key.h];
  if (!net) {
    net = std::make_shared<geo::bus_network const>(feeds, w.epsg, o);
  }
  std::vector<std::uint16_t> keys;
  auto const request = make_request(w, pairs, keys);
  auto const m = geo::bus_profiles(*net, request, o);
  auto bus = std::make_shared<sim::bus_access>();
  for (auto const& [cell, key] : pairs) {
    bus->row.push_back(sim::bus_access::row_key(sim::cell_idx::from(cell), key));
  }
  bus->offsets = m.offsets;
  bus->facility.reserve(m.facility.size());
  for (auto k : m.facility) {
    bus->facility.push_back(sim::facility_idx{k});
  }
  bus->median = m.median;
  bus->p80 = m.p80;
  c.times[times_key.h] = bus;
  return *bus;
}

sim::bus_access compute_bus_access(territory::territory const& t, sim::world const& w, sim::params const& p,
                                   std::vector<edit> const& edits, bool progress) {
  bus_access_options o;
  o.progress = progress;
  return compute_bus_access(t, w, p, edits, o);
}

namespace {

/// Road graphs already read in this process, keyed by file, CRS and walking speed (a compare reads the
/// extract once).
struct road_cache {
  std::mutex mutex;
  std::map<std::tuple<std::string, int, double>, std::shared_ptr<geo::road_network const>> networks;
};

std::shared_ptr<geo::road_network const> road_network_of(territory::territory const& t, int epsg,
                                                         double walk_speed_kmh) {
  static road_cache c;
  std::lock_guard const lock{c.mutex};
  auto& net = c.networks[{fs::weakly_canonical(t.roads).string(), epsg, walk_speed_kmh}];
  if (!net) {
    geo::road_options o;
    o.walk_speed_kmh = walk_speed_kmh;
    net = std::make_shared<geo::road_network const>(geo::road_network::read_osm(t.roads.string(), epsg, o));
  }
  return net;
}

/// Merges one family's car and walking rows (each sorted by facility) into `r`.
void merge_row(geo::road_times const& car, std::size_t car_row, geo::road_times const& walk, std::size_t i,
               sim::road_access& r) {
  constexpr float inf = std::numeric_limits<float>::infinity();
  auto c = car_row == SIZE_MAX ? 0 : car.offsets[car_row];
  auto const ce = car_row == SIZE_MAX ? 0 : car.offsets[car_row + 1];
  auto k = walk.offsets[i];
  auto const ke = walk.offsets[i + 1];
  while (c < ce || k < ke) {
    auto const tc = c < ce ? car.target[c] : UINT32_MAX;
    auto const tw = k < ke ? walk.target[k] : UINT32_MAX;
    auto const t = std::min(tc, tw);
    r.facility.push_back(sim::facility_idx{t});
    r.car.push_back(tc == t ? car.minutes[c++] : inf);
    r.walk.push_back(tw == t ? walk.minutes[k++] : inf);
  }
}

}  // namespace

sim::road_access compute_road_access(territory::territory const& t, sim::world const& w,
                                     sim::params const& p) {
  if (t.roads.empty()) {
    return {};
  }
  auto const net = road_network_of(t, w.epsg, p.walk_speed_kmh);
  std::vector<geo::xy> homes;
  std::vector<geo::xy> drivers;  // only car families drive
  std::vector<std::size_t> car_row(w.families.size(), SIZE_MAX);
  for (std::size_t i = 0; i < w.families.size(); ++i) {
    auto const& l = w.families.location[sim::family_idx::from(i)];
    homes.push_back({l.x, l.y});
    if (w.families.mobility_mode[sim::family_idx::from(i)] == sim::mobility::car) {
      car_row[i] = drivers.size();
      drivers.push_back({l.x, l.y});
    }
  }
  std::vector<geo::xy> facilities;
  for (auto const& l : w.facilities.location) {
    facilities.push_back({l.x, l.y});
  }
  // Every mode walks: bus families up to the bus tolerance, so walking is bounded by the longest one.
  auto const& tol = p.tolerance_minutes;
  double const walk_bound = *std::max_element(tol.begin(), tol.end());
  double const car_bound = tol[static_cast<std::size_t>(sim::mobility::car)];
  auto const walk = geo::one_to_many(*net, geo::road_mode::walk, homes, facilities, walk_bound);
  auto const car = geo::one_to_many(*net, geo::road_mode::car, drivers, facilities, car_bound);
  sim::road_access r;
  r.max_car_kmh = net->max_car_kmh();
  r.family_walks_on_roads = walk.origin_snapped;
  r.facility_walks_on_roads = walk.target_snapped;
  r.offsets.assign(w.families.size() + 1, 0);
  for (std::size_t i = 0; i < w.families.size(); ++i) {
    merge_row(car, car_row[i], walk, i, r);
    r.offsets[i + 1] = static_cast<std::uint32_t>(r.facility.size());
  }
  return r;
}

namespace {

/// The feeds' service days and validity; bus_service routes must be in a feed.
geo::transit_summary transit_of(territory::territory const& t, scenario const& s) {
  std::vector<std::string> feeds;
  for (auto const& g : t.gtfs) {
    feeds.push_back(g.string());
  }
  if (feeds.empty()) {
    return {};
  }
  auto tr = geo::describe_transit(feeds, s.date);
  for (auto const& e : s.edits) {
    for (std::size_t i = 0; e.kind == edit_kind::bus_service && i < e.routes.size(); ++i) {
      if (!tr.has_route(e.routes[i])) {
        throw scenario_error{fmt::format("{}: {}/routes/{}: no route '{}' in the GTFS feeds ({})", e.file,
                                         e.pointer, i, e.routes[i], fmt::join(feeds, ", "))};
      }
    }
  }
  for (auto const& w : tr.warnings) {
    std::cerr << "warning: " << w << '\n';
  }
  return tr;
}

}  // namespace

prepared prepare(fs::path const& scenario_file, bool with_bus, bool progress, std::string const& date,
                 fs::path const& synthetic_dir) {
  prepared p;
  p.spec = read_scenario(scenario_file);
  if (!date.empty()) {
    p.spec.date = date;
  }
  p.territory = territory::load_territory(p.spec.territory, false, synthetic_dir);
  p.world = apply_edits(p.spec, p.territory);
  p.transit = transit_of(p.territory, p.spec);
  if (with_bus) {
    bus_access_options o;
    o.progress = progress;
    o.service_date = p.spec.date;
    p.world.bus = compute_bus_access(p.territory, p.world, p.spec.params, p.spec.edits, o);
  }
  if (with_bus) {  // the run's travel times: bus above, car and walking on roads here
    p.world.roads = compute_road_access(p.territory, p.world, p.spec.params);
  }
  return p;
}

viz::run_metadata run_metadata_of(prepared const& p, run_request const& request, int replications,
                                  std::uint64_t seed, double seconds) {
  viz::run_metadata m;
  m.scenario_name = p.spec.name;
  m.scenario_file = p.spec.file.string();
  m.scenario_json = p.spec.resolved_json;
  m.version = AVIP_VERSION;
  m.seed = seed;
  m.replications = replications;
  m.threads = request.threads;
  m.elapsed_seconds = seconds;
  m.observed_file = request.observed;
  m.transit = p.transit;
  return m;
}

sim::run_results run_into(prepared const& p, run_request const& request, fs::path const& dir) {
  auto const start = std::chrono::steady_clock::now();
  sim::run_options o;
  o.replications = request.replications.value_or(p.spec.replications);
  o.seed = request.seed.value_or(p.spec.seed);
  o.progress = request.progress;
  o.on_progress = request.on_progress;
  o.cancel = request.cancel;
  auto results = sim::run(p.world, p.spec.params, o);
  sim::fill_accessibility(p.world, p.spec.params, results);
  double const secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  viz::write_run_outputs(dir, p.territory, p.world, p.spec.params, results,
                         run_metadata_of(p, request, o.replications, o.seed, secs));
  return results;
}

void compare_into(std::vector<fs::path> const& files, run_request const& request, fs::path const& dir,
                  sweep_partition const& partition) {
  if (files.empty()) {
    throw usage_error{"compare: give at least one scenario"};
  }
  // Checked on every rank before any work, so that no rank waits for one that failed.
  std::vector<scenario> specs;
  for (auto const& f : files) {
    specs.push_back(read_scenario(f));
  }
  for (auto const& s : specs) {
    if (fs::weakly_canonical(s.territory) != fs::weakly_canonical(specs.front().territory)) {
      throw usage_error{fmt::format("compare: {} uses another territory than {}", s.file.string(),
                                    specs.front().file.string())};
    }
  }
  bool const root = partition.rank == 0;
  // Rank 0 prepares every scenario (the outputs need their worlds); another rank only its own.
  auto const mine = partition.mine(files.size());
  std::vector<std::optional<prepared>> preps(files.size());
  for (std::size_t i = 0; i < files.size(); ++i) {
    if (root || std::find(mine.begin(), mine.end(), i) != mine.end()) {
      preps[i] = prepare(files[i], true, request.progress && root, request.date);
    }
  }
  // Common random numbers: one seed and one replication count for all.
  sim::run_options o;
  o.replications = request.replications.value_or(specs.front().replications);
  o.seed = request.seed.value_or(specs.front().seed);
  o.progress = request.progress && root;
  std::vector<std::string> ran;
  for (auto const i : mine) {
    auto const& p = *preps[i];
    auto const start = std::chrono::steady_clock::now();
    auto r = sim::run(p.world, p.spec.params, o);
    sim::fill_accessibility(p.world, p.spec.params, r);
    double const secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    ran.push_back(std::string(reinterpret_cast<char const*>(&secs), sizeof secs) + sim::encode_results(r));
  }
  auto const all = partition.gather_items(ran, files.size());
  if (!root) {
    return;
  }
  std::vector<sim::run_results> results;
  std::vector<viz::compared_scenario> meta;
  std::vector<std::string> names;
  std::map<std::string, int> seen;
  for (std::size_t i = 0; i < files.size(); ++i) {
    auto const& p = *preps[i];
    double secs = 0;
    std::memcpy(&secs, all[i].data(), sizeof secs);
    results.push_back(sim::decode_results(all[i].substr(sizeof secs)));
    auto name = p.spec.name;
    if (int const n = seen[name]++; n > 0) {
      name += fmt::format(" ({})", n + 1);
    }
    names.push_back(name);
    viz::compared_scenario cs;
    cs.meta = run_metadata_of(p, request, o.replications, o.seed, secs);
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
  viz::write_comparison_outputs(dir, preps.front()->territory, meta, c);
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
