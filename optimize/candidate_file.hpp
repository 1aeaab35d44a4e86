#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "scenarios/problems.hpp"
#include "scenarios/scenario.hpp"

namespace avip::optimize {

/// One action a planner could fund: an edit of a kind scenarios already have (label, hours,
/// add_facilities, baby_bus add, bus_service), with its yearly cost and its exclusive group.
struct candidate_action {
  std::string id;
  std::string title;      ///< as the planner reads it ("Labelliser la crèche …"); the id when not given
  std::string type;       ///< the edit's type
  std::string edit_json;  ///< the edit as written (JSON text), copied into the recommendation
  std::vector<scenarios::edit> edits;  ///< the edit as read (one)
  std::optional<double> cost;          ///< € a year when the file gives it; else from the cost model
  std::string cost_note;               ///< where a given cost comes from
  std::string group;                   ///< actions of one group are mutually exclusive ("" = none)
  std::string pointer;                 ///< /actions/i, or /sites/i/path <file> feature <fid>
  /// A new facility at a candidate site (a `sites` layer's feature, or a --sites grid cell): its effect
  /// (places, cost) is read from the world with every action applied, without applying it alone.
  bool site{false};
};

/// A new facility of a candidate site (`sites` layers, --sites grid): a labelled micro-crèche by default.
struct site_template {
  std::string kind{"micro_creche"};
  int places{10};
  std::string hours{"Mo-Fr 07:30-18:30"};
  bool avip{true};                ///< labelled at opening (an unlabelled micro-crèche owes no AVIP place)
  std::optional<double> cost;     ///< € a year; default: the cost model's (sim/cost.cpp)
  std::string id_prefix{"site"};  ///< ids are <prefix>-<feature id or id_field>
};

/// The candidate action that opens `t` at (lon, lat) (WGS84): an inline add_facilities edit, so that a
/// recommendation holding it needs no other file. `pointer` names the site in messages.
candidate_action site_action(site_template const& t, std::string const& id, std::string const& name,
                             double lon, double lat, std::string const& title, std::string const& pointer,
                             std::filesystem::path const& file, scenarios::problems& p);

/// A candidates file (schema scenarios/candidates.schema.json).
struct candidate_file {
  std::filesystem::path file;
  std::string name;
  std::string description;
  std::vector<candidate_action> actions;
  std::optional<double> budget;               ///< € a year (the command line's --budget overrides it)
  std::optional<int> max_actions;             ///< at most this many actions (--max-actions overrides it)
  std::vector<std::filesystem::path> inputs;  ///< files the edits and the sites read
  std::size_t site_actions{0};                ///< actions read from `sites` layers (after `actions`)
};

/// Reads and checks a candidates file: strict JSON, known keys, each action an edit a scenario can
/// express, ids unique, costs and budget ≥ 0. Each feature of a `sites` layer (any GDAL point layer,
/// path relative to the file, read in WGS84 and projected to the territory's CRS when applied) becomes
/// an add_facilities action. Every problem is collected and thrown together as one
/// avip::scenario_error, each line naming the file and the JSON pointer.
candidate_file read_candidate_file(std::filesystem::path const& file);

}  // namespace avip::optimize
