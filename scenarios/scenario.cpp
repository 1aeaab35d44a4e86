#include "scenarios/scenario.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <functional>
#include <map>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "core/error.hpp"
#include "core/path_policy.hpp"
#include "geo/file_hash.hpp"
#include "geo/gtfs_calendar.hpp"
#include "scenarios/facility_file.hpp"
#include "scenarios/param_bindings.hpp"
#include "scenarios/problems.hpp"
#include "sim/opening_hours.hpp"
#include "territory/json_file.hpp"

namespace avip::scenarios {

namespace fs = std::filesystem;
using json = nlohmann::json;

namespace {

std::size_t edit_distance(std::string const& a, std::string const& b) {
  std::vector<std::size_t> prev(b.size() + 1), cur(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) {
    prev[j] = j;
  }
  for (std::size_t i = 1; i <= a.size(); ++i) {
    cur[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)});
    }
    std::swap(prev, cur);
  }
  return prev[b.size()];
}

void check_keys(json const& obj, std::string const& pointer, std::vector<std::string> const& allowed,
                problems& p) {
  for (auto const& [key, value] : obj.items()) {
    if (std::find(allowed.begin(), allowed.end(), key) != allowed.end()) {
      continue;
    }
    std::string best;
    std::size_t best_d = 4;
    for (auto const& a : allowed) {
      auto const d = edit_distance(key, a);
      if (d < best_d) {
        best_d = d;
        best = a;
      }
    }
    p.add(pointer + "/" + key, best.empty()
                                   ? fmt::format("unknown key '{}'", key)
                                   : fmt::format("unknown key '{}' (did you mean '{}'?)", key, best));
  }
}

char const* type_name(json const& j) {
  return j.type_name();
}

std::optional<std::string> get_string(json const& obj, std::string const& key, std::string const& pointer,
                                      problems& p) {
  if (!obj.contains(key)) {
    return std::nullopt;
  }
  if (!obj.at(key).is_string()) {
    p.add(pointer + "/" + key, fmt::format("expected a string, got {}", type_name(obj.at(key))));
    return std::nullopt;
  }
  return obj.at(key).get<std::string>();
}

std::optional<double> get_number(json const& obj, std::string const& key, std::string const& pointer,
                                 double lo, double hi, problems& p) {
  if (!obj.contains(key)) {
    return std::nullopt;
  }
  auto const& v = obj.at(key);
  if (!v.is_number()) {
    p.add(pointer + "/" + key, fmt::format("expected a number in [{}, {}], got {}", lo, hi, type_name(v)));
    return std::nullopt;
  }
  double const x = v.get<double>();
  if (x < lo || x > hi) {
    p.add(pointer + "/" + key, fmt::format("{} is out of range [{}, {}]", x, lo, hi));
    return std::nullopt;
  }
  return x;
}

/// A whole number in [lo, hi] (2.7 places or 1.5 replications are refused, not truncated).
std::optional<double> get_whole(json const& obj, std::string const& key, std::string const& pointer,
                                double lo, double hi, problems& p) {
  auto const x = get_number(obj, key, pointer, lo, hi, p);
  if (x && *x != std::floor(*x)) {
    p.add(pointer + "/" + key, fmt::format("expected a whole number in [{}, {}], got {}", lo, hi, *x));
    return std::nullopt;
  }
  return x;
}

std::optional<bool> get_bool(json const& obj, std::string const& key, std::string const& pointer,
                             problems& p) {
  if (!obj.contains(key)) {
    return std::nullopt;
  }
  if (!obj.at(key).is_boolean()) {
    p.add(pointer + "/" + key, fmt::format("expected true or false, got {}", type_name(obj.at(key))));
    return std::nullopt;
  }
  return obj.at(key).get<bool>();
}

