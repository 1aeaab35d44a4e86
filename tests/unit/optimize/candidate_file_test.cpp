#include <filesystem>
#include <fstream>
#include <string>

#include <unistd.h>
#include <catch2/catch.hpp>

#include "core/error.hpp"
#include "optimize/candidate_file.hpp"

namespace fs = std::filesystem;

namespace {

fs::path write_candidates(std::string const& name, std::string const& text) {
  auto const dir = fs::temp_directory_path() / ("avip_candidates_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  auto const f = dir / (name + ".json");
  std::ofstream{f} << text;
  return f;
}

std::string message_of(fs::path const& f) {
  try {
    avip::optimize::read_candidate_file(f);
  } catch (avip::scenario_error const& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST_CASE("a candidates file is read with its edits, costs and groups", "[optimize]") {
  auto const f = write_candidates("good", R"({
    "budget": 100000,
    "actions": [
      {"id": "a", "title": "Label", "edit": {"type": "label", "select": {"ids": ["cr-1"]}}},
      {"id": "b", "cost": 30000, "group": "g", "edit": {"type": "hours", "select": {"ids": ["cr-1"]}, "hours": "Mo-Fr 06:00-20:00"}},
      {"id": "c", "group": "g", "edit": {"type": "baby_bus", "action": "add", "bus": "bb", "sites": [
        {"id": "s", "places": 12, "hours": "Mo,Th 08:30-16:00", "lon": 55.4, "lat": -21.0}]}}
    ]})");
  auto const c = avip::optimize::read_candidate_file(f);
  REQUIRE(c.actions.size() == 3);
  CHECK(c.budget == 100000.0);
  CHECK(!c.actions[0].cost);
  CHECK(c.actions[1].cost == 30000.0);
  CHECK(c.actions[2].group == "g");
  CHECK(c.actions[2].edits.size() == 1);
  CHECK(c.actions[2].edits[0].facilities.size() == 1);
  CHECK(c.actions[0].edits[0].pointer == "/actions/0/edit");
}

TEST_CASE("bad candidates get one message naming the file and the JSON pointer", "[optimize]") {
  struct bad {
    std::string name, text, pointer, words;
  };
  for (
      auto const& b : std::vector<bad>{
          {"negcost",
           R"({"actions": [{"id": "a", "cost": -5, "edit": {"type": "label", "select": {"ids": ["x"]}}}]})",
           "/actions/0/cost", "must be ≥ 0"},
          {"negbudget",
           R"({"budget": -1, "actions": [{"id": "a", "edit": {"type": "label", "select": {"ids": ["x"]}}}]})",
           "/budget", "must be ≥ 0"},
          {"notanedit", R"({"actions": [{"id": "a", "edit": {"type": "build_a_road"}}]})",
           "/actions/0/edit/type", "not an action a scenario edit can express"},
          {"params",
           R"({"actions": [{"id": "a", "edit": {"type": "params", "params": {"awareness_rate": 0.1}}}]})",
           "/actions/0/edit/type", "not an action a scenario edit can express"},
          {"remove",
           R"({"actions": [{"id": "a", "edit": {"type": "baby_bus", "action": "remove", "bus": "b"}}]})",
           "/actions/0/edit/action", "adds sites"},
          {"dup", R"({"actions": [{"id": "a", "edit": {"type": "label", "select": {"ids": ["x"]}}},
                                    {"id": "a", "edit": {"type": "label", "select": {"ids": ["y"]}}}]})",
           "/actions/1/id", "duplicate"},
          {"badedit", R"({"actions": [{"id": "a", "edit": {"type": "hours", "select": {"ids": ["x"]}}}]})",
           "/actions/0/edit/hours", "required"},
          {"key",
           R"({"actions": [{"id": "a", "price": 3, "edit": {"type": "label", "select": {"ids": ["x"]}}}]})",
           "/actions/0/price", "unknown key"}}) {
    auto const f = write_candidates(b.name, b.text);
    auto const msg = message_of(f);
    INFO(b.name << ": " << msg);
    CHECK(msg.find(f.string()) != std::string::npos);
    CHECK(msg.find(b.pointer) != std::string::npos);
    CHECK(msg.find(b.words) != std::string::npos);
  }
}

