// libFuzzer target: the scenario parser and validator (scenarios/scenario.hpp, scenarios/apply.hpp).
// The input is a scenario's JSON, written beside a link "mini" to tests/data/mini; a scenario that
// parses is then applied (selectors, ids, overlapping edits) to the mini territory, loaded once.
#include <cstddef>
#include <cstdint>

#include "core/error.hpp"
#include "fuzz/fuzz_support.hpp"
#include "scenarios/apply.hpp"
#include "scenarios/scenario.hpp"
#include "territory/load.hpp"

namespace {

std::filesystem::path scenario_folder() {
  auto const dir = avip::fuzz::work_folder() / "scenario";
  std::filesystem::create_directories(dir);
  avip::fuzz::link_to(AVIP_SOURCE_DIR "/tests/data/mini", dir / "mini");
  return dir;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(std::uint8_t const* data, std::size_t size) {
  static auto const dir = scenario_folder();
  static auto const mini = avip::territory::load_territory(dir / "mini" / "territory.json");
  auto const file = dir / "scenario.json";
  avip::fuzz::write_file(file, avip::fuzz::as_text(data, size));
  try {
    auto const s = avip::scenarios::read_scenario(file);
    (void)avip::scenarios::apply_edits(s, mini);
  } catch (avip::error const&) {
    // a clear project error: the expected outcome for a bad input
  }
  return 0;
}
