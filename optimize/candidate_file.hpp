#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

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
  std::string pointer;                 ///< /actions/i
};

/// A candidates file (schema scenarios/candidates.schema.json).
struct candidate_file {
  std::filesystem::path file;
  std::string name;
  std::string description;
  std::vector<candidate_action> actions;
  std::optional<double> budget;               ///< € a year (the command line's --budget overrides it)
  std::optional<int> max_actions;             ///< at most this many actions (--max-actions overrides it)
  std::vector<std::filesystem::path> inputs;  ///< files the edits read
};

/// Reads and checks a candidates file: strict JSON, known keys, each action an edit a scenario can
/// express, ids unique, costs and budget ≥ 0. Every problem is collected and thrown together as one
/// avip::scenario_error, each line naming the file and the JSON pointer.
candidate_file read_candidate_file(std::filesystem::path const& file);

}  // namespace avip::optimize