TEST_CASE("candidate sites from a GDAL point layer become add_facilities actions", "[optimize]") {
  auto const f = write_candidates("sites", R"({"actions": [],
    "sites": [{"path": "sites_points.geojson", "id_field": "ref", "name_field": "nom", "places": 12,
               "hours": "Mo-Fr 07:00-19:00", "cost": 50000, "group": "premises"}]})");
  std::ofstream{f.parent_path() / "sites_points.geojson"} << R"({"type": "FeatureCollection", "features": [
    {"type": "Feature", "properties": {"ref": "local-1", "nom": "Ancienne poste"},
     "geometry": {"type": "Point", "coordinates": [55.45, -20.88]}},
    {"type": "Feature", "properties": {"ref": "local-2"},
     "geometry": {"type": "Point", "coordinates": [55.30, -21.00]}}]})";
  auto const c = avip::optimize::read_candidate_file(f);
  REQUIRE(c.actions.size() == 2);
  CHECK(c.site_actions == 2);
  auto const& a = c.actions[0];
  CHECK(a.id == "local-1");
  CHECK(a.site);
  CHECK(a.type == "add_facilities");
  CHECK(a.cost == 50000.0);
  CHECK(a.group == "premises");
  REQUIRE(a.edits.size() == 1);
  REQUIRE(a.edits[0].facilities.size() == 1);
  auto const& s = a.edits[0].facilities[0];
  CHECK(s.id == "local-1");
  CHECK(s.name == "Ancienne poste");
  CHECK(s.kind == "micro_creche");
  CHECK(s.places == 12);
  CHECK(s.avip);
  CHECK(s.lon == Approx(55.45).margin(1e-9));
  CHECK(s.lat == Approx(-20.88).margin(1e-9));
  CHECK(c.actions[1].edits[0].facilities[0].name == "local-2");
  // The edit is inline: a recommendation holding it reads no other file.
  CHECK(a.edit_json.find("sites_points") == std::string::npos);
}

TEST_CASE("bad candidate sites name the file, the JSON pointer and the feature", "[optimize]") {
  auto const dir = write_candidates("probe", "{}").parent_path();
  std::ofstream{dir / "sites_mixed.geojson"} << R"({"type": "FeatureCollection", "features": [
    {"type": "Feature", "properties": {"ref": "a"}, "geometry": {"type": "Point", "coordinates": [55.4, -21.0]}},
    {"type": "Feature", "properties": {"ref": "b"},
     "geometry": {"type": "LineString", "coordinates": [[55.4, -21.0], [55.5, -21.1]]}}]})";
  struct bad {
    std::string name, text, pointer, words;
  };
  for (auto const& b : std::vector<bad>{
           {"nopath", R"({"sites": [{"places": 10}]})", "/sites/0/path", "required"},
           {"missing", R"({"sites": [{"path": "nowhere.gpkg"}]})", "/sites/0/path", "nowhere.gpkg"},
           {"places", R"({"sites": [{"path": "sites_mixed.geojson", "places": 0}]})", "/sites/0/places",
            "whole number of places"},
           {"hours", R"({"sites": [{"path": "sites_mixed.geojson", "hours": "whenever"}]})", "/sites/0/hours",
            ""},
           {"cost", R"({"sites": [{"path": "sites_mixed.geojson", "cost": -3}]})", "/sites/0/cost",
            "must be ≥ 0"},
           {"field", R"({"sites": [{"path": "sites_mixed.geojson", "id_field": "code"}]})",
            "/sites/0/id_field", "no column 'code'"},
           {"line", R"({"sites": [{"path": "sites_mixed.geojson", "id_field": "ref"}]})",
            "/sites/0/path sites_mixed.geojson feature 1", "must be a point"},
           {"dup", R"({"actions": [{"id": "a", "edit": {"type": "label", "select": {"ids": ["x"]}}}],
                      "sites": [{"path": "sites_mixed.geojson", "id_field": "ref"}]})",
            "/sites/0/path sites_mixed.geojson feature 0", "duplicate action id 'a'"},
           {"key", R"({"sites": [{"path": "sites_mixed.geojson", "surface": 80}]})", "/sites/0/surface",
            "unknown key"},
           {"empty", R"({"actions": []})", "/actions", "non-empty"}}) {
    auto const f = write_candidates(b.name, b.text);
    auto const msg = message_of(f);
    INFO(b.name << ": " << msg);
    CHECK(msg.find(f.string()) != std::string::npos);
    CHECK(msg.find(b.pointer) != std::string::npos);
    CHECK(msg.find(b.words) != std::string::npos);
  }
}
