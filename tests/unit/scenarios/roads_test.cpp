#include <catch2/catch.hpp>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <string>
#include <utility>

#include <unistd.h>
#include <nlohmann/json.hpp>

#include "core/error.hpp"
#include "scenarios/pipeline.hpp"
#include "territory/load.hpp"

using namespace avip;
namespace fs = std::filesystem;

namespace {

fs::path temp_dir(std::string const& name) {
  auto d = fs::temp_directory_path() / ("avip_roads_" + name + "_" + std::to_string(::getpid()));
  fs::remove_all(d);
  fs::create_directories(d);
  return d;
}

fs::path scenario_on(std::string const& manifest, std::string const& name) {
  auto const f = temp_dir(name) / "scenario.json";
  std::ofstream{f} << R"({"name": ")" << name << R"(", "territory": ")" << AVIP_SOURCE_DIR
                   << "/tests/data/mini/" << manifest << R"(", "replications": 4, "seed": 5})";
  return f;
}

/// Runs `p` into a temporary folder; returns summary.json and the report's text.
std::pair<nlohmann::json, std::string> run_outputs(scenarios::prepared const& p, std::string const& name) {
  auto const out = temp_dir(name + "_out");
  scenarios::run_request r;
  r.progress = false;
  (void)scenarios::run_into(p, r, out);
  std::ifstream in{out / "summary.json"};
  std::ifstream html{out / "report.html"};
  return {nlohmann::json::parse(in), std::string{std::istreambuf_iterator<char>{html}, {}}};
}

}  // namespace

TEST_CASE("a territory manifest with roads loads its extract", "[scenarios][roads]") {
  auto const t =
      territory::load_territory(fs::path{AVIP_SOURCE_DIR} / "tests/data/mini/territory-roads.json");
  REQUIRE_FALSE(t.roads.empty());
  CHECK(t.roads.filename() == "mini.osm");
  bool listed = false;
  for (auto const& in : t.inputs) {
    listed = listed || (in.layer == "roads" && !in.sha256.empty());
  }
  CHECK(listed);
}

TEST_CASE("a manifest whose roads file is missing names the manifest and /roads", "[scenarios][roads]") {
  auto const d = temp_dir("missing");
  for (auto const& e : fs::directory_iterator{fs::path{AVIP_SOURCE_DIR} / "tests/data/mini"}) {
    if (e.is_regular_file()) {
      fs::copy_file(e.path(), d / e.path().filename());
    }
  }
  // The copy's ../roads/mini.osm does not exist.
  try {
    (void)territory::load_territory(d / "territory-roads.json");
    FAIL("expected a data_error");
  } catch (data_error const& e) {
    CHECK_THAT(e.what(), Catch::Contains("territory-roads.json") && Catch::Contains("/roads") &&
                             Catch::Contains("file not found"));
  }
}

TEST_CASE("a run on roads: road times in the world, no straight-line warning", "[scenarios][roads]") {
  auto const p = scenarios::prepare(scenario_on("territory-roads.json", "roads"), true, false);
  auto const& r = p.world.roads;
  REQUIRE_FALSE(r.empty());
  REQUIRE(r.offsets.size() == p.world.families.size() + 1);
  CHECK(r.max_car_kmh == 25);  // one residential street
  // f1 lives 65 m from cr-alpha, both on the street: a short walk on the road.
  auto const f1 = sim::family_idx{0};
  auto const cr_alpha = sim::facility_idx{0};
  double const walk = r.walk_minutes(f1, cr_alpha);
  CHECK(walk > 0.5);
  CHECK(walk < 2.0);
  // f5 is more than 500 m from the street: it walks in a straight line (NaN: no road time).
  CHECK(std::isnan(r.walk_minutes(sim::family_idx{4}, cr_alpha)));
  // f3 drives to am-alpha-2 on the street (about 200 m): under 2 min with the off-road legs.
  double const car = r.car_minutes(sim::family_idx{2}, sim::facility_idx{3});
  CHECK(car > 0.2);
  CHECK(car < 2.0);
  auto const [s, report] = run_outputs(p, "roads");
  CHECK(s.at("roads").at("network") == true);
  CHECK_FALSE(s.contains("warnings"));
  CHECK_THAT(report, !Catch::Contains("pas de réseau routier"));
}

TEST_CASE("a run without roads warns that car and walking times are straight lines", "[scenarios][roads]") {
  auto const p = scenarios::prepare(scenario_on("territory.json", "straight"), true, false);
  CHECK(p.world.roads.empty());
  auto const [s, report] = run_outputs(p, "straight");
  CHECK(s.at("roads").at("network") == false);
  REQUIRE(s.contains("warnings"));
  CHECK_THAT(s.at("warnings").dump(), Catch::Contains("straight lines"));
  CHECK_THAT(report,
             Catch::Contains(
                 "temps en voiture et à pied : lignes droites × facteur de détour (pas de réseau routier)"));
}
