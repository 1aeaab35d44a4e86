#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "geo/projection.hpp"

namespace avip::geo {

/// Which service day to keep: a date (YYYYMMDD), or a day type resolved from the calendars.
struct service_day {
  std::string date;  ///< "YYYYMMDD"; empty = the feed's most typical day of `weekday`
  int weekday{0};    ///< 0 = Monday … 6 = Sunday, used when `date` is empty
};

/// A GTFS timetable reduced to one service day, as plain arrays for RAPTOR: trips grouped into
/// patterns (the same stop sequence), each pattern's trips sorted by departure. Times are seconds
/// after midnight of the service day (past 24:00 kept as is).
struct gtfs_feed {
  std::vector<std::string> stop_id;
  std::vector<xy> stop_lonlat;
  std::string date;  ///< the service date kept

  struct pattern {
    std::vector<std::uint32_t> stops;  ///< stop sequence
    std::vector<std::uint32_t> trips;  ///< trip indices, by departure at the first stop
  };
  std::vector<pattern> patterns;
  std::vector<std::uint32_t> trip_offset;  ///< per trip, its first row in arrival/departure
  std::vector<std::int32_t> arrival;
  std::vector<std::int32_t> departure;
  std::vector<std::vector<std::uint32_t>> patterns_of_stop;
  std::vector<std::string> trip_route;  ///< route_id of each trip

  [[nodiscard]] std::size_t stop_count() const { return stop_id.size(); }
};

/// Reads a GTFS feed from a zip or a folder through GDAL's CSV driver (quoted fields, BOM and CRLF are
/// GDAL's business), for one service day. calendar.txt and calendar_dates.txt may each be missing but
/// not both. Throws avip::geo_error naming the file and line: missing stops.txt, a stop_time of an
/// unknown trip or stop, times that go backwards along a trip, a file that is not a GTFS zip or folder.
gtfs_feed read_gtfs(std::string const& path, service_day const& day = {});

/// A change of service for scenarios: on the routes named (all when empty), between `from_s` and
/// `to_s` (seconds), either divide the headways by `frequency_factor` (extra trips between consecutive
/// ones) or run a trip at least every `headway_s` (copies of the nearest trip, same running times).
struct service_edit {
  std::vector<std::string> routes;
  std::int32_t from_s{0};
  std::int32_t to_s{0};
  double frequency_factor{1.0};
  std::int32_t headway_s{0};
  std::string where;  ///< for messages: the scenario file and JSON pointer
};

/// Applies the edits to a feed read for one day. Throws avip::geo_error naming `where` when a route
/// does not exist in the feed.
void apply_service_edits(gtfs_feed& feed, std::vector<service_edit> const& edits);

/// "08:05:00" or "25:10:00" → seconds; -1 when malformed.
std::int32_t parse_gtfs_time(std::string const& t);

}  // namespace avip::geo
