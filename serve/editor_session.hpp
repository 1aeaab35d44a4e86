#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "scenarios/pipeline.hpp"

namespace avip::serve {

/// One problem of a scenario sent by the page, placed where the page shows it: `pointer` is a JSON
/// pointer into the page's document ("" = the document as a whole).
struct problem {
  std::string pointer;
  std::string message;
};

/// A scenario from the page, checked: its problems (none when it can run), and what it is.
struct draft_check {
  std::vector<problem> problems;
  std::string name;
  int replications{0};
  std::uint64_t seed{0};
  std::string date;
  std::size_t facilities{0};
  std::size_t labelled{0};
  std::size_t edits{0};
  [[nodiscard]] bool ok() const { return problems.empty(); }
};

/// What the map editor knows of the scenario it was opened on (the base): its territory loaded once,
/// the layers the page draws, and the checks of the scenarios the page sends. Every scenario from the
/// page extends the base ("base" is forced to it) and may not name files: the server reads nothing
/// but the base and its territory.
class editor_session {
 public:
  /// Reads the base scenario and its territory (no bus times: those come with the first run).
  /// `scratch`: an existing folder of the server's own (under --out) for the drafts being checked.
  editor_session(std::filesystem::path base_file, std::filesystem::path scratch, std::string tiles = {});

  [[nodiscard]] std::filesystem::path const& base_file() const { return base_file_; }
  [[nodiscard]] scenarios::prepared const& base() const { return base_; }

  /// JSON for the page: territory, base scenario, the document to start from, GTFS routes, windows.
  [[nodiscard]] std::string const& info_json() const { return info_; }
  /// GeoJSON (WGS84) of a base layer: "communes", "qpv", "facilities", "bus_lines"; empty when unknown.
  [[nodiscard]] std::string const& layer(std::string const& name) const;
  [[nodiscard]] bool has_gtfs() const { return !base_.territory.gtfs.empty(); }

  /// Checks the page's document `body` (JSON text) as a scenario extending the base: syntax, keys,
  /// values, then its edits applied to the base's world (unknown ids, overlaps), every problem with its
  /// pointer. With no problem and `runnable` not empty, writes there the scenario as the server runs it
  /// (its "base" the path of the base from that file's folder).
  draft_check check(std::string const& body, std::filesystem::path const& runnable = {}) const;

  /// Checks an opening_hours value with the simulator's own parser: empty when valid, else the reason.
  /// Also returns in `normalised` the week the model simulates, written back compactly.
  static std::string check_hours(std::string const& text, std::string& normalised);

 private:
  std::filesystem::path base_file_;
  std::filesystem::path scratch_;
  scenarios::prepared base_;
  std::vector<std::string> routes_;
  std::string info_;
  std::string communes_, qpv_, facilities_, bus_lines_, none_;
};

}  // namespace avip::serve
