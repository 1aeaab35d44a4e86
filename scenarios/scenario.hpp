#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "scenarios/problems.hpp"
#include "sim/params.hpp"

namespace avip::scenarios {

/// Which facilities an edit applies to; every given criterion must hold (AND). Empty = none given.
struct selector {
  std::vector<std::string> ids;
  std::vector<std::string> communes;  ///< INSEE codes or names
  std::vector<std::string> kinds;
  std::vector<std::string> managers;
  std::vector<std::string> networks;
  std::string within_geojson;  ///< a GeoJSON Polygon/MultiPolygon in WGS84 (text), or empty
  std::string pointer;         ///< JSON pointer of the selector, for messages
};

struct new_facility {
  std::string id, name, kind, hours, network, manager, bus;
  int places{0};
  double occupancy{0.9};
  bool avip{false};
  double lon{0}, lat{0};
  std::string pointer;
};

enum class edit_kind {
  label,
  add_facilities,
  hours,
  baby_bus_add,
  baby_bus_remove,
  params,
  bus_service,
  places
};

struct edit {
  edit_kind kind{edit_kind::label};
  std::string pointer;  ///< e.g. /edits/2
  std::string file;     ///< scenario file the edit comes from (a base or the scenario itself)
  selector select;
  std::string network;      ///< label: network id to create (optional)
  bool coordinator{false};  ///< label: the network has a coordinator (Relais Petite Enfance)
  bool label{true};         ///< label: true = label, false = remove the label
  int labelled_places{0};   ///< label: places labelled AVIP in each facility (0 = not given)
  int places{0};            ///< places: the selected facilities' new total of (PMI-approved) places
  std::string hours;        ///< hours: the timetable added to the selected facilities' own
  bool replace_hours{false};
  std::vector<new_facility> facilities;  ///< add_facilities, baby_bus_add (sites)
  std::string bus;                       ///< baby_bus: bus id
  std::vector<std::string> routes;       ///< bus_service: GTFS route ids (empty = all)
  int service_from_s{0};                 ///< bus_service: window, seconds after midnight
  int service_to_s{0};
  double frequency_factor{1.0};  ///< bus_service: divide headways by this
  int headway_s{0};              ///< bus_service: at least one trip every headway
};

/// A scenario as resolved: its base merged in, defaults filled.
struct scenario {
  std::filesystem::path file;
  std::string name;
  std::string description;
  std::filesystem::path territory;  ///< manifest path
  int replications{200};
  std::uint64_t seed{974};
  std::string date;  ///< bus service date YYYYMMDD ("date"); empty = the feeds' automatic choice
  sim::params params;
  std::vector<edit> edits;
  std::vector<std::filesystem::path> inputs;  ///< the scenario, its bases, its add_facilities files
  std::string resolved_json;                  ///< for summary.json (with the inputs' SHA-256)
};

/// Reads and validates a scenario file (syntax, keys with "did you mean", types, ranges). All problems
/// are collected and thrown together as one avip::scenario_error naming the file and JSON pointers.
scenario read_scenario(std::filesystem::path const& file);

/// Reads one edit in the scenario syntax (`edit_json`: a JSON object as text) as if found at JSON
/// pointer `at` of `file` (a candidate action of `avipsim optimize`): the edit (none when it has
/// problems), its problems in `p`, the files it reads in `inputs`. A `params` edit changes nothing here.
std::vector<edit> read_edit(std::string const& edit_json, std::filesystem::path const& file,
                            std::string const& at, problems& p, std::vector<std::filesystem::path>& inputs);

}  // namespace avip::scenarios
