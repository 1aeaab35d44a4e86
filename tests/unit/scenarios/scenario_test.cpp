#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>

#include <unistd.h>

#include "core/error.hpp"
#include "scenarios/apply.hpp"
#include "scenarios/pipeline.hpp"
#include "scenarios/scenario.hpp"
#include "sim/cost.hpp"
#include "sim/engine.hpp"

using namespace avip;
namespace fs = std::filesystem;

namespace {

/// Writes a scenario on the mini territory into a temporary folder and returns its path.
fs::path scenario_file(std::string const& name, std::string const& body) {
  auto d = fs::temp_directory_path() / ("avip_scen_" + std::to_string(::getpid()));
  fs::create_directories(d);
  auto const f = d / (name + ".json");
  std::ofstream{f} << body;
  return f;
}

std::string mini_territory() {
  return std::string{AVIP_SOURCE_DIR} + "/tests/data/mini/territory.json";
}

std::string with_edits(std::string const& edits, std::string const& extra = "") {
  return R"({"name": "t", "territory": ")" + mini_territory() + R"(", "replications": 10, "seed": 3)" +
         extra + R"(, "edits": )" + edits + "}";
}

}  // namespace

TEST_CASE("validation: each problem names the file and the JSON pointer", "[scenarios][validation]") {
  struct bad {
    std::string name, body, expected;
  };
  std::vector<bad> const cases{
      {"unknown_key", R"({"territory": "x.json", "replicatons": 5})",
       "/replicatons: unknown key 'replicatons' (did you mean 'replications'?)"},
      {"wrong_type", with_edits("[]", R"(, "params": {"policy": 3})"), "/params/policy: expected a string"},
      {"out_of_range", with_edits("[]", R"(, "params": {"awareness_rate": 1.7})"),
       "/params/awareness_rate: 1.7 is out of range"},
      {"unknown_param", with_edits("[]", R"(, "params": {"horizon_month": 6})"),
       "did you mean 'horizon_months'"},
      {"bad_policy", with_edits("[]", R"(, "params": {"policy": "first_come"})"),
       "expected priority, lottery or optimal"},
      {"syntax", R"({"name": "x",, })", "syntax.json:1:"},
      {"empty", "  \n", "empty"},
      {"not_object", "[1, 2]", "expected a JSON object"},
      {"no_territory", R"({"name": "x"})", "/territory: required"},
      {"bad_edit_type", with_edits(R"([{"type": "demolish"}])"),
       "/edits/0/type: unknown edit type 'demolish'"},
      {"bad_hours", with_edits(R"([{"type": "hours", "select": {"kind": "creche"}, "hours": "Lu 8h"}])"),
       "/edits/0/hours"},
      {"empty_selector", with_edits(R"([{"type": "label", "select": {}}])"),
       "/edits/0/select: empty selector"},
      {"bad_kind", with_edits(R"([{"type": "label", "select": {"kind": "garderie"}}])"),
       "unknown kind 'garderie'"},
      {"label_places_fraction",
       with_edits(R"([{"type": "label", "select": {"ids": ["mc-beta"]}, "places": 2.5}])"),
       "/edits/0/places: expected a whole number of labelled places, got 2.5"},
      {"label_places_zero", with_edits(R"([{"type": "label", "select": {"ids": ["mc-beta"]}, "places": 0}])"),
       "/edits/0/places: 0 is out of range [1, 1000]"},
      {"label_places_unlabel",
       with_edits(R"([{"type": "label", "select": {"ids": ["cr-alpha"]}, "label": false, "places": 3}])"),
       "/edits/0/places: labelled places apply only to a label"},
      {"places_fraction",
       with_edits(R"([{"type": "places", "select": {"ids": ["mc-beta"]}, "places": 12.5}])"),
       "/edits/0/places: expected a whole number in [1, 1000], got 12.5"},
      {"places_zero", with_edits(R"([{"type": "places", "select": {"ids": ["mc-beta"]}, "places": 0}])"),
       "/edits/0/places: 0 is out of range [1, 1000]"},
      {"places_too_many",
       with_edits(R"([{"type": "places", "select": {"ids": ["mc-beta"]}, "places": 1001}])"),
       "/edits/0/places: 1001 is out of range [1, 1000]"},
      {"places_text", with_edits(R"([{"type": "places", "select": {"ids": ["mc-beta"]}, "places": "12"}])"),
       "/edits/0/places: expected a number in [1, 1000], got string"},
      {"places_missing", with_edits(R"([{"type": "places", "select": {"ids": ["mc-beta"]}}])"),
       "/edits/0/places: required"},
      {"places_no_select", with_edits(R"([{"type": "places", "places": 12}])"), "/edits/0/select: required"},
      {"places_unknown_key",
       with_edits(R"([{"type": "places", "select": {"ids": ["mc-beta"]}, "places": 12, "place": 3}])"),
       "/edits/0/place: unknown key 'place'"},
  };
  for (auto const& c : cases) {
    auto const f = scenario_file(c.name, c.body);
    INFO(c.name);
    CHECK_THROWS_WITH(scenarios::read_scenario(f),
                      Catch::Contains(c.expected) && Catch::Contains(c.name + ".json"));
  }
}

