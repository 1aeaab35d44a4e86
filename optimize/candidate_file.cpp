#include "optimize/candidate_file.hpp"

#include <cmath>
#include <set>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "core/path_policy.hpp"
#include "geo/geometry_ops.hpp"
#include "geo/vector_reader.hpp"
#include "scenarios/facility_file.hpp"
#include "scenarios/problems.hpp"
#include "sim/opening_hours.hpp"
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

std::optional<std::string> text_of(json const& j, std::string const& key, std::string const& pointer,
                                   scenarios::problems& p) {
  if (!j.contains(key)) {
    return std::nullopt;
  }
  if (!j.at(key).is_string() || j.at(key).get<std::string>().empty()) {
    p.add(pointer + "/" + key, fmt::format("expected a non-empty text, got {}", j.at(key).dump()));
    return std::nullopt;
  }
  return j.at(key).get<std::string>();
}

/// The site template of a `sites` entry (kind, places, hours, avip, cost, id_prefix), checked.
site_template read_template(json const& s, std::string const& pointer, scenarios::problems& p) {
  site_template t;
  if (auto const k = text_of(s, "kind", pointer, p)) {
    if (!scenarios::is_facility_kind(*k) || *k == "baby_bus_site") {
      p.add(pointer + "/kind", fmt::format("unknown kind '{}' for a new structure (expected one of {})", *k,
                                           scenarios::facility_kinds_text()));
    } else {
      t.kind = *k;
    }
  }
  if (s.contains("places")) {
    auto const& v = s.at("places");
    if (!v.is_number_integer() || v.get<std::int64_t>() < scenarios::kMinPlaces ||
        v.get<std::int64_t>() > scenarios::kMaxPlaces) {
      p.add(pointer + "/places", fmt::format("expected a whole number of places in [{}, {}], got {}",
                                             scenarios::kMinPlaces, scenarios::kMaxPlaces, v.dump()));
    } else {
      t.places = v.get<int>();
    }
  }
  if (auto const h = text_of(s, "hours", pointer, p)) {
    try {
      (void)sim::parse_opening_hours(*h);
      t.hours = *h;
    } catch (error const& e) {
      p.add(pointer + "/hours", e.what());
    }
  }
  if (s.contains("avip")) {
    if (!s.at("avip").is_boolean()) {
      p.add(pointer + "/avip", fmt::format("expected true or false, got {}", s.at("avip").dump()));
    } else {
      t.avip = s.at("avip").get<bool>();
    }
  }
  t.cost = non_negative(s, "cost", pointer, "the cost (€ a year)", p);
  if (auto const x = text_of(s, "id_prefix", pointer, p)) {
    t.id_prefix = *x;
  }
  return t;
}

