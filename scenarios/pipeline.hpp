#pragma once

#include <atomic>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "geo/gtfs_calendar.hpp"
#include "scenarios/scenario.hpp"
#include "scenarios/sweep_partition.hpp"
#include "sim/results.hpp"
#include "sim/world.hpp"
#include "territory/territory.hpp"
#include "viz/run_outputs.hpp"

namespace avip::scenarios {

struct run_request {
  std::optional<int> replications;  ///< overrides the scenario's
  std::optional<std::uint64_t> seed;
  int threads{0};  ///< recorded only: main sets the thread count
  bool progress{true};
  std::filesystem::path observed{};  ///< observed figures for the validation (empty: beside the manifest)
  std::string date{};                ///< bus service date YYYYMMDD (--date), overrides the scenarios' "date"
  /// Handed to sim::run_options by run_into (the map editor's progress bar and cancel button).
  std::function<void(int done, int total)> on_progress{};
  std::atomic<bool> const* cancel{nullptr};
};

/// A scenario made ready to run: read, territory loaded, edits applied.
struct prepared {
  scenario spec;
  territory::territory territory;
  sim::world world;              ///< after the edits
  geo::transit_summary transit;  ///< the bus service days kept and the feeds' validity (empty without feeds)
};

/// `with_bus`: compute the bus travel times from the territory's GTFS feeds (cells → facilities, four
/// windows) into world.bus; `check` skips them.
/// `date` (YYYYMMDD, --date) overrides the scenario's "date". The feeds' calendars are read in any case:
/// a day without trips or a bus_service route in no feed is refused, an expired feed warned on stderr.
/// `synthetic_dir`: read the territory's synthetic layers from there (another synthesis seed; see
/// territory::load_territory) instead of the manifest's.
prepared prepare(std::filesystem::path const& scenario_file, bool with_bus = true, bool progress = true,
                 std::string const& date = {}, std::filesystem::path const& synthetic_dir = {});

/// What compute_bus_access computes beside the bus families' own windows.
struct bus_access_options {
  bool progress{true};
  std::string service_date;      ///< YYYYMMDD, empty = automatic
  bool standard_windows{false};  ///< also every populated cell × the standard windows (avipsim transit)
};

/// Bus times (rRAPTOR medians over each window's departure minutes) from the cells of the bus families
/// to the facilities, for the windows their care hours give, as the engine reads them. Computed once
/// per distinct timetable and request in the process (a `compare` shares them between scenarios).
sim::bus_access compute_bus_access(territory::territory const& t, sim::world const& w, sim::params const& p,
                                   std::vector<edit> const& edits, bus_access_options const& o);
sim::bus_access compute_bus_access(territory::territory const& t, sim::world const& w, sim::params const& p,
                                   std::vector<edit> const& edits, bool progress);

/// Car and walking minutes on the territory's road graph (its OpenStreetMap extract, read once per
/// process) from every family's home to the facilities within reach: car for the car families up to
/// the car tolerance, walking for all up to the longest tolerance. Empty when the territory has no
/// road graph (the engine then uses straight lines × the communes' detour factors).
sim::road_access compute_road_access(territory::territory const& t, sim::world const& w,
                                     sim::params const& p);

/// What a run's outputs record of it (summary.json's "run"): the scenario and its resolved JSON, the
/// version, seed, replications, threads, elapsed time, observed figures and bus service.
viz::run_metadata run_metadata_of(prepared const& p, run_request const& request, int replications,
                                  std::uint64_t seed, double seconds);

/// Runs a prepared scenario and writes its outputs into `dir` (an empty staging folder). Throws
/// sim::run_cancelled, writing nothing, when `request.cancel` is set during the simulation.
sim::run_results run_into(prepared const& p, run_request const& request, std::filesystem::path const& dir);

/// Runs several scenarios on common random numbers (same seed and replication count: the engine keys
/// its draws by (seed, replication, family, month)) and writes the comparison into `dir`. Under MPI,
/// scenario i runs on rank i mod size and its results reach rank 0 bit for bit, which alone prepares
/// every scenario and writes the outputs (`dir` is used on rank 0 only): identical for any number of
/// ranks and threads.
void compare_into(std::vector<std::filesystem::path> const& files, run_request const& request,
                  std::filesystem::path const& dir, sweep_partition const& partition = {});

}  // namespace avip::scenarios
