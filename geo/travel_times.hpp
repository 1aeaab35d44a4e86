#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "geo/gtfs_feed.hpp"
#include "geo/projection.hpp"

namespace avip::geo {

inline constexpr std::size_t kTransitWindows = 4;  ///< weekday, early, late, saturday
inline constexpr std::uint16_t kUnreachableMinutes = 0xFFFF;

/// Door-to-door bus times from origins to destinations, per window, for the pairs within the
/// tolerance in at least one window: CSR over origins (the shape of sim::bus_access).
struct transit_matrix {
  std::vector<std::uint32_t> offsets;  ///< size origins + 1
  std::vector<std::uint32_t> destination;
  std::vector<std::array<std::uint16_t, kTransitWindows>> minutes;
};

struct travel_time_options {
  double tolerance_minutes{45.0};
  double max_access_m{1000.0};  ///< walking to / from a stop, straight line
  double walk_speed_kmh{4.5};
  double detour_factor{1.3};
  int max_transfers{2};
  double transfer_radius_m{400.0};
  int step_minutes{15};  ///< departure times tried within each window
  bool progress{true};
  std::vector<service_edit> service_edits;  ///< scenario changes of bus service
};

/// Bus travel times from every origin to every destination (points in `epsg`, metric), walking access
/// and egress included, for four windows:
///  - weekday: the worse of the morning trip home → facility departing 07:00–08:30 and the evening trip
///    facility → home departing 17:00–18:30;
///  - early: home → facility departing 05:30–07:00 (arrive before 7:30);
///  - late: facility → home departing 19:00–20:30;
///  - saturday: home → facility departing 07:30–09:00 on the feed's typical Saturday.
/// Method: RAPTOR from every stop at every departure time of a window gives a stop-to-stop matrix of
/// the shortest in-vehicle-plus-waiting times; origins and destinations join it through the stops
/// within walking reach. Parallel over stops and origins (oneTBB). Several feeds are merged by
/// computing each and keeping the best time (no transfer between feeds).
transit_matrix bus_travel_times(std::vector<std::string> const& feeds, int epsg,
                                std::vector<xy> const& origins, std::vector<xy> const& destinations,
                                travel_time_options const& options);

/// Bus-reachable zone of each destination in one window (0 weekday morning, 1 early, 2 late, 3
/// Saturday): the area from which it is reachable within the tolerance, as the union of walking discs
/// around every stop from which the destination is reached in time, each disc's radius being the
/// walk the remaining time allows (forward search from every stop over the window's departures).
/// WKB polygons in `epsg`; an empty WKB when nothing reaches it.
std::vector<std::vector<unsigned char>> bus_reachable_zones(std::string const& feed, int epsg,
                                                            std::vector<xy> const& destinations, int window,
                                                            travel_time_options const& options);

}  // namespace avip::geo