std::vector<std::string> get_strings(json const& obj, std::string const& key, std::string const& pointer,
                                     problems& p) {
  std::vector<std::string> out;
  if (!obj.contains(key)) {
    return out;
  }
  auto const& v = obj.at(key);
  if (v.is_string()) {
    out.push_back(v.get<std::string>());
    return out;
  }
  if (!v.is_array()) {
    p.add(pointer + "/" + key, fmt::format("expected a string or a list of strings, got {}", type_name(v)));
    return out;
  }
  for (std::size_t i = 0; i < v.size(); ++i) {
    if (!v[i].is_string()) {
      p.add(fmt::format("{}/{}/{}", pointer, key, i),
            fmt::format("expected a string, got {}", type_name(v[i])));
    } else {
      out.push_back(v[i].get<std::string>());
    }
  }
  return out;
}

void check_hours(std::string const& text, std::string const& pointer, problems& p) {
  try {
    (void)sim::parse_opening_hours(text);
  } catch (error const& e) {
    p.add(pointer, e.what());
  }
}

void read_params(json const& j, std::string const& pointer, sim::params& out, problems& p) {
  if (!j.is_object()) {
    p.add(pointer, fmt::format("expected an object of parameters, got {}", type_name(j)));
    return;
  }
  std::vector<std::string> allowed{"policy", "year_bound", "unlabelled_assmat_open"};
  for (auto const& b : param_bindings()) {
    allowed.push_back(b.name);
  }
  check_keys(j, pointer, allowed, p);
  for (auto const& b : param_bindings()) {
    if (auto v = b.integer ? get_whole(j, b.name, pointer, b.lo, b.hi, p)
                           : get_number(j, b.name, pointer, b.lo, b.hi, p)) {
      b.set(out, *v);
    }
  }
  if (auto s = get_string(j, "policy", pointer, p)) {
    if (*s == "priority") {
      out.policy = sim::allocation_policy::priority;
    } else if (*s == "lottery") {
      out.policy = sim::allocation_policy::lottery;
    } else if (*s == "optimal") {
      out.policy = sim::allocation_policy::optimal;
    } else {
      p.add(pointer + "/policy", fmt::format("expected priority, lottery or optimal, got '{}'", *s));
    }
  }
  if (auto b = get_bool(j, "unlabelled_assmat_open", pointer, p)) {
    out.unlabelled_assmat_open = *b;
  }
  if (auto b = get_bool(j, "year_bound", pointer, p)) {
    out.year_bound = *b;
  }
}

selector read_selector(json const& j, std::string const& pointer, problems& p) {
  selector s;
  s.pointer = pointer;
  if (!j.is_object()) {
    p.add(pointer, fmt::format("expected an object (ids, commune, kind, manager, network, within), got {}",
                               type_name(j)));
    return s;
  }
  check_keys(j, pointer, {"ids", "commune", "kind", "manager", "network", "within"}, p);
  s.ids = get_strings(j, "ids", pointer, p);
  s.communes = get_strings(j, "commune", pointer, p);
  s.kinds = get_strings(j, "kind", pointer, p);
  s.managers = get_strings(j, "manager", pointer, p);
  s.networks = get_strings(j, "network", pointer, p);
  if (j.contains("within")) {
    auto const& w = j.at("within");
    auto const type = w.is_object() && w.contains("type") && w.at("type").is_string()
                          ? w.at("type").get<std::string>()
                          : std::string{};
    if ((type != "Polygon" && type != "MultiPolygon") || !w.contains("coordinates")) {
      p.add(pointer + "/within",
            type.empty()
                ? "expected a GeoJSON Polygon or MultiPolygon geometry in WGS84"
                : fmt::format("expected a GeoJSON Polygon or MultiPolygon in WGS84, got a {}", type));
    } else {
      s.within_geojson = w.dump();
    }
  }
  if (s.ids.empty() && s.communes.empty() && s.kinds.empty() && s.managers.empty() && s.networks.empty() &&
      s.within_geojson.empty()) {
    p.add(pointer, "empty selector: give ids, commune, kind, manager, network or within");
  }
  for (std::size_t i = 0; i < s.kinds.size(); ++i) {
    if (!is_facility_kind(s.kinds[i])) {
      p.add(fmt::format("{}/kind", pointer), fmt::format("unknown kind '{}'", s.kinds[i]));
    }
  }
  return s;
}

