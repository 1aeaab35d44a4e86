#include "geo/gtfs_check.hpp"

#include <algorithm>
#include <limits>
#include <unordered_map>
#include <unordered_set>

#include <fmt/format.h>

#include "core/error.hpp"
#include "geo/gtfs_feed.hpp"
#include "geo/gtfs_tables.hpp"
#include "geo/projection.hpp"

namespace avip::geo {

namespace {

using gtfs::table;

constexpr std::size_t kListed = 10;

/// Collects notices; runs a check and turns its geo_error into an error notice.
struct collector {
  gtfs_check& c;

  void error(std::string const& code, std::string const& message) {
    ++c.errors[code];
    if (c.first_errors.size() < kListed) {
      c.first_errors.push_back(message);
    }
  }
  void warning(std::string const& code, std::string const& message) {
    if (c.warnings[code]++ < 3 && c.first_warnings.size() < kListed) {
      c.first_warnings.push_back(message);
    }
  }
  template <typename F>
  bool guard(std::string const& code, F&& f) {
    try {
      f();
      return true;
    } catch (geo_error const& e) {
      error(code, e.what());
      return false;
    }
  }
};

std::optional<table> table_of(collector& k, gtfs::source const& src, std::string const& name, bool required) {
  std::optional<table> t;
  k.guard(required ? "missing_required_file" : "unreadable_file",
          [&] { t = gtfs::read_table(src, name, required); });
  return t;
}

/// Duplicate ids of one column; returns the set of ids.
std::unordered_set<std::string> ids_of(collector& k, table const& t, std::string const& column) {
  std::unordered_map<std::string, std::size_t> seen;
  int c = -1;
  if (!k.guard("missing_required_column", [&] { c = t.column(column, true); })) {
    return {};
  }
  for (std::size_t r = 0; r < t.rows.size(); ++r) {
    if (auto const [it, fresh] = seen.try_emplace(t.at(r, c), r); !fresh) {
      k.error("duplicate_key", fmt::format("{}: duplicate {} '{}' (also at line {})", t.where(r), column,
                                           t.at(r, c), t.line[it->second]));
    }
  }
  std::unordered_set<std::string> out;
  for (auto const& [id, r] : seen) {
    out.insert(id);
  }
  return out;
}

void check_stops(collector& k, table const& stops, std::optional<gtfs_extent> const& extent) {
  int lat = -1;
  int lon = -1;
  if (!k.guard("missing_required_column", [&] {
        lat = stops.column("stop_lat", true);
        lon = stops.column("stop_lon", true);
      })) {
    return;
  }
  std::optional<transformer> to_metric;
  if (extent) {
    to_metric.emplace(4326, extent->epsg);
  }
  int const type = stops.column("location_type", false);
  std::size_t placed = 0;
  std::size_t outside = 0;
  for (std::size_t r = 0; r < stops.rows.size(); ++r) {
    if (gtfs::parse_uint(stops.at(r, type)).value_or(0) >= 3 && stops.at(r, lat).empty()) {
      continue;  // generic node or boarding area without coordinates
    }
    xy p{};
    if (!k.guard("invalid_coordinate", [&] {
          p = {gtfs::real_field(stops, r, lon, -180.0, 180.0), gtfs::real_field(stops, r, lat, -90.0, 90.0)};
        })) {
      continue;
    }
    ++placed;
    if (to_metric) {
      auto const m = to_metric->forward(p);
      if (m.x < extent->min_x || m.x > extent->max_x || m.y < extent->min_y || m.y > extent->max_y) {
        ++outside;
        k.warning("stop_outside_territory",
                  fmt::format("{}: stop '{}' at ({}, {}) lies outside the territory", stops.where(r),
                              stops.at(r, 0), p.y, p.x));
      }
    }
  }
  if (placed > 0 && outside == placed) {
    k.error("all_stops_outside_territory",
            fmt::format("{}: all {} stops lie outside the territory (wrong feed?)", stops.file, placed));
  }
}

struct timed {
  std::int64_t seq;
  std::int32_t arr, dep;
  std::size_t row;
};

void check_trip_order(collector& k, table const& times, std::string const& trip, std::vector<timed>& s) {
  std::sort(s.begin(), s.end(), [](timed const& a, timed const& b) { return a.seq < b.seq; });
  std::int32_t last = -1;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (i > 0 && s[i].seq == s[i - 1].seq) {
      k.error("duplicate_key",
              fmt::format("{}: trip '{}' has stop_sequence {} twice", times.where(s[i].row), trip, s[i].seq));
    }
    auto const arr = s[i].arr >= 0 ? s[i].arr : s[i].dep;
    auto const dep = s[i].dep >= 0 ? s[i].dep : s[i].arr;
    if (arr < 0) {
      continue;
    }
    if (dep < arr || arr < last) {
      k.error("trip_times_go_backwards",
              fmt::format("{}: trip '{}' goes back in time", times.where(s[i].row), trip));
    }
    last = std::max(last, dep);
  }
}

void check_stop_times(collector& k, table const& times, std::unordered_set<std::string> const& trips,
                      std::unordered_set<std::string> const& stops) {
  int ct = -1, cs = -1, cq = -1, ca = -1, cd = -1;
  if (!k.guard("missing_required_column", [&] {
        ct = times.column("trip_id", true);
        cs = times.column("stop_id", true);
        cq = times.column("stop_sequence", true);
        ca = times.column("arrival_time", true);
        cd = times.column("departure_time", true);
      })) {
    return;
  }
  std::unordered_map<std::string, std::vector<timed>> per_trip;
  for (std::size_t r = 0; r < times.rows.size(); ++r) {
    auto const& trip = times.at(r, ct);
    if (!trips.contains(trip)) {
      k.error("foreign_key_violation", fmt::format("{}: unknown trip_id '{}'", times.where(r), trip));
    }
    if (!stops.contains(times.at(r, cs))) {
      k.error("foreign_key_violation",
              fmt::format("{}: unknown stop_id '{}'", times.where(r), times.at(r, cs)));
    }
    timed t{0, -1, -1, r};
    bool ok = k.guard("invalid_integer", [&] {
      t.seq = gtfs::int_field(times, r, cq, 0, std::numeric_limits<std::int32_t>::max());
    });
    ok = k.guard("invalid_time", [&] { t.arr = gtfs::time_field(times, r, ca); }) && ok;
    ok = k.guard("invalid_time", [&] { t.dep = gtfs::time_field(times, r, cd); }) && ok;
    if (ok && trips.contains(trip)) {
      per_trip[trip].push_back(t);
    }
  }
  for (auto& [trip, s] : per_trip) {
    check_trip_order(k, times, trip, s);
  }
}

void check_trips(collector& k, table const& trips, std::optional<table> const& routes) {
  if (!routes) {
    k.error("missing_required_file", fmt::format("{}: routes.txt is missing", trips.file));
    return;
  }
  auto const route_ids = ids_of(k, *routes, "route_id");
  int c = -1;
  if (!k.guard("missing_required_column", [&] { c = trips.column("route_id", true); })) {
    return;
  }
  for (std::size_t r = 0; r < trips.rows.size(); ++r) {
    if (!route_ids.contains(trips.at(r, c))) {
      k.error("foreign_key_violation",
              fmt::format("{}: route_id '{}' is not in routes.txt", trips.where(r), trips.at(r, c)));
    }
  }
}

/// Reads the feed as `run` does, for the weekday it would keep (a weekend without buses is allowed).
void check_as_run(collector& k, std::string const& path, std::string const& date) {
  k.guard("unusable_feed", [&] { (void)read_gtfs(path, service_day{date, 1}); });
  for (int weekend_day : {5, 6}) {
    k.guard("unusable_feed", [&] {
      try {
        (void)read_gtfs(path, service_day{gtfs::weekday_on_or_after(date, weekend_day), weekend_day});
      } catch (geo_error const& e) {
        if (std::string{e.what()}.find("no trip runs") == std::string::npos) {
          throw;
        }
      }
    });
  }
}

}  // namespace

