#include "scenarios/scenario.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <functional>
#include <map>
#include <sstream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "core/error.hpp"
#include "geo/vector_reader.hpp"
#include "sim/opening_hours.hpp"

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

/// Collects every problem of one file with its JSON pointer.
struct problems {
  std::string file;
  std::vector<std::string> lines;
  void add(std::string const& pointer, std::string const& what) {
    lines.push_back(fmt::format("{}: {}: {}", file, pointer.empty() ? "/" : pointer, what));
  }
  void throw_if_any() const {
    if (lines.empty()) {
      return;
    }
    std::string msg = lines.size() == 1 ? lines[0] : fmt::format("{}: {} problems:", file, lines.size());
    if (lines.size() > 1) {
      for (auto const& l : lines) {
        msg += "\n  " + l;
      }
    }
    throw scenario_error{msg};
  }
};

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

/// Every parameter of sim::params a scenario may set, by name, with its range.
struct param_binding {
  std::string name;
  double lo, hi;
  std::function<void(sim::params&, double)> set;
  std::function<double(sim::params const&)> get;
};

std::vector<param_binding> const& param_bindings() {
  static std::vector<param_binding> const b = [] {
    std::vector<param_binding> v;
    auto d = [&](std::string n, double lo, double hi, double sim::params::*m) {
      v.push_back({std::move(n), lo, hi, [m](sim::params& p, double x) { p.*m = x; },
                   [m](sim::params const& p) { return p.*m; }});
    };
    auto i = [&](std::string n, double lo, double hi, int sim::params::*m) {
      v.push_back({std::move(n), lo, hi, [m](sim::params& p, double x) { p.*m = static_cast<int>(x); },
                   [m](sim::params const& p) { return static_cast<double>(p.*m); }});
    };
    i("horizon_months", 1, 60, &sim::params::horizon_months);
    i("warmup_months", 0, 60, &sim::params::warmup_months);
    i("year", 2000, 2100, &sim::params::year);
    i("school_entry_month", 0, 11, &sim::params::school_entry_month);
    d("awareness_rate", 0, 1, &sim::params::awareness_rate);
    d("insertion_path_rate", 0, 1, &sim::params::insertion_path_rate);
    d("childcare_barrier_rate", 0, 1, &sim::params::childcare_barrier_rate);
    d("acceptance_rate", 0, 1, &sim::params::acceptance_rate);
    d("demand_scale", 0, 10, &sim::params::demand_scale);
    d("caf_share_social_paths", 0, 1, &sim::params::caf_share_social_paths);
    i("max_wait_weeks", 0, 104, &sim::params::max_wait_weeks);
    i("contract_months", 1, 24, &sim::params::contract_months);
    i("contract_renewals", 0, 5, &sim::params::contract_renewals);
    d("renewal_probability", 0, 1, &sim::params::renewal_probability);
    d("min_weekly_hours", 0, 60, &sim::params::min_weekly_hours);
    d("monthly_job_finding_probability", 0, 1, &sim::params::monthly_job_finding_probability);
    d("permanent_job_share", 0, 1, &sim::params::permanent_job_share);
    d("monthly_dropout_probability", 0, 1, &sim::params::monthly_dropout_probability);
    d("yearly_turnover", 0, 1, &sim::params::yearly_turnover);
    d("labelled_places_share", 0, 1, &sim::params::labelled_places_share);
    i("baby_bus_min_age_months", 0, 36, &sim::params::baby_bus_min_age_months);
    i("max_age_months", 1, 72, &sim::params::max_age_months);
    i("max_age_months_disabled", 1, 96, &sim::params::max_age_months_disabled);
    d("walk_speed_kmh", 1, 10, &sim::params::walk_speed_kmh);
    d("detour_factor", 1, 3, &sim::params::detour_factor);
    d("car_speed_kmh", 5, 120, &sim::params::car_speed_kmh);
    i("max_candidates", 1, 10000, &sim::params::max_candidates);
    v.push_back({"tolerance_car_minutes", 1, 180,
                 [](sim::params& p, double x) { p.tolerance_minutes[0] = x; },
                 [](sim::params const& p) { return p.tolerance_minutes[0]; }});
    v.push_back({"tolerance_bus_minutes", 1, 180,
                 [](sim::params& p, double x) { p.tolerance_minutes[1] = x; },
                 [](sim::params const& p) { return p.tolerance_minutes[1]; }});
    v.push_back({"tolerance_walk_minutes", 1, 180,
                 [](sim::params& p, double x) { p.tolerance_minutes[2] = x; },
                 [](sim::params const& p) { return p.tolerance_minutes[2]; }});
    d("priority_weight", 0, 100, &sim::params::priority_weight);
    d("other_weight", 0, 100, &sim::params::other_weight);
    d("avip_target_share", 0, 1, &sim::params::avip_target_share);
    d("assmat_network_target", 0, 10, &sim::params::assmat_network_target);
    d("l214_places_per_child", 1, 100, &sim::params::l214_places_per_child);
    d("label_funding_first_year", 0, 1e6, &sim::params::label_funding_first_year);
    d("label_funding_later_years", 0, 1e6, &sim::params::label_funding_later_years);
    d("coordinator_funding_per_tenth_fte", 0, 1e6, &sim::params::coordinator_funding_per_tenth_fte);
    d("coordinator_places_per_tenth_fte", 1, 1000, &sim::params::coordinator_places_per_tenth_fte);
    d("baby_bus_yearly_cost", 0, 1e8, &sim::params::baby_bus_yearly_cost);
    return v;
  }();
  return b;
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
    if (auto v = get_number(j, b.name, pointer, b.lo, b.hi, p)) {
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
    if (!w.is_object() || !w.contains("type") || !w.contains("coordinates")) {
      p.add(pointer + "/within", "expected a GeoJSON Polygon or MultiPolygon geometry in WGS84");
    } else {
      s.within_geojson = w.dump();
    }
  }
  if (s.ids.empty() && s.communes.empty() && s.kinds.empty() && s.managers.empty() && s.networks.empty() &&
      s.within_geojson.empty()) {
    p.add(pointer, "empty selector: give ids, commune, kind, manager, network or within");
  }
  static std::vector<std::string> const kinds{"creche", "multi_accueil", "micro_creche", "jardin_enfants",
                                              "assmat", "mam",           "baby_bus_site"};
  for (std::size_t i = 0; i < s.kinds.size(); ++i) {
    if (std::find(kinds.begin(), kinds.end(), s.kinds[i]) == kinds.end()) {
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
  check_keys(
      j, pointer,
      {"id", "name", "kind", "places", "hours", "occupancy", "avip", "network", "manager", "lon", "lat"}, p);
  f.id = get_string(j, "id", pointer, p).value_or("");
  if (f.id.empty()) {
    p.add(pointer + "/id", "required");
  }
  f.name = get_string(j, "name", pointer, p).value_or(f.id);
  f.kind = get_string(j, "kind", pointer, p).value_or(site ? "baby_bus_site" : "");
  static std::vector<std::string> const kinds{"creche", "multi_accueil", "micro_creche", "jardin_enfants",
                                              "assmat", "mam",           "baby_bus_site"};
  if (std::find(kinds.begin(), kinds.end(), f.kind) == kinds.end()) {
    p.add(pointer + "/kind", fmt::format("expected one of creche, multi_accueil, micro_creche, "
                                         "jardin_enfants, assmat, mam, baby_bus_site; got '{}'",
                                         f.kind));
  }
  f.places = static_cast<int>(get_number(j, "places", pointer, 1, 1000, p).value_or(0));
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

void read_edits(json const& edits, std::string const& file, problems& p, std::vector<edit>& out,
                sim::params& params) {
  if (!edits.is_array()) {
    p.add("/edits", fmt::format("expected a list of edits, got {}", type_name(edits)));
    return;
  }
  for (std::size_t i = 0; i < edits.size(); ++i) {
    auto const pointer = fmt::format("/edits/{}", i);
    auto const& e = edits[i];
    if (!e.is_object() || !e.contains("type") || !e.at("type").is_string()) {
      p.add(pointer, "expected an object with a \"type\" (label, add_facilities, hours, baby_bus, params)");
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
    } else if (type == "add_facilities") {
      check_keys(e, pointer, {"type", "facilities", "file", "fields"}, p);
      ed.kind = edit_kind::add_facilities;
      if (auto const f = get_string(e, "file", pointer, p)) {
        // A layer of new facilities in any GDAL format; columns named as the contract, or mapped.
        geo::read_options ro;
        ro.target_epsg = 4326;
        if (e.contains("fields") && e.at("fields").is_object()) {
          for (auto const& [k, v] : e.at("fields").items()) {
            ro.field_map[k] = v.get<std::string>();
          }
        }
        try {
          auto const path = fs::path{file}.parent_path() / *f;
          auto const t = geo::read_vector(path.string(), ro);
          for (std::size_t k = 0; k < t.size(); ++k) {
            json row = json::object();
            for (std::size_t c = 0; c < t.columns.size(); ++c) {
              auto const& v = t.values[c][k];
              if (!v || v->empty()) {
                continue;
              }
              auto const& name = t.columns[c];
              if (name == "places") {
                row[name] = std::atoi(v->c_str());
              } else if (name == "occupancy") {
                row[name] = std::atof(v->c_str());
              } else if (name == "avip") {
                row[name] = (*v == "1" || *v == "true");
              } else if (name == "id" || name == "name" || name == "kind" || name == "hours" ||
                         name == "network" || name == "manager") {
                row[name] = *v;
              }
            }
            auto const* wkb = t.geometry[k].data();
            std::uint32_t geom_type = 0;
            std::memcpy(&geom_type, wkb + 1, sizeof geom_type);
            if (t.geometry[k].size() < 21 || wkb[0] != 1 || geom_type != 1) {
              p.add(pointer + "/file", fmt::format("{}: new facilities must be points", t.where(k)));
              continue;
            }
            double lon = 0;
            double lat = 0;
            std::memcpy(&lon, wkb + 5, sizeof lon);  // ISO WKB point, little endian: x then y
            std::memcpy(&lat, wkb + 13, sizeof lat);
            row["lon"] = lon;
            row["lat"] = lat;
            ed.facilities.push_back(read_new_facility(
                row, fmt::format("{}/file {} feature {}", pointer, *f, t.fid[k]), p, false));
          }
        } catch (error const& ex) {
          p.add(pointer + "/file", ex.what());
        }
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
      }
    } else {
      p.add(pointer + "/type",
            fmt::format("unknown edit type '{}' (expected label, add_facilities, hours, baby_bus, params)",
                        type));
      continue;
    }
    out.push_back(std::move(ed));
  }
}

json parse_file(fs::path const& file) {
  std::ifstream in{file, std::ios::binary};
  if (!in) {
    throw scenario_error{fmt::format("{}: cannot open the scenario file", file.string())};
  }
  std::stringstream ss;
  ss << in.rdbuf();
  auto const text = ss.str();
  if (text.find_first_not_of(" \t\r\n") == std::string::npos) {
    throw scenario_error{
        fmt::format("{}: the scenario file is empty (expected a JSON object)", file.string())};
  }
  try {
    return json::parse(text);
  } catch (json::parse_error const& e) {
    std::size_t line = 1;
    std::size_t col = 1;
    for (std::size_t i = 0; i + 1 < e.byte && i < text.size(); ++i) {
      if (text[i] == '\n') {
        ++line;
        col = 1;
      } else {
        ++col;
      }
    }
    std::string what = e.what();
    auto const pos = what.find("syntax error");
    throw scenario_error{fmt::format("{}:{}:{}: invalid JSON: {}", file.string(), line, col,
                                     pos == std::string::npos ? what : what.substr(pos))};
  }
}

void read_into(fs::path const& file, scenario& s, int depth) {
  if (depth > 8) {
    throw scenario_error{fmt::format("{}: /base: too many nested bases (a cycle?)", file.string())};
  }
  auto const j = parse_file(file);
  problems p{file.string(), {}};
  if (!j.is_object()) {
    p.add("", fmt::format("expected a JSON object (a scenario), got {}", j.type_name()));
    p.throw_if_any();
  }
  check_keys(
      j, "",
      {"$schema", "name", "description", "base", "territory", "replications", "seed", "params", "edits"}, p);
  if (auto b = get_string(j, "base", "", p)) {
    auto const base = file.parent_path() / *b;
    if (!fs::exists(base)) {
      p.add("/base", fmt::format("base scenario not found: {}", base.string()));
      p.throw_if_any();
    }
    read_into(base, s, depth + 1);
  }
  if (auto t = get_string(j, "territory", "", p)) {
    s.territory = file.parent_path() / *t;
    if (!fs::exists(s.territory)) {
      p.add("/territory", fmt::format("territory manifest not found: {}", s.territory.string()));
    }
  }
  if (auto n = get_string(j, "name", "", p)) {
    s.name = *n;
  }
  if (auto d = get_string(j, "description", "", p)) {
    s.description = *d;
  }
  if (auto r = get_number(j, "replications", "", 1, 100000, p)) {
    s.replications = static_cast<int>(*r);
  }
  if (auto r = get_number(j, "seed", "", 0, 9.0e15, p)) {
    s.seed = static_cast<std::uint64_t>(*r);
  }
  if (j.contains("params")) {
    read_params(j.at("params"), "/params", s.params, p);
  }
  if (j.contains("edits")) {
    read_edits(j.at("edits"), file.string(), p, s.edits, s.params);
  }
  p.throw_if_any();
}

}  // namespace

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
  static char const* const names[] = {"label",           "add_facilities", "hours",      "baby_bus add",
                                      "baby_bus remove", "params",         "bus_service"};
  for (auto const& e : s.edits) {
    edits.push_back({{"type", names[static_cast<int>(e.kind)]}, {"from", e.file + "#" + e.pointer}});
  }
  r["edits"] = edits;
  s.resolved_json = r.dump(2);
  return s;
}

}  // namespace avip::scenarios