new_facility read_new_facility(json const& j, std::string const& pointer, problems& p, bool site) {
  new_facility f;
  f.pointer = pointer;
  if (!j.is_object()) {
    p.add(pointer, fmt::format("expected an object, got {}", type_name(j)));
    return f;
  }
  check_keys(j, pointer, new_facility_fields(), p);
  f.id = get_string(j, "id", pointer, p).value_or("");
  if (f.id.empty()) {
    p.add(pointer + "/id", "required");
  }
  f.name = get_string(j, "name", pointer, p).value_or(f.id);
  f.kind = get_string(j, "kind", pointer, p).value_or(site ? "baby_bus_site" : "");
  if (!is_facility_kind(f.kind)) {
    p.add(pointer + "/kind", fmt::format("expected one of {}; got '{}'", facility_kinds_text(), f.kind));
  }
  f.places = static_cast<int>(get_whole(j, "places", pointer, kMinPlaces, kMaxPlaces, p).value_or(0));
  if (!j.contains("places")) {
    p.add(pointer + "/places", "required (PMI-approved places, or children per session for a Baby Bus site)");
  }
  f.hours = get_string(j, "hours", pointer, p).value_or("");
  if (f.hours.empty()) {
    p.add(pointer + "/hours", "required (e.g. \"Mo-Fr 07:00-18:30\")");
  } else {
    check_hours(f.hours, pointer + "/hours", p);
  }
  f.occupancy = get_number(j, "occupancy", pointer, 0, 1, p).value_or(site ? 0.0 : 0.9);
  f.avip = get_bool(j, "avip", pointer, p).value_or(false);
  f.network = get_string(j, "network", pointer, p).value_or("");
  f.manager = get_string(j, "manager", pointer, p).value_or("");
  auto lon = get_number(j, "lon", pointer, -180, 180, p);
  auto lat = get_number(j, "lat", pointer, -90, 90, p);
  if (!lon || !lat) {
    if (!j.contains("lon") || !j.contains("lat")) {
      p.add(pointer, "lon and lat (WGS84) are required");
    }
  } else {
    f.lon = *lon;
    f.lat = *lat;
  }
  return f;
}

/// An add_facilities edit's `fields`: contract name -> the file's column name.
std::map<std::string, std::string> read_fields(json const& e, std::string const& pointer, problems& p) {
  std::map<std::string, std::string> out;
  if (!e.contains("fields")) {
    return out;
  }
  auto const& f = e.at("fields");
  if (!f.is_object()) {
    p.add(pointer + "/fields",
          fmt::format("expected an object (contract name: column name), got {}", type_name(f)));
    return out;
  }
  check_keys(f, pointer + "/fields", new_facility_fields(), p);
  for (auto const& [k, v] : f.items()) {
    if (!v.is_string()) {
      p.add(pointer + "/fields/" + k, fmt::format("expected a column name (a string), got {}", type_name(v)));
    } else {
      out[k] = v.get<std::string>();
    }
  }
  return out;
}

