// libFuzzer target: the GTFS reader (geo/gtfs_feed.hpp) on a folder of CSV files. The input is split
// by lines "---" into stops.txt, stop_times.txt, trips.txt, routes.txt, calendar.txt and
// calendar_dates.txt, in that order; a file whose part is missing is not written.
#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <system_error>

#include "core/error.hpp"
#include "fuzz/fuzz_support.hpp"
#include "geo/gtfs_feed.hpp"

namespace {

constexpr std::array<char const*, 6> kFiles{"stops.txt",  "stop_times.txt", "trips.txt",
                                            "routes.txt", "calendar.txt",   "calendar_dates.txt"};
constexpr std::string_view kSeparator{"\n---\n"};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(std::uint8_t const* data, std::size_t size) {
  static auto const feed = avip::fuzz::work_folder() / "gtfs";
  std::filesystem::create_directories(feed);
  auto rest = avip::fuzz::as_text(data, size);
  for (auto const* name : kFiles) {
    std::error_code ec;
    std::filesystem::remove(feed / name, ec);
    if (rest.data() == nullptr) {
      continue;
    }
    auto const cut = rest.find(kSeparator);
    avip::fuzz::write_file(feed / name, rest.substr(0, cut));
    rest = cut == std::string_view::npos ? std::string_view{} : rest.substr(cut + kSeparator.size());
  }
  try {
    (void)avip::geo::read_gtfs(feed.string());
  } catch (avip::error const&) {
    // a clear project error: the expected outcome for a bad input
  }
  return 0;
}
