// The files a scenario names stay inside its folder (or the working folder) unless --allow-outside, and
// network /vsi paths are refused (core/path_policy.hpp): a scenario sent by someone else reads nothing
// else.

#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <string>

#include "core/error.hpp"
#include "core/path_policy.hpp"
#include "harness.hpp"

namespace fs = std::filesystem;

using avip::test::avipsim_in;
using avip::test::temp_folder;

TEST_CASE("scenario paths: outside the scenario's folder refused unless --allow-outside", "[cli][paths]") {
  auto const d = temp_folder("paths", "outside");
  fs::create_directories(d / "data");
  fs::copy(fs::path{AVIP_SOURCE_DIR} / "tests/data/mini", d / "data" / "mini", fs::copy_options::recursive);
  fs::create_directories(d / "scenarios");
  std::ofstream{d / "scenarios" / "climb.json"}
      << R"({"territory": "../data/mini/territory.json", "replications": 2})";
  std::ofstream{d / "scenarios" / "absolute.json"}
      << R"({"territory": ")" << (d / "data/mini/territory.json").string() << R"(", "replications": 2})";
  fs::copy(d / "data" / "mini", d / "scenarios" / "mini", fs::copy_options::recursive);
  std::ofstream{d / "scenarios" / "facilities.json"}
      << R"({"territory": "mini/territory.json", "edits": [{"type": "add_facilities", "file": "/etc/passwd"}]})";
  auto const scenarios = d / "scenarios";
  for (auto const* name : {"climb.json", "absolute.json", "facilities.json"}) {
    auto const r =
        avipsim_in(scenarios, "run " + std::string{name} + " --out " + (d / "o").string() + " --quiet");
    INFO(name << ": " << r.output);
    CHECK(r.code == 1);
    CHECK_THAT(r.output, Catch::Contains(name) && Catch::Contains("--allow-outside"));
    CHECK_FALSE(fs::exists(d / "o"));
  }
  // Inside the working folder: allowed (the shipped scenarios reach ../../data from the project root).
  auto const in_cwd = avipsim_in(d, "run scenarios/climb.json --out o1 --quiet");
  INFO(in_cwd.output);
  CHECK(in_cwd.code == 0);
  auto const allowed =
      avipsim_in(scenarios, "run climb.json --allow-outside --out " + (d / "o2").string() + " --quiet");
  INFO(allowed.output);
  CHECK(allowed.code == 0);
  fs::remove_all(d);
}

TEST_CASE("scenario paths: network /vsi paths are refused, even with --allow-outside", "[cli][paths]") {
  auto const d = temp_folder("paths", "vsi");
  std::ofstream{d / "net.json"}
      << R"({"territory": "/vsicurl/http://127.0.0.1:1/t.json", "replications": 2})";
  std::ofstream{d / "zipnet.json"}
      << R"({"territory": "/vsizip//vsicurl/http://127.0.0.1:1/t.zip/t.json", "replications": 2})";
  for (auto const* name : {"net.json", "zipnet.json"}) {
    auto const r = avipsim_in(d, "run " + std::string{name} + " --allow-outside --out o --quiet");
    INFO(r.output);
    CHECK(r.code == 1);
    CHECK_THAT(r.output, Catch::Contains("network") && Catch::Contains("/territory"));
  }
  CHECK_THROWS_AS(avip::input_path(d / "s.json", "/vsis3/bucket/x.gpkg", "/edits/0/file"),
                  avip::scenario_error);
  CHECK(avip::input_path(d / "s.json", "sub/x.gpkg", "/edits/0/file") == d / "sub/x.gpkg");
  fs::remove_all(d);
}
