// libFuzzer target: the territory manifest (territory/load.hpp). The input is the manifest's JSON,
// written beside links to the layers of tests/data/mini (and the tiny GTFS feed as "gtfs"), so that a
// manifest can name real layers and reach the data contract's checks.
#include <cstddef>
#include <cstdint>

#include "core/error.hpp"
#include "fuzz/fuzz_support.hpp"
#include "territory/load.hpp"

namespace {

std::filesystem::path manifest_folder() {
  auto const dir = avip::fuzz::work_folder() / "territory";
  std::filesystem::create_directories(dir);
  std::filesystem::path const mini{AVIP_SOURCE_DIR "/tests/data/mini"};
  for (auto const& entry : std::filesystem::directory_iterator{mini}) {
    if (entry.path().filename() != "territory.json") {
      avip::fuzz::link_to(entry.path(), dir / entry.path().filename());
    }
  }
  avip::fuzz::link_to(AVIP_SOURCE_DIR "/tests/data/gtfs/tiny", dir / "gtfs");
  return dir;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(std::uint8_t const* data, std::size_t size) {
  static auto const dir = manifest_folder();
  auto const manifest = dir / "territory.json";
  avip::fuzz::write_file(manifest, avip::fuzz::as_text(data, size));
  try {
    (void)avip::territory::load_territory(manifest);
  } catch (avip::error const&) {
    // a clear project error: the expected outcome for a bad input
  }
  return 0;
}
