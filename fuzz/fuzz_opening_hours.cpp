// libFuzzer target: the OSM opening_hours parser (sim/opening_hours.hpp). A parsed mask must format
// to a text that parses back to the same mask.
#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include "core/error.hpp"
#include "fuzz/fuzz_support.hpp"
#include "sim/opening_hours.hpp"

extern "C" int LLVMFuzzerTestOneInput(std::uint8_t const* data, std::size_t size) {
  auto const text = avip::fuzz::as_text(data, size);
  try {
    auto const mask = avip::sim::parse_opening_hours(text);
    auto const again = avip::sim::parse_opening_hours(avip::sim::format_opening_hours(mask));
    if (!(again.bits() == mask.bits())) {
      std::abort();  // format_opening_hours lost or changed hours
    }
  } catch (avip::error const&) {
    // a clear project error: the expected outcome for a bad input
  }
  return 0;
}
