#pragma once

#include <cstdint>
#include <limits>
#include <vector>

#include "geo/gtfs_feed.hpp"
#include "geo/projection.hpp"

namespace avip::geo {

struct timetable_options {
  double transfer_radius_m{400.0};    ///< direct walking transfers between stops within this straight line
  double max_transfer_walk_m{800.0};  ///< chains of transfers are closed up to this walked length
  double walk_speed_kmh{4.5};
  double detour_factor{1.3};
  std::int32_t min_change_s{120};  ///< least time between alighting and boarding another vehicle
};

/// A one-day timetable laid out for RAPTOR (Delling et al. 2012; the layout follows nigiri's ideas):
/// stops numbered 0…n−1 over all the feeds given; routes = GTFS patterns split so that no trip
/// overtakes another (every route's trips are sorted at every stop, hence the binary search for the
/// earliest trip); times trip-major per route; stop → (route, position) for every occurrence (a loop
/// route lists a stop twice); footpaths transitively closed by a bounded Dijkstra over the graph of
/// stops within the transfer radius (a grid, never a stop × stop matrix). Read-only once built.
class timetable {
 public:
  static constexpr std::int32_t kNever = std::numeric_limits<std::int32_t>::max();

  /// `stop_xy`: every feed's stops in a metric CRS, concatenated in the order of `feeds`.
  timetable(std::vector<gtfs_feed const*> const& feeds, std::vector<xy> stop_xy,
            timetable_options const& options);

  [[nodiscard]] std::size_t stop_count() const { return stop_xy_.size(); }
  [[nodiscard]] std::size_t route_count() const { return route_stop_offset_.size() - 1; }
  [[nodiscard]] std::vector<xy> const& stops() const { return stop_xy_; }
  [[nodiscard]] timetable_options const& options() const { return options_; }
  [[nodiscard]] double walk_seconds(double metres) const {
    return metres * options_.detour_factor / (options_.walk_speed_kmh / 3.6);
  }

  // Routes.
  [[nodiscard]] std::uint32_t route_size(std::uint32_t r) const {
    return route_stop_offset_[r + 1] - route_stop_offset_[r];
  }
  [[nodiscard]] std::uint32_t route_trips(std::uint32_t r) const { return route_trip_count_[r]; }
  [[nodiscard]] std::uint32_t route_stop(std::uint32_t r, std::uint32_t pos) const {
    return route_stops_[route_stop_offset_[r] + pos];
  }
  [[nodiscard]] std::int32_t arrival(std::uint32_t r, std::uint32_t trip, std::uint32_t pos) const {
    return arrival_[time_index(r, trip, pos)];
  }
  [[nodiscard]] std::int32_t departure(std::uint32_t r, std::uint32_t trip, std::uint32_t pos) const {
    return departure_[time_index(r, trip, pos)];
  }
  /// The first trip of route r (among trips [0, before)) leaving position `pos` at or after `t`; `before`
  /// when none.
  [[nodiscard]] std::uint32_t earliest_trip(std::uint32_t r, std::uint32_t pos, std::int32_t t,
                                            std::uint32_t before) const;

  // Stops.
  struct route_at {
    std::uint32_t route;
    std::uint32_t pos;
  };
  struct footpath {
    std::uint32_t to;
    std::int32_t seconds;
  };
  [[nodiscard]] route_at const* routes_begin(std::uint32_t s) const {
    return stop_routes_.data() + stop_route_offset_[s];
  }
  [[nodiscard]] route_at const* routes_end(std::uint32_t s) const {
    return stop_routes_.data() + stop_route_offset_[s + 1];
  }
  [[nodiscard]] footpath const* footpaths_begin(std::uint32_t s) const {
    return footpaths_.data() + footpath_offset_[s];
  }
  [[nodiscard]] footpath const* footpaths_end(std::uint32_t s) const {
    return footpaths_.data() + footpath_offset_[s + 1];
  }
  [[nodiscard]] std::size_t footpath_count() const { return footpaths_.size(); }
  [[nodiscard]] std::size_t trip_count() const;
  [[nodiscard]] std::size_t memory_bytes() const;

 private:
  [[nodiscard]] std::size_t time_index(std::uint32_t r, std::uint32_t trip, std::uint32_t pos) const {
    return route_time_offset_[r] + static_cast<std::size_t>(trip) * route_size(r) + pos;
  }
  void add_feed(gtfs_feed const& feed, std::uint32_t first_stop);
  void index_stops();
  void close_footpaths();

  std::vector<xy> stop_xy_;
  timetable_options options_;
  std::vector<std::uint32_t> route_stop_offset_{0};  ///< size routes + 1
  std::vector<std::uint32_t> route_stops_;
  std::vector<std::uint32_t> route_trip_count_;
  std::vector<std::size_t> route_time_offset_;
  std::vector<std::int32_t> arrival_;
  std::vector<std::int32_t> departure_;
  std::vector<std::uint32_t> stop_route_offset_;
  std::vector<route_at> stop_routes_;
  std::vector<std::uint32_t> footpath_offset_;
  std::vector<footpath> footpaths_;
};

}  // namespace avip::geo
