#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace avip::geo {

struct service_day;

/// The service calendars of a feed (calendar.txt and calendar_dates.txt): for each service, the days it
/// runs as a bitfield over the feed's period, so that "does service s run on day d" is one bit.
struct gtfs_calendar {
  std::int64_t first_day{0};  ///< days since 1970-01-01 of bit 0
  std::int64_t day_count{0};
  std::vector<std::string> service_id;
  std::vector<std::vector<std::uint64_t>> days;  ///< per service, one bit per day from first_day
  /// The timetable periods: calendar.txt's [start_date, end_date] ranges, overlapping ones merged (a feed
  /// holding this year's and next year's timetables has two).
  std::vector<std::pair<std::int64_t, std::int64_t>> periods;

  [[nodiscard]] bool runs(std::size_t service, std::int64_t day) const;
  [[nodiscard]] std::optional<std::size_t> service(std::string const& id) const;
};

/// What a feed offers and which service day is kept, with the reason; dates are YYYYMMDD.
struct gtfs_service {
  std::string feed;                                          ///< the zip or folder, as given
  std::string valid_from, valid_to;                          ///< first and last day on which any trip runs
  std::vector<std::pair<std::string, std::string>> periods;  ///< timetable periods (see gtfs_calendar)
  std::string date;                                          ///< the service day kept
  std::string reason;  ///< why that day (given, or the automatic choice)
  std::size_t trips_on_date{0};
  std::size_t trips{0};                ///< trips.txt rows
  std::vector<std::string> route_ids;  ///< every route id of routes.txt and trips.txt, sorted
  bool expired{false};                 ///< valid_to is before today
  std::vector<std::string> warnings;   ///< e.g. the feed has expired
};

/// Reads the calendars and trips of a feed (zip or folder) and resolves the service day: the given date
/// (YYYYMMDD), which must have at least one trip (otherwise avip::geo_error naming the date and the
/// feed's validity), or the date of the calendars with the most trips on `day.weekday`. Does not read
/// stop_times.txt. Throws avip::geo_error naming the file and line of any malformed calendar row.
gtfs_service read_gtfs_service(std::string const& path, service_day const& day);

/// The service days a run keeps from a territory's feeds, for summary.json, the report and warnings.
struct transit_summary {
  std::string date;      ///< weekday kept (YYYYMMDD; the feeds' dates joined by ',' when they differ)
  std::string saturday;  ///< Saturday kept, likewise ("none": no bus that day)
  std::string sunday;    ///< Sunday kept, likewise
  std::string reason;    ///< why (given, or the automatic choice)
  std::string today;     ///< YYYYMMDD, to date the expiry
  std::vector<gtfs_service> feeds;    ///< per feed, resolved for the weekday
  std::vector<std::string> warnings;  ///< expired feeds

  /// The route is in at least one feed.
  [[nodiscard]] bool has_route(std::string const& id) const;
  /// One line for the report and the console, e.g. "bus : mardi 2025-10-14 (date demandée) ; ...".
  [[nodiscard]] std::string line() const;
};

/// Resolves the weekday (`date`, or the automatic choice) and the Saturday (the first on or after
/// `date`) of every feed; throws avip::geo_error as read_gtfs_service does when a day has no trip.
transit_summary describe_transit(std::vector<std::string> const& feeds, std::string const& date);

/// "20251130" → "2025-11-30" (the text unchanged when it is not a date).
std::string iso_date(std::string const& yyyymmdd);
/// A valid calendar date written YYYYMMDD.
bool is_yyyymmdd(std::string const& text);
/// Today (UTC) as YYYYMMDD.
std::string today_yyyymmdd();

}  // namespace avip::geo
