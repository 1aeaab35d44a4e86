#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <string>

#include <unistd.h>

#include "core/error.hpp"
#include "scenarios/apply.hpp"
#include "scenarios/pipeline.hpp"
#include "scenarios/scenario.hpp"
#include "territory/load.hpp"

// One test per defect of issue 14 that concerns scenarios (numbers as in the issue).

using namespace avip;
namespace fs = std::filesystem;

namespace {

fs::path folder() {
  auto d = fs::temp_directory_path() / ("avip_hard_" + std::to_string(::getpid()));
  fs::create_directories(d);
  return d;
}

fs::path write(std::string const& name, std::string const& body) {
  auto const f = folder() / name;
  std::ofstream{f, std::ios::binary} << body;
  return f;
}

std::string mini() {
  return std::string{AVIP_SOURCE_DIR} + "/tests/data/mini/territory.json";
}

std::string scenario(std::string const& edits, std::string const& extra = "") {
  return R"({"name": "t", "territory": ")" + mini() + R"(", "replications": 4, "seed": 3)" + extra +
         R"(, "edits": )" + edits + "}";
}

/// The message of the scenario_error that reading (and applying) `file` throws, or "" when none.
std::string error_of(fs::path const& file) {
  try {
    auto const s = scenarios::read_scenario(file);
    auto const t = territory::load_territory(s.territory);
    (void)scenarios::apply_edits(s, t);
  } catch (scenario_error const& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST_CASE("14.4 add_facilities from a CSV uses its lon and lat columns", "[scenarios][hardening]") {
  write("new.csv",
        "id,kind,places,hours,lon,lat\n"
        "csv-1,micro_creche,10,Mo-Fr 07:00-19:00,3.15,45.76\n"
        "csv-2,creche,30,Mo-Fr 07:00-18:00,3.05,45.75\n");
  auto const f = write("csv.json", scenario(R"([{"type": "add_facilities", "file": "new.csv"}])"));
  auto const s = scenarios::read_scenario(f);
  REQUIRE(s.edits.size() == 1);
  REQUIRE(s.edits[0].facilities.size() == 2);
  CHECK(s.edits[0].facilities[0].lon == Approx(3.15));
  CHECK(s.edits[0].facilities[1].lat == Approx(45.75));
  CHECK(s.edits[0].facilities[1].places == 30);
  auto const w = scenarios::apply_edits(s, territory::load_territory(s.territory));
  CHECK(w.facilities.size() == 6);
}

TEST_CASE("14.4 add_facilities from a table without geometry nor lon/lat is a clear error",
          "[scenarios][hardening]") {
  write("nocoords.csv", "id,kind,places,hours\ncsv-1,micro_creche,10,Mo-Fr 07:00-19:00\n");
  auto const f = write("nocoords.json", scenario(R"([{"type": "add_facilities", "file": "nocoords.csv"}])"));
  auto const msg = error_of(f);
  CHECK_THAT(msg, Catch::Contains("/edits/0/file nocoords.csv feature") && Catch::Contains("lon and lat"));
}

TEST_CASE("14.4 add_facilities file values are checked as inline ones", "[scenarios][hardening]") {
  write("bad.csv", "id,kind,places,hours,lon,lat\nb1,castle,2.5,Lu 8h,3.15,north\n");
  auto const f = write("badcsv.json", scenario(R"([{"type": "add_facilities", "file": "bad.csv"}])"));
  auto const msg = error_of(f);
  CHECK_THAT(msg, Catch::Contains("/kind: unknown kind 'castle'"));
  CHECK_THAT(msg, Catch::Contains("/places: expected a whole number"));
  CHECK_THAT(msg, Catch::Contains("/hours"));
  CHECK_THAT(msg, Catch::Contains("/lat: expected a number"));
}

TEST_CASE("14.5 a selector nested 100,000 levels deep is refused, not a stack overflow",
          "[scenarios][hardening]") {
  std::string deep(100000, '[');
  deep += std::string(100000, ']');
  auto const f = write("deep.json", scenario(R"([{"type": "label", "select": {"within": )" + deep + "}}]"));
  CHECK_THAT(error_of(f), Catch::Contains("nested deeper than"));
}

TEST_CASE("14.6 a run whose memory estimate exceeds the machine is refused with the estimate",
          "[scenarios][hardening]") {
  auto const t = territory::load_territory(mini());
  sim::params p;
  CHECK(scenarios::estimated_run_bytes(t.world, p, 1) > 0);
  CHECK_NOTHROW(scenarios::check_run_memory(t.world, p, 200, "s.json"));
  try {
    scenarios::check_run_memory(t.world, p, 2'000'000'000, "s.json");
    FAIL("no error");
  } catch (scenario_error const& e) {
    CHECK_THAT(std::string{e.what()}, Catch::Contains("s.json: ") && Catch::Contains("GB"));
  }
}

TEST_CASE("14.8 numbers too large, bad territory paths and non-string fields name the pointer",
          "[scenarios][hardening]") {
  auto const big = write("big.json", scenario("[]", R"(, "params": {"tolerance_car_minutes": 1e400})"));
  CHECK_THAT(error_of(big), Catch::Contains("big.json") && Catch::Contains("number"));
  auto const empty = write("empty_terr.json", R"({"territory": ""})");
  CHECK_THAT(error_of(empty), Catch::Contains("/territory"));
  auto const dir = write("dir_terr.json", R"({"territory": "."})");
  try {
    auto const s = scenarios::read_scenario(dir);
    (void)territory::load_territory(s.territory);
    FAIL("no error");
  } catch (error const& e) {
    CHECK_THAT(std::string{e.what()}, Catch::Contains("is a folder"));
  }
  write("f.csv", "id,kind,places,hours,lon,lat\nx,creche,10,Mo-Fr 07:00-19:00,3.15,45.76\n");
  auto const fields = write(
      "fields.json", scenario(R"([{"type": "add_facilities", "file": "f.csv", "fields": {"places": 3}}])"));
  CHECK_THAT(error_of(fields), Catch::Contains("/edits/0/fields/places: expected a column name"));
}

TEST_CASE("14.10 a folder is not 'empty', and a 1 MB value is not echoed whole", "[scenarios][hardening]") {
  CHECK_THAT(error_of(folder()), Catch::Contains("is a folder"));
  auto const huge =
      write("huge.json", scenario(R"([{"type": "hours", "select": {"kind": "creche"}, "hours": ")" +
                                  std::string(1 << 20, 'x') + R"("}])"));
  auto const msg = error_of(huge);
  CHECK_THAT(msg, Catch::Contains("/edits/0/hours"));
  CHECK(msg.size() < 2000);
}

TEST_CASE("14.11 places 2.7 and replications 1.5 are refused, not truncated", "[scenarios][hardening]") {
  auto const places = write("places.json", scenario(R"([{"type": "add_facilities", "facilities": [{"id": "n",
      "kind": "creche", "places": 2.7, "hours": "Mo-Fr 07:00-19:00", "lon": 3.15, "lat": 45.76}]}])"));
  CHECK_THAT(error_of(places), Catch::Contains("/edits/0/facilities/0/places: expected a whole number"));
  auto const reps = write("reps.json", R"({"territory": ")" + mini() + R"(", "replications": 1.5})");
  CHECK_THAT(error_of(reps), Catch::Contains("/replications: expected a whole number"));
  auto const months = write("months.json", scenario("[]", R"(, "params": {"horizon_months": 6.5})"));
  CHECK_THAT(error_of(months), Catch::Contains("/params/horizon_months: expected a whole number"));
}

