#include "geo/gtfs_feed.hpp"

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <set>
#include <unordered_map>

#include <fmt/format.h>
#include <ogrsf_frmts.h>

#include "core/error.hpp"
#include "geo/gdal_dataset.hpp"

namespace avip::geo {

namespace fs = std::filesystem;

namespace {

/// One GTFS table read as text columns; `line` is the file line of each row (header = line 1).
struct table {
  std::string file;
  std::vector<std::string> columns;
  std::vector<std::vector<std::string>> rows;
  std::vector<std::int64_t> line;

  [[nodiscard]] int column(std::string const& name, bool required) const {
    for (std::size_t i = 0; i < columns.size(); ++i) {
      if (columns[i] == name) {
        return static_cast<int>(i);
      }
    }
    if (required) {
      throw geo_error{fmt::format("{}: missing column '{}'", file, name)};
    }
    return -1;
  }
};

std::optional<table> read_table(std::string const& base, bool zipped, std::string const& name,
                                bool required) {
  std::string const path =
      zipped ? fmt::format("CSV:/vsizip/{}/{}", base, name) : fmt::format("CSV:{}/{}", base, name);
  std::string const shown = fmt::format("{}/{}", base, name);
  ensure_gdal();
  CPLErrorReset();
  char const* const options[] = {"HEADERS=YES", "AUTODETECT_TYPE=NO", "EMPTY_STRING_AS_NULL=NO", nullptr};
  GDALDatasetUniquePtr ds{
      GDALDataset::Open(path.c_str(), GDAL_OF_VECTOR | GDAL_OF_READONLY, nullptr, options, nullptr)};
  if (!ds) {
    if (required) {
      throw geo_error{fmt::format("{}: missing or unreadable ({})", shown, last_gdal_error())};
    }
    return std::nullopt;
  }
  table t;
  t.file = shown;
  auto* layer = ds->GetLayer(0);
  auto* defn = layer->GetLayerDefn();
  for (int i = 0; i < defn->GetFieldCount(); ++i) {
    t.columns.emplace_back(defn->GetFieldDefn(i)->GetNameRef());
  }
  for (auto& f : *layer) {
    std::vector<std::string> row;
    row.reserve(t.columns.size());
    for (int i = 0; i < defn->GetFieldCount(); ++i) {
      row.emplace_back(f->IsFieldSetAndNotNull(i) ? f->GetFieldAsString(i) : "");
    }
    t.rows.push_back(std::move(row));
    t.line.push_back(f->GetFID() + 1);  // the CSV driver numbers data rows from 1
  }
  return t;
}

int weekday_of(std::string const& yyyymmdd) {
  // Zeller-like: days since 1970-01-01 (a Thursday).
  int const y = std::stoi(yyyymmdd.substr(0, 4));
  int const m = std::stoi(yyyymmdd.substr(4, 2));
  int const d = std::stoi(yyyymmdd.substr(6, 2));
  int const a = (14 - m) / 12;
  int const yy = y + 4800 - a;
  int const mm = m + 12 * a - 3;
  long const jdn = d + (153L * mm + 2) / 5 + 365L * yy + yy / 4 - yy / 100 + yy / 400 - 32045;
  return static_cast<int>(jdn % 7);  // 0 = Monday
}

/// The date `days` after `yyyymmdd` (proleptic Gregorian, via the Julian day number).
std::string add_days(std::string const& yyyymmdd, int days) {
  int const y = std::stoi(yyyymmdd.substr(0, 4));
  int const m = std::stoi(yyyymmdd.substr(4, 2));
  int const d = std::stoi(yyyymmdd.substr(6, 2));
  int const a = (14 - m) / 12;
  long const yy = y + 4800 - a;
  long const mm = m + 12 * a - 3;
  long jdn = d + (153 * mm + 2) / 5 + 365 * yy + yy / 4 - yy / 100 + yy / 400 - 32045 + days;
  long const f = jdn + 1401 + (((4 * jdn + 274277) / 146097) * 3) / 4 - 38;
  long const e = 4 * f + 3;
  long const g = (e % 1461) / 4;
  long const h = 5 * g + 2;
  long const day = (h % 153) / 5 + 1;
  long const month = (h / 153 + 2) % 12 + 1;
  long const year = e / 1461 - 4716 + (14 - month) / 12;
  return fmt::format("{:04d}{:02d}{:02d}", year, month, day);
}

}  // namespace

std::int32_t parse_gtfs_time(std::string const& t) {
  int h = 0;
  int m = 0;
  int s = 0;
  char c1 = 0;
  char c2 = 0;
  if (std::sscanf(t.c_str(), "%d%c%d%c%d", &h, &c1, &m, &c2, &s) != 5 || c1 != ':' || c2 != ':' || h < 0 ||
      m < 0 || m > 59 || s < 0 || s > 59) {
    return -1;
  }
  return h * 3600 + m * 60 + s;
}

gtfs_feed read_gtfs(std::string const& path, service_day const& day) {
  bool const zipped = fs::is_regular_file(path);
  if (!fs::exists(path)) {
    throw geo_error{fmt::format("{}: no such GTFS zip or folder", path)};
  }
  if (zipped) {
    std::vector<char> magic(2);
    std::ifstream in{path, std::ios::binary};
    in.read(magic.data(), 2);
    if (magic[0] != 'P' || magic[1] != 'K') {
      throw geo_error{fmt::format("{}: not a zip file (a GTFS feed is a zip or a folder)", path)};
    }
  }
  auto const stops = *read_table(path, zipped, "stops.txt", true);
  auto const trips = *read_table(path, zipped, "trips.txt", true);
  auto const times = *read_table(path, zipped, "stop_times.txt", true);
  auto const calendar = read_table(path, zipped, "calendar.txt", false);
  auto const dates = read_table(path, zipped, "calendar_dates.txt", false);
  if (!calendar && !dates) {
    throw geo_error{fmt::format("{}: neither calendar.txt nor calendar_dates.txt", path)};
  }
  gtfs_feed g;
  std::unordered_map<std::string, std::uint32_t> stop_index;
  int const sid = stops.column("stop_id", true);
  int const slat = stops.column("stop_lat", true);
  int const slon = stops.column("stop_lon", true);
  for (std::size_t r = 0; r < stops.rows.size(); ++r) {
    stop_index[stops.rows[r][static_cast<std::size_t>(sid)]] = static_cast<std::uint32_t>(g.stop_id.size());
    g.stop_id.push_back(stops.rows[r][static_cast<std::size_t>(sid)]);
    g.stop_lonlat.push_back({std::atof(stops.rows[r][static_cast<std::size_t>(slon)].c_str()),
                             std::atof(stops.rows[r][static_cast<std::size_t>(slat)].c_str())});
  }
  // Service day: the given date, or the date in the feed's range with the most active services on
  // the asked weekday.
  std::map<std::string, std::vector<std::string>> services_by_date;  // date -> active service ids
  auto dates_of_calendar = [&](std::vector<std::string> const& row, table const& t) {
    static char const* const names[] = {"monday", "tuesday",  "wednesday", "thursday",
                                        "friday", "saturday", "sunday"};
    std::vector<std::string> out;
    auto const start = row[static_cast<std::size_t>(t.column("start_date", true))];
    auto const end = row[static_cast<std::size_t>(t.column("end_date", true))];
    (void)names;
    return std::pair{start, end};
  };
  std::string date = day.date;
  std::set<std::string> active;
  auto active_on = [&](std::string const& d) {
    std::set<std::string> on;
    int const wd = weekday_of(d);
    static char const* const names[] = {"monday", "tuesday",  "wednesday", "thursday",
                                        "friday", "saturday", "sunday"};
    if (calendar) {
      int const wc = calendar->column(names[wd], true);
      int const sc = calendar->column("service_id", true);
      for (auto const& row : calendar->rows) {
        auto const [start, end] = dates_of_calendar(row, *calendar);
        if (start <= d && d <= end && row[static_cast<std::size_t>(wc)] == "1") {
          on.insert(row[static_cast<std::size_t>(sc)]);
        }
      }
    }
    if (dates) {
      int const dc = dates->column("date", true);
      int const ec = dates->column("exception_type", true);
      int const sc = dates->column("service_id", true);
      for (auto const& row : dates->rows) {
        if (row[static_cast<std::size_t>(dc)] == d) {
          if (row[static_cast<std::size_t>(ec)] == "1") {
            on.insert(row[static_cast<std::size_t>(sc)]);
          } else {
            on.erase(row[static_cast<std::size_t>(sc)]);
          }
        }
      }
    }
    return on;
  };
  if (date.empty()) {
    // Candidate dates: every date named by the calendars; keep the one with the most trips.
    std::set<std::string> candidates;
    if (calendar) {
      // The first eight weeks of every calendar period.
      for (auto const& row : calendar->rows) {
        auto const start = row[static_cast<std::size_t>(calendar->column("start_date", true))];
        auto const end = row[static_cast<std::size_t>(calendar->column("end_date", true))];
        for (int k = 0; k < 56 && start.size() == 8; ++k) {
          auto const d = add_days(start, k);
          if (d > end) {
            break;
          }
          candidates.insert(d);
        }
      }
    }
    if (dates) {
      for (auto const& row : dates->rows) {
        candidates.insert(row[static_cast<std::size_t>(dates->column("date", true))]);
      }
    }
    std::map<std::string, int> trips_per_service;
    int const ts = trips.column("service_id", true);
    for (auto const& row : trips.rows) {
      ++trips_per_service[row[static_cast<std::size_t>(ts)]];
    }
    int best = -1;
    for (auto const& d : candidates) {
      if (d.size() != 8 || weekday_of(d) != day.weekday) {
        continue;
      }
      int n = 0;
      for (auto const& s : active_on(d)) {
        n += trips_per_service[s];
      }
      if (n > best) {
        best = n;
        date = d;
      }
    }
    if (date.empty()) {
      throw geo_error{fmt::format("{}: the calendars name no date on weekday {}", path, day.weekday)};
    }
  }
  g.date = date;
  active = active_on(date);
  // Trips of the day.
  int const tid = trips.column("trip_id", true);
  int const tsv = trips.column("service_id", true);
  int const trt = trips.column("route_id", true);
  std::vector<std::string> route_of_trip;
  std::unordered_map<std::string, std::uint32_t> trip_index;
  std::vector<std::string> trip_names;
  std::unordered_map<std::string, bool> known_trip;
  for (auto const& row : trips.rows) {
    known_trip[row[static_cast<std::size_t>(tid)]] = true;
    if (active.contains(row[static_cast<std::size_t>(tsv)])) {
      trip_index[row[static_cast<std::size_t>(tid)]] = static_cast<std::uint32_t>(trip_names.size());
      trip_names.push_back(row[static_cast<std::size_t>(tid)]);
      route_of_trip.push_back(row[static_cast<std::size_t>(trt)]);
    }
  }
  struct st {
    std::int32_t seq, arr, dep;
    std::uint32_t stop;
    std::int64_t line;
  };
  std::vector<std::vector<st>> per_trip(trip_names.size());
  int const c_trip = times.column("trip_id", true);
  int const c_stop = times.column("stop_id", true);
  int const c_seq = times.column("stop_sequence", true);
  int const c_arr = times.column("arrival_time", true);
  int const c_dep = times.column("departure_time", true);
  for (std::size_t r = 0; r < times.rows.size(); ++r) {
    auto const& row = times.rows[r];
    auto const& trip = row[static_cast<std::size_t>(c_trip)];
    auto const it = trip_index.find(trip);
    if (it == trip_index.end()) {
      if (!known_trip.contains(trip)) {
        throw geo_error{fmt::format("{}, line {}: unknown trip_id '{}'", times.file, times.line[r], trip)};
      }
      continue;
    }
    auto const stop = stop_index.find(row[static_cast<std::size_t>(c_stop)]);
    if (stop == stop_index.end()) {
      throw geo_error{fmt::format("{}, line {}: unknown stop_id '{}'", times.file, times.line[r],
                                  row[static_cast<std::size_t>(c_stop)])};
    }
    auto arr = parse_gtfs_time(row[static_cast<std::size_t>(c_arr)]);
    auto dep = parse_gtfs_time(row[static_cast<std::size_t>(c_dep)]);
    if (arr < 0 && dep < 0) {
      continue;  // untimed stop: interpolation is not supported; skipped
    }
    arr = arr < 0 ? dep : arr;
    dep = dep < 0 ? arr : dep;
    per_trip[it->second].push_back(
        {std::atoi(row[static_cast<std::size_t>(c_seq)].c_str()), arr, dep, stop->second, times.line[r]});
  }
  std::map<std::vector<std::uint32_t>, std::uint32_t> pattern_of;
  for (std::size_t t = 0; t < per_trip.size(); ++t) {
    auto& s = per_trip[t];
    std::sort(s.begin(), s.end(), [](st const& a, st const& b) { return a.seq < b.seq; });
    std::vector<std::uint32_t> seq;
    for (std::size_t k = 0; k < s.size(); ++k) {
      if (s[k].dep < s[k].arr || (k > 0 && s[k].arr < s[k - 1].dep)) {
        throw geo_error{
            fmt::format("{}, line {}: trip '{}' goes back in time", times.file, s[k].line, trip_names[t])};
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
  g.trip_route = std::move(route_of_trip);
  // frequencies.txt: a trip whose times are a template, run every headway_secs from start_time to
  // end_time (exclusive). The template is moved to the first start, copies follow.
  if (auto const freq = read_table(path, zipped, "frequencies.txt", false)) {
    int const ft = freq->column("trip_id", true);
    int const fs_ = freq->column("start_time", true);
    int const fe = freq->column("end_time", true);
    int const fh = freq->column("headway_secs", true);
    std::unordered_map<std::uint32_t, bool> moved;
    for (std::size_t r = 0; r < freq->rows.size(); ++r) {
      auto const& row = freq->rows[r];
      auto const it = trip_index.find(row[static_cast<std::size_t>(ft)]);
      if (it == trip_index.end()) {
        if (!known_trip.contains(row[static_cast<std::size_t>(ft)])) {
          throw geo_error{fmt::format("{}, line {}: unknown trip_id '{}'", freq->file, freq->line[r],
                                      row[static_cast<std::size_t>(ft)])};
        }
        continue;
      }
      auto const start = parse_gtfs_time(row[static_cast<std::size_t>(fs_)]);
      auto const end = parse_gtfs_time(row[static_cast<std::size_t>(fe)]);
      auto const headway = std::atoi(row[static_cast<std::size_t>(fh)].c_str());
      if (start < 0 || end <= start || headway <= 0) {
        throw geo_error{fmt::format("{}, line {}: expected start_time < end_time and headway_secs > 0",
                                    freq->file, freq->line[r])};
      }
      auto const t = it->second;
      auto const b = g.trip_offset[t];
      auto const e = g.trip_offset[t + 1];
      if (b == e) {
        continue;
      }
      std::int32_t d = start;
      if (!moved[t]) {  // the template itself runs first
        auto const shift = start - g.departure[b];
        for (auto k = b; k < e; ++k) {
          g.arrival[k] += shift;
          g.departure[k] += shift;
        }
        moved[t] = true;
        d += headway;
      }
      for (; d < end; d += headway) {
        auto const shift = d - g.departure[g.trip_offset[t]];
        g.trip_offset.back() = static_cast<std::uint32_t>(g.arrival.size());
        for (auto k = b; k < e; ++k) {
          g.arrival.push_back(g.arrival[k] + shift);
          g.departure.push_back(g.departure[k] + shift);
        }
        g.trip_offset.push_back(static_cast<std::uint32_t>(g.arrival.size()));
        g.trip_route.push_back(g.trip_route[t]);
        for (auto& pat : g.patterns) {
          if (std::find(pat.trips.begin(), pat.trips.end(), t) != pat.trips.end()) {
            pat.trips.push_back(static_cast<std::uint32_t>(g.trip_offset.size() - 2));
            break;
          }
        }
      }
    }
  }
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
  return g;
}

void apply_service_edits(gtfs_feed& g, std::vector<service_edit> const& edits) {
  auto first_dep = [&](std::uint32_t t) { return g.departure[g.trip_offset[t]]; };
  // Appends a copy of trip `t` shifted by `shift` seconds; returns its index.
  auto copy_trip = [&](std::uint32_t t, std::int32_t shift) {
    auto const begin = g.trip_offset[t];
    auto const end = g.trip_offset[t + 1];
    auto const n = g.trip_offset.size() - 1;
    g.trip_offset.back() = static_cast<std::uint32_t>(g.arrival.size());
    for (auto k = begin; k < end; ++k) {
      g.arrival.push_back(g.arrival[k] + shift);
      g.departure.push_back(g.departure[k] + shift);
    }
    g.trip_offset.push_back(static_cast<std::uint32_t>(g.arrival.size()));
    g.trip_route.push_back(g.trip_route[t]);
    return static_cast<std::uint32_t>(n);
  };
  for (auto const& e : edits) {
    for (auto const& r : e.routes) {
      if (std::find(g.trip_route.begin(), g.trip_route.end(), r) == g.trip_route.end()) {
        throw geo_error{fmt::format("{}: no route '{}' runs on {} in the feed", e.where, r, g.date)};
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
        auto const k = static_cast<int>(std::lround(e.frequency_factor));
        for (std::size_t i = 0; i + 1 < pat.trips.size(); ++i) {
          auto const a = first_dep(pat.trips[i]);
          auto const b = first_dep(pat.trips[i + 1]);
          if (a < e.from_s || a >= e.to_s) {
            continue;
          }
          for (int q = 1; q < k; ++q) {
            added.push_back(copy_trip(pat.trips[i], (b - a) * q / k));
          }
        }
      }
      if (e.headway_s > 0) {
        for (std::int32_t d = e.from_s; d < e.to_s; d += e.headway_s) {
          // Nearest existing trip (by first departure) as the template.
          std::uint32_t best = pat.trips[0];
          bool covered = false;
          for (auto t : pat.trips) {
            if (std::abs(first_dep(t) - d) < std::abs(first_dep(best) - d)) {
              best = t;
            }
            covered = covered || std::abs(first_dep(t) - d) < e.headway_s / 2;
          }
          if (!covered) {
            added.push_back(copy_trip(best, d - first_dep(best)));
          }
        }
      }
      pat.trips.insert(pat.trips.end(), added.begin(), added.end());
      std::sort(pat.trips.begin(), pat.trips.end(),
                [&](std::uint32_t a, std::uint32_t b) { return first_dep(a) < first_dep(b); });
    }
  }
}

}  // namespace avip::geo
