#include "geo/gtfs_feed.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <set>
#include <unordered_map>

#include <fmt/format.h>

#include "core/error.hpp"
#include "geo/gtfs_tables.hpp"

namespace avip::geo {

namespace {

using gtfs::table;

/// Reads stops.txt into the feed; returns stop_id → index. A stop without coordinates is allowed only
/// for generic nodes and boarding areas (location_type 3 and 4), which are left out.
std::unordered_map<std::string, std::uint32_t> read_stops(table const& stops, gtfs_feed& g) {
  std::unordered_map<std::string, std::uint32_t> index;
  int const sid = stops.column("stop_id", true);
  int const slat = stops.column("stop_lat", true);
  int const slon = stops.column("stop_lon", true);
  int const stype = stops.column("location_type", false);
  std::unordered_map<std::string, std::size_t> row_of;
  for (std::size_t r = 0; r < stops.rows.size(); ++r) {
    auto const& id = stops.at(r, sid);
    if (auto const [it, fresh] = row_of.try_emplace(id, r); !fresh) {
      throw geo_error{fmt::format("{}: duplicate stop_id '{}' (also at line {})", stops.where(r), id,
                                  stops.line[it->second])};
    }
    auto const type = stops.at(r, stype).empty() ? 0 : gtfs::int_field(stops, r, stype, 0, 4);
    if (type >= 3 && stops.at(r, slat).empty() && stops.at(r, slon).empty()) {
      continue;
    }
    double const lat = gtfs::real_field(stops, r, slat, -90.0, 90.0);
    double const lon = gtfs::real_field(stops, r, slon, -180.0, 180.0);
    index.emplace(id, static_cast<std::uint32_t>(g.stop_id.size()));
    g.stop_id.push_back(id);
    g.stop_lonlat.push_back({lon, lat});
  }
  return index;
}

/// The trips of trips.txt: which run on the day kept (index among them), and all ids.
struct trip_set {
  std::unordered_map<std::string, std::uint32_t> index;  ///< trips of the day
  std::unordered_map<std::string, std::size_t> known;    ///< every trip → its row
  std::vector<std::string> names;                        ///< trips of the day
  std::vector<std::string> route;                        ///< of the trips of the day
  std::vector<std::string> shape;                        ///< of the trips of the day ("" when none)
};

/// Every trip's route must be in routes.txt (as `avipsim check` requires): a trip of an unknown route
/// is a broken feed, not a route to invent.
trip_set read_trips(table const& trips, gtfs::resolved_service const& day,
                    std::vector<std::string> const& routes) {
  trip_set t;
  int const tid = trips.column("trip_id", true);
  int const trt = trips.column("route_id", true);
  int const tsh = trips.column("shape_id", false);
  for (std::size_t r = 0; r < trips.rows.size(); ++r) {
    auto const& id = trips.at(r, tid);
    if (auto const [it, fresh] = t.known.try_emplace(id, r); !fresh) {
      throw geo_error{fmt::format("{}: duplicate trip_id '{}' (also at line {})", trips.where(r), id,
                                  trips.line[it->second])};
    }
    if (!std::binary_search(routes.begin(), routes.end(), trips.at(r, trt))) {
      throw geo_error{
          fmt::format("{}: route_id '{}' is not in routes.txt", trips.where(r), trips.at(r, trt))};
    }
    if (day.active[day.service_of_trip[r]] != 0) {
      t.index.emplace(id, static_cast<std::uint32_t>(t.names.size()));
      t.names.push_back(id);
      t.route.push_back(trips.at(r, trt));
      t.shape.push_back(trips.at(r, tsh));
    }
  }
  return t;
}

struct stop_time {
  std::int64_t seq;
  std::int32_t arr, dep;  ///< both -1 for an untimed stop (kept only to check the trip's ends)
  std::uint32_t stop;
  std::size_t row;
};

/// Every row of stop_times.txt checked; the timed rows of the day's trips kept, per trip.
std::vector<std::vector<stop_time>> read_stop_times(
    table const& times, trip_set const& trips, std::unordered_map<std::string, std::uint32_t> const& stops) {
  std::vector<std::vector<stop_time>> per_trip(trips.names.size());
  int const c_trip = times.column("trip_id", true);
  int const c_stop = times.column("stop_id", true);
  int const c_seq = times.column("stop_sequence", true);
  int const c_arr = times.column("arrival_time", true);
  int const c_dep = times.column("departure_time", true);
  for (std::size_t r = 0; r < times.rows.size(); ++r) {
    auto const& trip = times.at(r, c_trip);
    if (!trips.known.contains(trip)) {
      throw geo_error{fmt::format("{}: unknown trip_id '{}'", times.where(r), trip)};
    }
    auto const stop = stops.find(times.at(r, c_stop));
    if (stop == stops.end()) {
      throw geo_error{fmt::format("{}: unknown stop_id '{}'", times.where(r), times.at(r, c_stop))};
    }
    auto const seq = gtfs::int_field(times, r, c_seq, 0, std::numeric_limits<std::int32_t>::max());
    auto arr = gtfs::time_field(times, r, c_arr);
    auto dep = gtfs::time_field(times, r, c_dep);
    auto const it = trips.index.find(trip);
    if (it == trips.index.end()) {
      continue;  // not running that day
    }
    arr = arr < 0 ? dep : arr;
    dep = dep < 0 ? arr : dep;
    per_trip[it->second].push_back({seq, arr, dep, stop->second, r});
  }
  return per_trip;
}

/// Sorts each trip by stop_sequence, checks it, and groups trips into patterns.
void build_trips(table const& times, trip_set const& trips, std::vector<std::vector<stop_time>>& per_trip,
                 gtfs_feed& g) {
  std::map<std::vector<std::uint32_t>, std::uint32_t> pattern_of;
  for (std::size_t t = 0; t < per_trip.size(); ++t) {
    auto& s = per_trip[t];
    std::sort(s.begin(), s.end(), [](stop_time const& a, stop_time const& b) { return a.seq < b.seq; });
    for (std::size_t k = 1; k < s.size(); ++k) {
      if (s[k].seq == s[k - 1].seq) {
        throw geo_error{fmt::format("{}: trip '{}' has stop_sequence {} twice", times.where(s[k].row),
                                    trips.names[t], s[k].seq)};
      }
    }
    // GTFS requires times at a trip's first and last stops; untimed stops between them are left out
    // (interpolation is not supported).
    for (auto const* end : {s.empty() ? nullptr : &s.front(), s.empty() ? nullptr : &s.back()}) {
      if (end != nullptr && end->arr < 0) {
        throw geo_error{fmt::format(
            "{}: trip '{}' has no arrival_time nor departure_time at its {} stop (GTFS requires both "
            "ends of a trip to be timed)",
            times.where(end->row), trips.names[t], end == &s.front() ? "first" : "last")};
      }
    }
    std::erase_if(s, [](stop_time const& x) { return x.arr < 0; });
    std::vector<std::uint32_t> seq;
    for (std::size_t k = 0; k < s.size(); ++k) {
      if (s[k].dep < s[k].arr || (k > 0 && s[k].arr < s[k - 1].dep)) {
        throw geo_error{
            fmt::format("{}: trip '{}' goes back in time", times.where(s[k].row), trips.names[t])};
      }
      seq.push_back(s[k].stop);
    }
    g.trip_offset.push_back(static_cast<std::uint32_t>(g.arrival.size()));
    for (auto const& x : s) {
      g.arrival.push_back(x.arr);
      g.departure.push_back(x.dep);
    }
    if (seq.size() < 2) {
      continue;
    }
    auto [it, inserted] = pattern_of.try_emplace(seq, static_cast<std::uint32_t>(g.patterns.size()));
    if (inserted) {
      g.patterns.push_back({seq, {}});
    }
    g.patterns[it->second].trips.push_back(static_cast<std::uint32_t>(t));
  }
  g.trip_offset.push_back(static_cast<std::uint32_t>(g.arrival.size()));
  g.trip_route = trips.route;
  g.trip_shape = trips.shape;
}

/// A copy of trip `t` takes its route and shape (a feed built in code may have no shapes at all).
void copy_trip_ids(gtfs_feed& g, std::uint32_t t) {
  bool const shaped = g.trip_shape.size() == g.trip_route.size();
  g.trip_route.push_back(g.trip_route[t]);
  if (shaped) {
    g.trip_shape.push_back(g.trip_shape[t]);
  }
}

struct frequency {
  std::uint32_t trip;
  std::int32_t start, end, headway;
};

/// The rows of frequencies.txt whose trip runs that day, checked; refuses an expansion above the cap.
std::vector<frequency> read_frequencies(table const& freq, trip_set const& trips, gtfs_feed const& g) {
  int const ft = freq.column("trip_id", true);
  int const fs = freq.column("start_time", true);
  int const fe = freq.column("end_time", true);
  int const fh = freq.column("headway_secs", true);
  std::vector<frequency> out;
  std::int64_t trip_count = 0;
  std::int64_t stop_times = 0;
  for (std::size_t r = 0; r < freq.rows.size(); ++r) {
    auto const& trip = freq.at(r, ft);
    if (!trips.known.contains(trip)) {
      throw geo_error{fmt::format("{}: unknown trip_id '{}'", freq.where(r), trip)};
    }
    auto const start = gtfs::time_field(freq, r, fs);
    auto const end = gtfs::time_field(freq, r, fe);
    auto const headway = gtfs::int_field(freq, r, fh, 1, 86'400);
    if (start < 0 || end <= start) {
      throw geo_error{fmt::format("{}: expected start_time < end_time", freq.where(r))};
    }
    auto const it = trips.index.find(trip);
    if (it == trips.index.end()) {
      continue;
    }
    auto const t = it->second;
    auto const copies = (end - start + headway - 1) / headway;
    trip_count += copies;
    stop_times += copies * (g.trip_offset[t + 1] - g.trip_offset[t]);
    out.push_back({t, start, end, static_cast<std::int32_t>(headway)});
  }
  if (stop_times + static_cast<std::int64_t>(g.arrival.size()) > kMaxExpandedStopTimes) {
    throw geo_error{
        fmt::format("{}: expanding the frequencies would give {} trips and {} stop times on {}, more than "
                    "the {} stop times "
                    "avipsim accepts (check headway_secs)",
                    freq.file, trip_count, stop_times, g.date, kMaxExpandedStopTimes)};
  }
  return out;
}

/// frequencies.txt: a trip whose times are a template, run every headway_secs from start_time to
/// end_time (exclusive). The template is moved to the first start, copies follow.
void expand_frequencies(std::vector<frequency> const& rows, gtfs_feed& g) {
  std::vector<std::int64_t> pattern_of(g.trip_offset.size() - 1, -1);
  for (std::size_t p = 0; p < g.patterns.size(); ++p) {
    for (auto t : g.patterns[p].trips) {
      pattern_of[t] = static_cast<std::int64_t>(p);
    }
  }
  std::vector<char> moved(pattern_of.size(), 0);
  for (auto const& f : rows) {
    auto const t = f.trip;
    auto const b = g.trip_offset[t];
    auto const e = g.trip_offset[t + 1];
    if (b == e) {
      continue;
    }
    std::int32_t d = f.start;
    if (moved[t] == 0) {  // the template itself runs first
      auto const shift = f.start - g.departure[b];
      for (auto k = b; k < e; ++k) {
        g.arrival[k] += shift;
        g.departure[k] += shift;
      }
      moved[t] = 1;
      d += f.headway;
    }
    for (; d < f.end; d += f.headway) {
      auto const shift = d - g.departure[b];
      g.trip_offset.back() = static_cast<std::uint32_t>(g.arrival.size());
      for (auto k = b; k < e; ++k) {
        g.arrival.push_back(g.arrival[k] + shift);
        g.departure.push_back(g.departure[k] + shift);
      }
      g.trip_offset.push_back(static_cast<std::uint32_t>(g.arrival.size()));
      copy_trip_ids(g, t);
      if (pattern_of[t] >= 0) {
        g.patterns[static_cast<std::size_t>(pattern_of[t])].trips.push_back(
            static_cast<std::uint32_t>(g.trip_offset.size() - 2));
      }
    }
  }
}

void index_patterns(gtfs_feed& g) {
  g.patterns_of_stop.resize(g.stop_id.size());
  for (std::size_t p = 0; p < g.patterns.size(); ++p) {
    auto& pat = g.patterns[p];
    std::sort(pat.trips.begin(), pat.trips.end(), [&](std::uint32_t a, std::uint32_t b) {
      return g.departure[g.trip_offset[a]] < g.departure[g.trip_offset[b]];
    });
    for (auto s : pat.stops) {
      if (g.patterns_of_stop[s].empty() || g.patterns_of_stop[s].back() != p) {
        g.patterns_of_stop[s].push_back(static_cast<std::uint32_t>(p));
      }
    }
  }
}

/// The route ids of routes.txt (a required file), sorted.
std::vector<std::string> route_ids(table const& routes) {
  std::set<std::string> ids;
  int const rc = routes.column("route_id", true);
  for (std::size_t r = 0; r < routes.rows.size(); ++r) {
    ids.insert(routes.at(r, rc));
  }
  return {ids.begin(), ids.end()};
}

}  // namespace

std::int32_t parse_gtfs_time(std::string const& t) {
  return gtfs::parse_gtfs_time_text(t);
}

gtfs_feed read_gtfs(std::string const& path, service_day const& day) {
  auto const src = gtfs::open_source(path);
  auto const stops = *gtfs::read_table(src, "stops.txt", true);
  auto const trips = *gtfs::read_table(src, "trips.txt", true);
  auto const times = *gtfs::read_table(src, "stop_times.txt", true);
  auto const routes = *gtfs::read_table(src, "routes.txt", true);
  if (times.rows.empty()) {
    throw geo_error{fmt::format("{}: no stop times (the feed has no timetable)", times.file)};
  }
  auto const resolved = gtfs::resolve_service(src, trips, day);
  gtfs_feed g;
  g.date = resolved.info.date;
  g.date_reason = resolved.info.reason;
  g.valid_from = resolved.info.valid_from;
  g.valid_to = resolved.info.valid_to;
  g.route_ids = route_ids(routes);
  auto const stop_index = read_stops(stops, g);
  auto const trip_ids = read_trips(trips, resolved, g.route_ids);
  auto per_trip = read_stop_times(times, trip_ids, stop_index);
  build_trips(times, trip_ids, per_trip, g);
  if (auto const freq = gtfs::read_table(src, "frequencies.txt", false)) {
    expand_frequencies(read_frequencies(*freq, trip_ids, g), g);
  }
  index_patterns(g);
  return g;
}

namespace {

/// Appends a copy of trip `t` shifted by `shift` seconds; returns its index.
std::uint32_t copy_trip(gtfs_feed& g, std::uint32_t t, std::int32_t shift) {
  auto const begin = g.trip_offset[t];
  auto const end = g.trip_offset[t + 1];
  auto const n = g.trip_offset.size() - 1;
  g.trip_offset.back() = static_cast<std::uint32_t>(g.arrival.size());
  for (auto k = begin; k < end; ++k) {
    g.arrival.push_back(g.arrival[k] + shift);
    g.departure.push_back(g.departure[k] + shift);
  }
  g.trip_offset.push_back(static_cast<std::uint32_t>(g.arrival.size()));
  copy_trip_ids(g, t);
  return static_cast<std::uint32_t>(n);
}

std::int32_t first_dep(gtfs_feed const& g, std::uint32_t t) {
  return g.departure[g.trip_offset[t]];
}

/// Headways divided by a real factor: the i-th gap of the window gets ceil(f·(i+1)) − ceil(f·i) − 1
/// extra trips, evenly spaced, so that over n gaps about n·(f − 1) trips are added.
void add_by_factor(gtfs_feed& g, gtfs_feed::pattern const& pat, service_edit const& e,
                   std::vector<std::uint32_t>& added) {
  constexpr double kEps = 1e-9;
  std::int64_t gap = 0;
  for (std::size_t i = 0; i + 1 < pat.trips.size(); ++i) {
    auto const a = first_dep(g, pat.trips[i]);
    auto const b = first_dep(g, pat.trips[i + 1]);
    if (a < e.from_s || a >= e.to_s || b <= a) {
      continue;
    }
    auto const f = e.frequency_factor;
    auto const extra = static_cast<std::int64_t>(std::ceil(f * static_cast<double>(gap + 1) - kEps)) -
                       static_cast<std::int64_t>(std::ceil(f * static_cast<double>(gap) - kEps)) - 1;
    ++gap;
    for (std::int64_t q = 1; q <= extra; ++q) {
      auto const shift = static_cast<std::int32_t>(static_cast<std::int64_t>(b - a) * q / (extra + 1));
      added.push_back(copy_trip(g, pat.trips[i], shift));
    }
  }
}

void add_by_headway(gtfs_feed& g, gtfs_feed::pattern const& pat, service_edit const& e,
                    std::vector<std::uint32_t>& added) {
  for (std::int32_t d = e.from_s; d < e.to_s; d += e.headway_s) {
    // Nearest existing trip (by first departure) as the template.
    std::uint32_t best = pat.trips[0];
    bool covered = false;
    for (auto t : pat.trips) {
      if (std::abs(first_dep(g, t) - d) < std::abs(first_dep(g, best) - d)) {
        best = t;
      }
      covered = covered || std::abs(first_dep(g, t) - d) < e.headway_s / 2;
    }
    if (!covered) {
      added.push_back(copy_trip(g, best, d - first_dep(g, best)));
    }
  }
}

}  // namespace

void apply_service_edits(gtfs_feed& g, std::vector<service_edit> const& edits) {
  for (auto const& e : edits) {
    for (auto const& r : e.routes) {
      bool const known = g.route_ids.empty()
                             ? std::find(g.trip_route.begin(), g.trip_route.end(), r) != g.trip_route.end()
                             : std::binary_search(g.route_ids.begin(), g.route_ids.end(), r);
      if (!known) {
        throw geo_error{fmt::format("{}: no route '{}' in the GTFS feed", e.where, r)};
      }
    }
    for (auto& pat : g.patterns) {
      if (pat.trips.empty() ||
          (!e.routes.empty() &&
           std::find(e.routes.begin(), e.routes.end(), g.trip_route[pat.trips[0]]) == e.routes.end())) {
        continue;
      }
      std::vector<std::uint32_t> added;
      if (e.frequency_factor > 1.0) {
        add_by_factor(g, pat, e, added);
      }
      if (e.headway_s > 0) {
        add_by_headway(g, pat, e, added);
      }
      pat.trips.insert(pat.trips.end(), added.begin(), added.end());
      std::sort(pat.trips.begin(), pat.trips.end(),
                [&](std::uint32_t a, std::uint32_t b) { return first_dep(g, a) < first_dep(g, b); });
    }
  }
}

}  // namespace avip::geo
