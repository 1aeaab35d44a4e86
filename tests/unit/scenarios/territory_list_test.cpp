#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <string>

#include <unistd.h>

#include "core/error.hpp"
#include "scenarios/territory_list.hpp"
#include "scenarios/uncertainty.hpp"

using namespace avip;
namespace fs = std::filesystem;

namespace {

fs::path folder() {
  auto d = fs::temp_directory_path() / ("avip_territory_list_" + std::to_string(::getpid()));
  fs::create_directories(d);
  return d;
}

fs::path write(std::string const& name, std::string const& body) {
  auto const f = folder() / name;
  std::ofstream{f} << body;
  return f;
}

std::string error_of(fs::path const& list) {
  try {
    scenarios::read_territory_list(list);
  } catch (error const& e) {
    return e.what();
  }
  return {};
}

std::string uncertainty_error(fs::path const& f) {
  try {
    scenarios::read_uncertainty(f);
  } catch (scenario_error const& e) {
    return e.what();
  }
  return {};
}

}  // namespace

TEST_CASE("territory list: the shipped list names La Réunion and Guéret", "[scenarios][sweeps]") {
  auto const l = scenarios::read_territory_list(std::string{AVIP_SOURCE_DIR} + "/scenarios/territories.txt");
  REQUIRE(l.size() == 2);
  CHECK(l[0].folder == "reunion");
  CHECK(l[1].folder == "gueret");
  CHECK(l[0].line == 4);
  CHECK(fs::exists(l[1].scenario));
}

TEST_CASE("territory list: every problem names the list and the line", "[scenarios][sweeps]") {
  auto const mini = std::string{AVIP_SOURCE_DIR} + "/tests/data/mini/territory.json";
  write("s.json", R"({"name": "s", "territory": ")" + mini + R"("})");
  auto const missing = write("missing.txt", "s.json\n  # comment\nnone.json\n");
  auto msg = error_of(missing);
  CHECK_THAT(msg, Catch::Contains(missing.string() + ":3: 'none.json': file not found"));
  auto const twice = write("twice.txt", "s.json\n" + (folder() / "s.json").string() + "\n");
  CHECK_THAT(error_of(twice), Catch::Contains(twice.string() + ":2: territory 'mini' is already on line 1"));
  CHECK_THAT(error_of(write("empty.txt", "\n# none\n")), Catch::Contains("no territory"));
  CHECK_THAT(error_of(folder() / "absent.txt"), Catch::Contains("territory list not found"));
  auto const ok = scenarios::read_territory_list(write("ok.txt", "s.json   # trailing comment\n"));
  REQUIRE(ok.size() == 1);
  CHECK(ok[0].scenario == folder() / "s.json");
}

TEST_CASE("uncertainty files: the synthesis seed is a list or a whole-number range", "[scenarios][sweeps]") {
  auto const ok = write("seed.json", R"({"parameters": [
    {"name": "synthesis_seed", "distribution": "uniform", "low": 1, "high": 4, "justification": "x"}]})");
  auto const u = scenarios::read_uncertainty(ok);
  REQUIRE(u.synthesis_seed() == 0);
  auto const& q = u.parameters[0];
  CHECK(q.integer);
  // Each of the 4 seeds equally likely: u in [0, 1/4) gives 1, … [3/4, 1] gives 4.
  CHECK(q.value(0.0) == 1);
  CHECK(q.value(0.3) == 2);
  CHECK(q.value(0.74) == 3);
  CHECK(q.value(1.0) == 4);
  CHECK(q.describe() == "entiers équiprobables de 1 à 4");
  auto const bad = write("badseed.json", R"({"parameters": [
    {"name": "synthesis_seed", "distribution": "discrete", "values": [1, 2.5, -1], "justification": "x"},
    {"name": "synthesis_seed", "distribution": "triangular", "low": 1, "mode": 2, "high": 3, "justification": "x"}]})");
  auto const msg = uncertainty_error(bad);
  CHECK_THAT(msg, Catch::Contains("/parameters/0/values/1: a seed is a whole number"));
  CHECK_THAT(msg, Catch::Contains("/parameters/0/values/2"));
  CHECK_THAT(msg, Catch::Contains("/parameters/1/name: 'synthesis_seed' is given twice"));
  CHECK_THAT(msg, Catch::Contains("/parameters/1/distribution"));
  auto const reunion =
      scenarios::read_uncertainty(std::string{AVIP_SOURCE_DIR} + "/scenarios/reunion/uncertainty.json");
  CHECK(reunion.synthesis_seed() >= 0);
}