/// The actions of one `sites` entry: each point of the layer a new structure of the entry's template.
void read_sites(json const& s, std::string const& pointer, std::filesystem::path const& file,
                std::set<std::string>& ids, candidate_file& out, scenarios::problems& p) {
  if (!s.is_object()) {
    p.add(pointer,
          fmt::format("expected an object (path, layer, places, hours, cost), got {}", s.type_name()));
    return;
  }
  check_keys(s, pointer,
             {"path", "layer", "id_field", "name_field", "kind", "places", "hours", "avip", "cost",
              "cost_note", "id_prefix", "group"},
             p);
  auto const before = p.size();
  auto const t = read_template(s, pointer, p);
  auto const layer = text_of(s, "layer", pointer, p);
  auto const id_field = text_of(s, "id_field", pointer, p);
  auto const name_field = text_of(s, "name_field", pointer, p);
  auto const note = text_of(s, "cost_note", pointer, p);
  auto const group = text_of(s, "group", pointer, p);
  auto const path_text = text_of(s, "path", pointer, p);
  if (!path_text) {
    if (!s.contains("path")) {
      p.add(pointer + "/path", "required: a GDAL point layer of candidate sites, relative to this file");
    }
    return;
  }
  std::filesystem::path path;
  try {
    path = input_path(file, *path_text, pointer + "/path");
  } catch (scenario_error const& e) {
    p.add_message(e.what());
    return;
  }
  if (p.size() != before) {
    return;
  }
  out.inputs.push_back(path);
  geo::read_options ro;
  ro.target_epsg = 4326;
  ro.layer = layer.value_or("");
  geo::feature_table table;
  try {
    table = geo::read_vector(path.string(), ro);
  } catch (error const& e) {
    p.add(pointer + "/path", e.what());
    return;
  }
  if (table.geometry.empty()) {
    p.add(pointer + "/path", fmt::format("{} has no geometry: candidate sites are points", *path_text));
    return;
  }
  for (auto const* f : {&id_field, &name_field}) {
    if (*f && !table.column(**f)) {
      p.add(
          pointer + (f == &id_field ? "/id_field" : "/name_field"),
          fmt::format("no column '{}' in {} (columns: {})", **f, *path_text, fmt::join(table.columns, ", ")));
      return;
    }
  }
  for (std::size_t k = 0; k < table.size(); ++k) {
    auto const where = fmt::format("{}/path {} feature {}", pointer, *path_text, table.fid[k]);
    auto const xy = geo::point_coordinates(table.geometry[k]);
    if (!xy) {
      p.add(where, "a candidate site must be a point");
      continue;
    }
    std::string id = fmt::format("{}-{}", t.id_prefix, table.fid[k]);
    if (id_field) {
      auto const& v = table.values[*table.column(*id_field)][k];
      if (!v || v->empty()) {
        p.add(where + "/" + *id_field, "required: the site's id");
        continue;
      }
      id = *v;
    }
    std::string name = id;
    if (name_field) {
      auto const& v = table.values[*table.column(*name_field)][k];
      name = v && !v->empty() ? *v : id;
    }
    if (!ids.insert(id).second) {
      p.add(where, fmt::format("duplicate action id '{}'", id));
      continue;
    }
    auto a = site_action(t, id, name, xy->x, xy->y,
                         fmt::format("Ouvrir {} de {} places : {}",
                                     t.kind == "micro_creche" ? "une micro-crèche" : t.kind, t.places, name),
                         where, file, p);
    a.cost_note = note.value_or("");
    a.group = group.value_or("");
    if (!a.edits.empty()) {
      out.actions.push_back(std::move(a));
      ++out.site_actions;
    }
  }
}

}  // namespace

candidate_action site_action(site_template const& t, std::string const& id, std::string const& name,
                             double lon, double lat, std::string const& title, std::string const& pointer,
                             std::filesystem::path const& file, scenarios::problems& p) {
  candidate_action a;
  a.id = id;
  a.title = title;
  a.type = "add_facilities";
  a.cost = t.cost;
  a.pointer = pointer;
  a.site = true;
  json facility = {{"id", id},         {"name", name},   {"kind", t.kind}, {"places", t.places},
                   {"hours", t.hours}, {"avip", t.avip}, {"lon", lon},     {"lat", lat}};
  json const e = {{"type", "add_facilities"}, {"facilities", json::array({facility})}};
  a.edit_json = e.dump();
  std::vector<std::filesystem::path> inputs;
  a.edits = scenarios::read_edit(a.edit_json, file, pointer, p, inputs);
  return a;
}

candidate_file read_candidate_file(std::filesystem::path const& file) {
  auto const j = territory::read_json_file<scenario_error>(file, "candidates");
  scenarios::problems p{file.string()};
  candidate_file out;
  out.file = file;
  if (!j.is_object()) {
    p.add("", fmt::format("expected a JSON object (a candidates file), got {}", j.type_name()));
    p.throw_if_any();
  }
  check_keys(j, "", {"$schema", "name", "description", "budget", "max_actions", "actions", "sites"}, p);
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
  bool const has_sites = j.contains("sites");
  if (has_sites && (!j.at("sites").is_array() || j.at("sites").empty())) {
    p.add("/sites",
          "expected a non-empty list of site layers ({\"path\": \"sites.gpkg\", \"places\": 10, …})");
    p.throw_if_any();
  }
  if (j.contains("actions") ? !j.at("actions").is_array() || (j.at("actions").empty() && !has_sites)
                            : !has_sites) {
    p.add("/actions",
          "required: a non-empty list of candidate actions (or \"sites\": layers of candidate sites)");
    p.throw_if_any();
  }
  std::set<std::string> ids;
  auto const actions = j.contains("actions") ? j.at("actions") : json::array();
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
  if (has_sites) {
    for (std::size_t i = 0; i < j.at("sites").size(); ++i) {
      read_sites(j.at("sites")[i], fmt::format("/sites/{}", i), file, ids, out, p);
    }
  }
  p.throw_if_any();
  return out;
}

}  // namespace avip::optimize