void read_edits(json const& edits, std::string const& file, problems& p, std::vector<edit>& out,
                sim::params& params, std::vector<fs::path>& inputs, std::string const& at = "/edits",
                bool single = false) {
  if (!edits.is_array()) {
    p.add(at, fmt::format("expected a list of edits, got {}", type_name(edits)));
    return;
  }
  for (std::size_t i = 0; i < edits.size(); ++i) {
    auto const pointer = single ? at : fmt::format("{}/{}", at, i);
    auto const& e = edits[i];
    if (!e.is_object() || !e.contains("type") || !e.at("type").is_string()) {
      p.add(pointer,
            "expected an object with a \"type\" (label, hours, places, add_facilities, baby_bus, params, "
            "bus_service)");
      continue;
    }
    auto const type = e.at("type").get<std::string>();
    edit ed;
    ed.pointer = pointer;
    ed.file = file;
    if (type == "label") {
      check_keys(e, pointer, {"type", "select", "network", "coordinator", "label", "places"}, p);
      ed.kind = edit_kind::label;
      if (!e.contains("select")) {
        p.add(pointer + "/select", "required: which facilities to label");
      } else {
        ed.select = read_selector(e.at("select"), pointer + "/select", p);
      }
      ed.network = get_string(e, "network", pointer, p).value_or("");
      ed.coordinator = get_bool(e, "coordinator", pointer, p).value_or(!ed.network.empty());
      ed.label = get_bool(e, "label", pointer, p).value_or(true);
      if (auto const n = get_number(e, "places", pointer, 1, 1000, p)) {
        if (*n != std::floor(*n)) {
          p.add(pointer + "/places", fmt::format("expected a whole number of labelled places, got {}", *n));
        } else if (!ed.label) {
          p.add(pointer + "/places", "labelled places apply only to a label (\"label\": true)");
        } else {
          ed.labelled_places = static_cast<int>(*n);
        }
      }
    } else if (type == "hours") {
      check_keys(e, pointer, {"type", "select", "hours", "replace"}, p);
      ed.kind = edit_kind::hours;
      if (!e.contains("select")) {
        p.add(pointer + "/select", "required: which facilities change their hours");
      } else {
        ed.select = read_selector(e.at("select"), pointer + "/select", p);
      }
      ed.hours = get_string(e, "hours", pointer, p).value_or("");
      if (ed.hours.empty()) {
        p.add(pointer + "/hours",
              "required (opening_hours text, e.g. \"Mo-Fr 06:30-19:30; Sa 08:00-12:00\")");
      } else {
        check_hours(ed.hours, pointer + "/hours", p);
      }
      ed.replace_hours = get_bool(e, "replace", pointer, p).value_or(false);
    } else if (type == "places") {
      check_keys(e, pointer, {"type", "select", "places"}, p);
      ed.kind = edit_kind::places;
      if (!e.contains("select")) {
        p.add(pointer + "/select", "required: which facilities change their places");
      } else {
        ed.select = read_selector(e.at("select"), pointer + "/select", p);
      }
      if (!e.contains("places")) {
        p.add(pointer + "/places", "required: the facilities' total places (PMI-approved), a whole number");
      }
      ed.places = static_cast<int>(get_whole(e, "places", pointer, kMinPlaces, kMaxPlaces, p).value_or(0));
    } else if (type == "add_facilities") {
      check_keys(e, pointer, {"type", "facilities", "file", "fields"}, p);
      ed.kind = edit_kind::add_facilities;
      if (auto const f = get_string(e, "file", pointer, p)) {
        // A layer of new facilities in any GDAL format; columns named as the contract, or mapped.
        auto const fields = read_fields(e, pointer, p);
        auto const path = input_path(file, *f, pointer + "/file");
        inputs.push_back(path);
        auto added = read_facility_file(path, *f, fields, pointer, p);
        ed.facilities.insert(ed.facilities.end(), added.begin(), added.end());
      } else if (!e.contains("facilities") || !e.at("facilities").is_array() || e.at("facilities").empty()) {
        p.add(pointer + "/facilities", "expected a non-empty list of facilities, or a file");
      } else {
        for (std::size_t k = 0; k < e.at("facilities").size(); ++k) {
          ed.facilities.push_back(read_new_facility(e.at("facilities")[k],
                                                    fmt::format("{}/facilities/{}", pointer, k), p, false));
        }
      }
    } else if (type == "baby_bus") {
      check_keys(e, pointer, {"type", "action", "bus", "sites"}, p);
      auto const action = get_string(e, "action", pointer, p).value_or("add");
      ed.bus = get_string(e, "bus", pointer, p).value_or("");
      if (ed.bus.empty()) {
        p.add(pointer + "/bus", "required: the Baby Bus id");
      }
      if (action == "add" || action == "reroute") {
        ed.kind = edit_kind::baby_bus_add;
        ed.replace_hours = action == "reroute";
        if (!e.contains("sites") || !e.at("sites").is_array() || e.at("sites").empty()) {
          p.add(pointer + "/sites", "expected a non-empty list of sites (id, lon, lat, hours, places)");
        } else {
          for (std::size_t k = 0; k < e.at("sites").size(); ++k) {
            auto f = read_new_facility(e.at("sites")[k], fmt::format("{}/sites/{}", pointer, k), p, true);
            f.kind = "baby_bus_site";
            f.bus = ed.bus;
            ed.facilities.push_back(f);
          }
        }
      } else if (action == "remove") {
        ed.kind = edit_kind::baby_bus_remove;
      } else {
        p.add(pointer + "/action", fmt::format("expected add, reroute or remove, got '{}'", action));
      }
    } else if (type == "bus_service") {
      check_keys(e, pointer, {"type", "routes", "from", "to", "frequency_factor", "headway_minutes"}, p);
      ed.kind = edit_kind::bus_service;
      ed.routes = get_strings(e, "routes", pointer, p);
      auto time_of = [&](std::string const& key, int fallback) {
        auto const t = get_string(e, key, pointer, p);
        if (!t) {
          return fallback;
        }
        int h = 0;
        int m = 0;
        char colon = 0;
        if (std::sscanf(t->c_str(), "%d%c%d", &h, &colon, &m) != 3 || colon != ':' || h < 0 || h > 30 ||
            m < 0 || m > 59) {
          p.add(pointer + "/" + key, fmt::format("expected a time HH:MM, got '{}'", *t));
          return fallback;
        }
        return h * 3600 + m * 60;
      };
      ed.service_from_s = time_of("from", 0);
      ed.service_to_s = time_of("to", 30 * 3600);
      if (ed.service_to_s <= ed.service_from_s) {
        p.add(pointer + "/to", "must be after /from");
      }
      ed.frequency_factor = get_number(e, "frequency_factor", pointer, 1, 10, p).value_or(1.0);
      ed.headway_s =
          static_cast<int>(60 * get_number(e, "headway_minutes", pointer, 5, 240, p).value_or(0.0));
      if (!e.contains("frequency_factor") && !e.contains("headway_minutes")) {
        p.add(pointer, "give frequency_factor (e.g. 2 = twice as many trips) or headway_minutes");
      }
    } else if (type == "params") {
      check_keys(e, pointer, {"type", "params"}, p);
      ed.kind = edit_kind::params;
      if (e.contains("params")) {
        read_params(e.at("params"), pointer + "/params", params, p);
      } else {
        p.add(pointer, "a params edit needs \"params\" (the parameters it changes)");
      }
    } else {
      p.add(pointer + "/type",
            fmt::format(
                "unknown edit type '{}' (expected label, hours, places, add_facilities, baby_bus, params, "
                "bus_service)",
                type));
      continue;
    }
    out.push_back(std::move(ed));
  }
}

