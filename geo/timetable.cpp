#include "geo/timetable.hpp"

#include <algorithm>
#include <cmath>
#include <functional>
#include <queue>
#include <unordered_map>
#include <utility>

#include <tbb/enumerable_thread_specific.h>
#include <tbb/parallel_for.h>

namespace avip::geo {

namespace {

/// Trip t can follow trip u in one route when it neither leaves nor arrives earlier anywhere.
bool follows(gtfs_feed const& f, std::uint32_t u, std::uint32_t t, std::size_t n) {
  for (std::size_t i = 0; i < n; ++i) {
    if (f.departure[f.trip_offset[t] + i] < f.departure[f.trip_offset[u] + i] ||
        f.arrival[f.trip_offset[t] + i] < f.arrival[f.trip_offset[u] + i]) {
      return false;
    }
  }
  return true;
}

std::uint64_t grid_key(double x, double y, double size) {
  auto const bx = static_cast<std::int64_t>(std::floor(x / size)) + (1LL << 31);
  auto const by = static_cast<std::int64_t>(std::floor(y / size)) + (1LL << 31);
  return (static_cast<std::uint64_t>(bx) << 32U) | static_cast<std::uint64_t>(by);
}

}  // namespace

timetable::timetable(std::vector<gtfs_feed const*> const& feeds, std::vector<xy> stop_xy,
                     timetable_options const& options)
    : stop_xy_{std::move(stop_xy)}, options_{options} {
  std::uint32_t first = 0;
  for (auto const* f : feeds) {
    add_feed(*f, first);
    first += static_cast<std::uint32_t>(f->stop_count());
  }
  index_stops();
  close_footpaths();
}

void timetable::add_feed(gtfs_feed const& f, std::uint32_t first_stop) {
  for (auto const& pat : f.patterns) {
    auto const n = pat.stops.size();
    if (n < 2 || pat.trips.empty()) {
      continue;
    }
    // Greedy first fit over trips by first departure: an overtaking trip opens a new route.
    std::vector<std::vector<std::uint32_t>> split;
    for (auto t : pat.trips) {
      auto it = std::find_if(split.begin(), split.end(),
                             [&](auto const& trips) { return follows(f, trips.back(), t, n); });
      if (it == split.end()) {
        split.push_back({t});
      } else {
        it->push_back(t);
      }
    }
    for (auto const& trips : split) {
      for (auto s : pat.stops) {
        route_stops_.push_back(first_stop + s);
      }
      route_stop_offset_.push_back(static_cast<std::uint32_t>(route_stops_.size()));
      route_trip_count_.push_back(static_cast<std::uint32_t>(trips.size()));
      route_time_offset_.push_back(arrival_.size());
      for (auto t : trips) {
        for (std::size_t i = 0; i < n; ++i) {
          arrival_.push_back(f.arrival[f.trip_offset[t] + i]);
          departure_.push_back(f.departure[f.trip_offset[t] + i]);
        }
      }
    }
  }
}

void timetable::index_stops() {
  auto const n = stop_count();
  stop_route_offset_.assign(n + 1, 0);
  for (auto s : route_stops_) {
    ++stop_route_offset_[s + 1];
  }
  for (std::size_t s = 0; s < n; ++s) {
    stop_route_offset_[s + 1] += stop_route_offset_[s];
  }
  stop_routes_.resize(route_stops_.size());
  auto cursor = stop_route_offset_;
  for (std::uint32_t r = 0; r + 1 < route_stop_offset_.size(); ++r) {
    for (std::uint32_t pos = 0; pos < route_size(r); ++pos) {
      stop_routes_[cursor[route_stop(r, pos)]++] = {r, pos};
    }
  }
}

void timetable::close_footpaths() {
  auto const n = stop_count();
  double const radius = options_.transfer_radius_m;
  // Direct edges: stops within the radius, found through a grid of radius-sized buckets.
  std::unordered_map<std::uint64_t, std::vector<std::uint32_t>> buckets;
  for (std::uint32_t s = 0; s < n; ++s) {
    buckets[grid_key(stop_xy_[s].x, stop_xy_[s].y, radius)].push_back(s);
  }
  std::vector<std::vector<footpath>> direct(n);
  tbb::parallel_for(std::size_t{0}, n, [&](std::size_t a) {
    for (int dx = -1; dx <= 1; ++dx) {
      for (int dy = -1; dy <= 1; ++dy) {
        auto it = buckets.find(grid_key(stop_xy_[a].x + dx * radius, stop_xy_[a].y + dy * radius, radius));
        if (it == buckets.end()) {
          continue;
        }
        for (auto b : it->second) {
          double const d = std::hypot(stop_xy_[a].x - stop_xy_[b].x, stop_xy_[a].y - stop_xy_[b].y);
          if (b != a && d <= radius) {
            direct[a].push_back({b, static_cast<std::int32_t>(std::lround(walk_seconds(d)))});
          }
        }
      }
    }
  });
  // Transitive closure: Dijkstra from every stop over the direct edges, bounded by the longest walk.
  auto const bound = static_cast<std::int32_t>(std::lround(walk_seconds(options_.max_transfer_walk_m)));
  std::vector<std::vector<footpath>> closed(n);
  struct dijkstra_scratch {
    std::vector<std::int32_t> dist;
    std::vector<std::uint32_t> touched;
  };
  tbb::enumerable_thread_specific<dijkstra_scratch> tls;
  tbb::parallel_for(std::size_t{0}, n, [&](std::size_t a) {
    if (direct[a].empty()) {
      return;
    }
    auto& sc = tls.local();
    sc.dist.resize(n, kNever);
    using item = std::pair<std::int32_t, std::uint32_t>;
    std::priority_queue<item, std::vector<item>, std::greater<>> q;
    sc.dist[a] = 0;
    sc.touched.push_back(static_cast<std::uint32_t>(a));
    q.emplace(0, static_cast<std::uint32_t>(a));
    while (!q.empty()) {
      auto const [d, s] = q.top();
      q.pop();
      if (d > sc.dist[s]) {
        continue;
      }
      if (s != a) {
        closed[a].push_back({s, d});
      }
      for (auto const& e : direct[s]) {
        auto const nd = d + e.seconds;
        if (nd <= bound && nd < sc.dist[e.to]) {
          if (sc.dist[e.to] == kNever) {
            sc.touched.push_back(e.to);
          }
          sc.dist[e.to] = nd;
          q.emplace(nd, e.to);
        }
      }
    }
    for (auto s : sc.touched) {
      sc.dist[s] = kNever;
    }
    sc.touched.clear();
    std::sort(closed[a].begin(), closed[a].end(), [](auto const& x, auto const& y) { return x.to < y.to; });
  });
  footpath_offset_.assign(n + 1, 0);
  for (std::size_t s = 0; s < n; ++s) {
    footpath_offset_[s + 1] = footpath_offset_[s] + static_cast<std::uint32_t>(closed[s].size());
  }
  footpaths_.reserve(footpath_offset_[n]);
  for (auto const& c : closed) {
    footpaths_.insert(footpaths_.end(), c.begin(), c.end());
  }
}

std::uint32_t timetable::earliest_trip(std::uint32_t r, std::uint32_t pos, std::int32_t t,
                                       std::uint32_t before) const {
  // Trips never overtake within a route: departures at `pos` are sorted by trip.
  std::uint32_t lo = 0;
  std::uint32_t hi = before;
  while (lo < hi) {
    auto const mid = lo + (hi - lo) / 2;
    if (departure(r, mid, pos) < t) {
      lo = mid + 1;
    } else {
      hi = mid;
    }
  }
  return lo;
}

std::size_t timetable::trip_count() const {
  std::size_t n = 0;
  for (auto c : route_trip_count_) {
    n += c;
  }
  return n;
}

std::size_t timetable::memory_bytes() const {
  return stop_xy_.size() * sizeof(xy) + route_stops_.size() * 4 + route_stop_offset_.size() * 4 +
         route_trip_count_.size() * 4 + route_time_offset_.size() * sizeof(std::size_t) +
         (arrival_.size() + departure_.size()) * 4 + stop_route_offset_.size() * 4 +
         stop_routes_.size() * sizeof(route_at) + footpath_offset_.size() * 4 +
         footpaths_.size() * sizeof(footpath);
}

}  // namespace avip::geo
