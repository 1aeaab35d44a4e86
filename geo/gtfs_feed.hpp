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
  std::string date;                    ///< the service date kept
  std::string date_reason;             ///< why that date: given, or the automatic choice
  std::string valid_from, valid_to;    ///< YYYYMMDD: first and last day on which any trip runs
  std::vector<std::string> route_ids;  ///< every route of the feed (routes.txt, trips.txt), sorted

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
  std::vector<std::string> trip_shape;  ///< shape_id of each trip ("" when none; empty when built in code)

  [[nodiscard]] std::size_t stop_count() const { return stop_id.size(); }
};

/// Reads a GTFS feed from a zip or a folder through GDAL's CSV driver (quoted fields, BOM and CRLF are
/// GDAL's business), for one service day (see read_gtfs_service in geo/gtfs_calendar.hpp for how the day
/// is chosen). calendar.txt and calendar_dates.txt may each be missing but not both. Every field is read
/// strictly and every row checked, whether its trip runs that day or not. Throws avip::geo_error naming
/// the file and line: a missing file or column, a bad time, number, coordinate or date, a duplicate
/// stop_id, trip_id or stop_sequence, a stop_time of an unknown trip or stop, times that go backwards
/// along a trip, frequencies.txt expanding beyond kMaxExpandedStopTimes, a date with no trip.
gtfs_feed read_gtfs(std::string const& path, service_day const& day = {});

/// frequencies.txt is refused when its expansion would exceed this many stop times (about 1 GB).
inline constexpr std::int64_t kMaxExpandedStopTimes = 20'000'000;

/// A change of service for scenarios: on the routes named (all when empty), between `from_s` and
/// `to_s` (seconds), either divide the headways by `frequency_factor` (a real number: 1.4 adds a trip in
/// two gaps out of five, evenly spaced, so the mean headway is divided by 1.4) or run a trip at least every
/// `headway_s` (copies of the nearest trip, same running times).
struct service_edit {
  std::vector<std::string> routes;
  std::int32_t from_s{0};
  std::int32_t to_s{0};
  double frequency_factor{1.0};
  std::int32_t headway_s{0};
  std::string where;  ///< for messages: the scenario file and JSON pointer
};

/// Applies the edits to a feed read for one day. A route of the feed with no trip that day is left as
/// it is (nothing to change that day); throws avip::geo_error naming `where` when a route is not in the
/// feed at all (route_ids, or the trips of the day when route_ids is empty).
void apply_service_edits(gtfs_feed& feed, std::vector<service_edit> const& edits);

/// "08:05:00", "8:05:00" or "25:10:00" → seconds; -1 when malformed (minutes or seconds above 59, hours
/// above 47, a sign, anything but H:MM:SS or HH:MM:SS).
std::int32_t parse_gtfs_time(std::string const& t);

}  // namespace avip::geo
