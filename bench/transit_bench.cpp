// Transit benchmark: bus travel times from every populated 200 m cell of La Réunion to every facility,
// four windows (weekday, early, late, Saturday), on the Car Jaune timetable. Goal: < 2 s on 2 cores.
//   ./build/transit_bench            (run from the project root)
#include <chrono>
#include <cstdio>

#include "core/memory.hpp"
#include "geo/travel_times.hpp"
#include "territory/load.hpp"

int main() {
  auto const t = avip::territory::load_territory("data/reunion/territory.json");
  std::vector<avip::geo::xy> origins;
  for (std::size_t i = 0; i < t.world.grid.size(); ++i) {
    auto const c = avip::sim::cell_idx::from(i);
    if (t.world.grid.people[c] > 0) {
      origins.push_back({t.world.grid.centre[c].x, t.world.grid.centre[c].y});
    }
  }
  std::vector<avip::geo::xy> dests;
  for (auto const& p : t.world.facilities.location) {
    dests.push_back({p.x, p.y});
  }
  std::vector<std::string> feeds;
  for (auto const& g : t.gtfs) {
    feeds.push_back(g.string());
  }
  avip::geo::travel_time_options o;
  o.progress = false;
  auto const t0 = std::chrono::steady_clock::now();
  auto const m = avip::geo::bus_travel_times(feeds, t.world.epsg, origins, dests, o);
  double const s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::size_t weekday = 0;
  for (auto const& mins : m.minutes) {
    weekday += mins[0] != avip::geo::kUnreachableMinutes ? 1 : 0;
  }
  std::printf(
      "bus travel times: %zu populated cells x %zu facilities x 4 windows: %.2f s (goal < 2 s), %zu pairs "
      "within "
      "%.0f min (%zu on weekdays), peak RSS %.0f MB\n",
      origins.size(), dests.size(), s, m.destination.size(), o.tolerance_minutes, weekday,
      avip::peak_rss_mb());
  return 0;
}
