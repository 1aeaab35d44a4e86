#pragma once

#include <cstdint>
#include <vector>

#include "geo/timetable.hpp"

namespace avip::geo {

struct raptor_options {
  int max_transfers{2};
};

/// A stop with a walking time (access from an origin, or egress to a destination).
struct stop_walk {
  std::uint32_t stop;
  std::int32_t seconds;
};

/// Stop → destinations within walking reach, with the walking seconds: CSR over stops.
struct egress_index {
  std::vector<std::uint32_t> offsets;  ///< size stops + 1
  std::vector<std::uint32_t> destination;
  std::vector<std::int32_t> seconds;
  std::size_t destinations{0};  ///< how many destinations in all
};

/// Departures every minute in [from_s, to_s) (seconds after midnight); door-to-door times above
/// `tolerance_s` count as unreachable.
struct profile_window {
  std::int32_t from_s{0};
  std::int32_t to_s{0};
  std::int32_t tolerance_s{0};
};

/// Median and 80th percentile (nearest rank, R5 style) of the door-to-door minutes over the window's
/// departure minutes; `p80_min` is kUnreachable when above the tolerance.
struct profile_entry {
  std::uint32_t destination;
  std::uint16_t median_min;
  std::uint16_t p80_min;
};

/// Range-RAPTOR (Delling, Pajor, Werneck 2012, section 4): the departure times of one origin's window
/// are processed latest first, the labels of every round kept between runs, so a run only explores what
/// an earlier departure improves. An arrival counts only after at least one trip (walking all the way is
/// not a bus journey); boarding another vehicle needs the timetable's minimum change time. Pruned by the
/// tolerance. Read-only: one instance serves all threads, each with its own scratch.
class raptor {
 public:
  static constexpr std::int32_t kNever = timetable::kNever;
  static constexpr std::uint16_t kUnreachable = 0xFFFF;

  raptor(timetable const& tt, raptor_options const& options);

  struct scratch {
    std::vector<std::int32_t> ready;  ///< per round k (0 = on foot from the origin) × stop: may board from
    std::vector<std::int32_t> best;   ///< per stop: earliest arrival by vehicle, over rounds and runs
    std::vector<std::int32_t> best_ready;
    std::vector<std::uint8_t> flags;  ///< per stop: kMarked | kImprovedRound | kImprovedRun | kTouched
    std::vector<std::uint32_t> marked, improved_round, improved_run, touched;
    std::vector<std::uint32_t> route_start;
    std::vector<std::uint32_t> routes;
    std::vector<std::int32_t> events;
    std::vector<std::int32_t> dest_best;
    std::vector<std::uint32_t> dest_touched;
    struct change {
      std::uint32_t destination;
      std::int32_t tau;
      std::int32_t arrival;
    };
    std::vector<change> log;
    std::vector<std::int32_t> values;
  };

  /// One departure at `depart`: the earliest arrival at every stop after at least one trip (by vehicle,
  /// or walking on from a stop reached by vehicle); kNever elsewhere. For tests and diagnostics.
  void earliest_arrival(std::vector<stop_walk> const& access, std::int32_t depart, scratch& s,
                        std::vector<std::int32_t>& best) const;

  /// rRAPTOR over the window from an origin whose walking access is `access`: appends to `out` the
  /// destinations whose median is within the tolerance, sorted by destination.
  void profile(std::vector<stop_walk> const& access, profile_window const& w, egress_index const& egress,
               scratch& s, std::vector<profile_entry>& out) const;

  [[nodiscard]] timetable const& table() const { return tt_; }

 private:
  void prepare(scratch& s, std::size_t destinations) const;
  void reset(scratch& s) const;
  void run(std::vector<stop_walk> const& access, std::int32_t tau, std::int32_t limit, scratch& s) const;
  void set_ready(scratch& s, int round, std::uint32_t stop, std::int32_t t, std::int32_t limit) const;
  void scan_route(std::uint32_t r, int round, std::int32_t limit, scratch& s) const;
  void relax_transfers(int round, std::int32_t limit, scratch& s) const;
  void collect_events(std::vector<stop_walk> const& access, profile_window const& w, scratch& s) const;
  void summarise(profile_window const& w, scratch& s, std::vector<profile_entry>& out) const;

  timetable const& tt_;
  int rounds_;  ///< trips at most: max_transfers + 1
};

}  // namespace avip::geo
