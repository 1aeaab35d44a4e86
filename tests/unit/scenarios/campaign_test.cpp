#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <string>

#include <unistd.h>

#include "core/error.hpp"
#include "scenarios/scenario.hpp"

// Defects found by the bad-input campaign (tests/campaign/bad_inputs.py) in scenario files.

using namespace avip;
namespace fs = std::filesystem;

namespace {

std::string read_error(std::string const& name, std::string const& body) {
  auto const d = fs::temp_directory_path() / ("avip_scen_campaign_" + std::to_string(::getpid()));
  fs::create_directories(d);
  auto const f = d / name;
  std::ofstream{f, std::ios::binary} << body;
  std::string msg;
  try {
    (void)scenarios::read_scenario(f);
  } catch (scenario_error const& e) {
    msg = e.what();
  }
  fs::remove_all(d);
  return msg;
}

std::string mini() {
  return std::string{AVIP_SOURCE_DIR} + "/tests/data/mini/territory.json";
}

}  // namespace

TEST_CASE("campaign: a params edit without params is refused (the schema requires it)",
          "[scenario][campaign]") {
  auto const msg =
      read_error("p.json", R"({"territory": ")" + mini() + R"(", "edits": [{"type": "params"}]})");
  CHECK_THAT(msg, Catch::Contains("p.json") && Catch::Contains("/edits/0") && Catch::Contains("\"params\""));
  CHECK(read_error("ok.json", R"({"territory": ")" + mini() +
                                  R"(", "edits": [{"type": "params", "params": {"policy": "lottery"}}]})")
            .empty());
}

TEST_CASE("campaign: an unknown edit type lists every type, bus_service included", "[scenario][campaign]") {
  auto const msg =
      read_error("t.json", R"({"territory": ")" + mini() + R"(", "edits": [{"type": "relabel"}]})");
  CHECK_THAT(msg, Catch::Contains("/edits/0/type") && Catch::Contains("bus_service"));
}