TEST_CASE("validation against the territory: selectors, ids, overlaps", "[scenarios][validation]") {
  struct bad {
    std::string name, edits, expected;
  };
  std::vector<bad> const cases{
      {"no_match", R"([{"type": "label", "select": {"commune": "63002", "kind": "creche"}}])",
       "/edits/0/select: this selector matches no facility"},
      {"unknown_id", R"([{"type": "label", "select": {"ids": ["cr-nowhere"]}}])",
       "no facility with id 'cr-nowhere'"},
      {"unknown_commune", R"([{"type": "label", "select": {"commune": "Gamma"}}])",
       "no commune with code or name 'Gamma'"},
      {"overlap", R"([{"type": "hours", "select": {"ids": ["cr-alpha"]}, "hours": "Sa 08:00-12:00"},
                     {"type": "hours", "select": {"kind": "creche"}, "hours": "Mo-Fr 06:00-07:00"}])",
       "overlaps /edits/0"},
      {"dup_id",
       R"([{"type": "add_facilities", "facilities": [{"id": "cr-alpha", "kind": "creche", "places": 10, "hours": "Mo-Fr 08:00-18:00", "lon": 3.05, "lat": 45.75}]}])",
       "already exists"},
      {"outside",
       R"([{"type": "add_facilities", "facilities": [{"id": "new", "kind": "creche", "places": 10, "hours": "Mo-Fr 08:00-18:00", "lon": 5.0, "lat": 45.75}]}])",
       "outside every commune"},
      {"no_bus", R"([{"type": "baby_bus", "action": "remove", "bus": "ghost"}])",
       "no Baby Bus with id 'ghost'"},
      {"no_gtfs", R"([{"type": "bus_service", "from": "19:00", "to": "21:00", "frequency_factor": 2}])",
       "no GTFS feed to change"},
      {"small_net", R"([{"type": "label", "select": {"ids": ["am-alpha-1"]}, "network": "solo"}])",
       "at least 2 professionals"},
      {"label_places_exceed", R"([{"type": "label", "select": {"ids": ["mc-beta"]}, "places": 12}])",
       "/edits/0/places: 12 labelled places exceed the 10 PMI places of 'mc-beta'"},
      {"places_below_labelled", R"([{"type": "label", "select": {"ids": ["mc-beta"]}, "places": 8},
                                    {"type": "places", "select": {"ids": ["mc-beta"]}, "places": 6}])",
       "/edits/0/places: 8 labelled places exceed the 6 PMI places of 'mc-beta' (set by /edits/1)"},
      {"places_overlap", R"([{"type": "places", "select": {"ids": ["cr-alpha"]}, "places": 30},
                             {"type": "places", "select": {"kind": "creche"}, "places": 40}])",
       "/edits/1: overlaps /edits/0: both set the places of 'cr-alpha'"},
      {"places_unknown_id", R"([{"type": "places", "select": {"ids": ["cr-nowhere"]}, "places": 30}])",
       "no facility with id 'cr-nowhere'"},
  };
  for (auto const& c : cases) {
    auto const f = scenario_file(c.name, with_edits(c.edits));
    INFO(c.name);
    CHECK_THROWS_WITH(scenarios::prepare(f),
                      Catch::Contains(c.expected) && Catch::Contains(c.name + ".json"));
  }
}

