#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "geo/gtfs_calendar.hpp"

namespace avip::geo {
struct service_day;
}

namespace avip::geo::gtfs {

/// A GTFS feed on disk: a zip (checked by its magic bytes) or a folder.
struct source {
  std::string path;
  bool zipped{false};
};

/// Checks that `path` is a zip or a folder; throws avip::geo_error otherwise.
source open_source(std::string const& path);

/// One GTFS table read as text columns; `line` is the file line of each row (header = line 1).
struct table {
  std::string file;
  std::vector<std::string> columns;
  std::vector<std::vector<std::string>> rows;
  std::vector<std::int64_t> line;

  /// The index of a column; -1 when absent and not required (throws when required).
  [[nodiscard]] int column(std::string const& name, bool required) const;
  /// The text of a cell ("" when the column is absent, c < 0).
  [[nodiscard]] std::string const& at(std::size_t r, int c) const;
  /// "feed.zip/stop_times.txt, line 3" for messages.
  [[nodiscard]] std::string where(std::size_t r) const;
};

/// Reads `name` from the feed through GDAL's CSV driver; nullopt when absent and not required.
std::optional<table> read_table(source const& s, std::string const& name, bool required);

/// Strict field readers: throw avip::geo_error "file line N: bad <column> 'text' (expected …)".
std::int64_t int_field(table const& t, std::size_t r, int c, std::int64_t lo, std::int64_t hi);
double real_field(table const& t, std::size_t r, int c, double lo, double hi);
/// Seconds after midnight; -1 when the cell is empty (an untimed stop).
std::int32_t time_field(table const& t, std::size_t r, int c);
/// Days since 1970-01-01 of a YYYYMMDD cell.
std::int64_t date_field(table const& t, std::size_t r, int c);

/// The largest hour a GTFS time may have (trips of a service day may run into the next one).
inline constexpr int kMaxGtfsHour = 47;
/// H:MM:SS or HH:MM:SS (minutes and seconds 0-59, hours 0-47, no sign) → seconds; -1 otherwise.
std::int32_t parse_gtfs_time_text(std::string_view s);

/// Integer text with nothing else (no sign, no space); nullopt on anything else or overflow.
std::optional<std::int64_t> parse_uint(std::string_view s);
/// Days since 1970-01-01 of a valid YYYYMMDD date, or nullopt.
std::optional<std::int64_t> parse_yyyymmdd(std::string_view s);
std::string format_yyyymmdd(std::int64_t days);
std::string format_iso(std::int64_t days);
/// 0 = Monday … 6 = Sunday.
int weekday_of(std::int64_t days);
/// The first day of weekday `weekday` (0 = Monday … 6 = Sunday) on or after a YYYYMMDD date, as
/// YYYYMMDD; "" when the date is malformed or empty.
std::string weekday_on_or_after(std::string_view yyyymmdd, int weekday);
/// Today (UTC) in days since 1970-01-01.
std::int64_t today_days();

/// The calendars of a feed, its summary and the day kept: `active[s]` when service s runs that day;
/// `service_of_trip[r]` is the service of trips.txt row r.
struct resolved_service {
  gtfs_service info;
  gtfs_calendar calendar;
  std::vector<char> active;
  std::vector<std::size_t> service_of_trip;
};

/// Reads calendar.txt and calendar_dates.txt and resolves `day` (see read_gtfs_service).
resolved_service resolve_service(source const& s, table const& trips, service_day const& day);

}  // namespace avip::geo::gtfs
