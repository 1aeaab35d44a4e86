#include "geo/raptor.hpp"

#include <algorithm>
#include <cmath>

namespace avip::geo {

raptor::raptor(gtfs_feed const& feed, std::vector<xy> stop_xy, raptor_options const& options)
    : feed_{feed}, stop_xy_{std::move(stop_xy)}, options_{options}, transfers_(feed.stop_count()) {
  // Walking transfers: all pairs within the radius (a few hundred stops: the square scan is cheap).
  for (std::size_t a = 0; a < stop_xy_.size(); ++a) {
    for (std::size_t b = 0; b < stop_xy_.size(); ++b) {
      if (a == b) {
        continue;
      }
      double const d = std::hypot(stop_xy_[a].x - stop_xy_[b].x, stop_xy_[a].y - stop_xy_[b].y);
      if (d <= options_.transfer_radius_m) {
        transfers_[a].emplace_back(static_cast<std::uint32_t>(b),
                                   static_cast<std::int32_t>(std::lround(walk_seconds(d))));
      }
    }
  }
}

void raptor::earliest_arrival(std::vector<std::pair<std::uint32_t, std::int32_t>> const& sources, scratch& s,
                              std::vector<std::int32_t>& best) const {
  auto const n = feed_.stop_count();
  best.assign(n, kNever);
  s.current.assign(n, kNever);
  s.marked.assign(n, 0);
  s.pattern_start.assign(feed_.patterns.size(), -1);
  for (auto const& [stop, t] : sources) {
    if (t < best[stop]) {
      best[stop] = t;
      s.current[stop] = t;
      s.marked[stop] = 1;
    }
  }
  for (int round = 0; round <= options_.max_transfers; ++round) {
    s.previous = s.current;
    // Patterns to scan, from the earliest marked stop along each.
    std::vector<std::uint32_t> queue;
    for (std::size_t stop = 0; stop < n; ++stop) {
      if (s.marked[stop] == 0) {
        continue;
      }
      s.marked[stop] = 0;
      for (auto p : feed_.patterns_of_stop[stop]) {
        auto const& stops = feed_.patterns[p].stops;
        auto const pos =
            static_cast<std::int32_t>(std::find(stops.begin(), stops.end(), stop) - stops.begin());
        if (s.pattern_start[p] < 0) {
          queue.push_back(p);
          s.pattern_start[p] = pos;
        } else {
          s.pattern_start[p] = std::min(s.pattern_start[p], pos);
        }
      }
    }
    bool improved = false;
    for (auto p : queue) {
      auto const& pat = feed_.patterns[p];
      auto const start = static_cast<std::size_t>(s.pattern_start[p]);
      s.pattern_start[p] = -1;
      std::int64_t trip = -1;
      std::size_t trip_rank = pat.trips.size();
      for (std::size_t i = start; i < pat.stops.size(); ++i) {
        auto const stop = pat.stops[i];
        if (trip >= 0) {
          auto const arr = feed_.arrival[feed_.trip_offset[static_cast<std::size_t>(trip)] + i];
          if (arr < best[stop]) {
            best[stop] = arr;
            s.current[stop] = arr;
            s.marked[stop] = 1;
            improved = true;
          }
        }
        // Board (or catch an earlier trip) where we were in the previous round.
        auto const ready = s.previous[stop];
        if (ready == kNever) {
          continue;
        }
        if (trip >= 0 && feed_.departure[feed_.trip_offset[static_cast<std::size_t>(trip)] + i] < ready) {
          continue;
        }
        for (std::size_t r = 0; r < std::min(trip_rank, pat.trips.size()); ++r) {
          auto const t = pat.trips[r];
          if (feed_.departure[feed_.trip_offset[t] + i] >= ready) {
            trip = t;
            trip_rank = r;
            break;
          }
        }
      }
    }
    // Walking transfers from the stops improved in this round.
    for (std::size_t stop = 0; stop < n; ++stop) {
      if (s.marked[stop] == 0) {
        continue;
      }
      for (auto const& [to, secs] : transfers_[stop]) {
        auto const t = s.current[stop] + secs;
        if (t < best[to]) {
          best[to] = t;
          s.current[to] = t;
          s.marked[to] = 2;  // reached on foot: may board in the next round
          improved = true;
        }
      }
    }
    if (!improved) {
      break;
    }
  }
}

}  // namespace avip::geo