TEST_CASE("edits change the world as asked", "[scenarios][edits]") {
  auto const f = scenario_file("edits", with_edits(R"([
    {"type": "label", "select": {"network": "ram-alpha"}, "network": "ram-alpha", "coordinator": true},
    {"type": "hours", "select": {"ids": ["cr-alpha"]}, "hours": "Sa 08:00-12:00"},
    {"type": "add_facilities", "facilities": [{"id": "new-mc", "name": "Nouvelle", "kind": "micro_creche", "places": 10,
      "hours": "Mo-Fr 07:00-19:00", "lon": 3.15, "lat": 45.76, "avip": true}]},
    {"type": "baby_bus", "action": "add", "bus": "bb1", "sites": [{"id": "bb1-s1", "places": 12, "hours": "Mo,Th 08:30-16:00", "lon": 3.19, "lat": 45.79}]},
    {"type": "label", "select": {"within": {"type": "Polygon", "coordinates": [[[3.14,45.74],[3.16,45.74],[3.16,45.76],[3.14,45.76],[3.14,45.74]]]}}}
  ])"));
  auto const p = scenarios::prepare(f);
  auto const& fa = p.world.facilities;
  REQUIRE(fa.size() == 6);
  CHECK(fa.avip[sim::facility_idx{2}] == 1);
  CHECK(fa.avip[sim::facility_idx{3}] == 1);
  CHECK(fa.avip[sim::facility_idx{1}] == 1);  // mc-beta is within the polygon
  CHECK(fa.hours[sim::facility_idx{0}].has_day(5));
  CHECK(fa.hours[sim::facility_idx{0}].has_day(0));  // extended, not replaced
  CHECK(fa.id[sim::facility_idx{4}] == "new-mc");
  CHECK(fa.commune[sim::facility_idx{4}] == sim::commune_idx{1});
  CHECK(fa.bus_id.size() == 1);
}

TEST_CASE("a places edit sets the total places, whatever its order with the labelled places",
          "[scenarios][edits]") {
  // mc-beta has 10 places: 12 labelled places fit once it has 14, before or after the label.
  for (auto const& [name, edits] : std::vector<std::pair<std::string, std::string>>{
           {"places_first", R"([{"type": "places", "select": {"ids": ["mc-beta"]}, "places": 14},
                                {"type": "label", "select": {"ids": ["mc-beta"]}, "places": 12}])"},
           {"places_after", R"([{"type": "label", "select": {"ids": ["mc-beta"]}, "places": 12},
                                {"type": "places", "select": {"ids": ["mc-beta"]}, "places": 14}])"}}) {
    INFO(name);
    auto const p = scenarios::prepare(scenario_file(name, with_edits(edits)));
    auto const& fa = p.world.facilities;
    auto const k = sim::facility_idx{1};
    REQUIRE(fa.id[k] == "mc-beta");
    CHECK(fa.places[k] == 14);
    CHECK(fa.avip_places[k] == 12);
    CHECK(fa.places[sim::facility_idx{0}] == scenarios::prepare(scenario_file("no_edit", with_edits("[]")))
                                                 .world.facilities.places[sim::facility_idx{0}]);
  }
  // By any selector: the labelled crèche of the mini territory, whose labelled places (a share of its
  // places) and their funding grow with it.
  auto const base = scenarios::prepare(scenario_file("places_base", with_edits("[]")));
  auto const more = scenarios::prepare(scenario_file(
      "places_more", with_edits(R"([{"type": "places", "select": {"kind": "creche"}, "places": 200}])")));
  CHECK(more.world.facilities.places[sim::facility_idx{0}] == 200);
  CHECK(sim::compute_cost(more.world, more.spec.params).total >
        sim::compute_cost(base.world, base.spec.params).total);
}

TEST_CASE("facilities labelled by a scenario get its year and the labelled places it gives",
          "[scenarios][edits]") {
  auto const f = scenario_file("label_year", with_edits(R"([
    {"type": "label", "select": {"ids": ["mc-beta"]}, "places": 3},
    {"type": "label", "select": {"network": "ram-alpha"}, "network": "ram-alpha"},
    {"type": "add_facilities", "facilities": [
      {"id": "new-avip", "kind": "micro_creche", "places": 10, "hours": "Mo-Fr 07:00-19:00", "lon": 3.15, "lat": 45.76, "avip": true},
      {"id": "new-plain", "kind": "micro_creche", "places": 10, "hours": "Mo-Fr 07:00-19:00", "lon": 3.15, "lat": 45.76}]},
    {"type": "baby_bus", "action": "add", "bus": "bb1", "sites": [{"id": "bb1-s1", "places": 12, "hours": "Mo,Th 08:30-16:00", "lon": 3.19, "lat": 45.79}]}
  ])",
                                                        R"(, "params": {"year": 2026})"));
  auto const p = scenarios::prepare(f);
  auto const& fa = p.world.facilities;
  REQUIRE(fa.size() == 7);
  REQUIRE(fa.avip_places.size() == fa.size());
  REQUIRE(fa.label_year.size() == fa.size());
  auto const k = [&](std::string const& id) {
    return sim::facility_idx::from(
        static_cast<std::size_t>(std::find(fa.id.begin(), fa.id.end(), id) - fa.id.begin()));
  };
  CHECK(fa.label_year[k("mc-beta")] == 2026);
  CHECK(fa.avip_places[k("mc-beta")] == 3);
  CHECK(fa.label_year[k("am-alpha-1")] == 2026);
  CHECK(fa.avip_places[k("am-alpha-1")] == 0);  // not given: labelled_places_share
  CHECK(fa.label_year[k("new-avip")] == 2026);
  CHECK(fa.label_year[k("new-plain")] == 0);
  CHECK(fa.label_year[k("bb1-s1")] == 0);
  CHECK(fa.label_year[k("cr-alpha")] == 0);  // labelled in the territory, year unknown: untouched
}

