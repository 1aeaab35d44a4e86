#include "geo/travel_times.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <memory>
#include <unordered_map>

#include <tbb/enumerable_thread_specific.h>
#include <tbb/parallel_for.h>

#include "core/progress.hpp"
#include "geo/geos_context.hpp"
#include "geo/gtfs_feed.hpp"
#include "geo/raptor.hpp"

namespace avip::geo {

namespace {

constexpr float kInf = std::numeric_limits<float>::infinity();

/// Stop-to-stop shortest times (seconds) over the departures of a window: row = from, column = to.
std::vector<float> stop_matrix(raptor const& r, std::size_t n, int from_s, int to_s, int step_s,
                               int deadline_s) {
  std::vector<float> m(n * n, kInf);
  tbb::enumerable_thread_specific<raptor::scratch> scratch;
  tbb::enumerable_thread_specific<std::vector<std::int32_t>> best;
  tbb::parallel_for(std::size_t{0}, n, [&](std::size_t a) {
    auto& s = scratch.local();
    auto& b = best.local();
    for (int t = from_s; t <= to_s; t += step_s) {
      r.earliest_arrival({{static_cast<std::uint32_t>(a), t}}, s, b);
      for (std::size_t j = 0; j < n; ++j) {
        if (b[j] != raptor::kNever && b[j] <= deadline_s) {
          m[a * n + j] = std::min(m[a * n + j], static_cast<float>(b[j] - t));
        }
      }
    }
  });
  return m;
}

/// Stops within walking reach of each point, with the walking seconds.
std::vector<std::vector<std::pair<std::uint32_t, float>>> near_stops(std::vector<xy> const& pts,
                                                                     std::vector<xy> const& stops,
                                                                     travel_time_options const& o) {
  double const cell = o.max_access_m;
  std::unordered_map<std::uint64_t, std::vector<std::uint32_t>> buckets;
  auto key = [&](double x, double y) {
    return (static_cast<std::uint64_t>(static_cast<std::int64_t>(std::floor(x / cell)) + (1LL << 31))
            << 32U) |
           static_cast<std::uint64_t>(static_cast<std::int64_t>(std::floor(y / cell)) + (1LL << 31));
  };
  for (std::size_t s = 0; s < stops.size(); ++s) {
    buckets[key(stops[s].x, stops[s].y)].push_back(static_cast<std::uint32_t>(s));
  }
  std::vector<std::vector<std::pair<std::uint32_t, float>>> out(pts.size());
  tbb::parallel_for(std::size_t{0}, pts.size(), [&](std::size_t i) {
    for (int dx = -1; dx <= 1; ++dx) {
      for (int dy = -1; dy <= 1; ++dy) {
        auto it = buckets.find(key(pts[i].x + dx * cell, pts[i].y + dy * cell));
        if (it == buckets.end()) {
          continue;
        }
        for (auto s : it->second) {
          double const d = std::hypot(pts[i].x - stops[s].x, pts[i].y - stops[s].y);
          if (d <= o.max_access_m) {
            out[i].emplace_back(s, static_cast<float>(d * o.detour_factor / (o.walk_speed_kmh / 3.6)));
          }
        }
      }
    }
  });
  return out;
}

struct window_spec {
  int from_s, to_s;
  int deadline_s;  ///< latest arrival at the last stop
  bool outbound;   ///< home → facility (else facility → home)
  bool saturday;
};

}  // namespace

transit_matrix bus_travel_times(std::vector<std::string> const& feeds, int epsg,
                                std::vector<xy> const& origins, std::vector<xy> const& destinations,
                                travel_time_options const& o) {
  auto const n_o = origins.size();
  auto const n_d = destinations.size();
  // best[w][i * n_d + j] would be too large; keep per origin only destinations within tolerance.
  // Sub-windows: 0 morning, 1 evening (weekday = worse of both), 2 early, 3 late, 4 saturday.
  constexpr int kAny = 48 * 3600;
  std::array<window_spec, 5> const windows{{{7 * 3600, 8 * 3600 + 1800, 9 * 3600, true, false},
                                            {17 * 3600, 18 * 3600 + 1800, kAny, false, false},
                                            {5 * 3600 + 1800, 7 * 3600, 7 * 3600 + 1800, true, false},
                                            {19 * 3600, 20 * 3600 + 1800, kAny, false, false},
                                            {7 * 3600 + 1800, 9 * 3600, 10 * 3600, true, true}}};
  float const tol_s = static_cast<float>(o.tolerance_minutes * 60.0);
  std::vector<std::vector<std::pair<std::uint32_t, std::array<float, 5>>>> per_origin(n_o);
  progress bar{"avipsim: bus travel times", feeds.size() * (windows.size() + 2), o.progress};
  for (auto const& path : feeds) {
    for (bool saturday : {false, true}) {
      auto feed = read_gtfs(path, {"", saturday ? 5 : 1});
      apply_service_edits(feed, o.service_edits);
      transformer const to_metric{4326, epsg};
      std::vector<xy> stops;
      for (auto const& p : feed.stop_lonlat) {
        stops.push_back(to_metric.forward(p));
      }
      raptor const r{feed, stops,
                     raptor_options{o.max_transfers, o.transfer_radius_m, o.walk_speed_kmh, o.detour_factor}};
      auto const access = near_stops(origins, stops, o);
      auto const egress = near_stops(destinations, stops, o);
      auto const n = stops.size();
      for (std::size_t w = 0; w < windows.size(); ++w) {
        if (windows[w].saturday != saturday) {
          continue;
        }
        auto const m =
            stop_matrix(r, n, windows[w].from_s, windows[w].to_s, o.step_minutes * 60, windows[w].deadline_s);
        bar.advance();
        tbb::enumerable_thread_specific<std::vector<float>> via_tls([n] { return std::vector<float>(n); });
        tbb::parallel_for(std::size_t{0}, n_o, [&](std::size_t i) {
          if (access[i].empty()) {
            return;
          }
          // Home → stop b (outbound), or stop b → home (inbound), through the stops near home.
          auto& via = via_tls.local();
          std::fill(via.begin(), via.end(), kInf);
          for (auto const& [a, walk] : access[i]) {
            for (std::size_t b = 0; b < n; ++b) {
              float const t = windows[w].outbound ? m[a * n + b] : m[b * n + a];
              via[b] = std::min(via[b], walk + t);
            }
          }
          auto& mine = per_origin[i];
          std::size_t cursor = 0;
          for (std::size_t j = 0; j < n_d; ++j) {
            float best = kInf;
            for (auto const& [b, walk] : egress[j]) {
              best = std::min(best, via[b] + walk);
            }
            if (best > tol_s) {
              continue;
            }
            // Entries are kept sorted by destination: find or insert j.
            while (cursor < mine.size() && mine[cursor].first < j) {
              ++cursor;
            }
            if (cursor == mine.size() || mine[cursor].first != j) {
              std::array<float, 5> none;
              none.fill(kInf);
              mine.insert(mine.begin() + static_cast<std::ptrdiff_t>(cursor),
                          {static_cast<std::uint32_t>(j), none});
            }
            mine[cursor].second[w] = std::min(mine[cursor].second[w], best);
          }
        });
      }
      bar.advance();
    }
  }
  bar.finish();
  transit_matrix out;
  out.offsets.resize(n_o + 1, 0);
  auto to_minutes = [&](float s) {
    return s > tol_s ? kUnreachableMinutes : static_cast<std::uint16_t>(std::ceil(s / 60.0F));
  };
  for (std::size_t i = 0; i < n_o; ++i) {
    for (auto const& [j, t] : per_origin[i]) {
      float const weekday = std::max(t[0], t[1]);
      std::array<std::uint16_t, kTransitWindows> mins{to_minutes(weekday), to_minutes(t[2]), to_minutes(t[3]),
                                                      to_minutes(t[4])};
      if (std::all_of(mins.begin(), mins.end(), [](auto v) { return v == kUnreachableMinutes; })) {
        continue;
      }
      out.destination.push_back(j);
      out.minutes.push_back(mins);
    }
    out.offsets[i + 1] = static_cast<std::uint32_t>(out.destination.size());
  }
  return out;
}

std::vector<std::vector<unsigned char>> bus_reachable_zones(std::string const& feed_path, int epsg,
                                                            std::vector<xy> const& destinations, int window,
                                                            travel_time_options const& o) {
  struct spec {
    int from_s, to_s, deadline_s, weekday;
  };
  std::array<spec, 4> const specs{{{7 * 3600, 8 * 3600 + 1800, 9 * 3600, 1},
                                   {5 * 3600 + 1800, 7 * 3600, 7 * 3600 + 1800, 1},
                                   {19 * 3600, 20 * 3600 + 1800, 48 * 3600, 1},
                                   {7 * 3600 + 1800, 9 * 3600, 10 * 3600, 5}}};
  auto const& w = specs.at(static_cast<std::size_t>(window));
  auto feed = read_gtfs(feed_path, {"", w.weekday});
  apply_service_edits(feed, o.service_edits);
  transformer const to_metric{4326, epsg};
  std::vector<xy> stops;
  for (auto const& p : feed.stop_lonlat) {
    stops.push_back(to_metric.forward(p));
  }
  raptor const r{feed, stops,
                 raptor_options{o.max_transfers, o.transfer_radius_m, o.walk_speed_kmh, o.detour_factor}};
  auto const n = stops.size();
  auto const m = stop_matrix(r, n, w.from_s, w.to_s, o.step_minutes * 60, w.deadline_s);
  auto const egress = near_stops(destinations, stops, o);
  double const tol_s = o.tolerance_minutes * 60.0;
  double const metres_per_s = o.walk_speed_kmh / 3.6 / o.detour_factor;
  std::vector<std::vector<unsigned char>> out(destinations.size());
  tbb::enumerable_thread_specific<std::unique_ptr<geos_context>> contexts;
  tbb::parallel_for(std::size_t{0}, destinations.size(), [&](std::size_t j) {
    auto& g = contexts.local();
    if (!g) {
      g = std::make_unique<geos_context>();
    }
    std::vector<geos_context::geometry> discs;
    // The destination itself on foot, then every stop a with time left after reaching j.
    discs.push_back(g->buffer(g->point(destinations[j].x, destinations[j].y).get(), tol_s * metres_per_s, 8));
    for (std::size_t a = 0; a < n; ++a) {
      double best = kInf;
      for (auto const& [b, walk] : egress[j]) {
        best = std::min(best, static_cast<double>(m[a * n + b]) + walk);
      }
      double const left = tol_s - best;
      if (left > 0) {
        discs.push_back(g->buffer(g->point(stops[a].x, stops[a].y).get(), left * metres_per_s, 8));
      }
    }
    auto u = g->unary_union(std::move(discs));
    out[j] = g->to_wkb(u.get());
  });
  return out;
}

}  // namespace avip::geo