json parse_file(fs::path const& file) {
  return territory::read_json_file<scenario_error>(file, "scenario");
}

void read_into(fs::path const& file, scenario& s, int depth) {
  if (depth > 8) {
    throw scenario_error{fmt::format("{}: /base: too many nested bases (a cycle?)", file.string())};
  }
  auto const j = parse_file(file);
  s.inputs.push_back(file);
  problems p{file.string()};
  if (!j.is_object()) {
    p.add("", fmt::format("expected a JSON object (a scenario), got {}", j.type_name()));
    p.throw_if_any();
  }
  check_keys(j, "",
             {"$schema", "name", "description", "base", "territory", "replications", "seed", "date", "params",
              "edits"},
             p);
  // A refused path (input_path throws) is reported with the problems found so far.
  try {
    if (auto b = get_string(j, "base", "", p)) {
      auto const base = input_path(file, *b, "/base");
      if (!fs::exists(base)) {
        p.add("/base", fmt::format("base scenario not found: {}", base.string()));
      } else {
        read_into(base, s, depth + 1);
      }
    }
    if (auto t = get_string(j, "territory", "", p)) {
      s.territory = input_path(file, *t, "/territory");
      if (!fs::exists(s.territory)) {
        p.add("/territory", fmt::format("territory manifest not found: {}", s.territory.string()));
      }
    }
  } catch (scenario_error const& e) {
    p.add_message(e.what());
    p.throw_if_any();
  }
  if (auto n = get_string(j, "name", "", p)) {
    s.name = *n;
  }
  if (auto d = get_string(j, "description", "", p)) {
    s.description = *d;
  }
  if (auto r = get_whole(j, "replications", "", 1, 100000, p)) {
    s.replications = static_cast<int>(*r);
  }
  if (auto r = get_whole(j, "seed", "", 0, 9.0e15, p)) {
    s.seed = static_cast<std::uint64_t>(*r);
  }
  if (auto d = get_string(j, "date", "", p)) {
    if (geo::is_yyyymmdd(*d)) {
      s.date = *d;
    } else {
      p.add("/date",
            fmt::format("expected a bus service date YYYYMMDD (e.g. 20251014), got '{}'", d->substr(0, 40)));
    }
  }
  if (j.contains("params")) {
    read_params(j.at("params"), "/params", s.params, p);
  }
  if (j.contains("edits")) {
    try {
      read_edits(j.at("edits"), file.string(), p, s.edits, s.params, s.inputs);
    } catch (scenario_error const& e) {  // a refused add_facilities path
      p.add_message(e.what());
    }
  }
  p.throw_if_any();
}