TEST_CASE("a label keeps the territory's label year, and an unlabel clears the year and the places",
          "[scenarios][edits]") {
  // The mini territory with cr-alpha labelled in 2019 with 6 labelled places.
  auto const dir = scenario_file("dummy", "{}").parent_path() / "mini_labelled";
  fs::remove_all(dir);
  fs::create_directories(dir);
  for (auto const& e : fs::directory_iterator{fs::path{AVIP_SOURCE_DIR} / "tests/data/mini"}) {
    if (e.is_regular_file()) {
      fs::copy_file(e.path(), dir / e.path().filename());
    }
  }
  std::string text;
  {
    std::ifstream in{dir / "facilities.geojson"};
    text.assign(std::istreambuf_iterator<char>{in}, {});
  }
  auto const pos = text.find("\"avip\": true");
  REQUIRE(pos != std::string::npos);
  text.insert(pos, "\"label_year\": 2019, \"avip_places\": 6, ");
  std::ofstream{dir / "facilities.geojson"} << text;
  auto const body = [&](std::string const& edits) {
    return R"({"territory": ")" + (dir / "territory.json").string() +
           R"(", "params": {"year": 2026}, "edits": )" + edits + "}";
  };
  auto const keep = scenarios::prepare(
      scenario_file("label_keep", body(R"([{"type": "label", "select": {"ids": ["cr-alpha"]}}])")));
  CHECK(keep.world.facilities.label_year[sim::facility_idx{0}] == 2019);
  CHECK(keep.world.facilities.avip_places[sim::facility_idx{0}] == 6);
  auto const places = scenarios::prepare(scenario_file(
      "label_places", body(R"([{"type": "label", "select": {"ids": ["cr-alpha"]}, "places": 4}])")));
  CHECK(places.world.facilities.label_year[sim::facility_idx{0}] == 2019);
  CHECK(places.world.facilities.avip_places[sim::facility_idx{0}] == 4);
  auto const drop = scenarios::prepare(scenario_file(
      "label_drop", body(R"([{"type": "label", "select": {"ids": ["cr-alpha"]}, "label": false}])")));
  CHECK(drop.world.facilities.avip[sim::facility_idx{0}] == 0);
  CHECK(drop.world.facilities.label_year[sim::facility_idx{0}] == 0);
  CHECK(drop.world.facilities.avip_places[sim::facility_idx{0}] == 0);
  // Its 6 labelled places do not fit in 4 places: the places edit is at fault, unless a label lowers them.
  auto const fewer = scenario_file(
      "places_fewer", body(R"([{"type": "places", "select": {"ids": ["cr-alpha"]}, "places": 4}])"));
  CHECK_THROWS_WITH(
      scenarios::prepare(fewer),
      Catch::Contains("places_fewer.json: /edits/0/places: 'cr-alpha' has 6 labelled places, more "
                      "than these 4 places"));
  auto const both = scenarios::prepare(scenario_file(
      "places_relabel", body(R"([{"type": "places", "select": {"ids": ["cr-alpha"]}, "places": 4},
                                               {"type": "label", "select": {"ids": ["cr-alpha"]}, "places": 3}])")));
  CHECK(both.world.facilities.places[sim::facility_idx{0}] == 4);
  CHECK(both.world.facilities.avip_places[sim::facility_idx{0}] == 3);
  fs::remove_all(dir);
}

