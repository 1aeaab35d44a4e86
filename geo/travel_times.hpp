#pragma once

#include <array>
#include <optional>

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "geo/gtfs_check.hpp"
#include "geo/gtfs_feed.hpp"
#include "geo/projection.hpp"
#include "geo/raptor.hpp"
#include "geo/timetable.hpp"

namespace avip::geo {

inline constexpr std::uint16_t kUnreachableMinutes = 0xFFFF;

struct travel_time_options {
  double tolerance_minutes{45.0};
  double max_access_m{1000.0};  ///< walking to / from a stop, straight line
  double walk_speed_kmh{4.5};
  double detour_factor{1.3};
  int max_transfers{2};
  double transfer_radius_m{400.0};    ///< direct walking transfers between stops
  double max_transfer_walk_m{800.0};  ///< chains of transfers closed up to this length
  std::int32_t min_change_s{120};     ///< between alighting and boarding another vehicle
  bool progress{true};
  std::vector<service_edit> service_edits;  ///< scenario changes of bus service
  std::string service_date;                 ///< YYYYMMDD, empty = automatic
  /// Where the stops should lie (the territory): a feed with every stop outside is refused (wrong feed).
  std::optional<gtfs_extent> stops_extent;
};

/// The service days a family's trips fall on: Monday–Friday, Saturday, Sunday.
enum class service_kind : std::uint8_t { weekday, saturday, sunday };
inline constexpr std::array<service_kind, 3> kServiceKinds{service_kind::weekday, service_kind::saturday,
                                                           service_kind::sunday};

/// The timetables of a territory's feeds (all feeds merged: transfers between them are allowed), for a
/// weekday, a Saturday and a Sunday, with the service edits applied. Built once, read-only.
class bus_network {
 public:
  bus_network(std::vector<std::string> const& feeds, int epsg, travel_time_options const& o);
  /// Timetables built elsewhere (tests, benchmarks); a null one is a day without buses.
  bus_network(std::unique_ptr<timetable> weekday, std::unique_ptr<timetable> saturday,
              std::unique_ptr<timetable> sunday = nullptr);
  [[nodiscard]] timetable const& day(service_kind k) const { return *days_[static_cast<std::size_t>(k)]; }
  /// The service date used ("YYYYMMDD", several joined by commas for several feeds; "none": no service).
  [[nodiscard]] std::string const& date(service_kind k) const { return dates_[static_cast<std::size_t>(k)]; }

 private:
  std::array<std::unique_ptr<timetable>, 3> days_;
  std::array<std::string, 3> dates_;
};

/// A departure window: departures every minute in [from_min, to_min) (minutes after midnight).
struct bus_window {
  bool outbound{true};  ///< home → facility; false: facility → home
  service_kind day{service_kind::weekday};
  std::int32_t from_min{0};
  std::int32_t to_min{0};
};

/// What to compute: the (home, window) pairs a run needs, homes being cell centres.
struct bus_request {
  std::vector<xy> homes;
  std::vector<xy> facilities;
  std::vector<bus_window> windows;
  std::vector<std::pair<std::uint32_t, std::uint32_t>> pairs;  ///< (home, window), sorted, unique
};

/// Bus times per requested pair (CSR over `pairs`, facilities sorted in each row): the median and 80th
/// percentile door-to-door minutes over the window's departure minutes, initial wait included, kept
/// when the median is within the tolerance.
struct bus_times {
  std::vector<std::uint32_t> offsets;
  std::vector<std::uint32_t> facility;
  std::vector<std::uint16_t> median;
  std::vector<std::uint16_t> p80;  ///< kUnreachableMinutes when above the tolerance
  std::size_t queries{0};          ///< rRAPTOR origins × windows run
};

/// Range-RAPTOR from every requested home (outbound windows) and from every facility (inbound windows:
/// the evening trip leaves the facility), one-to-many, with walking access and egress within
/// max_access_m. Parallel over origins (oneTBB); the result does not depend on the thread count.
bus_times bus_profiles(bus_network const& net, bus_request const& request, travel_time_options const& o);

/// Stops within max_access_m of each point (straight line), with the walking seconds.
std::vector<std::vector<stop_walk>> near_stops(std::vector<xy> const& points, timetable const& tt,
                                               travel_time_options const& o);

/// Egress CSR from the stops to the points within walking reach.
egress_index egress_to(std::vector<xy> const& points, timetable const& tt, travel_time_options const& o);

/// Bus-reachable zone of each facility: the union of the squares (cells of `cell_size` around
/// `homes`) listed for it, e.g. the cells from which the engine's median times reach it. WKB in `epsg`;
/// an empty WKB when the list is empty.
std::vector<std::vector<unsigned char>> cell_zones(std::vector<xy> const& homes, double cell_size,
                                                   std::vector<std::vector<std::uint32_t>> const& cells_of);

}  // namespace avip::geo