/// The scenario, its bases and its add_facilities files with their SHA-256, so that a run can be
/// traced to the exact files it read.
json input_hashes(std::vector<fs::path> const& files) {
  json out = json::array();
  for (auto const& f : files) {
    std::error_code ec;
    out.push_back({{"file", f.string()},
                   {"sha256", fs::is_regular_file(f, ec) ? geo::file_sha256(f.string()) : std::string{}}});
  }
  return out;
}

}  // namespace

std::vector<edit> read_edit(std::string const& edit_json, fs::path const& file, std::string const& at,
                            problems& p, std::vector<fs::path>& inputs) {
  std::vector<edit> out;
  sim::params ignored;
  read_edits(json::array({json::parse(edit_json)}), file.string(), p, out, ignored, inputs, at, true);
  return out;
}

scenario read_scenario(fs::path const& file) {
  scenario s;
  s.file = file;
  s.name = file.stem().string();
  read_into(file, s, 0);
  if (s.territory.empty()) {
    throw scenario_error{
        fmt::format("{}: /territory: required (the territory manifest, or a base scenario that names one)",
                    file.string())};
  }
  json r;
  r["name"] = s.name;
  r["description"] = s.description;
  r["file"] = file.string();
  r["territory"] = s.territory.string();
  r["replications"] = s.replications;
  r["seed"] = s.seed;
  if (!s.date.empty()) {
    r["date"] = s.date;
  }
  json params;
  for (auto const& b : param_bindings()) {
    params[b.name] = b.get(s.params);
  }
  params["policy"] = s.params.policy == sim::allocation_policy::priority  ? "priority"
                     : s.params.policy == sim::allocation_policy::lottery ? "lottery"
                                                                          : "optimal";
  params["year_bound"] = s.params.year_bound;
  params["unlabelled_assmat_open"] = s.params.unlabelled_assmat_open;
  r["params"] = params;
  json edits = json::array();
  static char const* const names[] = {"label",           "add_facilities", "hours",       "baby_bus add",
                                      "baby_bus remove", "params",         "bus_service", "places"};
  for (auto const& e : s.edits) {
    edits.push_back({{"type", names[static_cast<int>(e.kind)]}, {"from", e.file + "#" + e.pointer}});
  }
  r["edits"] = edits;
  r["inputs"] = input_hashes(s.inputs);
  s.resolved_json = r.dump(2);
  return s;
}

}  // namespace avip::scenarios
