#include "serve/editor_session.hpp"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <fstream>
#include <iostream>
#include <set>
#include <sstream>
#include <utility>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "core/error.hpp"
#include "geo/geometry_ops.hpp"
#include "geo/gtfs_lines.hpp"
#include "geo/projection.hpp"
#include "scenarios/apply.hpp"
#include "scenarios/scenario.hpp"
#include "sim/opening_hours.hpp"
#include "sim/types.hpp"

namespace avip::serve {

namespace fs = std::filesystem;
using json = nlohmann::json;

namespace {

constexpr double kSimplifyMetres = 25.0;  ///< communes and QPV outlines drawn at this precision

std::string kind_fr(sim::facility_kind k) {
  switch (k) {
    case sim::facility_kind::creche:
      return "Crèche";
    case sim::facility_kind::multi_accueil:
      return "Multi-accueil";
    case sim::facility_kind::micro_creche:
      return "Micro-crèche";
    case sim::facility_kind::jardin_enfants:
      return "Jardin d'enfants";
    case sim::facility_kind::assmat:
      return "Assistant(e) maternel(le)";
    case sim::facility_kind::mam:
      return "Maison d'assistants maternels";
    case sim::facility_kind::baby_bus_site:
      return "Baby Bus (site)";
  }
  return "";
}

/// A (multi)polygon in the world's CRS as GeoJSON in WGS84: every ring its own polygon (the page fills
/// with the even-odd rule, so holes stay holes).
json polygon_geojson(geo::wkb const& g, geo::transformer const& to_wgs84) {
  json polys = json::array();
  for (auto const& ring : geo::polygon_rings(g, kSimplifyMetres)) {
    json r = json::array();
    for (auto const& p : ring) {
      auto const q = to_wgs84.forward(p);
      r.push_back({std::round(q.x * 1e6) / 1e6, std::round(q.y * 1e6) / 1e6});
    }
    polys.push_back(json::array({r}));
  }
  return {{"type", "MultiPolygon"}, {"coordinates", polys}};
}

json feature(json geometry, json properties) {
  return {{"type", "Feature"}, {"geometry", std::move(geometry)}, {"properties", std::move(properties)}};
}

json collection(json features) {
  return {{"type", "FeatureCollection"}, {"features", std::move(features)}};
}

constexpr double kLineSimplifyMetres = 10.0;  ///< bus lines drawn at this precision

/// Bus lines for the map (geo::read_gtfs_lines: the shapes of shapes.txt where the feed has them, else
/// the stop sequences), simplified in the world's metric CRS, and the route ids of every feed.
std::pair<json, std::vector<std::string>> bus_lines(territory::territory const& t, int epsg) {
  geo::transformer const to_metric{4326, epsg};
  json features = json::array();
  std::set<std::string> routes;
  for (auto const& path : t.gtfs) {
    geo::gtfs_lines feed;
    try {
      feed = geo::read_gtfs_lines(path.string());
    } catch (avip::error const& e) {
      try {  // a broken shapes.txt: the lines through their stops, and why
        feed = geo::read_gtfs_lines(path.string(), false);
        std::cerr << fmt::format("avipsim serve: warning: bus lines drawn through their stops: {}\n",
                                 e.what());
      } catch (avip::error const&) {
        continue;  // a feed the run will refuse with its own message; the map shows no lines for it
      }
    }
    routes.insert(feed.route_ids.begin(), feed.route_ids.end());
    for (auto const& l : feed.lines) {
      std::vector<geo::xy> metric;
      metric.reserve(l.lonlat.size());
      for (auto const& p : l.lonlat) {
        metric.push_back(to_metric.forward(p));
      }
      json coords = json::array();
      for (auto const& p : geo::simplify_line(metric, kLineSimplifyMetres)) {
        auto const q = to_metric.inverse(p);
        coords.push_back({std::round(q.x * 1e6) / 1e6, std::round(q.y * 1e6) / 1e6});
      }
      json props = {{"ligne", l.route},
                    {"trace", l.shape.empty() ? "arrêts" : "shapes.txt"},
                    {"arrets", l.stops},
                    {"courses", l.trips}};
      if (!l.shape.empty()) {
        props["shape_id"] = l.shape;
      }
      features.push_back(feature({{"type", "LineString"}, {"coordinates", coords}}, std::move(props)));
    }
  }
  return {collection(features), std::vector<std::string>(routes.begin(), routes.end())};
}

void replace_all(std::string& s, std::string const& from, std::string const& to) {
  if (from.empty()) {
    return;
  }
  for (auto i = s.find(from); i != std::string::npos; i = s.find(from, i + to.size())) {
    s.replace(i, from.size(), to);
  }
}

/// The lines of a scenario_error, each placed at its JSON pointer when it names the draft file.
void add_problems(std::string const& what, std::string const& draft,
                  std::vector<std::pair<std::string, std::string>> const& shown, std::vector<problem>& out) {
  std::istringstream in{what};
  std::string line;
  while (std::getline(in, line)) {
    auto const start = line.find_first_not_of(' ');
    if (start == std::string::npos) {
      continue;
    }
    line = line.substr(start);
    if (line.size() > 9 && line.compare(line.size() - 9, 9, "problems:") == 0) {
      continue;  // the header of several problems
    }
    problem p;
    if (line.rfind(draft + ": ", 0) == 0) {
      auto rest = line.substr(draft.size() + 2);
      if (!rest.empty() && rest[0] == '/') {
        auto const k = rest.find(": ");
        p.pointer = rest.substr(0, k);
        rest = k == std::string::npos ? std::string{} : rest.substr(k + 2);
      }
      p.message = rest;
    } else {
      p.message = line;
    }
    if (p.pointer == "/") {
      p.pointer.clear();
    }
    for (auto const& [from, to] : shown) {
      replace_all(p.message, from, to);
    }
    out.push_back(std::move(p));
  }
}

std::atomic<std::uint64_t> draft_counter{0};

}  // namespace

editor_session::editor_session(fs::path base_file, fs::path scratch, std::string tiles)
    : base_file_{std::move(base_file)}, scratch_{std::move(scratch)} {
  base_ = scenarios::prepare(base_file_, false, false);
  auto const& w = base_.world;
  auto const& t = base_.territory;
  geo::transformer const to_wgs84{w.epsg, 4326};

  json communes = json::array();
  double min_lon = 180, min_lat = 90, max_lon = -180, max_lat = -90;
  for (std::size_t i = 0; i < t.commune_geometry.size(); ++i) {
    auto const c = sim::commune_idx::from(i);
    auto g = polygon_geojson(t.commune_geometry[i], to_wgs84);
    for (auto const& poly : g["coordinates"]) {
      for (auto const& p : poly[0]) {
        min_lon = std::min(min_lon, p[0].get<double>());
        max_lon = std::max(max_lon, p[0].get<double>());
        min_lat = std::min(min_lat, p[1].get<double>());
        max_lat = std::max(max_lat, p[1].get<double>());
      }
    }
    communes.push_back(feature(std::move(g), {{"code", w.communes.code[c]}, {"nom", w.communes.name[c]}}));
  }
  communes_ = collection(communes).dump();

  json qpv = json::array();
  for (std::size_t i = 0; i < t.qpv_geometry.size(); ++i) {
    auto const q = sim::qpv_idx::from(i);
    qpv.push_back(feature(polygon_geojson(t.qpv_geometry[i], to_wgs84),
                          {{"code", w.qpvs.code[q]}, {"nom", w.qpvs.name[q]}}));
  }
  qpv_ = collection(qpv).dump();

  auto const& f = w.facilities;
  json facilities = json::array();
  for (std::size_t k = 0; k < f.size(); ++k) {
    auto const i = sim::facility_idx::from(k);
    auto const p = to_wgs84.forward(geo::xy{f.location[i].x, f.location[i].y});
    auto const kind = f.kind[i];
    json props = {{"id", f.id[i]},
                  {"nom", f.name[i]},
                  {"type", std::string{sim::kFacilityKindNames[static_cast<std::size_t>(kind)]}},
                  {"type_fr", kind_fr(kind)},
                  {"places", f.places[i]},
                  {"horaires", f.hours_text[i]},
                  {"avip", f.avip[i] != 0},
                  {"places_avip", f.avip_places[i]},
                  {"eaje", sim::is_eaje(kind)}};
    props["commune"] = f.commune[i].valid() ? w.communes.name[f.commune[i]] : "";
    props["reseau"] = f.network[i].valid() ? f.network_id[f.network[i]] : "";
    props["gestionnaire"] = f.manager[i].valid() ? f.manager_id[f.manager[i]] : "";
    props["baby_bus"] = f.bus[i].valid() ? f.bus_id[f.bus[i]] : "";
    facilities.push_back(feature({{"type", "Point"}, {"coordinates", {p.x, p.y}}}, std::move(props)));
  }
  facilities_ = collection(facilities).dump();

  auto [lines, routes] = bus_lines(t, w.epsg);
  bus_lines_ = lines.dump();
  routes_ = std::move(routes);

  auto const resolved = json::parse(base_.spec.resolved_json);
  auto const name = base_file_.filename().string();
  json doc = {{"name", "Scénario de l'éditeur"},
              {"description", "Fait dans l'éditeur cartographique (avipsim serve) à partir de " + name},
              {"base", name},
              {"replications", std::min(base_.spec.replications, 20)},
              {"edits", json::array()}};
  json info = {{"territoire", t.name},
               {"base",
                {{"file", name},
                 {"name", base_.spec.name},
                 {"description", base_.spec.description},
                 {"replications", base_.spec.replications},
                 {"seed", base_.spec.seed},
                 {"params", resolved["params"]}}},
               {"document", doc},
               {"routes", routes_},
               {"gtfs", has_gtfs()},
               {"windows", sim::kWindowNames},
               {"kinds", sim::kFacilityKindNames},
               {"tiles", tiles},
               {"bounds", {{min_lat, min_lon}, {max_lat, max_lon}}}};
  info_ = info.dump();
}

std::string const& editor_session::layer(std::string const& name) const {
  if (name == "communes") {
    return communes_;
  }
  if (name == "qpv") {
    return qpv_;
  }
  if (name == "facilities") {
    return facilities_;
  }
  if (name == "bus_lines") {
    return bus_lines_;
  }
  return none_;
}

draft_check editor_session::check(std::string const& body, fs::path const& runnable) const {
  draft_check out;
  json j;
  try {
    j = json::parse(body);
  } catch (json::parse_error const& e) {
    out.problems.push_back({"", fmt::format("malformed JSON: {}", e.what())});
    return out;
  }
  if (!j.is_object()) {
    out.problems.push_back({"", fmt::format("expected a JSON object (a scenario), got {}", j.type_name())});
    return out;
  }
  auto const base_name = base_file_.filename().string();
  if (j.contains("territory")) {
    out.problems.push_back(
        {"/territory", "the map editor keeps the base scenario's territory: remove this key"});
  }
  if (j.contains("base") && j["base"] != base_name) {
    out.problems.push_back(
        {"/base", fmt::format("the map editor was opened on '{}': the base must be that file", base_name)});
  }
  if (j.contains("edits") && j["edits"].is_array()) {
    for (std::size_t i = 0; i < j["edits"].size(); ++i) {
      auto const& e = j["edits"][i];
      if (e.is_object() && e.contains("file")) {
        out.problems.push_back({fmt::format("/edits/{}/file", i),
                                "the map editor reads no file: give the facilities in the scenario"});
      }
    }
  }
  if (!out.ok()) {
    return out;
  }
  auto const file = runnable.empty() ? scratch_ / fmt::format("draft-{}.json", draft_counter++) : runnable;
  auto const folder = fs::absolute(file).parent_path();
  auto const rel = fs::absolute(base_file_).lexically_normal().lexically_relative(folder);
  j["base"] = rel.string();
  j.erase("$schema");
  {
    std::ofstream o{file, std::ios::binary};
    o << j.dump(2) << '\n';
    if (!o) {
      throw avip::error{fmt::format("{}: cannot write the scenario", file.string())};
    }
  }
  struct remove_draft {
    fs::path f;
    ~remove_draft() {
      std::error_code ec;
      if (!f.empty()) {
        fs::remove(f, ec);
      }
    }
  } const cleanup{runnable.empty() ? file : fs::path{}};

  std::vector<std::pair<std::string, std::string>> const shown{
      {(file.parent_path() / rel).string(), base_name},
      {base_file_.string(), base_name},
      {file.string(), "scenario"}};
  try {
    auto const spec = scenarios::read_scenario(file);
    out.name = spec.name;
    out.replications = spec.replications;
    out.seed = spec.seed;
    out.date = spec.date;
    for (auto const& e : spec.edits) {
      out.edits += e.file == file.string() ? 1 : 0;
      for (std::size_t i = 0; e.kind == scenarios::edit_kind::bus_service && i < e.routes.size(); ++i) {
        if (!std::binary_search(routes_.begin(), routes_.end(), e.routes[i])) {
          out.problems.push_back({fmt::format("{}/routes/{}", e.pointer, i),
                                  fmt::format("no route '{}' in the territory's GTFS feeds", e.routes[i])});
        }
      }
    }
    auto const world = scenarios::apply_edits(spec, base_.territory);
    scenarios::check_run_memory(world, spec.params, spec.replications, file.string());
    out.facilities = world.facilities.size();
    for (auto a : world.facilities.avip) {
      out.labelled += a != 0 ? 1 : 0;
    }
  } catch (scenario_error const& e) {
    add_problems(e.what(), file.string(), shown, out.problems);
  } catch (avip::error const& e) {
    add_problems(e.what(), file.string(), shown, out.problems);
  }
  return out;
}

std::string editor_session::check_hours(std::string const& text, std::string& normalised) {
  try {
    normalised = sim::format_opening_hours(sim::parse_opening_hours(text));
    return {};
  } catch (avip::error const& e) {
    return e.what();
  }
}

}  // namespace avip::serve