TEST_CASE("14.14 a new facility a little off the coast joins the nearest commune, as the loader does",
          "[scenarios][hardening]") {
  // 3.0 is the western edge of commune Alpha: 2.997 is about 230 m off it.
  auto const f = write("coast.json", scenario(R"([{"type": "add_facilities", "facilities": [{"id": "off",
      "kind": "creche", "places": 10, "hours": "Mo-Fr 07:00-19:00", "lon": 2.997, "lat": 45.75}]}])"));
  auto const s = scenarios::read_scenario(f);
  auto const w = scenarios::apply_edits(s, territory::load_territory(s.territory));
  REQUIRE(w.facilities.size() == 5);
  CHECK(w.facilities.commune[sim::facility_idx{4}] == sim::commune_idx{0});
  auto const far = write("far.json", scenario(R"([{"type": "add_facilities", "facilities": [{"id": "far",
      "kind": "creche", "places": 10, "hours": "Mo-Fr 07:00-19:00", "lon": 2.9, "lat": 45.75}]}])"));
  CHECK_THAT(error_of(far), Catch::Contains("outside every commune"));
}

TEST_CASE("14.15 duplicate keys, bytes after a NUL and a Point as within are refused",
          "[scenarios][hardening]") {
  auto const dup = write("dup.json", R"({"territory": ")" + mini() + R"(", "seed": 1, "seed": 2})");
  CHECK_THAT(error_of(dup), Catch::Contains("/seed: invalid JSON: duplicate key 'seed'"));
  auto const dup_deep = write("dup_deep.json", scenario(R"([{"type": "params", "params": {}},
      {"type": "hours", "type": "label"}])"));
  CHECK_THAT(error_of(dup_deep), Catch::Contains("/edits/1/type: invalid JSON: duplicate key"));
  char const tail[] = "\"}\0{\"x\": 1}";
  auto const nul = write("nul.json", R"({"territory": ")" + mini() + std::string{tail, sizeof tail - 1});
  CHECK_THAT(error_of(nul), Catch::Contains("NUL"));
  auto const point = write("point.json", scenario(R"([{"type": "label", "select": {"within":
      {"type": "Point", "coordinates": [3.15, 45.76]}}}])"));
  CHECK_THAT(error_of(point), Catch::Contains("/edits/0/select/within") && Catch::Contains("got a Point"));
}

TEST_CASE("14.20 summary.json's scenario names its files with their SHA-256", "[scenarios][hardening]") {
  write("h.csv", "id,kind,places,hours,lon,lat\nh1,creche,10,Mo-Fr 07:00-19:00,3.15,45.76\n");
  write("hbase.json", R"({"territory": ")" + mini() + R"("})");
  auto const f = write("hashed.json", R"({"base": "hbase.json", "edits": [{"type": "add_facilities",
      "file": "h.csv"}]})");
  auto const s = scenarios::read_scenario(f);
  REQUIRE(s.inputs.size() == 3);
  CHECK_THAT(s.resolved_json,
             Catch::Contains("hbase.json") && Catch::Contains("h.csv") && Catch::Contains("\"sha256\": \""));
  CHECK(s.resolved_json.find("\"sha256\": \"\"") == std::string::npos);
}