TEST_CASE("a Baby Bus on a commune raises coverage there and nowhere else", "[scenarios][edits]") {
  // Car trips limited to 15 minutes: the families of Alpha cannot reach a site in the east of Beta.
  auto const base =
      scenario_file("bb_base", with_edits("[]", R"(, "params": {"tolerance_car_minutes": 15})"));
  auto const bus =
      scenario_file("bb_bus", with_edits(R"([{"type": "baby_bus", "action": "add", "bus": "bb-beta",
    "sites": [{"id": "bb-beta-1", "places": 12, "hours": "Mo-Fr 08:00-17:00", "lon": 3.1895, "lat": 45.7895}]}])",
                                         R"(, "params": {"tolerance_car_minutes": 15})"));
  auto const a = scenarios::prepare(base);
  auto const b = scenarios::prepare(bus);
  auto const ra = sim::run(a.world, a.spec.params, {20, 3, false});
  auto const rb = sim::run(b.world, b.spec.params, {20, 3, false});
  CHECK(rb.communes[sim::commune_idx{1}].demand.matched.mean() >
        ra.communes[sim::commune_idx{1}].demand.matched.mean());
  CHECK(rb.communes[sim::commune_idx{0}].demand.matched.values ==
        ra.communes[sim::commune_idx{0}].demand.matched.values);
}

TEST_CASE("Saturday hours remove the hours-incompatible unmet demand of families needing Saturday",
          "[scenarios][edits]") {
  // f4 (Beta, by car, needs Saturday morning) finds no facility open then except the micro-crèche
  // that opens Saturday; close it on Saturday in the base, open the labelled crèche on Saturday after.
  auto const base = scenario_file(
      "sat_base",
      with_edits(
          R"([{"type": "hours", "select": {"ids": ["mc-beta"]}, "hours": "Mo-Fr 07:30-18:00", "replace": true}])",
          R"(, "params": {"awareness_rate": 1})"));
  auto const sat = scenario_file(
      "sat_open",
      with_edits(
          R"([{"type": "hours", "select": {"ids": ["mc-beta"]}, "hours": "Mo-Fr 07:30-18:00", "replace": true},
    {"type": "hours", "select": {"ids": ["cr-alpha"]}, "hours": "Sa 08:00-12:00"}])",
          R"(, "params": {"awareness_rate": 1})"));
  auto const a = scenarios::prepare(base);
  auto const b = scenarios::prepare(sat);
  auto const ra = sim::run(a.world, a.spec.params, {5, 3, false});
  auto const rb = sim::run(b.world, b.spec.params, {5, 3, false});
  CHECK(ra.island.unmet_hours.mean() >= 1.0);
  CHECK(rb.island.unmet_hours.mean() == Approx(ra.island.unmet_hours.mean() - 1.0));
}

TEST_CASE("base scenarios are merged: the child's edits come after the base's", "[scenarios]") {
  auto const base =
      scenario_file("parent", with_edits(R"([{"type": "label", "select": {"ids": ["mc-beta"]}}])"));
  auto const child =
      scenario_file("child", R"({"base": "parent.json", "name": "child", "params": {"policy": "lottery"},
    "edits": [{"type": "label", "select": {"ids": ["cr-alpha"]}, "label": false}]})");
  auto const p = scenarios::prepare(child);
  CHECK(p.spec.name == "child");
  CHECK(p.spec.replications == 10);
  CHECK(p.spec.params.policy == sim::allocation_policy::lottery);
  CHECK(p.world.facilities.avip[sim::facility_idx{0}] == 0);
  CHECK(p.world.facilities.avip[sim::facility_idx{1}] == 1);
}

TEST_CASE("add_facilities from a file, with the planner's column names mapped", "[scenarios][edits]") {
  auto const dir = scenario_file("dummy", "{}").parent_path();
  std::ofstream{dir / "new_eaje.geojson"} << R"({"type": "FeatureCollection", "features": [
    {"type": "Feature", "properties": {"code": "mc-new", "capacite": 12, "type": "micro_creche", "horaires": "Mo-Fr 07:00-19:00"},
     "geometry": {"type": "Point", "coordinates": [3.12, 45.75]}}]})";
  auto const f =
      scenario_file("from_file", with_edits(R"([{"type": "add_facilities", "file": "new_eaje.geojson",
    "fields": {"id": "code", "places": "capacite", "kind": "type", "hours": "horaires"}}])"));
  auto const p = scenarios::prepare(f);
  REQUIRE(p.world.facilities.size() == 5);
  CHECK(p.world.facilities.id[sim::facility_idx{4}] == "mc-new");
  CHECK(p.world.facilities.places[sim::facility_idx{4}] == 12);
  CHECK(p.world.facilities.commune[sim::facility_idx{4}] == sim::commune_idx{1});
  auto const bad =
      scenario_file("from_missing", with_edits(R"([{"type": "add_facilities", "file": "nowhere.gpkg"}])"));
  CHECK_THROWS_WITH(scenarios::read_scenario(bad),
                    Catch::Contains("/edits/0/file") && Catch::Contains("nowhere.gpkg"));
}
