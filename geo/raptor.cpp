#include "geo/raptor.hpp"

#include <algorithm>
#include <cmath>

namespace avip::geo {

namespace {

constexpr std::uint8_t kMarked = 1;
constexpr std::uint8_t kImprovedRound = 2;
constexpr std::uint8_t kImprovedRun = 4;
constexpr std::uint8_t kTouched = 8;
constexpr std::uint32_t kNoRoute = 0xFFFFFFFFU;
constexpr std::int32_t kNoLimit = raptor::kNever / 2;

std::uint16_t to_minutes(std::int32_t seconds) {
  return static_cast<std::uint16_t>(std::lround(seconds / 60.0));
}

}  // namespace

raptor::raptor(timetable const& tt, raptor_options const& options)
    : tt_{tt}, rounds_{std::max(1, options.max_transfers + 1)} {}

void raptor::prepare(scratch& s, std::size_t destinations) const {
  auto const n = tt_.stop_count();
  if (s.best.size() != n) {
    s.ready.assign(static_cast<std::size_t>(rounds_) * n, kNever);
    s.best.assign(n, kNever);
    s.best_ready.assign(n, kNever);
    s.flags.assign(n, 0);
    s.route_start.assign(tt_.route_count(), kNoRoute);
  }
  if (s.dest_best.size() < destinations) {
    s.dest_best.resize(destinations, kNever);
  }
}

void raptor::reset(scratch& s) const {
  auto const n = tt_.stop_count();
  for (auto stop : s.touched) {
    s.best[stop] = kNever;
    s.best_ready[stop] = kNever;
    s.flags[stop] = 0;
    for (int k = 0; k < rounds_; ++k) {
      s.ready[static_cast<std::size_t>(k) * n + stop] = kNever;
    }
  }
  s.touched.clear();
  for (auto j : s.dest_touched) {
    s.dest_best[j] = kNever;
  }
  s.dest_touched.clear();
  s.log.clear();
}

void raptor::set_ready(scratch& s, int round, std::uint32_t stop, std::int32_t t, std::int32_t limit) const {
  auto& r = s.ready[static_cast<std::size_t>(round) * tt_.stop_count() + stop];
  if (t >= r || t > limit) {
    return;
  }
  r = t;
  if ((s.flags[stop] & kTouched) == 0) {
    s.flags[stop] |= kTouched;
    s.touched.push_back(stop);
  }
  if (t < s.best_ready[stop]) {
    s.best_ready[stop] = t;
    if ((s.flags[stop] & kMarked) == 0) {
      s.flags[stop] |= kMarked;
      s.marked.push_back(stop);
    }
  }
}

void raptor::scan_route(std::uint32_t r, int round, std::int32_t limit, scratch& s) const {
  auto const size = tt_.route_size(r);
  auto const trips = tt_.route_trips(r);
  auto const* ready = s.ready.data() + static_cast<std::size_t>(round - 1) * tt_.stop_count();
  std::uint32_t trip = trips;  // none yet
  for (auto pos = s.route_start[r]; pos < size; ++pos) {
    auto const stop = tt_.route_stop(r, pos);
    if (trip < trips) {
      auto const a = tt_.arrival(r, trip, pos);
      if (a < s.best[stop] && a <= limit) {
        s.best[stop] = a;
        auto& f = s.flags[stop];
        if ((f & kTouched) == 0) {
          s.touched.push_back(stop);
        }
        if ((f & kImprovedRound) == 0) {
          s.improved_round.push_back(stop);
        }
        if ((f & kImprovedRun) == 0) {
          s.improved_run.push_back(stop);
        }
        f |= kTouched | kImprovedRound | kImprovedRun;
      }
    }
    // Board here, or catch an earlier trip, at any occurrence of the stop (loop routes included).
    auto const rd = ready[stop];
    if (rd == kNever || pos + 1 == size || (trip < trips && tt_.departure(r, trip, pos) < rd)) {
      continue;
    }
    trip = tt_.earliest_trip(r, pos, rd, trip);
  }
  s.route_start[r] = kNoRoute;
}

void raptor::relax_transfers(int round, std::int32_t limit, scratch& s) const {
  auto const change = tt_.options().min_change_s;
  for (auto stop : s.improved_round) {
    s.flags[stop] &= static_cast<std::uint8_t>(~kImprovedRound);
    if (round >= rounds_) {
      continue;  // no further boarding
    }
    auto const a = s.best[stop];
    set_ready(s, round, stop, a + change, limit);
    // The footpaths are transitively closed: one pass from the stops reached by vehicle suffices,
    // whatever the stop numbering.
    for (auto const* fp = tt_.footpaths_begin(stop); fp != tt_.footpaths_end(stop); ++fp) {
      set_ready(s, round, fp->to, a + std::max(fp->seconds, change), limit);
    }
  }
  s.improved_round.clear();
}

void raptor::run(std::vector<stop_walk> const& access, std::int32_t tau, std::int32_t limit,
                 scratch& s) const {
  for (auto const& a : access) {
    set_ready(s, 0, a.stop, tau + a.seconds, limit);
  }
  for (int k = 1; k <= rounds_ && !s.marked.empty(); ++k) {
    for (auto stop : s.marked) {
      s.flags[stop] &= static_cast<std::uint8_t>(~kMarked);
      for (auto const* ra = tt_.routes_begin(stop); ra != tt_.routes_end(stop); ++ra) {
        auto& start = s.route_start[ra->route];
        if (start == kNoRoute) {
          s.routes.push_back(ra->route);
          start = ra->pos;
        } else {
          start = std::min(start, ra->pos);
        }
      }
    }
    s.marked.clear();
    for (auto r : s.routes) {
      scan_route(r, k, limit, s);
    }
    s.routes.clear();
    relax_transfers(k, limit, s);
  }
  for (auto stop : s.marked) {
    s.flags[stop] &= static_cast<std::uint8_t>(~kMarked);
  }
  s.marked.clear();
}

void raptor::earliest_arrival(std::vector<stop_walk> const& access, std::int32_t depart, scratch& s,
                              std::vector<std::int32_t>& best) const {
  prepare(s, 0);
  run(access, depart, kNoLimit, s);
  best = s.best;
  for (std::uint32_t stop = 0; stop < tt_.stop_count(); ++stop) {
    if (s.best[stop] == kNever) {
      continue;
    }
    for (auto const* fp = tt_.footpaths_begin(stop); fp != tt_.footpaths_end(stop); ++fp) {
      best[fp->to] = std::min(best[fp->to], s.best[stop] + fp->seconds);
    }
  }
  for (auto stop : s.improved_run) {
    s.flags[stop] &= static_cast<std::uint8_t>(~kImprovedRun);
  }
  s.improved_run.clear();
  reset(s);
}

void raptor::collect_events(std::vector<stop_walk> const& access, profile_window const& w, scratch& s) const {
  // Leaving the origin at tau catches a trip leaving stop a at tau + walk: one run per distinct tau.
  auto const last = w.to_s - 60 + w.tolerance_s;
  s.events.clear();
  for (auto const& a : access) {
    for (auto const* ra = tt_.routes_begin(a.stop); ra != tt_.routes_end(a.stop); ++ra) {
      if (ra->pos + 1 == tt_.route_size(ra->route)) {
        continue;
      }
      auto const trips = tt_.route_trips(ra->route);
      for (auto t = tt_.earliest_trip(ra->route, ra->pos, w.from_s + a.seconds, trips); t < trips; ++t) {
        auto const tau = tt_.departure(ra->route, t, ra->pos) - a.seconds;
        if (tau > last) {
          break;
        }
        s.events.push_back(tau);
      }
    }
  }
  std::sort(s.events.begin(), s.events.end(), std::greater<>{});
  s.events.erase(std::unique(s.events.begin(), s.events.end()), s.events.end());
}

void raptor::profile(std::vector<stop_walk> const& access, profile_window const& w,
                     egress_index const& egress, scratch& s, std::vector<profile_entry>& out) const {
  prepare(s, egress.destinations);
  collect_events(access, w, s);
  for (auto tau : s.events) {
    run(access, tau, tau + w.tolerance_s, s);
    // Destinations within walking reach of the stops this run improved.
    for (auto stop : s.improved_run) {
      s.flags[stop] &= static_cast<std::uint8_t>(~kImprovedRun);
      auto const a = s.best[stop];
      for (auto e = egress.offsets[stop]; e < egress.offsets[stop + 1]; ++e) {
        auto const j = egress.destination[e];
        auto const c = a + egress.seconds[e];
        if (c < s.dest_best[j]) {
          if (s.dest_best[j] == kNever) {
            s.dest_touched.push_back(j);
          }
          s.dest_best[j] = c;
          s.log.push_back({j, tau, c});
        }
      }
    }
    s.improved_run.clear();
  }
  summarise(w, s, out);
  reset(s);
}

void raptor::summarise(profile_window const& w, scratch& s, std::vector<profile_entry>& out) const {
  // Per destination, its changes in run order (latest departure first, arrivals decreasing).
  std::stable_sort(s.log.begin(), s.log.end(),
                   [](auto const& a, auto const& b) { return a.destination < b.destination; });
  auto const minutes = static_cast<std::size_t>((w.to_s - w.from_s) / 60);
  if (minutes == 0) {
    return;
  }
  auto const median_rank = (minutes + 1) / 2 - 1;
  auto const p80_rank = (4 * minutes + 4) / 5 - 1;
  for (std::size_t i = 0; i < s.log.size();) {
    auto end = i;
    while (end < s.log.size() && s.log[end].destination == s.log[i].destination) {
      ++end;
    }
    // Leaving at minute t: the arrival of the latest change made by a run leaving at or after t.
    s.values.assign(minutes, kNever);
    auto cursor = i;
    std::int32_t arrival = kNever;
    for (auto m = minutes; m-- > 0;) {
      auto const t = w.from_s + static_cast<std::int32_t>(m) * 60;
      while (cursor < end && s.log[cursor].tau >= t) {
        arrival = s.log[cursor].arrival;
        ++cursor;
      }
      if (arrival != kNever && arrival - t <= w.tolerance_s) {
        s.values[m] = arrival - t;
      }
    }
    std::nth_element(s.values.begin(), s.values.begin() + static_cast<std::ptrdiff_t>(median_rank),
                     s.values.end());
    auto const median = s.values[median_rank];
    if (median != kNever) {
      std::nth_element(s.values.begin(), s.values.begin() + static_cast<std::ptrdiff_t>(p80_rank),
                       s.values.end());
      auto const p80 = s.values[p80_rank];
      out.push_back(
          {s.log[i].destination, to_minutes(median), p80 == kNever ? kUnreachable : to_minutes(p80)});
    }
    i = end;
  }
}

}  // namespace avip::geo
