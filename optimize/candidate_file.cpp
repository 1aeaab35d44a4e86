#include "optimize/candidate_file.hpp"

#include <cmath>
#include <set>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "scenarios/problems.hpp"
#include "territory/json_file.hpp"

namespace avip::optimize {

namespace {

using json = nlohmann::json;

/// The edits a candidate action may be: the scenario edits that add offer or service.
constexpr char const* kActionTypes = "label, hours, add_facilities, baby_bus (add), bus_service";

bool is_action_type(std::string const& t) {
  return t == "label" || t == "hours" || t == "add_facilities" || t == "baby_bus" || t == "bus_service";
}

void check_keys(json const& j, std::string const& pointer, std::set<std::string> const& allowed,
                scenarios::problems& p) {
  for (auto const& [key, value] : j.items()) {
    if (allowed.count(key) == 0) {
      p.add(pointer + "/" + key,
            fmt::format("unknown key '{}' (expected one of: {})", key, fmt::join(allowed, ", ")));
    }
  }
}

std::optional<double> non_negative(json const& j, std::string const& key, std::string const& pointer,
                                   std::string const& what, scenarios::problems& p) {
  if (!j.contains(key)) {
    return std::nullopt;
  }
  auto const& v = j.at(key);
  if (!v.is_number() || !std::isfinite(v.get<double>())) {
    p.add(pointer + "/" + key, fmt::format("expected {} (a number ≥ 0), got {}", what, v.dump()));
    return std::nullopt;
  }
  double const x = v.get<double>();
  if (x < 0) {
    p.add(pointer + "/" + key, fmt::format("{} must be ≥ 0, got {}", what, x));
    return std::nullopt;
  }
  return x;
}

}  // namespace

candidate_file read_candidate_file(std::filesystem::path const& file) {
  auto const j = territory::read_json_file<scenario_error>(file, "candidates");
  scenarios::problems p{file.string()};
  candidate_file out;
  out.file = file;
  if (!j.is_object()) {
    p.add("", fmt::format("expected a JSON object (a candidates file), got {}", j.type_name()));
    p.throw_if_any();
  }
  check_keys(j, "", {"$schema", "name", "description", "budget", "max_actions", "actions"}, p);
  if (j.contains("name") && j.at("name").is_string()) {
    out.name = j.at("name").get<std::string>();
  }
  if (j.contains("description") && j.at("description").is_string()) {
    out.description = j.at("description").get<std::string>();
  }
  out.budget = non_negative(j, "budget", "", "the budget (€ a year)", p);
  if (auto const k = non_negative(j, "max_actions", "", "the number of actions", p)) {
    if (*k != std::floor(*k)) {
      p.add("/max_actions", fmt::format("expected a whole number of actions, got {}", *k));
    } else {
      out.max_actions = static_cast<int>(*k);
    }
  }
  if (!j.contains("actions") || !j.at("actions").is_array() || j.at("actions").empty()) {
    p.add("/actions", "required: a non-empty list of candidate actions");
    p.throw_if_any();
  }
  std::set<std::string> ids;
  auto const& actions = j.at("actions");
  for (std::size_t i = 0; i < actions.size(); ++i) {
    auto const pointer = fmt::format("/actions/{}", i);
    auto const& a = actions[i];
    if (!a.is_object()) {
      p.add(pointer, fmt::format("expected an object (id, edit, cost, group), got {}", a.type_name()));
      continue;
    }
    check_keys(a, pointer, {"id", "title", "edit", "cost", "cost_note", "group"}, p);
    candidate_action c;
    c.pointer = pointer;
    if (!a.contains("id") || !a.at("id").is_string() || a.at("id").get<std::string>().empty()) {
      p.add(pointer + "/id", "required: a non-empty text id");
    } else {
      c.id = a.at("id").get<std::string>();
      if (!ids.insert(c.id).second) {
        p.add(pointer + "/id", fmt::format("duplicate action id '{}'", c.id));
      }
    }
    c.title = a.contains("title") && a.at("title").is_string() ? a.at("title").get<std::string>() : c.id;
    c.cost = non_negative(a, "cost", pointer, "the cost (€ a year)", p);
    if (a.contains("cost_note") && a.at("cost_note").is_string()) {
      c.cost_note = a.at("cost_note").get<std::string>();
    }
    if (a.contains("group")) {
      if (!a.at("group").is_string() || a.at("group").get<std::string>().empty()) {
        p.add(pointer + "/group", "expected a non-empty text (the mutually exclusive group)");
      } else {
        c.group = a.at("group").get<std::string>();
      }
    }
    if (!a.contains("edit") || !a.at("edit").is_object()) {
      p.add(pointer + "/edit",
            fmt::format("required: the scenario edit the action makes (an object of type {})", kActionTypes));
      continue;
    }
    auto const& e = a.at("edit");
    c.type = e.contains("type") && e.at("type").is_string() ? e.at("type").get<std::string>() : "";
    if (!is_action_type(c.type)) {
      p.add(pointer + "/edit/type",
            fmt::format("'{}' is not an action a scenario edit can express (expected {})",
                        c.type.empty() ? e.dump() : c.type, kActionTypes));
      continue;
    }
    if (c.type == "baby_bus" && e.contains("action") && e.at("action") != "add") {
      p.add(pointer + "/edit/action",
            "a candidate Baby Bus action adds sites (\"action\": \"add\"); removing or rerouting is not an "
            "action to fund");
      continue;
    }
    if (c.type == "label" && e.contains("label") && e.at("label") == false) {
      p.add(pointer + "/edit/label",
            "a candidate action labels (\"label\": true), it does not remove a label");
      continue;
    }
    auto const before = p.size();
    // The edit is read exactly as a scenario's, with its pointer inside the candidates file.
    c.edits = scenarios::read_edit(e.dump(), file, pointer + "/edit", p, out.inputs);
    if (p.size() != before) {
      continue;
    }
    c.edit_json = e.dump();
    out.actions.push_back(std::move(c));
  }
  p.throw_if_any();
  return out;
}

}  // namespace avip::optimize
