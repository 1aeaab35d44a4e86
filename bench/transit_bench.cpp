// Transit benchmark (range-RAPTOR bus times, median over every departure minute of each window).
//   ./build/transit_bench                    La Réunion: every populated 200 m cell × every facility ×
//                                            the families' windows, on the Car Jaune timetable
//   ./build/transit_bench --national 0.1     a synthetic national timetable at scale 0.1 (1 = 100,000
//                                            stops, 1 M trips a day, 500,000 cells, 300,000 facilities)
// Run from the project root. Goals: Réunion ≤ 2 s and ≤ 200 MB; national ≤ 10 min and ≤ 8 GB (2 cores).
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <memory>
#include <random>
#include <string>

#include <sys/resource.h>

#include "core/memory.hpp"
#include "geo/travel_times.hpp"
#include "sim/world.hpp"
#include "territory/load.hpp"

namespace {

using avip::geo::bus_request;
using avip::geo::xy;

/// CPU seconds (user + system) of the process so far: the machine is shared, wall time alone misleads.
double cpu_seconds() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
         static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

void add_window(bus_request& r, std::uint16_t key) {
  auto const d = avip::sim::bus_key_departures(key);
  auto const trip = avip::sim::bus_key_trip(key);
  r.windows.push_back({trip != avip::sim::bus_trip::evening,
                       trip == avip::sim::bus_trip::saturday
                           ? avip::geo::service_kind::saturday
                           : (trip == avip::sim::bus_trip::sunday ? avip::geo::service_kind::sunday
                                                                  : avip::geo::service_kind::weekday),
                       d[0], d[1]});
}

int reunion() {
  auto const t = avip::territory::load_territory("data/reunion/territory.json");
  auto const& w = t.world;
  bus_request r;
  std::vector<std::uint32_t> populated;
  for (std::size_t i = 0; i < w.grid.size(); ++i) {
    auto const c = avip::sim::cell_idx::from(i);
    r.homes.push_back({w.grid.centre[c].x, w.grid.centre[c].y});
    if (w.grid.people[c] > 0) {
      populated.push_back(static_cast<std::uint32_t>(i));
    }
  }
  for (auto const& p : w.facilities.location) {
    r.facilities.push_back({p.x, p.y});
  }
  // The distinct windows of all the families (drop-off, pick-up and Saturday slots).
  std::vector<std::uint16_t> keys;
  for (auto const& h : w.families.hours) {
    avip::sim::bus_windows_of(h).for_each_key([&](std::uint16_t k) { keys.push_back(k); });
  }
  std::sort(keys.begin(), keys.end());
  keys.erase(std::unique(keys.begin(), keys.end()), keys.end());
  for (auto k : keys) {
    add_window(r, k);
  }
  for (auto c : populated) {
    for (std::uint32_t k = 0; k < keys.size(); ++k) {
      r.pairs.emplace_back(c, k);
    }
  }
  std::vector<std::string> feeds;
  for (auto const& g : t.gtfs) {
    feeds.push_back(g.string());
  }
  avip::geo::travel_time_options o;
  o.progress = false;
  auto const t0 = std::chrono::steady_clock::now();
  avip::geo::bus_network const net{feeds, w.epsg, o};
  double const load = seconds_since(t0);
  auto const t1 = std::chrono::steady_clock::now();
  double const c1 = cpu_seconds();
  auto const m = avip::geo::bus_profiles(net, r, o);
  double const route = seconds_since(t1);
  std::printf("routing CPU %.2f s (user + system, all threads)\n", cpu_seconds() - c1);
  std::printf(
      "Réunion: %zu stops, %zu trips, %zu footpaths; %zu populated cells x %zu facilities x %zu family "
      "windows "
      "(%zu out, %zu back): timetables %.2f s, routing %.2f s (%zu rRAPTOR origin-windows, %.0f /s), %zu "
      "pairs "
      "with a median within %.0f min; peak RSS %.0f MB\n",
      net.day(avip::geo::service_kind::weekday).stop_count(),
      net.day(avip::geo::service_kind::weekday).trip_count(),
      net.day(avip::geo::service_kind::weekday).footpath_count(), populated.size(), r.facilities.size(),
      keys.size(),
      static_cast<std::size_t>(
          std::count_if(r.windows.begin(), r.windows.end(), [](auto const& x) { return x.outbound; })),
      static_cast<std::size_t>(
          std::count_if(r.windows.begin(), r.windows.end(), [](auto const& x) { return !x.outbound; })),
      load, route, m.queries, static_cast<double>(m.queries) / route, m.facility.size(), o.tolerance_minutes,
      avip::peak_rss_mb());
  return 0;
}

/// A national-size synthetic day: towns on a square (density of France's 600 × 600 km with 2,000
/// towns kept at any scale), 50 stops each within 3 km, 4 urban lines of 12 stops each way every 15 min
/// 06:00–21:00 (≈ 480 trips a town), interurban lines to the 2 nearest towns hourly.
std::unique_ptr<avip::geo::timetable> national(double scale, std::vector<xy>& towns, std::mt19937_64& rng) {
  auto const n_towns = static_cast<std::size_t>(2000 * scale);
  double const side = 600000.0 * std::sqrt(scale);
  std::uniform_real_distribution<double> u(0, side);
  std::normal_distribution<double> near(0, 1500);
  avip::geo::gtfs_feed g;
  std::vector<xy> stops;
  auto add_trip = [&](std::uint32_t pattern, std::int32_t start, std::int32_t hop) {
    auto const& st = g.patterns[pattern].stops;
    g.patterns[pattern].trips.push_back(static_cast<std::uint32_t>(g.trip_offset.size()));
    g.trip_offset.push_back(static_cast<std::uint32_t>(g.arrival.size()));
    for (std::size_t i = 0; i < st.size(); ++i) {
      g.arrival.push_back(start + static_cast<std::int32_t>(i) * hop);
      g.departure.push_back(start + static_cast<std::int32_t>(i) * hop + 20);
    }
  };
  for (std::size_t t = 0; t < n_towns; ++t) {
    towns.push_back({u(rng), u(rng)});
    auto const first = static_cast<std::uint32_t>(stops.size());
    for (int s = 0; s < 50; ++s) {
      stops.push_back({towns[t].x + near(rng), towns[t].y + near(rng)});
    }
    for (int line = 0; line < 4; ++line) {
      std::vector<std::uint32_t> seq;
      for (int k = 0; k < 12; ++k) {
        seq.push_back(first + static_cast<std::uint32_t>(rng() % 50));
      }
      for (int dir = 0; dir < 2; ++dir) {
        g.patterns.push_back({seq, {}});
        auto const p = static_cast<std::uint32_t>(g.patterns.size() - 1);
        for (std::int32_t dep = 6 * 3600 + static_cast<std::int32_t>(rng() % 900); dep < 21 * 3600;
             dep += 900) {
          add_trip(p, dep, 120);
        }
        std::reverse(seq.begin(), seq.end());
      }
    }
  }
  // Interurban: each town to the next two (by index, towns being random: long lines), hourly, 3 stops.
  for (std::size_t t = 0; t + 2 < n_towns; ++t) {
    for (std::size_t d = 1; d <= 2; ++d) {
      std::vector<std::uint32_t> seq{static_cast<std::uint32_t>(t * 50),
                                     static_cast<std::uint32_t>((t + d) * 50)};
      g.patterns.push_back({seq, {}});
      for (std::int32_t dep = 6 * 3600; dep < 20 * 3600; dep += 3600) {
        add_trip(static_cast<std::uint32_t>(g.patterns.size() - 1), dep, 1800);
      }
    }
  }
  g.stop_id.resize(stops.size());
  g.stop_lonlat.resize(stops.size());
  return std::make_unique<avip::geo::timetable>(std::vector<avip::geo::gtfs_feed const*>{&g}, stops,
                                                avip::geo::timetable_options{});
}

int national_run(double scale) {
  std::mt19937_64 rng{2025};
  std::vector<xy> towns;
  auto const t0 = std::chrono::steady_clock::now();
  auto tt = national(scale, towns, rng);
  auto const trips = tt->trip_count();
  auto const stop_count = tt->stop_count();
  auto const tt_mb = static_cast<double>(tt->memory_bytes()) / 1e6;
  avip::geo::bus_network const net{std::move(tt), nullptr};
  double const build = seconds_since(t0);
  bus_request r;
  std::normal_distribution<double> near(0, 1500);
  auto const cells = static_cast<std::size_t>(500000 * scale);
  auto const facilities = static_cast<std::size_t>(300000 * scale);
  for (std::size_t i = 0; i < cells; ++i) {
    auto const& t = towns[i % towns.size()];
    r.homes.push_back({t.x + near(rng), t.y + near(rng)});
  }
  for (std::size_t i = 0; i < facilities; ++i) {
    auto const& t = towns[i % towns.size()];
    r.facilities.push_back({t.x + near(rng), t.y + near(rng)});
  }
  add_window(r, avip::sim::kStandardBusKeys[0][0]);
  add_window(r, avip::sim::kStandardBusKeys[0][1]);
  for (std::uint32_t c = 0; c < cells; ++c) {
    r.pairs.emplace_back(c, 0);
    r.pairs.emplace_back(c, 1);
  }
  avip::geo::travel_time_options o;
  o.progress = false;
  auto const t1 = std::chrono::steady_clock::now();
  double const c1 = cpu_seconds();
  auto const m = avip::geo::bus_profiles(net, r, o);
  double const route = seconds_since(t1);
  std::printf("routing CPU %.2f s (user + system, all threads)\n", cpu_seconds() - c1);
  std::printf(
      "national x%.2f: %zu stops, %zu trips, timetable %.0f MB built in %.1f s; %zu cells x %zu facilities, "
      "weekday (07:00-08:00 out, 17:00-18:00 back): routing %.1f s (%zu rRAPTOR origin-windows, %.0f /s), "
      "%zu pairs within %.0f min; peak RSS %.0f MB\n",
      scale, stop_count, trips, tt_mb, build, cells, facilities, route, m.queries,
      static_cast<double>(m.queries) / route, m.facility.size(), o.tolerance_minutes, avip::peak_rss_mb());
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc == 3 && std::strcmp(argv[1], "--national") == 0) {
    return national_run(std::stod(argv[2]));
  }
  return reunion();
}
