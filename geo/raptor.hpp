#pragma once

#include <cstdint>
#include <limits>
#include <utility>
#include <vector>

#include "geo/gtfs_feed.hpp"
#include "geo/projection.hpp"

namespace avip::geo {

struct raptor_options {
  int max_transfers{2};
  double transfer_radius_m{400.0};  ///< walking transfers between stops within this straight-line radius
  double walk_speed_kmh{4.5};
  double detour_factor{1.3};
};

/// Round-based earliest-arrival search over a one-day timetable (RAPTOR, Delling et al. 2012):
/// round k relaxes every pattern serving a stop improved in round k−1, then the walking transfers.
/// Read-only after construction: one instance serves all threads, each with its own scratch.
class raptor {
 public:
  static constexpr std::int32_t kNever = std::numeric_limits<std::int32_t>::max();

  /// `stop_xy` are the feed's stops in a metric CRS (same order as feed.stop_id).
  raptor(gtfs_feed const& feed, std::vector<xy> stop_xy, raptor_options const& options);

  struct scratch {
    std::vector<std::int32_t> best, previous, current;
    std::vector<std::uint8_t> marked;
    std::vector<std::int32_t> pattern_start;
  };

  /// Earliest arrival (seconds) at every stop from `sources` = (stop, time ready to board there).
  /// `best` is resized to the stop count; kNever where unreachable.
  void earliest_arrival(std::vector<std::pair<std::uint32_t, std::int32_t>> const& sources, scratch& s,
                        std::vector<std::int32_t>& best) const;

  [[nodiscard]] std::vector<xy> const& stops() const { return stop_xy_; }
  [[nodiscard]] double walk_seconds(double metres) const {
    return metres * options_.detour_factor / (options_.walk_speed_kmh / 3.6);
  }

 private:
  gtfs_feed const& feed_;
  std::vector<xy> stop_xy_;
  raptor_options options_;
  std::vector<std::vector<std::pair<std::uint32_t, std::int32_t>>> transfers_;  ///< per stop: (stop, seconds)
};

}  // namespace avip::geo
