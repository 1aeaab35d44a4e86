#include "geo/gtfs_calendar.hpp"

#include <algorithm>
#include <filesystem>
#include <map>
#include <set>
#include <unordered_map>

#include <fmt/format.h>

#include "core/error.hpp"
#include "geo/gtfs_feed.hpp"
#include "geo/gtfs_tables.hpp"

namespace avip::geo {

namespace {

using gtfs::table;

constexpr std::int64_t kMaxCalendarBits = std::int64_t{1} << 31;  // 256 MB of bitfields
constexpr char const* kWeekdays[] = {"monday", "tuesday",  "wednesday", "thursday",
                                     "friday", "saturday", "sunday"};
constexpr char const* kWeekdaysFr[] = {"lundi",    "mardi",  "mercredi", "jeudi",
                                       "vendredi", "samedi", "dimanche"};

struct calendar_row {
  std::string service;
  std::int64_t start, end;
  int weekdays[7];
};

struct date_row {
  std::string service;
  std::int64_t day;
  bool added;
};

std::vector<calendar_row> calendar_rows(table const& t) {
  int const sc = t.column("service_id", true);
  int const st = t.column("start_date", true);
  int const en = t.column("end_date", true);
  int wd[7];
  for (int k = 0; k < 7; ++k) {
    wd[k] = t.column(kWeekdays[k], true);
  }
  std::vector<calendar_row> out;
  std::unordered_map<std::string, std::size_t> seen;
  for (std::size_t r = 0; r < t.rows.size(); ++r) {
    calendar_row c{t.at(r, sc), gtfs::date_field(t, r, st), gtfs::date_field(t, r, en), {}};
    for (int k = 0; k < 7; ++k) {
      c.weekdays[k] = static_cast<int>(gtfs::int_field(t, r, wd[k], 0, 1));
    }
    if (c.end < c.start) {
      throw geo_error{
          fmt::format("{}: end_date {} is before start_date {}", t.where(r), t.at(r, en), t.at(r, st))};
    }
    if (auto const [it, fresh] = seen.try_emplace(c.service, r); !fresh) {
      throw geo_error{fmt::format("{}: duplicate service_id '{}' (also at line {})", t.where(r), c.service,
                                  t.line[it->second])};
    }
    out.push_back(std::move(c));
  }
  return out;
}

std::vector<date_row> date_rows(table const& t) {
  int const sc = t.column("service_id", true);
  int const dc = t.column("date", true);
  int const ec = t.column("exception_type", true);
  std::vector<date_row> out;
  for (std::size_t r = 0; r < t.rows.size(); ++r) {
    out.push_back({t.at(r, sc), gtfs::date_field(t, r, dc), gtfs::int_field(t, r, ec, 1, 2) == 1});
  }
  return out;
}

std::vector<std::pair<std::int64_t, std::int64_t>> merged_periods(std::vector<calendar_row> const& rows) {
  std::vector<std::pair<std::int64_t, std::int64_t>> p;
  for (auto const& c : rows) {
    p.emplace_back(c.start, c.end);
  }
  std::sort(p.begin(), p.end());
  std::vector<std::pair<std::int64_t, std::int64_t>> out;
  for (auto const& x : p) {
    if (!out.empty() && x.first <= out.back().second) {
      out.back().second = std::max(out.back().second, x.second);
    } else {
      out.push_back(x);
    }
  }
  return out;
}

gtfs_calendar build_calendar(std::optional<table> const& calendar, std::optional<table> const& dates,
                             std::string const& feed) {
  auto const crow = calendar ? calendar_rows(*calendar) : std::vector<calendar_row>{};
  auto const drow = dates ? date_rows(*dates) : std::vector<date_row>{};
  gtfs_calendar g;
  std::int64_t lo = INT64_MAX;
  std::int64_t hi = INT64_MIN;
  std::unordered_map<std::string, std::size_t> index;
  auto service = [&](std::string const& id) {
    auto const [it, fresh] = index.try_emplace(id, g.service_id.size());
    if (fresh) {
      g.service_id.push_back(id);
    }
    return it->second;
  };
  for (auto const& c : crow) {
    service(c.service);
    lo = std::min(lo, c.start);
    hi = std::max(hi, c.end);
  }
  for (auto const& d : drow) {
    service(d.service);
    lo = std::min(lo, d.day);
    hi = std::max(hi, d.day);
  }
  if (g.service_id.empty()) {
    throw geo_error{
        fmt::format("{}: the calendars (calendar.txt, calendar_dates.txt) list no service", feed)};
  }
  g.first_day = lo;
  g.day_count = hi - lo + 1;
  auto const words = static_cast<std::size_t>((g.day_count + 63) / 64);
  if (static_cast<std::int64_t>(words) * 64 * static_cast<std::int64_t>(g.service_id.size()) >
      kMaxCalendarBits) {
    throw geo_error{
        fmt::format("{}: {} services over {} days ({} to {}) is more than the calendars avipsim holds "
                    "({} service-days)",
                    feed, g.service_id.size(), g.day_count, gtfs::format_iso(lo), gtfs::format_iso(hi),
                    kMaxCalendarBits)};
  }
  g.days.assign(g.service_id.size(), std::vector<std::uint64_t>(words, 0));
  auto set = [&](std::size_t s, std::int64_t day, bool on) {
    auto const b = static_cast<std::size_t>(day - g.first_day);
    auto const mask = std::uint64_t{1} << (b % 64);
    g.days[s][b / 64] = on ? (g.days[s][b / 64] | mask) : (g.days[s][b / 64] & ~mask);
  };
  for (auto const& c : crow) {
    auto const s = index[c.service];
    for (auto day = c.start; day <= c.end; ++day) {
      if (c.weekdays[gtfs::weekday_of(day)] == 1) {
        set(s, day, true);
      }
    }
  }
  for (auto const& d : drow) {
    set(index[d.service], d.day, d.added);
  }
  g.periods = merged_periods(crow);
  return g;
}

/// Candidate days of the automatic choice: the first eight weeks of every calendar.txt period and every
/// calendar_dates.txt date (the choice avipsim always made).
std::set<std::int64_t> candidate_days(std::optional<table> const& calendar,
                                      std::optional<table> const& dates) {
  std::set<std::int64_t> out;
  if (calendar) {
    for (auto const& c : calendar_rows(*calendar)) {
      for (auto day = c.start; day <= c.end && day < c.start + 56; ++day) {
        out.insert(day);
      }
    }
  }
  if (dates) {
    for (auto const& d : date_rows(*dates)) {
      out.insert(d.day);
    }
  }
  return out;
}

}  // namespace

bool gtfs_calendar::runs(std::size_t s, std::int64_t day) const {
  if (day < first_day || day >= first_day + day_count) {
    return false;
  }
  auto const b = static_cast<std::size_t>(day - first_day);
  return ((days[s][b / 64] >> (b % 64)) & 1U) != 0;
}

std::optional<std::size_t> gtfs_calendar::service(std::string const& id) const {
  auto const it = std::find(service_id.begin(), service_id.end(), id);
  if (it == service_id.end()) {
    return std::nullopt;
  }
  return static_cast<std::size_t>(it - service_id.begin());
}

namespace gtfs {

resolved_service resolve_service(source const& src, table const& trips, service_day const& day) {
  auto const calendar = read_table(src, "calendar.txt", false);
  auto const dates = read_table(src, "calendar_dates.txt", false);
  if (!calendar && !dates) {
    throw geo_error{fmt::format("{}: neither calendar.txt nor calendar_dates.txt", src.path)};
  }
  resolved_service out;
  out.calendar = build_calendar(calendar, dates, src.path);
  auto& cal = out.calendar;
  auto& info = out.info;
  info.feed = src.path;
  // Trips per service; a trip of a service no calendar names is an error (a foreign key violation).
  int const ts = trips.column("service_id", true);
  std::vector<std::size_t> trips_of(cal.service_id.size(), 0);
  std::unordered_map<std::string, std::size_t> index;
  for (std::size_t s = 0; s < cal.service_id.size(); ++s) {
    index.emplace(cal.service_id[s], s);
  }
  out.service_of_trip.reserve(trips.rows.size());
  for (std::size_t r = 0; r < trips.rows.size(); ++r) {
    auto const it = index.find(trips.at(r, ts));
    if (it == index.end()) {
      throw geo_error{fmt::format("{}: service_id '{}' is in neither calendar.txt nor calendar_dates.txt",
                                  trips.where(r), trips.at(r, ts))};
    }
    ++trips_of[it->second];
    out.service_of_trip.push_back(it->second);
  }
  info.trips = trips.rows.size();
  auto trips_on = [&](std::int64_t d) {
    std::size_t n = 0;
    for (std::size_t s = 0; s < cal.service_id.size(); ++s) {
      n += cal.runs(s, d) ? trips_of[s] : 0;
    }
    return n;
  };
  std::int64_t first = -1;
  std::int64_t last = -1;
  for (auto d = cal.first_day; d < cal.first_day + cal.day_count; ++d) {
    if (trips_on(d) > 0) {
      first = first < 0 ? d : first;
      last = d;
    }
  }
  if (first < 0) {
    throw geo_error{fmt::format("{}: no trip runs on any day of the calendars", src.path)};
  }
  info.valid_from = format_yyyymmdd(first);
  info.valid_to = format_yyyymmdd(last);
  for (auto const& [a, b] : cal.periods) {
    info.periods.emplace_back(format_yyyymmdd(a), format_yyyymmdd(b));
  }
  if (cal.periods.empty()) {
    info.periods.emplace_back(info.valid_from, info.valid_to);
  }
  auto const validity = fmt::format("{} to {}", format_iso(first), format_iso(last));
  std::int64_t chosen = 0;
  if (!day.date.empty()) {
    auto const d = parse_yyyymmdd(day.date);
    if (!d) {
      throw geo_error{fmt::format("bad service date '{}' (expected YYYYMMDD)", day.date)};
    }
    if (trips_on(*d) == 0) {
      throw geo_error{fmt::format("{}: no trip runs on {} ({}); the feed runs from {}", src.path,
                                  format_iso(*d), kWeekdaysFr[weekday_of(*d)], validity)};
    }
    chosen = *d;
    info.reason = "date demandée";
  } else {
    std::size_t best = 0;
    int const wd = std::clamp(day.weekday, 0, 6);
    for (auto const d : candidate_days(calendar, dates)) {
      if (weekday_of(d) == wd && trips_on(d) > best) {
        best = trips_on(d);
        chosen = d;
      }
    }
    if (best == 0) {
      throw geo_error{
          fmt::format("{}: no trip runs on a {} in the calendars ({})", src.path, kWeekdays[wd], validity)};
    }
    info.reason = fmt::format("choix automatique : le {} le plus chargé du calendrier ({} courses)",
                              kWeekdaysFr[wd], best);
  }
  info.date = format_yyyymmdd(chosen);
  info.trips_on_date = trips_on(chosen);
  out.active.assign(cal.service_id.size(), 0);
  for (std::size_t s = 0; s < cal.service_id.size(); ++s) {
    out.active[s] = cal.runs(s, chosen) ? 1 : 0;
  }
  auto const today = today_days();
  info.expired = last < today;
  if (info.expired) {
    info.warnings.push_back(
        fmt::format("{}: the feed ended on {} (today is {}); its timetable may no longer run", src.path,
                    format_iso(last), format_iso(today)));
  }
  return out;
}

}  // namespace gtfs

gtfs_service read_gtfs_service(std::string const& path, service_day const& day) {
  auto const src = gtfs::open_source(path);
  auto const trips = *gtfs::read_table(src, "trips.txt", true);
  auto r = gtfs::resolve_service(src, trips, day);
  std::set<std::string> routes;
  int const tr = trips.column("route_id", true);
  for (std::size_t k = 0; k < trips.rows.size(); ++k) {
    routes.insert(trips.at(k, tr));
  }
  if (auto const rt = gtfs::read_table(src, "routes.txt", false)) {
    int const rc = rt->column("route_id", true);
    for (std::size_t k = 0; k < rt->rows.size(); ++k) {
      routes.insert(rt->at(k, rc));
    }
  }
  r.info.route_ids.assign(routes.begin(), routes.end());
  return r.info;
}

transit_summary describe_transit(std::vector<std::string> const& feeds, std::string const& date) {
  transit_summary t;
  t.today = today_yyyymmdd();
  if (!date.empty() && !gtfs::parse_yyyymmdd(date)) {
    throw geo_error{fmt::format("bad service date '{}' (expected YYYYMMDD)", date)};
  }
  // The weekend days as the run keeps them: on or after the date, or the feed's most typical ones.
  auto weekend = [&](std::string const& f, int weekday) -> std::string {
    try {
      return read_gtfs_service(f, service_day{gtfs::weekday_on_or_after(date, weekday), weekday}).date;
    } catch (geo_error const& e) {
      if (std::string{e.what()}.find("no trip runs") == std::string::npos) {
        throw;
      }
      return "none";
    }
  };
  auto join = [](std::string& to, std::string const& d) {
    if (to.find(d) == std::string::npos) {
      to += (to.empty() ? "" : ",") + d;
    }
  };
  for (auto const& f : feeds) {
    auto w = read_gtfs_service(f, service_day{date, 1});
    join(t.date, w.date);
    join(t.saturday, weekend(f, 5));
    join(t.sunday, weekend(f, 6));
    t.reason = w.reason;
    t.warnings.insert(t.warnings.end(), w.warnings.begin(), w.warnings.end());
    t.feeds.push_back(std::move(w));
  }
  return t;
}

bool transit_summary::has_route(std::string const& id) const {
  return std::any_of(feeds.begin(), feeds.end(), [&](gtfs_service const& f) {
    return std::binary_search(f.route_ids.begin(), f.route_ids.end(), id);
  });
}

std::string transit_summary::line() const {
  if (feeds.empty()) {
    return {};
  }
  auto day = [](std::string const& d) {
    auto const x = gtfs::parse_yyyymmdd(d);
    return x ? fmt::format("{} {}", kWeekdaysFr[gtfs::weekday_of(*x)], gtfs::format_iso(*x)) : d;
  };
  std::string validity;
  for (auto const& f : feeds) {
    validity += fmt::format("{}{} du {} au {}{}", validity.empty() ? "" : " ; ",
                            std::filesystem::path{f.feed}.filename().string(), iso_date(f.valid_from),
                            iso_date(f.valid_to), f.expired ? " (expiré)" : "");
  }
  auto weekend = [&](std::string const& d, char const* name) {
    return d == "none" || d.empty() ? fmt::format("pas de bus le {}", name)
                                    : fmt::format("du {} pour le {}", day(d), name);
  };
  return fmt::format("Bus : horaires du {}, {}, {} ({}) ; validité : {}", day(date),
                     weekend(saturday, "samedi"), weekend(sunday, "dimanche"), reason, validity);
}

std::string iso_date(std::string const& yyyymmdd) {
  auto const d = gtfs::parse_yyyymmdd(yyyymmdd);
  return d ? gtfs::format_iso(*d) : yyyymmdd;
}

bool is_yyyymmdd(std::string const& text) {
  return text.size() == 8 && gtfs::parse_yyyymmdd(text).has_value();
}

std::string today_yyyymmdd() {
  return gtfs::format_yyyymmdd(gtfs::today_days());
}

}  // namespace avip::geo