gtfs_check check_gtfs(std::string const& path, std::optional<gtfs_extent> const& extent,
                      std::string const& date) {
  gtfs_check c;
  c.feed = path;
  collector k{c};
  gtfs::source src;
  if (!k.guard("unreadable_feed", [&] { src = gtfs::open_source(path); })) {
    return c;
  }
  auto const stops = table_of(k, src, "stops.txt", true);
  auto const routes = table_of(k, src, "routes.txt", false);
  auto const trips = table_of(k, src, "trips.txt", true);
  auto const times = table_of(k, src, "stop_times.txt", true);
  c.stops = stops ? stops->rows.size() : 0;
  c.routes = routes ? routes->rows.size() : 0;
  c.trips = trips ? trips->rows.size() : 0;
  c.stop_times = times ? times->rows.size() : 0;
  auto const stop_ids = stops ? ids_of(k, *stops, "stop_id") : std::unordered_set<std::string>{};
  auto const trip_ids = trips ? ids_of(k, *trips, "trip_id") : std::unordered_set<std::string>{};
  if (stops) {
    check_stops(k, *stops, extent);
  }
  if (trips) {
    check_trips(k, *trips, routes);
    k.guard("invalid_calendar", [&] { c.service = read_gtfs_service(path, service_day{date, 1}); });
  }
  if (times) {
    check_stop_times(k, *times, trip_ids, stop_ids);
  }
  if (c.service && c.service->expired) {
    k.warning("feed_expired", c.service->warnings.front());
  }
  if (!c.fatal()) {
    check_as_run(k, path, date);
  }
  return c;
}

std::string format_gtfs_check(gtfs_check const& c) {
  std::string out = fmt::format("GTFS {}\n", c.feed);
  if (c.service) {
    auto const& s = *c.service;
    out += fmt::format("  validity: {} to {}{}\n", iso_date(s.valid_from), iso_date(s.valid_to),
                       s.expired ? " (expired)" : "");
    if (s.periods.size() > 1) {
      std::string p;
      for (auto const& [a, b] : s.periods) {
        p += fmt::format("{}{} to {}", p.empty() ? "" : ", ", iso_date(a), iso_date(b));
      }
      out += fmt::format("  timetable periods (calendar.txt): {}\n", p);
    }
    out +=
        fmt::format("  service day kept: {} ({}, {} trips)\n", iso_date(s.date), s.reason, s.trips_on_date);
  }
  out += fmt::format("  {} stops, {} routes, {} trips, {} stop times\n", c.stops, c.routes, c.trips,
                     c.stop_times);
  for (auto const& [code, n] : c.errors) {
    out += fmt::format("  error {}: {}\n", code, n);
  }
  for (auto const& [code, n] : c.warnings) {
    out += fmt::format("  warning {}: {}\n", code, n);
  }
  for (auto const& m : c.first_errors) {
    out += fmt::format("    {}\n", m);
  }
  for (auto const& m : c.first_warnings) {
    out += fmt::format("    {}\n", m);
  }
  return out;
}

}  // namespace avip::geo
