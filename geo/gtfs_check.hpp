#pragma once

#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "geo/gtfs_calendar.hpp"

namespace avip::geo {

/// Where the feed's stops should lie: a box in the territory's metric CRS.
struct gtfs_extent {
  int epsg{0};
  double min_x{0}, min_y{0}, max_x{0}, max_y{0};
};

/// A feed validated as MobilityData's gtfs-validator would: counts, and problems as counts per notice code
/// (errors make the feed unusable for avipsim, warnings do not), with the first messages (file and line).
struct gtfs_check {
  std::string feed;
  std::optional<gtfs_service> service;  ///< validity and automatic day; nullopt when the calendars are broken
  std::size_t stops{0}, routes{0}, trips{0}, stop_times{0};
  std::map<std::string, std::size_t> errors, warnings;  ///< notice code → count
  std::vector<std::string> first_errors;                ///< the first error messages, in file order
  std::vector<std::string> first_warnings;

  [[nodiscard]] bool fatal() const { return !errors.empty(); }
};

/// Reads every file of the feed and reports every problem instead of stopping at the first: bad times,
/// numbers, coordinates and dates, duplicate ids, unknown trips, stops, routes and services, trips
/// whose times go backwards, stops outside `extent` (all outside is an error), an expired feed; then
/// reads the feed as `run` would (weekday and Saturday of `date`, or the automatic days), so that every
/// feed `run` refuses is an error here. Never throws for a bad feed.
gtfs_check check_gtfs(std::string const& path, std::optional<gtfs_extent> const& extent,
                      std::string const& date = {});

/// The report of one feed, in lines: validity period (ISO dates), counts, problems.
std::string format_gtfs_check(gtfs_check const& c);

}  // namespace avip::geo
